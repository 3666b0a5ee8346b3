package risk

import (
	"math"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/declaration"
)

func TestMeasure(t *testing.T) {
	at := func(h int) time.Time { return day.Add(time.Duration(h) * time.Hour) }
	duty := func(s string) decimal.Decimal { return decimal.RequireFromString(s) }
	red, yellow, green := declaration.LaneRed, declaration.LaneYellow, declaration.LaneGreen
	facts := []Fact{
		// Targeted by P1 on item 2; the check found undervaluation on item 2.
		{DeclarationID: 1, DecidedAt: at(1), Office: "2200", Lane: red, RandomLane: green, RandomRate: 0.1, Chapters: []string{"84", "85"},
			Hits:      []FactHit{{ProfileID: "P1", Item: 2, Lane: red, Selected: true}},
			Inspected: true, Findings: []FactFinding{{GNo: 2, Kind: "value", AdditionalDuty: duty("300")}}, AdditionalDuty: duty("300")},
		// Targeted by P1 on item 1, found on item 2: not P1's hit.
		{DeclarationID: 2, DecidedAt: at(2), Office: "2200", Lane: red, RandomLane: green, RandomRate: 0.1, Chapters: []string{"84", "85"},
			Hits:      []FactHit{{ProfileID: "P1", Item: 1, Lane: red, Selected: true}, {ProfileID: "P2", Item: 0, Lane: yellow, Selected: false}},
			Inspected: true, Findings: []FactFinding{{GNo: 2, Kind: "origin", AdditionalDuty: duty("50")}}, AdditionalDuty: duty("50")},
		// Random stream only (rate 0.1), nothing found; P2 matched unselected.
		{DeclarationID: 3, DecidedAt: at(3), Office: "5300", Lane: yellow, RandomLane: yellow, RandomRate: 0.1, Chapters: []string{"61"},
			Hits: []FactHit{{ProfileID: "P2", Item: 0, Lane: yellow}}, Inspected: true},
		// Random stream (rate 0.5: an over-sampled dishonest trader), found; also targeted by P2 (header).
		{DeclarationID: 4, DecidedAt: at(26), Office: "5300", Lane: red, RandomLane: red, RandomRate: 0.5, Chapters: []string{"61", "84"},
			Hits:      []FactHit{{ProfileID: "P2", Item: 0, Lane: yellow, Selected: true}},
			Inspected: true, Seized: true, Findings: []FactFinding{{GNo: 1, Kind: "prohibited", Seized: true}}},
		// Selected at random, not yet checked.
		{DeclarationID: 5, DecidedAt: at(27), Office: "5300", Lane: red, RandomLane: red, RandomRate: 0.1, Chapters: []string{"84"}},
		// Topped up, checked, nothing.
		{DeclarationID: 6, DecidedAt: at(28), Office: "2200", Lane: red, RandomLane: green, RandomRate: 0.1, TopUp: true, Chapters: []string{"84"}, Inspected: true},
		// Before the period: counts for the review window only.
		{DeclarationID: 7, DecidedAt: at(-30), Office: "2200", Lane: red, RandomLane: red, RandomRate: 0.1, Chapters: []string{"84"},
			Hits: []FactHit{{ProfileID: "P1", Item: 1, Lane: red, Selected: true}}, Inspected: true},
	}
	profiles := []Profile{{ID: "P1", Version: 1, Title: "old", Status: Retired}, {ID: "P1", Version: 2, Title: "电子产品", Status: Active},
		{ID: "P3", Version: 1, Title: "never matched", Status: Active}}
	ev := Measure(facts, day, at(48), 24*time.Hour, profiles, ReviewSettings{Days: 30, MinInspections: 2})

	s := map[string]Counts{}
	for _, x := range ev.Streams {
		s[x.Stream] = x.Counts
	}
	if c := s[StreamTargeted]; c.Selections != 3 || c.Inspections != 3 || c.Hits != 3 || !c.Revenue.Equal(duty("350")) ||
		!c.RevenuePerInspection.Equal(duty("116.67")) || c.Seizures != 1 {
		t.Errorf("targeted %+v", c)
	}
	if c := s[StreamRandom]; c.Selections != 3 || c.Inspections != 2 || c.Hits != 1 || c.HitRate != 0.5 {
		t.Errorf("random %+v", c)
	}
	if c := s[StreamTopUp]; c.Selections != 1 || c.Inspections != 1 || c.Hits != 0 {
		t.Errorf("top-up %+v", c)
	}
	p := map[string]ProfileStats{}
	for _, x := range ev.Profiles {
		p[x.ProfileID] = x
	}
	if x := p["P1"]; x.Title != "电子产品" || x.Version != 2 || x.Matches != 2 || x.Selections != 2 || x.Hits != 1 ||
		!x.Revenue.Equal(duty("300")) || x.HitRate != 0.5 {
		t.Errorf("P1 %+v", x)
	}
	if x := p["P2"]; x.Matches != 3 || x.Selections != 1 || x.Hits != 1 || x.Seizures != 1 {
		t.Errorf("P2 %+v", x)
	}
	if x := p["P3"]; x.Matches != 0 || x.Status != Active {
		t.Errorf("P3 %+v", x)
	}
	// Review: the random stream hit 1 in 3 checks over 30 days (7 counts),
	// weighted by 1/rate: 2 of 22; P1 hit 1 in 3: not below. P2 hit 1 in 1:
	// too few checks. Over the period (3 and 4): 2 of 12.
	if math.Abs(ev.RandomReviewHitRate-2.0/22) > 1e-12 || p["P1"].Flagged || p["P2"].Flagged || p["P1"].ReviewInspections != 3 ||
		math.Abs(ev.NonCompliance-2.0/12) > 1e-12 {
		t.Errorf("review: random %.3f, P1 %+v, P2 %+v", ev.RandomReviewHitRate, p["P1"], p["P2"])
	}
	facts[0].Findings, facts[0].AdditionalDuty = nil, decimal.Zero
	ev = Measure(facts, day, at(48), 24*time.Hour, profiles, ReviewSettings{Days: 30, MinInspections: 2})
	for _, x := range ev.Profiles {
		if x.ProfileID == "P1" && (!x.Flagged || x.ReviewHitRate != 0) {
			t.Errorf("P1 hits nothing in 3 checks against a random 1 in 3, not flagged: %+v", x)
		}
	}

	// Compliance by chapter, weighted by 1/rate: declaration 3 (weight 10,
	// chapter 61 clean) and 4 (weight 2, chapter 61 found, 84 clean).
	ch := map[string]Compliance{}
	for _, c := range ev.ByChapter {
		ch[c.Key] = c
	}
	if c := ch["61"]; c.Inspected != 2 || c.Findings != 1 || c.RawRate != 0.5 || c.Rate != 2.0/12 {
		t.Errorf("chapter 61 %+v", c)
	}
	if c := ch["84"]; c.Inspected != 1 || c.Findings != 0 {
		t.Errorf("chapter 84 %+v", c)
	}
	if len(ev.ByOffice) != 1 || ev.ByOffice[0].Key != "5300" {
		t.Errorf("offices %+v", ev.ByOffice)
	}
	// Daily series: two days × five streams.
	if len(ev.Series) != 10 || !ev.Series[5].Start.Equal(day.AddDate(0, 0, 1)) || ev.Series[0].Selections != 2 {
		t.Errorf("series %+v", ev.Series)
	}
}

