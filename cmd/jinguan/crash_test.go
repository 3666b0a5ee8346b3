package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan/demo"
	"github.com/jinguan-customs/jinguan/refdata"
	"github.com/jinguan-customs/jinguan/tariff"
)

// TestMain lets the test binary act as the server: the crash test runs it
// as a child process so that it can kill it with SIGKILL.
func TestMain(m *testing.M) {
	if os.Getenv("JINGUAN_CHILD") == "1" {
		os.Args = append([]string{"jinguan"}, strings.Fields(os.Getenv("JINGUAN_CHILD_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startServer runs `jinguan serve --demo` on dir and returns its base URL.
func startServer(t *testing.T, dir string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "JINGUAN_CHILD=1",
		"JINGUAN_CHILD_ARGS=serve --demo --rate 0 --handling 1h --log-level error --addr 127.0.0.1:0 --data "+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	url := ""
	for sc.Scan() {
		line := sc.Text()
		if _, after, ok := strings.Cut(line, "listening on "); ok {
			url = after
		}
		if strings.HasPrefix(line, "Demo traffic") { // seeding is done
			go io.Copy(io.Discard, out)
			return cmd, url
		}
	}
	cmd.Process.Kill()
	t.Fatalf("server did not start: %v", sc.Err())
	return nil, ""
}

// killAfter sends SIGKILL to the server once count reaches n (or after
// 20 s) and waits for it to die.
func killAfter(t *testing.T, srv *exec.Cmd, n int, count func() int) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end) && count() < n; {
		time.Sleep(20 * time.Millisecond)
	}
	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.Wait()
}

type acked struct {
	id         float64
	key, token string
	body       []byte
}

func post(client *http.Client, url string, a acked) (int, map[string]any, error) {
	req, _ := http.NewRequest("POST", url+"/api/v1/declarations", bytes.NewReader(a.body))
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Idempotency-Key", a.key)
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var d map[string]any
	err = json.NewDecoder(resp.Body).Decode(&d)
	return resp.StatusCode, d, err
}

// TestKill9LosesNoAcknowledgedDeclaration kills the server with SIGKILL
// while clients submit, restarts it on the same data folder and checks that
// every submission that got a 201 is there, and that the pipeline resumes.
// Both pipeline shapes: stages committed with the submission (the default),
// and stages run from the queue, which leaves work for the restart.
func TestKill9LosesNoAcknowledgedDeclaration(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	for _, inline := range []bool{true, false} {
		t.Run(fmt.Sprintf("inline=%v", inline), func(t *testing.T) { kill9(t, inline) })
	}
}

func kill9(t *testing.T, inline bool) {
	dir := t.TempDir()
	settings := fmt.Sprintf(`{"pipeline": {"inline": %v}}`, inline)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(settings), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, url := startServer(t, dir)

	secret, err := os.ReadFile(filepath.Join(dir, "secret"))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := refdata.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	sched, err := tariff.SampleSchedule(cat)
	if err != nil {
		t.Fatal(err)
	}
	ents := demo.Enterprises()
	gen := demo.NewGenerator(99, cat, sched, ents, demo.Users(secret, ents))

	var (
		mu   sync.Mutex
		acks []acked
		cut  int // requests in flight when the server died
		wg   sync.WaitGroup
		stop = make(chan struct{})
	)
	client := &http.Client{Timeout: 5 * time.Second}
	work := make(chan acked)
	go func() {
		defer close(work)
		for {
			body, key, u := gen.Next(time.Now())
			select {
			case work <- acked{key: key, token: u.Token, body: body}:
			case <-stop:
				return
			}
		}
	}()
	for c := 0; c < 16; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range work {
				code, d, err := post(client, url, a)
				if err != nil { // the server died mid-request: not acknowledged
					mu.Lock()
					cut++
					mu.Unlock()
					continue
				}
				if code != http.StatusCreated {
					t.Errorf("submission refused: %d %v", code, d)
					continue
				}
				a.id = d["id"].(float64)
				mu.Lock()
				acks = append(acks, a)
				mu.Unlock()
			}
		}()
	}
	// Let acknowledgements accumulate, then kill mid-stream.
	killAfter(t, srv, 300, func() int { mu.Lock(); defer mu.Unlock(); return len(acks) })
	close(stop)
	wg.Wait()
	if len(acks) < 100 {
		t.Fatalf("only %d acknowledged submissions before the kill", len(acks))
	}

	srv, url = startServer(t, dir)
	defer func() { srv.Process.Signal(syscall.SIGTERM); srv.Wait() }()
	admin := demo.Users(secret, ents)[0].Token
	missing := 0
	for _, a := range acks {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/declarations/%.0f", url, a.id), nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var d map[string]any
		json.NewDecoder(resp.Body).Decode(&d)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || d["client_key"] != a.key {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged declarations lost after kill -9", missing, len(acks))
	}
	// A retry of an acknowledged submission returns the same declaration.
	code, d, err := post(client, url, acks[len(acks)-1])
	if err != nil || code != http.StatusOK || d["id"] != acks[len(acks)-1].id {
		t.Fatalf("replay after restart: %d %v %v", code, d["id"], err)
	}
	// The pipeline resumes whatever the kill left in "submitted".
	for end := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		req, _ := http.NewRequest("GET", url+"/api/v1/declarations?status=submitted&limit=1", nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page struct{ Items []any }
		json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if len(page.Items) == 0 {
			break
		}
		if time.Now().After(end) {
			t.Fatal("declarations left in submitted after restart")
		}
	}
	t.Logf("%d acknowledged before SIGKILL (%d cut off in flight), all present after restart", len(acks), cut)
}
