package gbdt

import (
	"math"
	"sort"
)

// AUC is the area under the ROC curve of scores against 0/1 labels by the
// rank-sum formula, with tied scores given their average rank. NaN when one
// class is absent.
func AUC(score, label []float64) float64 {
	idx := make([]int, len(score))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return score[idx[a]] < score[idx[b]] })
	var rankSum, pos float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && score[idx[j]] == score[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2 // ranks i+1 … j
		for _, k := range idx[i:j] {
			if label[k] > 0.5 {
				rankSum += avg
				pos++
			}
		}
		i = j
	}
	neg := float64(len(score)) - pos
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}
