package risk

import (
	"context"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/risk/model"
	"github.com/jinguan-customs/jinguan/risk/model/gbdt"
)

// labelled is a checked declaration of the platform's history: its items
// as records, their labels set.
type labelled struct {
	decided time.Time
	items   []model.Record
}

// DeclarationGetter reads stored declarations (declaration.Store has it).
type DeclarationGetter interface {
	Get(ctx context.Context, id int64) (*declaration.Declaration, error)
}

func evaluate(m *model.Model, ds []labelled, from, to time.Time, shares []float64) *Evaluation {
	decls := make([][]model.Record, len(ds))
	for i, d := range ds {
		decls[i] = d.items
	}
	return Evaluate(m, decls, from, to, shares)
}

// Evaluate scores the labelled items of declarations of [from, to) and
// checks the top shares of them.
func Evaluate(m *model.Model, decls [][]model.Record, from, to time.Time, shares []float64) *Evaluation {
	var recs []model.Record
	for _, items := range decls {
		recs = append(recs, items...)
	}
	ev := &Evaluation{From: from, To: to, Declarations: len(decls), Items: len(recs)}
	scores := m.ScoreAll(recs)
	y := make([]float64, len(recs))
	for i := range recs {
		if recs[i].Fraud {
			y[i] = 1
			ev.Findings++
		}
	}
	if auc := gbdt.AUC(scores, y); !math.IsNaN(auc) {
		ev.AUC = auc
	}
	order := make([]int, len(recs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return scores[order[a]] > scores[order[b]] })
	for _, s := range shares {
		f := ShareFigures{Share: s, Checked: int(s * float64(len(recs)))}
		for _, i := range order[:f.Checked] {
			if recs[i].Fraud {
				f.Findings++
			}
		}
		if f.Checked > 0 {
			f.Precision = float64(f.Findings) / float64(f.Checked)
		}
		if ev.Findings > 0 {
			f.Recall = float64(f.Findings) / float64(ev.Findings)
		}
		ev.At = append(ev.At, f)
	}
	return ev
}

// EvaluationShares are the policy's capacity and the benchmark's shares.
func EvaluationShares(capacity float64) []float64 {
	s := []float64{0.01, 0.02, 0.05, 0.10}
	if capacity > 0 && !slices.Contains(s, capacity) {
		s = append([]float64{capacity}, s...)
	}
	return s
}

// ReferenceScores are the sorted declaration scores of recent
// declarations, thinned to at most 201 quantiles.
func ReferenceScores(m *model.Model, decls [][]model.Record) []float64 {
	var s []float64
	for _, items := range decls {
		if len(items) > 0 {
			s = append(s, maxScore(m.ScoreAll(items)))
		}
	}
	slices.Sort(s)
	if len(s) <= 201 {
		return s
	}
	q := make([]float64, 201)
	for i := range q {
		q[i] = s[i*(len(s)-1)/200]
	}
	return q
}

// calibrate fits the model's Platt calibration on labelled declarations.
func calibrate(m *model.Model, ds []labelled) {
	var recs []model.Record
	for _, d := range ds {
		recs = append(recs, d.items...)
	}
	CalibrateOn(m, recs)
}

// CalibrateOn fits the model's Platt calibration on labelled records the
// trees did not learn from.
func CalibrateOn(m *model.Model, recs []model.Record) {
	y := make([]float64, len(recs))
	for i := range recs {
		if recs[i].Fraud {
			y[i] = 1
		}
	}
	p := model.FitPlatt(m.Margins(recs), y)
	m.Calibration = &p
}
