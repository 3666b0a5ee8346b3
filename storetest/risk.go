package storetest

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/risk"
)

// RiskStores is one freshly opened database: the risk store and the
// declaration store whose events feed it.
type RiskStores struct {
	Declarations declaration.Store
	Risk         risk.Store
}

// RunRisk runs the risk store suite.
func RunRisk(t *testing.T, open func(t *testing.T) RiskStores) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s RiskStores)
	}{
		{"ProfileVersions", testProfileVersions},
		{"ProfileStatusConflict", testProfileStatusConflict},
		{"WatchLists", testWatchLists},
		{"RefPrices", testRefPrices},
		{"Facts", testFacts},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

var riskDay = time.Date(2026, 3, 2, 9, 30, 0, 0, jinguan.China)

func sampleProfile(id string, version int, status risk.Status) risk.Profile {
	return risk.Profile{ID: id, Version: version, Title: "低报价格 " + id, Rationale: "r", Owner: "analyst.zhao",
		Scope: risk.Scope{Level: "local", Office: "2200"}, Direction: "I", ValidFrom: riskDay,
		Expr: `item.hs4 == "2204" && item.unit_value_cny < 15.0`, Priority: 3, Status: status,
		Action:    risk.Action{Lane: declaration.LaneRed, Percent: 12.5, Instruction: "开箱查验", MaxUnselected: 4},
		CreatedAt: riskDay.Add(time.Duration(version) * time.Minute), CreatedBy: "analyst.zhao"}
}

func writeProfiles(t *testing.T, s risk.Store, w risk.ProfileWrite) {
	t.Helper()
	if err := s.WriteProfiles(context.Background(), w); err != nil {
		t.Fatal(err)
	}
}

func generation(t *testing.T, s risk.Store) int64 {
	t.Helper()
	g, err := s.Generation(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func testProfileVersions(t *testing.T, st RiskStores) {
	ctx := context.Background()
	s := st.Risk
	_, err := s.ProfileVersions(ctx, "P1")
	wantCode(t, err, jinguan.ENOTFOUND)
	g0 := generation(t, s)
	ev := risk.ProfileEvent{ProfileID: "P1", Version: 1, Action: "create", Actor: "analyst.zhao", Role: "risk_analyst", At: riskDay}
	writeProfiles(t, s, risk.ProfileWrite{Insert: []risk.Profile{sampleProfile("P1", 1, risk.Draft)}, Events: []risk.ProfileEvent{ev}})
	if generation(t, s) != g0 {
		t.Error("a draft changed the generation")
	}
	// Activating v1 and adding v2 as a draft.
	ev2 := ev
	ev2.Version, ev2.Action, ev2.Reason = 2, "edit", "lower threshold"
	writeProfiles(t, s, risk.ProfileWrite{Insert: []risk.Profile{sampleProfile("P1", 2, risk.Draft)},
		Status: []risk.StatusChange{{ID: "P1", Version: 1, From: risk.Draft, To: risk.Active, At: riskDay.Add(time.Hour), By: "chief.sun"}},
		Events: []risk.ProfileEvent{ev2}})
	if generation(t, s) == g0 {
		t.Error("an activation left the generation")
	}
	vs, err := s.ProfileVersions(ctx, "P1")
	if err != nil || len(vs) != 2 {
		t.Fatalf("versions %v %v", vs, err)
	}
	want := sampleProfile("P1", 1, risk.Active)
	want.ActivatedAt, want.ActivatedBy = riskDay.Add(time.Hour), "chief.sun"
	sameJSON(t, vs[0], want)
	sameJSON(t, vs[1], sampleProfile("P1", 2, risk.Draft))

	writeProfiles(t, s, risk.ProfileWrite{Insert: []risk.Profile{sampleProfile("P0", 1, risk.Active)}})
	all, err := s.Profiles(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := profileKeys(all); !slices.Equal(got, []string{"P0 v1 active", "P1 v1 active", "P1 v2 draft"}) {
		t.Errorf("current profiles %v", got)
	}
	active, err := s.Profiles(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := profileKeys(active); !slices.Equal(got, []string{"P0 v1 active", "P1 v1 active"}) {
		t.Errorf("active profiles %v", got)
	}
	evs, err := s.ProfileEvents(ctx, "P1")
	if err != nil || len(evs) != 2 {
		t.Fatalf("events %v %v", evs, err)
	}
	sameJSON(t, evs[1], ev2)
}

func testProfileStatusConflict(t *testing.T, st RiskStores) {
	ctx := context.Background()
	s := st.Risk
	writeProfiles(t, s, risk.ProfileWrite{Insert: []risk.Profile{sampleProfile("P1", 1, risk.Active)}})
	g := generation(t, s)
	// A stale status, or an existing version: nothing of the write stays.
	for _, w := range []risk.ProfileWrite{
		{Insert: []risk.Profile{sampleProfile("P2", 1, risk.Active)},
			Status: []risk.StatusChange{{ID: "P1", Version: 1, From: risk.Draft, To: risk.Active, At: riskDay}},
			Events: []risk.ProfileEvent{{ProfileID: "P2", Version: 1, Action: "import", At: riskDay}}},
		{Insert: []risk.Profile{sampleProfile("P2", 1, risk.Active), sampleProfile("P1", 1, risk.Draft)},
			Events: []risk.ProfileEvent{{ProfileID: "P2", Version: 1, Action: "import", At: riskDay}}},
		{Status: []risk.StatusChange{{ID: "P9", Version: 1, From: risk.Draft, To: risk.Active, At: riskDay}}},
	} {
		wantCode(t, s.WriteProfiles(ctx, w), jinguan.ECONFLICT)
	}
	if _, err := s.ProfileVersions(ctx, "P2"); jinguan.ErrorCode(err) != jinguan.ENOTFOUND {
		t.Errorf("P2 stored by a failed write: %v", err)
	}
	if evs, _ := s.ProfileEvents(ctx, "P2"); len(evs) != 0 {
		t.Errorf("events of a failed write: %v", evs)
	}
	if generation(t, s) != g {
		t.Error("a failed write changed the generation")
	}
}

func profileKeys(ps []risk.Profile) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String()+" "+string(p.Status))
	}
	return out
}

func sameJSON(t *testing.T, got, want any) {
	t.Helper()
	g, w := canonical(t, got), canonical(t, want)
	gj, _ := json.Marshal(g)
	wj, _ := json.Marshal(w)
	if string(gj) != string(wj) {
		t.Fatalf("differs:\n got %s\nwant %s", gj, wj)
	}
}

func testWatchLists(t *testing.T, st RiskStores) {
	ctx := context.Background()
	s := st.Risk
	g := generation(t, s)
	l := risk.WatchList{Name: "watch-traders", Kind: "enterprise", Description: "情报线索 2026-017",
		Values: []string{"91440106MA179190X0", "91310000MA1FL0XX0X"}, UpdatedAt: riskDay, UpdatedBy: "analyst.zhao"}
	if err := s.PutList(ctx, l); err != nil {
		t.Fatal(err)
	}
	l.Values = l.Values[:1]
	if err := s.PutList(ctx, l); err != nil {
		t.Fatal(err)
	}
	if err := s.PutList(ctx, risk.WatchList{Name: "bills", Kind: "bill", Values: []string{}, UpdatedAt: riskDay}); err != nil {
		t.Fatal(err)
	}
	ls, err := s.WatchLists(ctx)
	if err != nil || len(ls) != 2 {
		t.Fatalf("lists %v %v", ls, err)
	}
	sameJSON(t, ls[1], l)
	if generation(t, s) <= g {
		t.Error("lists left the generation")
	}
	if err := s.DeleteList(ctx, "bills"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteList(ctx, "bills"), jinguan.ENOTFOUND)
	if ls, _ := s.WatchLists(ctx); len(ls) != 1 {
		t.Errorf("after delete: %v", ls)
	}
}

func testRefPrices(t *testing.T, st RiskStores) {
	ctx := context.Background()
	s := st.Risk
	ps := []risk.RefPrice{
		{Code: "2204210000", Origin: "*", Price: dec("35.5"), ValidFrom: riskDay, Source: "海关估价参考 2026"},
		{Code: "8471300000", Origin: "VNM", Price: dec("2800.1234"), ValidFrom: riskDay, ValidTo: riskDay.AddDate(1, 0, 0)},
	}
	if err := s.PutRefPrices(ctx, ps[:1]); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRefPrices(ctx, ps); err != nil {
		t.Fatal(err)
	}
	got, err := s.RefPrices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, got, ps)
}

// riskEvent is a committed risk event of declaration d.
func riskEvent(d *declaration.Declaration, seq int, a declaration.Action, data any) declaration.Event {
	b, _ := json.Marshal(data)
	return declaration.Event{DeclarationID: d.ID, Seq: seq, Action: a, Actor: "system", Role: "system",
		At: d.DeclaredAt.Add(time.Duration(seq) * time.Minute), Data: b}
}

func testFacts(t *testing.T, st RiskStores) {
	ctx := context.Background()
	s := st.Risk
	d1, d2, d3 := Decl(1), Decl(2), Decl(3)
	insert(t, st.Declarations, d1, d2, d3)
	rd := declaration.RiskDecision{Lane: declaration.LaneRed, Stream: "targeted", Office: "2200", Direction: "I",
		RandomLane: declaration.LaneYellow, DecidedAt: d1.DeclaredAt,
		Rates: map[declaration.Lane]string{declaration.LaneRed: "0.04", declaration.LaneYellow: "0.06"},
		Hits:  []declaration.ProfileHit{{ProfileID: "P1", Version: 2, Item: 3, Lane: declaration.LaneRed, Selected: true}}}
	green := declaration.RiskDecision{Lane: declaration.LaneGreen, Stream: "random", Office: "2200", Direction: "E", DecidedAt: d2.DeclaredAt}
	result := declaration.InspectionResult{Outcome: "finding", AdditionalDuty: dec("1500.25"), Seized: true, RecordedAt: d1.DeclaredAt.Add(time.Hour),
		Findings: []declaration.Finding{{GNo: 3, Kind: "value", AdditionalDuty: dec("1500.25"), Seized: true}}}
	batch(t, st.Declarations, func(ctx context.Context, tx declaration.Tx) error {
		return tx.AppendEvents(ctx, riskEvent(d1, 2, declaration.ActAssessRisk, rd), riskEvent(d2, 2, declaration.ActAssessRisk, green),
			riskEvent(d1, 3, declaration.ActRoute, nil))
	})
	// A rolled-back op leaves no feed behind.
	errs := st.Declarations.WriteBatch(ctx, []declaration.Op{func(ctx context.Context, tx declaration.Tx) error {
		if err := tx.AppendEvents(ctx, riskEvent(d3, 2, declaration.ActAssessRisk, green)); err != nil {
			return err
		}
		return jinguan.Errorf(jinguan.EINVALID, "x", "x")
	}})
	wantCode(t, errs[0], jinguan.EINVALID)
	// Nor does an append taken back for a conflict within its op.
	batch(t, st.Declarations, func(ctx context.Context, tx declaration.Tx) error {
		err := tx.AppendEvents(ctx, riskEvent(d3, 2, declaration.ActAssessRisk, green), Event(d3))
		wantCode(t, err, jinguan.ECONFLICT)
		return nil
	})

	take := func(limit int) int {
		t.Helper()
		n, err := s.ProjectFacts(ctx, limit, risk.Project)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := take(1); n != 1 {
		t.Fatalf("took %d events, limit 1", n)
	}
	if n := take(100); n != 1 {
		t.Fatalf("took %d events, want the 1 left", n)
	}
	if n := take(100); n != 0 {
		t.Fatalf("took %d events twice", n)
	}
	batch(t, st.Declarations, func(ctx context.Context, tx declaration.Tx) error {
		return tx.AppendEvents(ctx, riskEvent(d1, 4, declaration.ActReroute, map[string]declaration.Lane{"from": "red", "to": "yellow"}),
			riskEvent(d1, 5, declaration.ActRecordResult, result))
	})
	if n := take(100); n != 2 {
		t.Fatalf("took %d events, want 2", n)
	}
	facts, err := s.Facts(ctx, d1.DeclaredAt, d2.DeclaredAt.Add(time.Second))
	if err != nil || len(facts) != 2 {
		t.Fatalf("facts %v %v", facts, err)
	}
	f := facts[0]
	var chapters []string
	for _, it := range d1.Items {
		chapters = append(chapters, it.CodeTS[:2])
	}
	want := risk.Fact{DeclarationID: d1.ID, Seq: 5, DecidedAt: d1.DeclaredAt, Office: "2200", Direction: "I",
		Trader: d1.Head.TradeCoScc, Agent: d1.Head.AgentCodeScc, Stream: "targeted", Lane: declaration.LaneYellow, Rerouted: true,
		RandomLane: declaration.LaneYellow, RandomRate: 0.1, Chapters: chapters,
		Hits:      []risk.FactHit{{ProfileID: "P1", Version: 2, Item: 3, Lane: declaration.LaneRed, Selected: true}},
		Inspected: true, InspectedAt: result.RecordedAt, AdditionalDuty: dec("1500.25"), Seized: true,
		Findings: []risk.FactFinding{{GNo: 3, Kind: "value", AdditionalDuty: dec("1500.25"), Seized: true}}}
	sameJSON(t, f, want)
	if facts[1].DeclarationID != d2.ID || facts[1].Inspected || facts[1].Lane != declaration.LaneGreen {
		t.Errorf("green fact %+v", facts[1])
	}
	if got, _ := s.Facts(ctx, d2.DeclaredAt, d2.DeclaredAt.Add(time.Second)); len(got) != 1 {
		t.Errorf("range [d2, d2+1s): %d facts", len(got))
	}

	traders, agents, err := s.PartyCounts(ctx, d1.DeclaredAt.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	h := traders[d1.Head.TradeCoScc]
	if h.Declarations != 1 || h.Inspections != 1 || h.Findings != 1 || !h.LastFinding.Equal(result.RecordedAt) {
		t.Errorf("trader history %+v", h)
	}
	n := 0
	for _, a := range agents {
		n += a.Declarations
	}
	if n != 2 {
		t.Errorf("agents counted %d declarations, want 2", n)
	}

	// A post-clearance audit of the green one is projected too, and counts
	// as a check with a finding in the trader's history.
	audit := declaration.InspectionResult{Outcome: "finding", AdditionalDuty: dec("80"), RecordedAt: d2.DeclaredAt.Add(48 * time.Hour),
		Findings: []declaration.Finding{{GNo: 1, Kind: "quantity", AdditionalDuty: dec("80")}}}
	batch(t, st.Declarations, func(ctx context.Context, tx declaration.Tx) error {
		return tx.AppendEvents(ctx, riskEvent(d2, 3, declaration.ActRecordAudit, audit))
	})
	if n := take(100); n != 1 {
		t.Fatalf("took %d audit events, want 1", n)
	}
	facts, err = s.Facts(ctx, d2.DeclaredAt, d2.DeclaredAt.Add(time.Second))
	if err != nil || len(facts) != 1 {
		t.Fatalf("facts %v %v", facts, err)
	}
	sameJSON(t, facts[0].Audit, &risk.FactCheck{At: audit.RecordedAt, AdditionalDuty: dec("80"),
		Findings: []risk.FactFinding{{GNo: 1, Kind: "quantity", AdditionalDuty: dec("80")}}})
	if facts[0].Inspected || facts[0].Seq != 3 {
		t.Errorf("audited fact %+v", facts[0])
	}
	traders, _, err = s.PartyCounts(ctx, d1.DeclaredAt.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want2 := risk.PartyHistory{Declarations: 1, Inspections: 1, Findings: 1, LastFinding: audit.RecordedAt}
	if d2.Head.TradeCoScc == d1.Head.TradeCoScc {
		want2 = risk.PartyHistory{Declarations: 2, Inspections: 2, Findings: 2, LastFinding: audit.RecordedAt}
	}
	if h := traders[d2.Head.TradeCoScc]; h.Declarations != want2.Declarations || h.Inspections != want2.Inspections ||
		h.Findings != want2.Findings || !h.LastFinding.Equal(want2.LastFinding) {
		t.Errorf("audited trader's history %+v, want %+v", h, want2)
	}
}
