package risk

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan/auth"
)

type factList []Fact

func (l factList) Facts(_ context.Context, from, to time.Time) ([]Fact, error) {
	var out []Fact
	for _, f := range l {
		if !f.DecidedAt.Before(from) && f.DecidedAt.Before(to) {
			out = append(out, f)
		}
	}
	return out, nil
}

func TestDriftWeeks(t *testing.T) {
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC) // a Thursday
	mon := monday(now)
	if mon.Weekday() != time.Monday || mon.After(now) || now.Sub(mon) > 7*24*time.Hour {
		t.Fatalf("monday(%s) = %s", now, mon)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	ref := make([]float64, 201) // quantiles of scores uniform on [0, 0.5)
	for i := range ref {
		ref[i] = float64(i) / 400
	}
	var facts factList
	for w := range 3 {
		for i := range 300 {
			score := rng.Float64() * 0.5
			if w == 2 {
				score += 0.3 // the last week scores much higher: drift
			}
			f := Fact{DeclarationID: int64(w*1000 + i), DecidedAt: mon.AddDate(0, 0, 7*(w-2)).Add(time.Duration(i) * 30 * time.Minute),
				ModelVersion: 1 + w/2, ModelScore: score}
			switch {
			case i < 10:
				f.Inspected, f.Model = true, "score"
				if i < 6 {
					f.Findings = []FactFinding{{GNo: 1, Kind: "value"}}
				}
			case i < 12:
				f.Inspected, f.Model = true, "exploration"
			case i < 20:
				f.Inspected = true
				if i == 19 {
					f.Findings = []FactFinding{{GNo: 1, Kind: "hs"}}
				}
			}
			facts = append(facts, f)
		}
	}
	facts = append(facts, Fact{DeclarationID: 9, DecidedAt: mon, Inspected: true}) // scored by no model
	s, _ := NewModelStream(DefaultModelPolicy(), []byte("k"), usdRates)
	s.active.Store(&ActiveModel{Version: 2, Reference: ref})
	reg := &ModelRegistry{Store: &memModels{}, Facts: facts, Stream: s, Now: func() time.Time { return now }}
	ws, err := reg.Drift(context.Background(), auth.Principal{User: "o", Role: auth.RoleOfficer}, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 4 || !ws[3].Week.Equal(mon) || ws[0].Declarations != 0 {
		t.Fatalf("weeks %+v", ws)
	}
	w := ws[1]
	if w.Declarations != 300 || !slices.Equal(w.Versions, []int{1}) || w.All.Checked != 20 || w.All.Findings != 7 ||
		w.ModelScore.Checked != 10 || w.ModelScore.Rate != 0.6 || w.Exploration.Checked != 2 || w.Others.Findings != 1 {
		t.Fatalf("week 2: %+v", w)
	}
	if q := w.Quantiles; !(q[0] < q[2] && q[2] < q[4]) || w.Mean <= 0 {
		t.Fatalf("quantiles %v", q)
	}
	if ws[1].PSI > 0.1 || ws[3].PSI < 0.25 || !slices.Equal(ws[3].Versions, []int{2}) {
		t.Fatalf("PSI %.3f before the shift, %.3f after (want small, then large)", ws[1].PSI, ws[3].PSI)
	}
	if _, err := reg.Drift(context.Background(), auth.Principal{User: "o", Role: auth.RoleOfficer}, 0); err == nil {
		t.Fatal("0 weeks accepted")
	}
}