// The blue lane is the audit stream, judged by its post-clearance audits;
// a profile is judged by the check the declaration got: its inspection,
// else its audit. The random stream's estimate stays with inspections.
func TestMeasureAudits(t *testing.T) {
	at := func(h int) time.Time { return day.Add(time.Duration(h) * time.Hour) }
	duty := func(s string) decimal.Decimal { return decimal.RequireFromString(s) }
	red, blue, green := declaration.LaneRed, declaration.LaneBlue, declaration.LaneGreen
	facts := []Fact{
		// Blue by profile P4 on item 1; the audit found it there, and seized.
		{DeclarationID: 1, DecidedAt: at(1), Office: "2200", Lane: blue, RandomLane: green, RandomRate: 0.1, Chapters: []string{"61"},
			Hits:  []FactHit{{ProfileID: "P4", Item: 1, Lane: blue, Selected: true}},
			Audit: &FactCheck{At: at(50), AdditionalDuty: duty("500"), Seized: true, Findings: []FactFinding{{GNo: 1, Kind: "value", AdditionalDuty: duty("500"), Seized: true}}}},
		// Blue by the random draw, not audited yet.
		{DeclarationID: 2, DecidedAt: at(2), Office: "2200", Lane: blue, RandomLane: blue, RandomRate: 0.1, Chapters: []string{"84"}},
		// Green, audited because an officer chose it: nothing found.
		{DeclarationID: 3, DecidedAt: at(3), Office: "5300", Lane: green, RandomLane: green, RandomRate: 0.1, Chapters: []string{"84"},
			Audit: &FactCheck{At: at(30), AdditionalDuty: duty("0")}},
		// Red by P1 on item 2, inspected clean, then the audit found item 2.
		{DeclarationID: 4, DecidedAt: at(4), Office: "5300", Lane: red, RandomLane: green, RandomRate: 0.1, Chapters: []string{"84", "85"},
			Hits:      []FactHit{{ProfileID: "P1", Item: 2, Lane: red, Selected: true}},
			Inspected: true, InspectedAt: at(6),
			Audit: &FactCheck{At: at(40), AdditionalDuty: duty("70"), Findings: []FactFinding{{GNo: 2, Kind: "origin", AdditionalDuty: duty("70")}}}},
	}
	ev := Measure(facts, day, at(48), 24*time.Hour, nil, ReviewSettings{Days: 30, MinInspections: 1})
	s := map[string]Counts{}
	for _, x := range ev.Streams {
		s[x.Stream] = x.Counts
	}
	if c := s[StreamAudit]; c.Selections != 4 || c.Inspections != 3 || c.Hits != 2 || !c.Revenue.Equal(duty("570")) ||
		c.Seizures != 1 || math.Abs(c.HitRate-2.0/3) > 1e-12 || !c.RevenuePerInspection.Equal(duty("190")) {
		t.Errorf("audit stream %+v", c)
	}
	if c := s[StreamTargeted]; c.Selections != 1 || c.Inspections != 1 || c.Hits != 0 {
		t.Errorf("targeted %+v: judged by the inspection", c)
	}
	if c := s[StreamRandom]; c.Selections != 0 || ev.NonCompliance != 0 || len(ev.ByChapter) != 0 {
		t.Errorf("random %+v, non-compliance %v: a blue draw is no inspection sample", c, ev.NonCompliance)
	}
	p := map[string]ProfileStats{}
	for _, x := range ev.Profiles {
		p[x.ProfileID] = x
	}
	if x := p["P4"]; x.Selections != 1 || x.Inspections != 1 || x.Hits != 1 || !x.Revenue.Equal(duty("500")) || x.Seizures != 1 {
		t.Errorf("P4 %+v", x)
	}
	if x := p["P1"]; x.Selections != 1 || x.Inspections != 1 || x.Hits != 0 {
		t.Errorf("P1 %+v", x)
	}
}

