package model

import (
	"math"
	"testing"
)

func TestEvaluateByHand(t *testing.T) {
	// 100 items: scores fall with the index; frauds at 0, 1, 3 and 50.
	n := 100
	score := make([]float64, n)
	fraud := make([]bool, n)
	rev := make([]float64, n)
	for i := range score {
		score[i] = float64(n - i)
	}
	for _, i := range []int{0, 1, 3, 50} {
		fraud[i] = true
		rev[i] = 10
	}
	m := Evaluate(score, fraud, rev)
	// k: 1 → 1 hit; 2 → 2 hits; 5 → 3 hits; 10 → 3 hits.
	want := map[int][3]float64{1: {1, 0.25, 0.25}, 2: {1, 0.5, 0.5}, 5: {0.6, 0.75, 0.75}, 10: {0.3, 0.75, 0.75}}
	for pct, w := range want {
		a := m.AtPercent(pct)
		if a.Precision != w[0] || a.Recall != w[1] || a.Revenue != w[2] {
			t.Errorf("@%d%%: %+v, want precision %v recall %v revenue %v", pct, a, w[0], w[1], w[2])
		}
	}
	// AUC as pairs won over 4×96: items 0 and 1 beat all 96 negatives, item 3
	// all but item 2, item 50 the 49 items after it.
	wantAUC := (96.0 + 96 + 95 + 49) / (4 * 96)
	if math.Abs(m.AUC-wantAUC) > 1e-12 {
		t.Errorf("AUC %v, want %v", m.AUC, wantAUC)
	}
	if got := m.Summary(); got != "precision@1%=1.000 precision@2%=1.000 precision@5%=0.600 precision@10%=0.300 recall@5%=0.750 auc=0.875" {
		t.Errorf("summary %q", got)
	}
}

func TestEvaluateBreaksTiesByOrder(t *testing.T) {
	// All scores equal: the top 1 % of 200 is the first two rows.
	score := make([]float64, 200)
	fraud := make([]bool, 200)
	fraud[1], fraud[2] = true, true
	m := Evaluate(score, fraud, nil)
	if a := m.AtPercent(1); a.Inspected != 2 || a.Hits != 1 || !math.IsNaN(a.Revenue) {
		t.Fatalf("%+v", a)
	}
	if m.AUC != 0.5 {
		t.Fatalf("AUC of constant scores %v, want 0.5", m.AUC)
	}
}
