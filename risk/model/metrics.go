package model

import (
	"fmt"
	"math"
	"sort"

	"github.com/jinguan-customs/jinguan/risk/model/gbdt"
)

// InspectShares are the benchmark's inspection rates in percent.
var InspectShares = []int{1, 2, 5, 10}

// AtShare is the outcome of inspecting the top n % of the ranking.
type AtShare struct {
	Percent   int
	Inspected int     // k = floor(n % × items)
	Hits      int     // frauds among them
	Precision float64 // Hits / k
	Recall    float64 // Hits / all frauds
	Revenue   float64 // share of all revenue found in the top k; NaN without revenue
}

// Metrics are the benchmark's figures for one scored period.
type Metrics struct {
	Items, Frauds int
	At            []AtShare
	AUC           float64
}

// Evaluate ranks items by score, highest first, ties in input order, and
// inspects the top n % for each benchmark share. revenue may be nil.
func Evaluate(score []float64, fraud []bool, revenue []float64) Metrics {
	n := len(score)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return score[order[a]] > score[order[b]] })
	m := Metrics{Items: n}
	labels := make([]float64, n)
	totalRev := 0.0
	for i, f := range fraud {
		if f {
			m.Frauds++
			labels[i] = 1
		}
		if revenue != nil && !math.IsNaN(revenue[i]) {
			totalRev += revenue[i]
		}
	}
	m.AUC = gbdt.AUC(score, labels)
	for _, pct := range InspectShares {
		a := AtShare{Percent: pct, Inspected: pct * n / 100, Revenue: math.NaN()}
		rev := 0.0
		for _, i := range order[:a.Inspected] {
			if fraud[i] {
				a.Hits++
			}
			if revenue != nil && !math.IsNaN(revenue[i]) {
				rev += revenue[i]
			}
		}
		if a.Inspected > 0 {
			a.Precision = float64(a.Hits) / float64(a.Inspected)
		}
		if m.Frauds > 0 {
			a.Recall = float64(a.Hits) / float64(m.Frauds)
		}
		if revenue != nil && totalRev > 0 {
			a.Revenue = rev / totalRev
		}
		m.At = append(m.At, a)
	}
	return m
}

// At returns the figures at n %, or a zero AtShare.
func (m Metrics) AtPercent(pct int) AtShare {
	for _, a := range m.At {
		if a.Percent == pct {
			return a
		}
	}
	return AtShare{}
}

// Summary is the one-line form the benchmark reports.
func (m Metrics) Summary() string {
	return fmt.Sprintf("precision@1%%=%.3f precision@2%%=%.3f precision@5%%=%.3f precision@10%%=%.3f recall@5%%=%.3f auc=%.3f",
		m.AtPercent(1).Precision, m.AtPercent(2).Precision, m.AtPercent(5).Precision, m.AtPercent(10).Precision,
		m.AtPercent(5).Recall, m.AUC)
}
