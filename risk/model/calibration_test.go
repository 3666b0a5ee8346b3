package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Margins whose true probability is sigmoid(0.5·m − 1) must be calibrated
// back to about those coefficients.
func TestFitPlattRecoversScale(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	n := 20000
	m, y := make([]float64, n), make([]float64, n)
	for i := range m {
		m[i] = rng.NormFloat64() * 3
		if rng.Float64() < sigmoid(0.5*m[i]-1) {
			y[i] = 1
		}
	}
	p := FitPlatt(m, y)
	if math.Abs(p.A-0.5) > 0.05 || math.Abs(p.B+1) > 0.1 {
		t.Fatalf("fitted %+v, want about A 0.5, B -1", p)
	}
	if q := FitPlatt(m, make([]float64, n)); q != (Platt{A: 1}) {
		t.Fatalf("one class: %+v, want the identity", q)
	}
	// Separable labels stay finite thanks to the smoothed targets.
	for i := range y {
		y[i] = 0
		if m[i] > 0 {
			y[i] = 1
		}
	}
	if s := FitPlatt(m, y); math.IsInf(s.A, 0) || math.IsNaN(s.A) || s.A <= 0 {
		t.Fatalf("separable: %+v", s)
	}
}
