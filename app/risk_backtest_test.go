package app

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/risk"
)

// The backtest of a profile agrees with what the live pipeline decided
// with the same profile active: the same declarations matched and
// selected, judged by the same recorded checks; and the effectiveness
// figures, projected from the events, count the same checks.
func TestBacktestAgreesWithLivePath(t *testing.T) {
	e := newEnv(t, "", true)
	ctx := context.Background()
	a := e.a
	p := risk.Profile{ID: "BT-ORIGIN", Title: "亚洲来源 / Asian origins", Rationale: "test", Owner: "analyst.zhao",
		Scope: risk.Scope{Level: "national"}, Direction: "I", ValidFrom: time.Now().AddDate(-1, 0, 0), Status: risk.Active,
		Expr:   `item.origin in ["JPN", "KOR", "VNM", "THA", "MYS", "IDN"] && item.value_cny > 1000.0`,
		Action: risk.Action{Lane: declaration.LaneYellow, Percent: 60, MaxUnselected: 2}}
	analyst := e.users["analyst.zhao"].Principal()
	if _, err := a.Risk.Registry.Import(ctx, analyst, []risk.Profile{p}); err != nil {
		t.Fatal(err)
	}
	officer := e.users["officer.wang"].Principal()
	for i := 0; i < 80; i++ {
		f, u := e.form([]string{"2200", "2201", "2300"}[i%3], "I")
		code, d := e.submit(f, u, fmt.Sprint("bt-", i))
		if code != 201 {
			t.Fatalf("submit %d: %v", code, d)
		}
		got := e.settle(d["id"].(float64))
		if got["status"] != "under_review" && got["status"] != "under_inspection" {
			continue
		}
		id := int64(d["id"].(float64))
		in := declaration.ResultInput{Outcome: "no_finding"}
		if i%3 != 1 {
			in = declaration.ResultInput{Outcome: "finding", Findings: []declaration.Finding{
				{GNo: 1 + i%len(f.Items), Kind: "value", AdditionalDuty: declarationDuty(i)}}}
		}
		if _, err := a.Declarations.RecordResult(ctx, officer, id, in); err != nil {
			t.Fatal(err)
		}
	}
	p.Status = risk.Draft
	bt, err := a.Risk.Backtest(ctx, analyst, p, 1, time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if bt.Declarations != 80 || bt.Matched == 0 || bt.Selections == 0 || bt.Inspections == 0 || bt.Hits == 0 {
		t.Fatalf("backtest found too little to compare: %+v", bt.Counts)
	}
	t.Logf("backtest: %d declarations, %d matched, %+v", bt.Declarations, bt.Matched, bt.Counts)
	// Live: what the pipeline recorded for the same profile.
	var live risk.Counts
	matched := 0
	byID := map[int64]risk.BacktestMatch{}
	for _, m := range bt.Matches {
		byID[m.DeclarationID] = m
	}
	rows, _, err := a.Declarations.List(ctx, e.users["admin"].Principal(), declaration.Filter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		d, err := a.Declarations.Get(ctx, e.users["admin"].Principal(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var hits []declaration.ProfileHit
		for _, h := range d.Risk.Hits {
			if h.ProfileID == p.ID {
				hits = append(hits, h)
			}
		}
		m, inBT := byID[d.ID]
		if len(hits) == 0 {
			if inBT {
				t.Errorf("declaration %d: backtest matched, live did not", d.ID)
			}
			continue
		}
		matched++
		sel := false
		for _, h := range hits {
			sel = sel || h.Selected
		}
		if !inBT || m.Selected != sel {
			t.Errorf("declaration %d: live selected=%v, backtest %+v (found %v)", d.ID, sel, m, inBT)
		}
		if sel {
			hit := false
			for _, f := range inspectionFindings(d) {
				for _, h := range hits {
					hit = hit || h.Item == f.GNo
				}
			}
			live.Selections++
			if d.Inspection != nil {
				live.Inspections++
				if hit {
					live.Hits++
				}
			}
		}
	}
	if matched != bt.Matched || live.Selections != bt.Selections || live.Inspections != bt.Inspections || live.Hits != bt.Hits {
		t.Errorf("live matched %d %+v, backtest matched %d %+v", matched, live, bt.Matched, bt.Counts)
	}

	// Effectiveness, from the projected facts, counts the same for the profile.
	if err := a.Risk.Projector.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	ev, err := a.Risk.Effectiveness(ctx, analyst, time.Now().Add(-time.Hour), time.Now().Add(time.Minute), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, ps := range ev.Profiles {
		if ps.ProfileID == p.ID && (ps.Matches != bt.Matched || ps.Selections != bt.Selections ||
			ps.Inspections != bt.Inspections || ps.Hits != bt.Hits || !ps.Revenue.Equal(bt.Revenue)) {
			t.Errorf("effectiveness %+v, backtest %+v", ps, bt.Counts)
		}
	}
}

func inspectionFindings(d *declaration.Declaration) []declaration.Finding {
	if d.Inspection == nil {
		return nil
	}
	return d.Inspection.Findings
}

func declarationDuty(i int) decimal.Decimal { return decimal.NewFromInt(int64(100 + 10*i)) }
