package app

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan/demo"
	"github.com/jinguan-customs/jinguan/nats"
	"github.com/jinguan-customs/jinguan/postgres/pgtest"
)

// The scaled-out shape: an API node that only stores, and worker nodes
// that take declarations from NATS JetStream and run the stages, sharing
// one PostgreSQL database. Declarations published while no worker runs
// wait in the stream and are assessed when one starts.
func TestScaleOutAPIAndWorkerNodes(t *testing.T) {
	dsn := pgtest.Schema(t)
	ns, err := nats.StartLoopback(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ns.Shutdown)
	dir := t.TempDir() // shared: the nodes of one deployment share the secret
	if err := os.MkdirAll(filepath.Join(dir, "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config", "selectivity.csv"), []byte(testSelectivity), 0o644); err != nil {
		t.Fatal(err)
	}
	node := func(part string) *App {
		a, err := Open(context.Background(), Config{DataDir: dir, PostgresDSN: dsn, NATSURL: ns.URL(), Node: part})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	api := node("api")
	t.Cleanup(func() { api.Close() })
	users, err := api.SeedDemo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, a: api, srv: httptest.NewServer(api.Handler), users: map[string]demo.User{}, gen: api.Generator(11)}
	t.Cleanup(e.srv.Close)
	for _, u := range users {
		e.users[u.Name] = u
	}

	submitAll := func(prefix string, n int) []float64 {
		var ids []float64
		for i := range n {
			f, u := e.form("2201", "I") // office 2201: every import red
			code, d := e.submit(f, u, fmt.Sprintf("%s-%d", prefix, i))
			if code != http.StatusCreated || d["status"] != "submitted" {
				t.Fatalf("submit on the API node: %d %v", code, d["status"])
			}
			ids = append(ids, d["id"].(float64))
		}
		return ids
	}
	// No worker yet: the declarations wait in the stream.
	waiting := submitAll("before", 10)
	time.Sleep(300 * time.Millisecond)
	for _, id := range waiting {
		if _, d := e.do("GET", fmt.Sprintf("/api/v1/declarations/%.0f", id), e.users["admin"].Token, nil); d["status"] != "submitted" {
			t.Fatalf("declaration %.0f is %v without a worker", id, d["status"])
		}
	}
	w1 := node("worker")
	for _, id := range waiting {
		if d := e.settle(id); d["lane"] != "red" || d["status"] != "under_inspection" {
			t.Fatalf("declaration %.0f after the worker: lane %v status %v", id, d["lane"], d["status"])
		}
	}
	// A second worker shares the stream; each declaration is assessed once.
	w2 := node("worker")
	t.Cleanup(func() { w2.Close() })
	more := submitAll("after", 20)
	w1.Close()
	for _, id := range more {
		d := e.settle(id)
		if d["lane"] != "red" {
			t.Fatalf("declaration %.0f: lane %v", id, d["lane"])
		}
		_, evs := e.do("GET", fmt.Sprintf("/api/v1/declarations/%.0f/events", id), e.users["admin"].Token, nil)
		n := 0
		for _, ev := range evs["events"].([]any) {
			if ev.(map[string]any)["action"] == "assess_risk" {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("declaration %.0f assessed %d times", id, n)
		}
	}
}
