package gbdt

// Contributions splits the margin of x among the features by path
// attribution: in every tree, each split on the item's path moves the
// expected value of the rows below it (weighted by training rows), and
// that move is credited to the split's feature. It adds the credits into c
// (one per feature) and returns the expected margin before any split, so
// that expected + Σc equals Margin(x). Exact for the model, cheap enough
// for every decision (one walk per tree), unlike TreeSHAP's interactions.
func (e *Ensemble) Contributions(x []float64, c []float64) (expected float64) {
	xb := make([]uint8, len(e.Edges))
	e.Bin(x, xb)
	return e.ContributionsBinned(xb, c)
}

// ContributionsBinned is Contributions of a binned row (as Bin fills it).
func (e *Ensemble) ContributionsBinned(xb []uint8, c []float64) (expected float64) {
	e.explainOnce.Do(e.expectations)
	expected = e.Base
	for k := range e.Trees {
		t := &e.Trees[k]
		if len(t.Feature) == 0 {
			expected += t.Leaf[0]
			continue
		}
		ev := e.expected[k]
		expected += ev[0]
		n, v := int32(0), ev[0]
		for n >= 0 {
			f := t.Feature[n]
			if xb[f] <= t.Bin[n] {
				n = t.Left[n]
			} else {
				n = t.Right[n]
			}
			next := 0.0
			if n >= 0 {
				next = ev[n]
			} else {
				next = t.Leaf[^n]
			}
			c[f] += next - v
			v = next
		}
	}
	return expected
}

// expectations computes every inner node's expected value: the mean leaf
// value under it, weighted by training rows (equal weights for a model
// file without them).
func (e *Ensemble) expectations() {
	e.expected = make([][]float64, len(e.Trees))
	for k := range e.Trees {
		t := &e.Trees[k]
		n := len(t.Feature)
		sum, rows := make([]float64, n), make([]float64, n)
		for i := n - 1; i >= 0; i-- { // children come after their parent
			for _, c := range []int32{t.Left[i], t.Right[i]} {
				if c >= 0 {
					sum[i] += sum[c]
					rows[i] += rows[c]
					continue
				}
				w := 1.0
				if len(t.LeafRows) > 0 {
					w = float64(t.LeafRows[^c])
				}
				sum[i] += w * t.Leaf[^c]
				rows[i] += w
			}
		}
		for i := range sum {
			if rows[i] > 0 {
				sum[i] /= rows[i]
			}
		}
		e.expected[k] = sum
	}
}
