package nats

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"
)

// servers runs fn against an embedded server and, when JINGUAN_TEST_NATS
// names one, against that server too. Each run gets streams of its own.
func servers(t *testing.T, fn func(t *testing.T, nc *natsgo.Conn, opt Options)) {
	t.Run("embedded", func(t *testing.T) {
		e, err := StartEmbedded(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(e.Shutdown)
		nc, err := e.Connect()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		fn(t, nc, uniqueOptions())
	})
	t.Run("server", func(t *testing.T) {
		url := os.Getenv("JINGUAN_TEST_NATS")
		if url == "" {
			t.Skip("JINGUAN_TEST_NATS not set")
		}
		nc, err := Connect(url, "jinguan-test")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		opt := uniqueOptions()
		t.Cleanup(func() {
			q, err := Open(context.Background(), nc, opt)
			if err == nil {
				q.js.DeleteStream(context.Background(), opt.Stream)
			}
		})
		fn(t, nc, opt)
	})
}

func uniqueOptions() Options {
	b := make([]byte, 4)
	rand.Read(b)
	s := hex.EncodeToString(b)
	return Options{Stream: "TEST_" + s, Subject: "test." + s, AckWait: 300 * time.Millisecond}
}

// collect consumes until n ids have been delivered, answering each with
// answer, and returns them in delivery order.
func collect(t *testing.T, q *Queue, n int, answer func(id int64, nth int) error) []int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var mu sync.Mutex
	var got []int64
	finished := make(chan struct{})
	go func() {
		q.Consume(ctx, func(id int64, done func(error)) {
			mu.Lock()
			got = append(got, id)
			k := len(got)
			mu.Unlock()
			done(answer(id, k))
			if k == n {
				close(finished)
			}
		})
	}()
	select {
	case <-finished:
	case <-ctx.Done():
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("delivered %v, want %d deliveries", got, n)
	}
	cancel()
	mu.Lock()
	defer mu.Unlock()
	return append([]int64(nil), got...)
}

func TestPublishConsumeAck(t *testing.T) {
	servers(t, func(t *testing.T, nc *natsgo.Conn, opt Options) {
		ctx := context.Background()
		q, err := Open(ctx, nc, opt)
		if err != nil {
			t.Fatal(err)
		}
		for id := int64(1); id <= 5; id++ {
			if err := q.Publish(ctx, id, 1); err != nil {
				t.Fatal(err)
			}
		}
		// The same step published twice (a retry after a lost reply) is
		// stored once; the next version of the declaration is a new step.
		if err := q.Publish(ctx, 3, 1); err != nil {
			t.Fatal(err)
		}
		if err := q.Publish(ctx, 3, 2); err != nil {
			t.Fatal(err)
		}
		got := collect(t, q, 6, func(int64, int) error { return nil })
		want := []int64{1, 2, 3, 4, 5, 3}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("delivered %v, want %v", got, want)
			}
		}
		waitPending(t, q, 0)
	})
}

// A failed step is delivered again; so is one whose worker vanished
// without answering.
func TestRedelivery(t *testing.T) {
	servers(t, func(t *testing.T, nc *natsgo.Conn, opt Options) {
		ctx := context.Background()
		q, err := Open(ctx, nc, opt)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Publish(ctx, 42, 1); err != nil {
			t.Fatal(err)
		}
		got := collect(t, q, 2, func(_ int64, nth int) error {
			if nth == 1 {
				return errors.New("store unavailable")
			}
			return nil
		})
		if got[0] != 42 || got[1] != 42 {
			t.Fatalf("delivered %v, want 42 twice", got)
		}
		waitPending(t, q, 0)

		// A worker takes the message and dies before answering.
		if err := q.Publish(ctx, 43, 1); err != nil {
			t.Fatal(err)
		}
		dead, kill := context.WithCancel(ctx)
		taken := make(chan struct{})
		go q.Consume(dead, func(id int64, done func(error)) { close(taken) })
		<-taken
		kill()
		got = collect(t, q, 1, func(int64, int) error { return nil })
		if got[0] != 43 {
			t.Fatalf("after the worker died got %v, want 43", got)
		}
		waitPending(t, q, 0)
	})
}

func waitPending(t *testing.T, q *Queue, want uint64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, err := q.Pending(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages pending, want %d", n, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A malformed message is dropped, not redelivered forever.
func TestMalformedMessageTerminated(t *testing.T) {
	servers(t, func(t *testing.T, nc *natsgo.Conn, opt Options) {
		ctx := context.Background()
		q, err := Open(ctx, nc, opt)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := q.js.Publish(ctx, opt.Subject, []byte("not-an-id")); err != nil {
			t.Fatal(err)
		}
		if err := q.Publish(ctx, 7, 1); err != nil {
			t.Fatal(err)
		}
		got := collect(t, q, 1, func(int64, int) error { return nil })
		if got[0] != 7 {
			t.Fatalf("got %v, want 7", got)
		}
		waitPending(t, q, 0)
	})
}
