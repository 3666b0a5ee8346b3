package ecommerce

import (
	"strconv"
	"testing"
)

// TestProfileCost: the default profiles have a bounded cost and run
// without a runtime tracker; an expression whose worst case is over the
// bound keeps the runtime limit and stops on a large list.
func TestProfileCost(t *testing.T) {
	r, err := NewRisk(nil, []byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	f := &ListFacts{Value: 100, MinPriceRatio: 1, Gcodes: []string{"3304100000"}}
	for _, p := range r.Profiles {
		_, det, err := p.prg.Eval(listActivation{f})
		if err != nil || det.ActualCost() != nil {
			t.Errorf("%s: err %v, tracked %v", p.ID, err, det.ActualCost() != nil)
		}
	}
	heavy := []byte(`[{"id":"H","expr":"list.gcodes.all(a, list.gcodes.all(b, list.gcodes.all(c, a + b + c != \"\")))","lane":"red","percent":100}]`)
	r, err = NewRisk(heavy, []byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		f.Gcodes = append(f.Gcodes, strconv.Itoa(i))
	}
	if _, det, err := r.Profiles[0].prg.Eval(listActivation{f}); err == nil || det.ActualCost() == nil {
		t.Fatalf("unbounded expression: err %v, tracked %v", err, det.ActualCost() != nil)
	}
	if lane, hits, _ := r.Assess("k", f); lane != LaneGreen || len(hits) != 0 {
		t.Fatalf("an expression stopped by its cost is no hit: %s %v", lane, hits)
	}
}
