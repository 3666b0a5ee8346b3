package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/demo"
	"github.com/jinguan-customs/jinguan/ecommerce"
	"github.com/jinguan-customs/jinguan/sqlite"
)

// TestKill9LosesNoAcknowledgedList kills the server with SIGKILL while
// clients post e-commerce batches, restarts it on the same data folder and
// checks that every list whose batch was answered is there, with its
// documents. The store commits without waiting for the disk and syncs
// apart; an answer must still mean the batch is stored.
func TestKill9LosesNoAcknowledgedList(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	dir := t.TempDir()
	srv, url := startServer(t, dir)
	secret, err := os.ReadFile(filepath.Join(dir, "secret"))
	if err != nil {
		t.Fatal(err)
	}
	ents := demo.Enterprises()
	admin := demo.Users(secret, ents)[0].Token

	g := ecommerce.NewGenerator(7, 100000, time.Now())
	var gmu sync.Mutex
	next := func() []byte {
		gmu.Lock()
		defer gmu.Unlock()
		var docs []ecommerce.Doc
		for range 16 {
			s := g.Next()
			docs = append(docs, s.Order, s.Payment, s.Waybill, s.List)
		}
		var b bytes.Buffer
		if err := ecommerce.EncodeXML(&b, docs); err != nil {
			t.Error(err)
		}
		return b.Bytes()
	}
	type ack struct {
		id  int64
		key string
	}
	var (
		mu   sync.Mutex
		acks []ack
		wg   sync.WaitGroup
		stop = make(chan struct{})
	)
	client := &http.Client{Timeout: 5 * time.Second}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("POST", url+"/api/v1/ecommerce/messages", bytes.NewReader(next()))
				req.Header.Set("Authorization", "Bearer "+admin)
				req.Header.Set("Content-Type", "application/xml")
				resp, err := client.Do(req)
				if err != nil {
					continue // the server died mid-request: not acknowledged
				}
				var out struct{ Receipts []ecommerce.Receipt }
				err = json.NewDecoder(resp.Body).Decode(&out)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					continue
				}
				mu.Lock()
				for _, r := range out.Receipts {
					if r.Type == ecommerce.ReceiptInventory && r.ListID > 0 {
						acks = append(acks, ack{r.ListID, r.Key})
					}
				}
				mu.Unlock()
			}
		}()
	}
	killAfter(t, srv, 2000, func() int { mu.Lock(); defer mu.Unlock(); return len(acks) })
	close(stop)
	wg.Wait()
	if len(acks) < 500 {
		t.Fatalf("only %d acknowledged lists before the kill", len(acks))
	}

	srv, url = startServer(t, dir)
	defer func() { srv.Process.Signal(syscall.SIGTERM); srv.Wait() }()
	missing := 0
	for _, a := range acks {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/ecommerce/lists/%d", url, a.id), nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			List  struct{ Key string }
			Order *ecommerce.Order
		}
		json.NewDecoder(resp.Body).Decode(&v)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || v.List.Key != a.key || v.Order == nil {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged lists lost after kill -9", missing, len(acks))
	}
	t.Logf("%d acknowledged lists before SIGKILL, all present after restart", len(acks))
	quotasMatchLists(t, filepath.Join(dir, "jinguan.db"))
}

// quotasMatchLists checks that every buyer's annual total is the sum of
// the values of the buyer's lists that count (a refused list has none),
// whatever the kill left of the quota log and of the lists.
func quotasMatchLists(t *testing.T, path string) {
	t.Helper()
	db, err := sqlite.Open(path) // a second process's handle, beside the server
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	raw, err := sql.Open("sqlite", path+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT buyer_id, sum(value_fen) FROM cbec_lists GROUP BY buyer_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	year, buyers, counted := time.Now().In(jinguan.China).Year(), 0, 0
	for rows.Next() {
		var buyer string
		var sum int64
		if err := rows.Scan(&buyer, &sum); err != nil {
			t.Fatal(err)
		}
		used, err := db.Ecommerce().Quota(context.Background(), buyer, year)
		if err != nil {
			t.Fatal(err)
		}
		if used != sum {
			t.Fatalf("buyer %s: quota %d fen, lists %d fen", buyer, used, sum)
		}
		buyers++
		if sum > 0 {
			counted++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if counted < 100 {
		t.Fatalf("only %d of %d buyers with a counted list", counted, buyers)
	}
}
