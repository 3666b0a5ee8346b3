package ecommerce

import (
	"runtime"
	"testing"
	"time"
	"weak"
)

// A document leaves the match state match_wait after it came, unless a
// change replaced it meanwhile; a matched document is not kept alive by
// its place in the queue.
func TestForgetAgedDocuments(t *testing.T) {
	st := &state{orders: map[string]*Order{}, payments: map[string]*Payment{}}
	t0, wait := DemoDay, time.Hour
	hold := func(d *Doc, k string, at time.Time) {
		switch d.Kind {
		case KindOrder:
			st.orders[k] = d.Order
		case KindPayment:
			st.payments[k] = d.Payment
		}
		st.age(d, k, at)
	}
	first, changed := &Order{}, &Order{}
	hold(&Doc{Kind: KindOrder, Order: first}, "O|a", t0)
	hold(&Doc{Kind: KindOrder, Order: changed}, "O|a", t0.Add(10*time.Minute)) // appType 2
	hold(&Doc{Kind: KindPayment, Payment: &Payment{}}, "P|a", t0.Add(20*time.Minute))
	matched := weak.Make(st.payments["P|a"])
	delete(st.payments, "P|a") // a list used it

	st.forget(t0.Add(wait+time.Minute), wait)
	if st.orders["O|a"] != changed {
		t.Fatal("the changed order left with the entry of the one it replaced")
	}
	runtime.GC()
	if matched.Value() != nil {
		t.Error("the matched payment is still reachable")
	}
	st.forget(t0.Add(wait+15*time.Minute), wait)
	if _, ok := st.orders["O|a"]; ok || st.aged.len() != 1 {
		t.Fatalf("orders %v, queued %d", st.orders, st.aged.len())
	}
	st.forget(t0.Add(wait+25*time.Minute), wait)
	if st.aged.len() != 0 {
		t.Fatalf("queued %d", st.aged.len())
	}
	runtime.KeepAlive(first)
}

type syncLaterStore struct {
	Store
	SyncLater
}

// By default the intake leaves one CPU to an embedded store's writer.
func TestIntakeCPUs(t *testing.T) {
	var remote Store
	embedded := syncLaterStore{}
	for _, c := range []struct{ configured, cpus, want int }{{0, 2, 1}, {0, 1, 1}, {0, 8, 7}, {3, 2, 3}} {
		if got := intakeCPUs(c.configured, embedded, c.cpus); got != c.want {
			t.Errorf("embedded store, configured %d, %d CPUs: %d, want %d", c.configured, c.cpus, got, c.want)
		}
	}
	if got := intakeCPUs(0, remote, 4); got != 4 {
		t.Errorf("store elsewhere, 4 CPUs: %d", got)
	}
}
