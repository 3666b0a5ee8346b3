// Package gbdt is a histogram gradient-boosted decision tree learner for
// binary labels (logistic loss), written for the risk model: quantile bins
// as uint8, second-order gain, leaf-wise growth and flattened inference.
package gbdt

import (
	"slices"
)

// MaxBins is the most bins a feature gets, so a bin index fits a uint8.
const MaxBins = 255

// binEdges returns up to maxBins-1 split thresholds for one feature: the
// midpoints between consecutive distinct values, chosen at quantiles of the
// value counts so each bin holds about the same number of rows.
func binEdges(values []float64, maxBins int) []float64 {
	v := slices.Clone(values)
	slices.Sort(v)
	var distinct []float64
	var counts []int
	for i, x := range v {
		if i == 0 || x != v[i-1] {
			distinct = append(distinct, x)
			counts = append(counts, 0)
		}
		counts[len(counts)-1]++
	}
	if len(distinct) <= 1 {
		return nil
	}
	mid := func(i int) float64 { return distinct[i] + (distinct[i+1]-distinct[i])/2 }
	if len(distinct) <= maxBins {
		edges := make([]float64, len(distinct)-1)
		for i := range edges {
			edges[i] = mid(i)
		}
		return edges
	}
	// Greedy quantiles: close a bin once it reaches its share of the rows
	// still to place, so a heavy value cannot starve the bins after it.
	var edges []float64
	rest, binsLeft, acc := len(v), maxBins, 0
	for i := 0; i < len(distinct)-1; i++ {
		acc += counts[i]
		if float64(acc) >= float64(rest)/float64(binsLeft) {
			edges = append(edges, mid(i))
			rest -= acc
			acc = 0
			binsLeft--
			if binsLeft == 1 {
				break
			}
		}
	}
	return edges
}

// BinOf maps a value to its bin: the first edge not below it. A value
// x <= edges[b] falls in a bin <= b, which is how trees split. NaN goes to
// bin 0. Written out rather than sort.Search: scoring bins every feature of
// every item, and the closure call cost a quarter of the scoring time.
func BinOf(edges []float64, x float64) uint8 {
	n := len(edges)
	if n == 0 {
		return 0
	}
	base := 0
	for n > 1 { // the step is a conditional move, not a branch
		half := n >> 1
		if edges[base+half] < x {
			base += half
		}
		n -= half
	}
	if edges[base] < x {
		base++
	}
	return uint8(base)
}
