package ecommerce

import (
	"context"
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
		st.settle(false) // each in a batch of its own
	}
	first, changed := &Order{}, &Order{}
	hold(&Doc{Kind: KindOrder, Order: first}, "O|a", t0)
	hold(&Doc{Kind: KindOrder, Order: changed}, "O|a", t0.Add(10*time.Minute)) // appType 2
	hold(&Doc{Kind: KindPayment, Payment: &Payment{}}, "P|a", t0.Add(20*time.Minute))
	matched := weak.Make(st.payments["P|a"])
	st.release(st.payments["P|a"].held) // a list used it
	delete(st.payments, "P|a")
	if len(st.heldKeys) != 2 {
		t.Fatalf("%d documents named, want the two orders", len(st.heldKeys))
	}

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
	if st.aged.len() != 0 || len(st.heldKeys) != 0 {
		t.Fatalf("queued %d, named %d", st.aged.len(), len(st.heldKeys))
	}
	runtime.KeepAlive(first)
}

// Matched documents leave the state at once: after complete sets, nothing
// is held and the queue keeps one run per arrival time, not an entry per
// document.
func TestMatchedDocumentsNotHeld(t *testing.T) {
	s := stageService(t, testTaxer(t))
	g := NewGenerator(17, 300, DemoDay)
	g.ShareMismatch = 0
	for range 300 {
		set := g.Next()
		for _, d := range []*Doc{&set.Order, &set.Payment, &set.Waybill, &set.List} {
			if u := s.handle(context.Background(), s.prepare(context.Background(), d, DemoDay), DemoDay); u == nil {
				t.Fatalf("%s refused", d.Kind)
			}
		}
	}
	st := &s.st
	st.settle(false)
	if len(st.orders)+len(st.payments)+len(st.waybills) != 0 || len(st.heldKeys) != 0 || st.aged.len() != 1 {
		t.Fatalf("held %d orders, %d payments, %d waybills; named %d; queued %d runs",
			len(st.orders), len(st.payments), len(st.waybills), len(st.heldKeys), st.aged.len())
	}
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

// The documents of a refused list leave memory once the list is written,
// whether the checks refused it or the writer (annual quota): they are
// held by number only, stay changeable, and age out like the rest.
func TestRefusedListDocumentsParked(t *testing.T) {
	s := stageService(t, testTaxer(t))
	ctx := context.Background()
	g := NewGenerator(23, 300, DemoDay)
	g.ShareMismatch = 0
	submit := func(d *Doc) *Unit {
		t.Helper()
		u := s.handle(ctx, s.prepare(ctx, d, DemoDay), DemoDay)
		if u == nil {
			t.Fatalf("%s refused", d.Kind)
		}
		return u
	}
	st := &s.st
	// Refused by the checks: a payment short of the order.
	set := g.Next()
	set.Payment.Payment.Head.AmountPaid = "1.00"
	for _, d := range []*Doc{&set.Order, &set.Payment, &set.Waybill} {
		submit(d)
	}
	u := submit(&set.List)
	if u.List.Status != StatusRejected {
		t.Fatalf("list %d", u.List.Status)
	}
	st.settle(false) // the batch ends
	u.after()        // written
	// Refused by the writer: over the annual limit.
	over := g.Next()
	for _, d := range []*Doc{&over.Order, &over.Payment, &over.Waybill} {
		submit(d)
	}
	u = submit(&over.List)
	st.settle(false)
	u.Refuse("quota")
	u.Refused = "quota"
	u.revert()
	st.settle(true)
	// The same for a list whose documents were read from the store: they
	// are numbered when parked.
	stored := g.Next()
	st.fetched = map[string]DocRow{}
	for _, d := range []*Doc{&stored.Order, &stored.Payment, &stored.Waybill} {
		k := s.prepare(ctx, d, DemoDay).key
		st.fetched[k] = DocRow{Key: k, Kind: d.Kind, Doc: EncodeStored(d)}
	}
	u = submit(&stored.List)
	st.fetched = nil
	st.settle(false)
	u.Refuse("quota")
	u.Refused = "quota"
	u.revert()
	st.settle(true)
	if n := len(st.orders) + len(st.payments) + len(st.waybills); n != 0 || len(st.parked) != 9 || len(st.heldKeys) != 9 {
		t.Fatalf("%d documents in memory, %d parked, %d named", n, len(st.parked), len(st.heldKeys))
	}

	// A parked payment may be changed: the change is held in memory.
	fix := set.Payment
	p := *fix.Payment
	p.Head.AppType, p.Head.AmountPaid = "2", set.Order.Order.Head.ActuralPaid
	fix.Payment = &p
	u = submit(&fix)
	if len(u.Docs) != 1 || u.Docs[0].Op != DocUpsert || st.payments[u.Docs[0].Key] != &p || len(st.parked) != 8 {
		t.Fatalf("change: %+v, parked %d", u.Docs, len(st.parked))
	}
	st.settle(false)
	u.revert() // not written: parked again
	st.settle(true)
	if st.payments[u.Docs[0].Key] != nil || len(st.parked) != 9 {
		t.Fatalf("after the change was undone: parked %d", len(st.parked))
	}

	st.forget(DemoDay.Add(25*time.Hour), 24*time.Hour)
	if len(st.parked) != 0 || len(st.heldKeys) != 0 {
		t.Fatalf("after match_wait: parked %d, named %d", len(st.parked), len(st.heldKeys))
	}
	// Now too old to change, as any document after match_wait.
	if rs := s.handle(ctx, s.prepare(ctx, &fix, DemoDay), DemoDay); rs != nil {
		t.Fatal("a document gone from the state was changed")
	}
}
