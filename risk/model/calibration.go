package model

import "math"

// Platt maps a margin to a calibrated probability sigmoid(A·margin + B),
// fitted on a period the trees did not learn from, so that a score of 0.3
// means about 30 % of such items had a finding then. It does not change the
// ranking.
type Platt struct {
	A float64 `json:"a"`
	B float64 `json:"b"`
}

// Apply is the calibrated probability of a margin.
func (p Platt) Apply(margin float64) float64 { return sigmoid(p.A*margin + p.B) }

// FitPlatt minimises the log loss of sigmoid(A·m + B) against the labels
// by Newton's method with step halving, with Platt's smoothed targets
// ((n₊+1)/(n₊+2) and 1/(n₋+2)) so that a separable set cannot push A to
// infinity. Without both classes it returns the identity (A 1, B 0).
func FitPlatt(margin, label []float64) Platt {
	var pos, neg float64
	for _, y := range label {
		if y > 0.5 {
			pos++
		} else {
			neg++
		}
	}
	p := Platt{A: 1}
	if pos == 0 || neg == 0 {
		return p
	}
	target := func(y float64) float64 {
		if y > 0.5 {
			return (pos + 1) / (pos + 2)
		}
		return 1 / (neg + 2)
	}
	loss := func(q Platt) float64 {
		var l float64
		for i, m := range margin {
			z, t := q.A*m+q.B, target(label[i])
			// log(1+e^z) - t·z, written to stay finite for large |z|
			l += math.Max(z, 0) + math.Log1p(math.Exp(-math.Abs(z))) - t*z
		}
		return l
	}
	cur := loss(p)
	for range 50 {
		var ga, gb, haa, hab, hbb float64
		for i, m := range margin {
			q := sigmoid(p.A*m + p.B)
			d, w := q-target(label[i]), math.Max(q*(1-q), 1e-12)
			ga += d * m
			gb += d
			haa += w * m * m
			hab += w * m
			hbb += w
		}
		det := haa*hbb - hab*hab
		if det <= 1e-12 {
			break
		}
		da, db := (hbb*ga-hab*gb)/det, (haa*gb-hab*ga)/det
		step := 1.0
		for ; step > 1e-6; step /= 2 {
			next := Platt{A: p.A - step*da, B: p.B - step*db}
			if l := loss(next); l <= cur {
				p, cur = next, l
				break
			}
		}
		if step <= 1e-6 || math.Abs(step*da)+math.Abs(step*db) < 1e-9 {
			break
		}
	}
	return p
}