// Party history counts an audit as a check: its time is the last
// finding's, or the last check's when none found anything.
func TestFactRowCountsAudits(t *testing.T) {
	at := func(h int) time.Time { return day.Add(time.Duration(h) * time.Hour) }
	found := []FactFinding{{GNo: 1, Kind: "value"}}
	for _, c := range []struct {
		name               string
		f                  Fact
		inspected, finding int
		checked            time.Time
	}{
		{"nothing", Fact{}, 0, 0, time.Time{}},
		{"inspection found", Fact{Inspected: true, InspectedAt: at(1), Findings: found}, 1, 1, at(1)},
		{"audit only, clean", Fact{Audit: &FactCheck{At: at(9)}}, 1, 0, at(9)},
		{"clean inspection, audit found", Fact{Inspected: true, InspectedAt: at(1), Audit: &FactCheck{At: at(9), Findings: found}}, 1, 1, at(9)},
		{"inspection found, clean audit", Fact{Inspected: true, InspectedAt: at(1), Findings: found, Audit: &FactCheck{At: at(9)}}, 1, 1, at(1)},
		{"both clean", Fact{Inspected: true, InspectedAt: at(1), Audit: &FactCheck{At: at(9)}}, 1, 0, at(9)},
	} {
		r, err := FactRow(&c.f)
		if err != nil || r.Inspected != c.inspected || r.Finding != c.finding || !r.CheckedAt.Equal(c.checked) {
			t.Errorf("%s: %+v %v", c.name, r, err)
		}
	}
}
