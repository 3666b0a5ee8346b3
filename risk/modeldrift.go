package risk

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
)

// DriftWeek is one week of the model's scores and what checks found: a
// shifting score distribution or a falling hit rate among the model's own
// selections says the model needs retraining.
type DriftWeek struct {
	Week         time.Time `json:"week"` // Monday 00:00, Beijing time
	Declarations int       `json:"declarations"`
	Versions     []int     `json:"versions"` // models that scored in the week
	// Score quantiles 10, 25, 50, 75, 90 % and mean of the declarations'
	// highest item score.
	Quantiles [5]float64 `json:"quantiles"`
	Mean      float64    `json:"mean"`
	// PSI is the population stability index of the week's scores against
	// the active model's reference scores (0.1: moderate shift, 0.25: large).
	PSI float64 `json:"psi"`
	// Checks and findings: all checked declarations, then by who chose them.
	All         HitRate `json:"all"`
	ModelScore  HitRate `json:"model_score"`
	Exploration HitRate `json:"exploration"`
	Others      HitRate `json:"others"` // random, profiles, top-up, officers
	// MeanScoreChecked is the mean score of the checked declarations: next
	// to All.Rate it shows whether the scores still match the outcomes.
	MeanScoreChecked float64 `json:"mean_score_checked"`
}

// HitRate counts checks with a recorded result and those that found something.
type HitRate struct {
	Checked  int     `json:"checked"`
	Findings int     `json:"findings"`
	Rate     float64 `json:"rate"`
}

func (h *HitRate) add(found bool) {
	h.Checked++
	if found {
		h.Findings++
	}
	h.Rate = float64(h.Findings) / float64(h.Checked)
}

// Drift returns the last weeks of declarations the model scored, oldest
// first, measured from the risk facts.
func (r *ModelRegistry) Drift(ctx context.Context, p auth.Principal, weeks int) ([]DriftWeek, error) {
	if err := allowed(p, profileReaders); err != nil {
		return nil, err
	}
	if weeks < 1 || weeks > 104 {
		return nil, jinguan.Invalid([]jinguan.FieldError{{Pointer: "/weeks", Code: "range",
			MessageZH: "周数应为 1 到 104", MessageEN: "weeks must be 1 to 104"}})
	}
	end := monday(r.now()).AddDate(0, 0, 7)
	start := end.AddDate(0, 0, -7*weeks)
	facts, err := r.Facts.Facts(ctx, start, end)
	if err != nil {
		return nil, err
	}
	var ref []float64
	if a := r.activeReference(ctx); a != nil {
		ref = a
	}
	return drift(facts, start, weeks, ref), nil
}

func (r *ModelRegistry) activeReference(ctx context.Context) []float64 {
	if r.Stream != nil {
		if a := r.Stream.Active(); a != nil {
			return a.Reference
		}
	}
	v, err := r.Store.ActiveModelVersion(ctx)
	if err != nil || v == 0 {
		return nil
	}
	ms, err := r.Store.Models(ctx)
	if err != nil {
		return nil
	}
	for _, m := range ms {
		if m.Version == v {
			return m.Reference
		}
	}
	return nil
}

// monday is the start of t's week in Beijing time.
func monday(t time.Time) time.Time {
	d := t.In(jinguan.China)
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, jinguan.China)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

func drift(facts []Fact, start time.Time, weeks int, ref []float64) []DriftWeek {
	out := make([]DriftWeek, weeks)
	scores := make([][]float64, weeks)
	checkedSum := make([]float64, weeks)
	for i := range out {
		out[i].Week = start.AddDate(0, 0, 7*i)
		out[i].Versions = []int{}
	}
	for _, f := range facts {
		if f.ModelVersion == 0 {
			continue
		}
		i := int(f.DecidedAt.Sub(start).Hours() / (24 * 7))
		if i < 0 || i >= weeks {
			continue
		}
		w := &out[i]
		w.Declarations++
		if !slices.Contains(w.Versions, f.ModelVersion) {
			w.Versions = append(w.Versions, f.ModelVersion)
		}
		scores[i] = append(scores[i], f.ModelScore)
		if !f.Inspected {
			continue
		}
		found := len(f.Findings) > 0
		w.All.add(found)
		checkedSum[i] += f.ModelScore
		switch f.Model {
		case "score":
			w.ModelScore.add(found)
		case "exploration":
			w.Exploration.add(found)
		default:
			w.Others.add(found)
		}
	}
	for i := range out {
		s := scores[i]
		if len(s) == 0 {
			continue
		}
		slices.Sort(s)
		for k, q := range []float64{0.1, 0.25, 0.5, 0.75, 0.9} {
			out[i].Quantiles[k] = quantile(s, q)
		}
		var sum float64
		for _, v := range s {
			sum += v
		}
		out[i].Mean = sum / float64(len(s))
		out[i].PSI = psi(ref, s)
		slices.Sort(out[i].Versions)
		if n := out[i].All.Checked; n > 0 {
			out[i].MeanScoreChecked = checkedSum[i] / float64(n)
		}
	}
	return out
}

// psi compares the scores with the reference in ten bins at the
// reference's deciles; 0 without a reference.
func psi(ref, scores []float64) float64 {
	if len(ref) < 10 || len(scores) == 0 {
		return 0
	}
	var edges []float64
	for k := 1; k < 10; k++ {
		edges = append(edges, quantile(ref, float64(k)/10))
	}
	count := func(s []float64) [10]float64 {
		var c [10]float64
		for _, v := range s {
			i, _ := slices.BinarySearch(edges, v)
			c[i]++
		}
		for i := range c {
			c[i] = math.Max(c[i]/float64(len(s)), 1e-4) // an empty bin would be infinite
		}
		return c
	}
	want, got := count(ref), count(scores)
	var p float64
	for i := range want {
		p += (got[i] - want[i]) * math.Log(got[i]/want[i])
	}
	return p
}
