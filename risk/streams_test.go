package risk

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan/declaration"
)

// Credit measures scale the random stream: advanced-certified traders are
// checked at a fifth of the configured rate, dishonest ones at least 80 %
// of the time, and the decision records the rates used.
func TestCreditMultipliers(t *testing.T) {
	const n = 6000
	share := func(grade string) (checks, red float64) {
		tg := targeting(t, 0.04, profile("NONE", `item.origin == "XXX"`, declaration.LaneRed, 100))
		tg.random.rules[0].Yellow = 0.06
		tg.Settings = DefaultSettings()
		tg.Credit = grades{"91350100M000100Y43": grade}
		c, r := 0, 0
		for id := int64(1); id <= n; id++ {
			rd, err := tg.Assess(context.Background(), declWith(id, "USA"), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if rd.Grade != grade {
				t.Fatalf("grade %q recorded, want %q", rd.Grade, grade)
			}
			if checked(rd.Lane) {
				c++
			}
			if rd.Lane == declaration.LaneRed {
				r++
			}
		}
		return float64(c) / n, float64(r) / n
	}
	regular, _ := share(GradeRegular)
	aeo, _ := share(GradeAdvancedCertified)
	_, dishonestRed := share(GradeDishonest)
	if regular < 0.085 || regular > 0.115 {
		t.Errorf("regular checked %.3f, configured 0.10", regular)
	}
	if aeo > 0.2*regular*1.25 || aeo < 0.01 {
		t.Errorf("advanced-certified checked %.3f, regular %.3f: want about a fifth", aeo, regular)
	}
	if dishonestRed < 0.78 {
		t.Errorf("dishonest inspected %.3f, want ≥ 0.8", dishonestRed)
	}

	tg := targeting(t, 0.04)
	tg.Settings = DefaultSettings()
	tg.Credit = grades{"91350100M000100Y43": GradeAdvancedCertified}
	rd, _ := tg.Assess(context.Background(), declWith(1, "USA"), time.Now())
	if rd.Rates[declaration.LaneRed] != "0.008" || rd.Multiplier != 0.2 || !strings.Contains(rd.ReasonEN, "×0.2") || !strings.Contains(rd.ReasonZH, "高级认证") {
		t.Errorf("decision does not say what the grade did: %v %s / %s", rd.Rates, rd.ReasonEN, rd.ReasonZH)
	}
}

func TestScaledRatesStayWithinOne(t *testing.T) {
	r, y, b := scaled(Rule{Red: 0.3, Yellow: 0.3, Blue: 0.2}, CreditMeasure{Multiplier: 1, Floor: 0.9})
	if r != 0.9 || y != 0.1 || b != 0 {
		t.Errorf("floor 0.9 over 0.3/0.3/0.2: %v %v %v", r, y, b)
	}
	r, y, b = scaled(Rule{Red: 0.5, Yellow: 0.1, Blue: 0.1}, CreditMeasure{Multiplier: 3})
	if r+y+b > 1 || r != 1 {
		t.Errorf("×3 over 0.5/0.1/0.1: %v %v %v", r, y, b)
	}
}

// A profile selecting 10 % of its matches selects the next one after
// MaxUnselected matches in a row were left out, and says so.
func TestMaxUnselected(t *testing.T) {
	p := profile("TENTH", `item.origin == "VNM"`, declaration.LaneYellow, 10)
	p.Action.MaxUnselected = 3
	tg := targeting(t, 0, p)
	run, forced := 0, 0
	for id := int64(1); id <= 400; id++ {
		rd, err := tg.Assess(context.Background(), declWith(id, "VNM"), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		h := rd.Hits[0]
		if !h.Selected {
			run++
			if run > 3 {
				t.Fatalf("declaration %d: %d matches in a row unselected", id, run)
			}
			continue
		}
		if h.ForcedAfter > 0 {
			forced++
			if run != 3 || h.ForcedAfter != 3 {
				t.Fatalf("forced after %d (run %d)", h.ForcedAfter, run)
			}
		}
		run = 0
	}
	if forced == 0 {
		t.Fatal("never forced")
	}
	// The settings' default applies when the profile sets none.
	p.Action.MaxUnselected = 0
	tg = targeting(t, 0, p)
	tg.Settings.MaxUnselected = 1
	for id := int64(1); id <= 50; id++ {
		a, _ := tg.Assess(context.Background(), declWith(id, "VNM"), time.Now())
		b, _ := tg.Assess(context.Background(), declWith(id+1000, "VNM"), time.Now())
		if !a.Hits[0].Selected && !b.Hits[0].Selected {
			t.Fatal("two unselected in a row with a default limit of 1")
		}
	}
}

// Top-up: while an office is behind its capacity's pace, declarations the
// streams released go to a check with the configured chance; once the
// pace is reached, none do. Counts roll over at midnight.
func TestCapacityTopUp(t *testing.T) {
	tg := targeting(t, 0)
	tg.Settings.Capacity = []Capacity{{Office: "*", Direction: "*", Red: 1, Yellow: 0, TopUp: 1},
		{Office: "2200", Direction: "I", Red: 2400, Yellow: 0, TopUp: 0.5}}
	noon := day.Add(12 * time.Hour) // half the day gone: pace 1,200 at office 2200
	tg.Quota = NewQuota(nil, noon)
	topped := 0
	for id := int64(1); id <= 4000; id++ {
		rd, err := tg.Assess(context.Background(), declWith(id, "USA"), noon)
		if err != nil {
			t.Fatal(err)
		}
		if rd.TopUp {
			topped++
			if rd.Lane != declaration.LaneRed || rd.Stream != "top_up" || !strings.Contains(rd.ReasonEN, "capacity pace") {
				t.Fatalf("top-up decision %+v", rd)
			}
		}
	}
	if topped != 1200 {
		t.Errorf("topped up %d, want the pace 1,200", topped)
	}
	if ok, n := tg.Quota.under("2200", "I", declaration.LaneRed, 2400, day.Add(36*time.Hour)); !ok || n != 0 {
		t.Errorf("next day: under %v with %d counted", ok, n)
	}
	// Seeded from the day's facts.
	q := NewQuota([]Fact{{Office: "2200", Direction: "I", Lane: declaration.LaneRed, DecidedAt: noon.Add(-time.Hour)},
		{Office: "2200", Direction: "I", Lane: declaration.LaneRed, DecidedAt: noon.Add(-24 * time.Hour)}}, noon)
	if _, n := q.under("2200", "I", declaration.LaneRed, 10, noon); n != 1 {
		t.Errorf("seeded %d checks, want today's 1", n)
	}
}
