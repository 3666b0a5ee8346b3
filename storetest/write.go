package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
)

func testRoundTrip(t *testing.T, s Stores) {
	ctx := context.Background()
	want := Assess(Decl(7))
	insert(t, s.Declarations, want)
	if want.ID <= 0 || len(want.EntryID) != 18 || len(want.SeqNo) != 18 {
		t.Fatalf("numbers not assigned: id %d entry %q seq %q", want.ID, want.EntryID, want.SeqNo)
	}
	got, err := s.Declarations.Get(ctx, want.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameDecl(t, got, want)
	if !got.Head.GrossWet.Equal(decimal.RequireFromString("1234.56")) || !got.Tax.Total.Equal(want.Tax.Total) {
		t.Errorf("decimals: gross %s tax %s", got.Head.GrossWet, got.Tax.Total)
	}
	for _, ts := range []time.Time{got.DeclaredAt, got.UpdatedAt, got.Risk.DecidedAt, got.Tax.AssessedAt,
		got.Inspection.RecordedAt, got.Settlement.At} {
		if ts.Location() != time.UTC {
			t.Errorf("time %v not in UTC", ts)
		}
	}
	if !got.DeclaredAt.Equal(want.DeclaredAt) {
		t.Errorf("declared at %v, want %v", got.DeclaredAt, want.DeclaredAt)
	}
	// The same document through the transaction.
	batch(t, s.Declarations, func(ctx context.Context, tx declaration.Tx) error {
		got, err := tx.Get(ctx, want.ID)
		if err == nil {
			sameDecl(t, got, want)
		}
		return err
	})
	rows, _, err := s.Declarations.List(ctx, declaration.Filter{})
	if err != nil || len(rows) != 1 {
		t.Fatalf("list: %v %v", rows, err)
	}
	r := rows[0]
	wantSum := declaration.Summary{ID: want.ID, EntryID: want.EntryID, Status: want.Status, Lane: want.Lane,
		IEFlag: want.Head.IEFlag, CustomMaster: want.Head.CustomMaster, TradeCoScc: want.Head.TradeCoScc,
		TradeName: want.Head.TradeName, AgentCodeScc: want.Head.AgentCodeScc, TradeMode: want.Head.TradeMode,
		ItemCount: 5, TaxTotal: r.TaxTotal, DeclaredAt: want.DeclaredAt.UTC(), UpdatedAt: want.UpdatedAt.UTC()}
	if r != wantSum || !r.TaxTotal.Equal(want.Tax.Total) {
		t.Errorf("summary\n got %+v\nwant %+v (tax %s)", r, wantSum, want.Tax.Total)
	}
}

func testNumbers(t *testing.T, s Stores) {
	var ds []*declaration.Declaration
	for i := range 20 {
		ds = append(ds, Decl(i))
	}
	insert(t, s.Declarations, ds[:10]...)
	insert(t, s.Declarations, ds[10:]...)
	entries, seqs := map[string]bool{}, map[string]bool{}
	for i, d := range ds {
		if i > 0 && d.ID <= ds[i-1].ID {
			t.Errorf("id %d after %d", d.ID, ds[i-1].ID)
		}
		c := *d
		declaration.AssignNumbers(&c)
		if c.EntryID != d.EntryID || c.SeqNo != d.SeqNo {
			t.Errorf("numbers of %d: %s %s", d.ID, d.EntryID, d.SeqNo)
		}
		if entries[d.EntryID] || seqs[d.SeqNo] {
			t.Errorf("number reused: %s %s", d.EntryID, d.SeqNo)
		}
		entries[d.EntryID], seqs[d.SeqNo] = true, true
	}
}

// testReservedIDs: reserved ids are unique, also against ids Insert
// assigns itself, and Insert keeps a reserved id together with a sealed
// document.
func testReservedIDs(t *testing.T, s Stores) {
	ctx := context.Background()
	seen := map[int64]bool{}
	var reserved []*declaration.Declaration
	for i := range 5 {
		id, err := s.Declarations.ReserveID(ctx)
		if err != nil {
			t.Fatal(err)
		}
		d := Decl(i)
		d.ID = id
		declaration.AssignNumbers(d)
		d.Seal()
		reserved = append(reserved, d)
		seen[id] = true
	}
	if len(seen) != 5 {
		t.Fatalf("reserved ids repeat: %v", seen)
	}
	own := Decl(9)
	insert(t, s.Declarations, append(reserved, own)...)
	if seen[own.ID] {
		t.Fatalf("Insert assigned reserved id %d", own.ID)
	}
	for _, d := range reserved {
		got, err := s.Declarations.Get(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		d.Doc = nil
		sameDecl(t, got, d)
	}
}

func testNotFound(t *testing.T, s Stores) {
	ctx := context.Background()
	_, err := s.Declarations.Get(ctx, 424242)
	wantCode(t, err, jinguan.ENOTFOUND)
	errs := s.Declarations.WriteBatch(ctx, []declaration.Op{
		func(ctx context.Context, tx declaration.Tx) error { _, err := tx.Get(ctx, 424242); return err },
		func(ctx context.Context, tx declaration.Tx) error {
			d := Decl(1)
			d.ID = 424242
			return tx.Update(ctx, d, true)
		},
		func(ctx context.Context, tx declaration.Tx) error {
			return tx.AppendEvents(ctx, declaration.Event{DeclarationID: 424242, Seq: 1, Action: declaration.ActSubmit,
				To: declaration.StatusSubmitted, At: time.Now()})
		},
	})
	for _, err := range errs {
		wantCode(t, err, jinguan.ENOTFOUND)
	}
	evs, err := s.Declarations.Events(ctx, 424242)
	if err != nil || len(evs) != 0 {
		t.Errorf("events of unknown: %v %v", evs, err)
	}
}

func testFindByKey(t *testing.T, s Stores) {
	d := Decl(3)
	insert(t, s.Declarations, d)
	batch(t, s.Declarations, func(ctx context.Context, tx declaration.Tx) error {
		got, err := tx.FindByKey(ctx, d.Head.AgentCodeScc, d.ClientKey)
		if err != nil || got == nil || got.ID != d.ID {
			t.Errorf("find: %v %v", got, err)
		}
		for _, k := range [][2]string{{Agents[0], d.ClientKey}, {d.Head.AgentCodeScc, "ck-none"}} {
			if got, err := tx.FindByKey(ctx, k[0], k[1]); got != nil || err != nil {
				t.Errorf("find %v: %v %v", k, got, err)
			}
		}
		return nil
	})
}

func testDuplicateKey(t *testing.T, s Stores) {
	ctx := context.Background()
	first := Decl(5)
	insert(t, s.Declarations, first)
	again := Decl(5)
	errs := s.Declarations.WriteBatch(ctx, []declaration.Op{insertOp(again)})
	wantCode(t, errs[0], jinguan.ECONFLICT)
	if again.ID != 0 {
		t.Errorf("failed insert left id %d", again.ID)
	}
	// The transaction stays usable after a conflict: the idempotent path.
	batch(t, s.Declarations, func(ctx context.Context, tx declaration.Tx) error {
		err := tx.Insert(ctx, Decl(5))
		wantCode(t, err, jinguan.ECONFLICT)
		got, err := tx.FindByKey(ctx, first.Head.AgentCodeScc, first.ClientKey)
		if err != nil || got == nil || got.ID != first.ID {
			t.Errorf("find after conflict: %v %v", got, err)
		}
		return err
	})
	// The same key under another agent is another declaration.
	other := Decl(5)
	other.Head.AgentCodeScc = Agents[0]
	insert(t, s.Declarations, other)
	// Two inserts of one key inside one batch.
	a, b := Decl(40), Decl(40)
	errs = s.Declarations.WriteBatch(ctx, []declaration.Op{insertOp(a), insertOp(b)})
	if errs[0] != nil {
		t.Fatal(errs[0])
	}
	wantCode(t, errs[1], jinguan.ECONFLICT)
}

func testSavepoints(t *testing.T, s Stores) {
	ctx := context.Background()
	a, b, c := Decl(1), Decl(2), Decl(3)
	b.Items[0].CodeTS = "2710199100" // an HS code only b has
	boom := errors.New("boom")
	var bID int64
	errs := s.Declarations.WriteBatch(ctx, []declaration.Op{
		insertOp(a),
		func(ctx context.Context, tx declaration.Tx) error {
			if err := tx.Insert(ctx, b); err != nil {
				return err
			}
			bID = b.ID
			if err := tx.AppendEvents(ctx, Event(b)); err != nil {
				return err
			}
			return boom
		},
		insertOp(c),
	})
	if errs[0] != nil || errs[1] != boom || errs[2] != nil {
		t.Fatalf("errs %v", errs)
	}
	for _, d := range []*declaration.Declaration{a, c} {
		if _, err := s.Declarations.Get(ctx, d.ID); err != nil {
			t.Errorf("committed op lost: %v", err)
		}
	}
	_, err := s.Declarations.Get(ctx, bID)
	wantCode(t, err, jinguan.ENOTFOUND)
	if evs, err := s.Declarations.Events(ctx, bID); err != nil || len(evs) != 0 {
		t.Errorf("events of rolled-back op: %v %v", evs, err)
	}
	if rows, _, err := s.Declarations.List(ctx, declaration.Filter{HSPrefix: "2710"}); err != nil || len(rows) != 0 {
		t.Errorf("items of rolled-back op: %v %v", rows, err)
	}
	if c.ID <= bID {
		t.Errorf("id %d after rolled-back %d", c.ID, bID)
	}
	// The key is free again and the rolled-back id is not reused.
	b2 := Decl(2)
	insert(t, s.Declarations, b2)
	if b2.ID == bID {
		t.Errorf("id %d reused", bID)
	}
	n, _ := s.Declarations.CountByStatus(ctx)
	if n[declaration.StatusSubmitted] != 3 {
		t.Errorf("count %v", n)
	}
}

func testBeginFails(t *testing.T, s Stores) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	op := func(ctx context.Context, tx declaration.Tx) error { called = true; return nil }
	errs := s.Declarations.WriteBatch(ctx, []declaration.Op{op, op})
	if len(errs) != 2 || errs[0] == nil || errs[1] == nil || called {
		t.Errorf("canceled batch: errs %v, ops called %v", errs, called)
	}
}

func testUpdate(t *testing.T, s Stores) {
	ctx := context.Background()
	d := Decl(0)
	d.Items[0].CodeTS = "8501101000"
	insert(t, s.Declarations, d)
	hs := func(p string) int {
		rows, _, err := s.Declarations.List(ctx, declaration.Filter{HSPrefix: p})
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	// Without itemsChanged the item rows stay as they were.
	Assess(d)
	d.Items[0].CodeTS = "8502131000"
	d.UpdatedAt = d.UpdatedAt.Add(time.Hour)
	batch(t, s.Declarations, func(ctx context.Context, tx declaration.Tx) error { return tx.Update(ctx, d, false) })
	if hs("8501") != 1 || hs("8502") != 0 {
		t.Errorf("items changed without itemsChanged")
	}
	got, err := s.Declarations.Get(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameDecl(t, got, d)
	rows, _, _ := s.Declarations.List(ctx, declaration.Filter{Status: []declaration.Status{declaration.StatusPaid}})
	if len(rows) != 1 || rows[0].Lane != declaration.LaneRed || !rows[0].TaxTotal.Equal(d.Tax.Total) ||
		!rows[0].UpdatedAt.Equal(d.UpdatedAt) {
		t.Errorf("summary after update: %+v", rows)
	}
	// An amendment replaces the items.
	d.Items = d.Items[:3]
	batch(t, s.Declarations, func(ctx context.Context, tx declaration.Tx) error { return tx.Update(ctx, d, true) })
	if hs("8501") != 0 || hs("8502") != 1 {
		t.Errorf("items not rewritten")
	}
	rows, _, _ = s.Declarations.List(ctx, declaration.Filter{})
	if rows[0].ItemCount != 3 {
		t.Errorf("item count %d", rows[0].ItemCount)
	}
}

func testEvents(t *testing.T, s Stores) {
	ctx := context.Background()
	d := Decl(9)
	insert(t, s.Declarations, d) // seq 1
	ev := func(seq int, a declaration.Action, data string) declaration.Event {
		e := declaration.Event{DeclarationID: d.ID, Seq: seq, Action: a, From: "x", To: "y", Actor: "officer.li",
			Role: "officer", At: DeclaredAt(9).Add(time.Duration(seq) * time.Minute), Reason: "原因"}
		if data != "" {
			e.Data = []byte(data)
		}
		return e
	}
	batch(t, s.Declarations, func(ctx context.Context, tx declaration.Tx) error {
		return tx.AppendEvents(ctx, ev(2, declaration.ActAssessRisk, `{"lane": "red", "draw":0.5}`), ev(3, declaration.ActRoute, ""))
	})
	batch(t, s.Declarations, func(ctx context.Context, tx declaration.Tx) error {
		// A conflicting call stores none of its events and leaves the op usable.
		err := tx.AppendEvents(ctx, ev(4, declaration.ActRecordResult, ""), ev(3, declaration.ActRoute, ""))
		wantCode(t, err, jinguan.ECONFLICT)
		return tx.AppendEvents(ctx, ev(4, declaration.ActRecordResult, `[1,2]`))
	})
	got, err := s.Declarations.Events(ctx, d.ID)
	if err != nil || len(got) != 4 {
		t.Fatalf("events %v %v", got, err)
	}
	want := []declaration.Event{Event(d), ev(2, declaration.ActAssessRisk, `{"lane": "red", "draw":0.5}`),
		ev(3, declaration.ActRoute, ""), ev(4, declaration.ActRecordResult, `[1,2]`)}
	for i, e := range got {
		w := want[i]
		if e.Seq != w.Seq || e.Action != w.Action || e.From != w.From || e.To != w.To || e.Actor != w.Actor ||
			e.Role != w.Role || !e.At.Equal(w.At) || e.At.Location() != time.UTC || e.Reason != w.Reason ||
			string(e.Data) != string(w.Data) || e.DeclarationID != d.ID {
			t.Errorf("event %d\n got %+v\nwant %+v", i, e, w)
		}
	}
}

func testConcurrent(t *testing.T, s Stores) {
	const workers, batches, per = 8, 5, 10
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[int64]bool{}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				ds := make([]*declaration.Declaration, per)
				ops := make([]declaration.Op, per)
				for i := range ds {
					d := Decl(i)
					d.ClientKey = fmt.Sprintf("ck-%d-%d-%d", w, b, i)
					ds[i] = d
					ops[i] = func(ctx context.Context, tx declaration.Tx) error {
						if err := tx.Insert(ctx, d); err != nil {
							return err
						}
						return tx.AppendEvents(ctx, Event(d))
					}
				}
				for i, err := range s.Declarations.WriteBatch(context.Background(), ops) {
					if err != nil {
						t.Errorf("worker %d batch %d op %d: %v", w, b, i, err)
					}
				}
				mu.Lock()
				for _, d := range ds {
					if seen[d.ID] {
						t.Errorf("id %d given twice", d.ID)
					}
					seen[d.ID] = true
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	n, err := s.Declarations.CountByStatus(context.Background())
	if err != nil || n[declaration.StatusSubmitted] != workers*batches*per {
		t.Errorf("count %v %v", n, err)
	}
}
