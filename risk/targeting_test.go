package risk

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/declaration"
)

func targeting(t *testing.T, red float64, profiles ...Profile) *Targeting {
	t.Helper()
	sel, err := NewSelectivity([]Rule{{Office: "*", Direction: "*", Red: red}}, []byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := compiler(t).Engine(profiles)
	if err != nil {
		t.Fatal(err)
	}
	usd := func(string, time.Time) (decimal.Decimal, bool) { return decimal.NewFromInt(7), true }
	return NewTargeting(sel, e, []byte("k"), usd, func(string, time.Time) Where { return Where{Channel: "sea"} })
}

func profile(id, expr string, lane declaration.Lane, pct float64) Profile {
	return Profile{ID: id, Version: 2, Title: "t " + id, Rationale: "r", Owner: "o", Scope: Scope{Level: "national"},
		ValidFrom: day.AddDate(-1, 0, 0), Expr: expr, Status: Active,
		Action: Action{Lane: lane, Percent: pct, Instruction: "开箱查验"}}
}

func declWith(id int64, origin string) *declaration.Declaration {
	d := &declaration.Declaration{ID: id, DeclaredAt: day.Add(9 * time.Hour)}
	d.Head = declaration.Head{CustomMaster: "2200", IEFlag: "I", TradeCoScc: "91350100M000100Y43"}
	d.Items = []declaration.Item{
		{GNo: 1, CodeTS: "0402210000", OriginCountry: "NZL", DeclTotal: decimal.NewFromInt(100), FirstQty: decimal.NewFromInt(10), TradeCurr: "USD"},
		{GNo: 2, CodeTS: "8471300000", OriginCountry: origin, DeclTotal: decimal.NewFromInt(500), FirstQty: decimal.NewFromInt(5), TradeCurr: "USD"},
	}
	return d
}

func TestTargetedLaneAndRecord(t *testing.T) {
	tg := targeting(t, 0, profile("VNM-LAPTOP", `item.hs6 == "847130" && item.origin == "VNM" && item.unit_value_cny < 1000.0`, declaration.LaneRed, 100))
	rd, err := tg.Assess(context.Background(), declWith(1, "VNM"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if rd.Lane != declaration.LaneRed || rd.Stream != "targeted" || len(rd.Hits) != 1 {
		t.Fatalf("decision %+v", rd)
	}
	h := rd.Hits[0]
	if h.ProfileID != "VNM-LAPTOP" || h.Version != 2 || h.Item != 2 || !h.Selected || h.Values["item.unit_value_cny"] != "700" {
		t.Fatalf("hit %+v", h)
	}
	if !strings.Contains(rd.ReasonEN, "VNM-LAPTOP") || !strings.Contains(rd.ReasonZH, "开箱查验") {
		t.Fatalf("reason %q / %q", rd.ReasonEN, rd.ReasonZH)
	}
	rd, _ = tg.Assess(context.Background(), declWith(1, "USA"), time.Now())
	if rd.Lane != declaration.LaneGreen || rd.Stream != "random" || len(rd.Hits) != 0 {
		t.Fatalf("no match: %+v", rd)
	}
}

func TestSelectionPercentage(t *testing.T) {
	tg := targeting(t, 0, profile("HALF", `item.origin == "VNM"`, declaration.LaneYellow, 30))
	selected := 0
	const n = 4000
	for id := int64(1); id <= n; id++ {
		rd, err := tg.Assess(context.Background(), declWith(id, "VNM"), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(rd.Hits) != 1 {
			t.Fatalf("hits %+v", rd.Hits)
		}
		if rd.Hits[0].Selected != (rd.Lane == declaration.LaneYellow) {
			t.Fatalf("lane %s but selected=%v", rd.Lane, rd.Hits[0].Selected)
		}
		if rd.Hits[0].Selected {
			selected++
		}
	}
	if share := float64(selected) / n; share < 0.27 || share > 0.33 {
		t.Fatalf("selected share %.3f, configured 0.30", share)
	}
}

// The random stream keeps its say: a stricter random lane stands, and the
// profile hit is still recorded.
func TestRandomStreamStricter(t *testing.T) {
	tg := targeting(t, 1, profile("Y", `item.origin == "VNM"`, declaration.LaneYellow, 100))
	rd, err := tg.Assess(context.Background(), declWith(5, "VNM"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if rd.Lane != declaration.LaneRed || rd.Stream != "random" || len(rd.Hits) != 1 || !strings.Contains(rd.ReasonEN, "none raised the lane") {
		t.Fatalf("decision %+v", rd)
	}
}

func TestProfileFiles(t *testing.T) {
	c := compiler(t)
	ps, err := ParseProfiles(demoProfiles, c)
	if err != nil {
		t.Fatalf("demo profiles: %v", err)
	}
	if len(ps) < 10 {
		t.Fatalf("%d demo profiles", len(ps))
	}
	if _, err := ParseLists(demoLists); err != nil {
		t.Fatalf("demo lists: %v", err)
	}
	for _, bad := range []string{
		`[{"id": "x"}]`,
		`[{"id":"A","title":"t","rationale":"r","owner":"o","scope":{"level":"national"},"valid_from":"2025-01-01T00:00:00Z","expr":"item.colour == 1","action":{"lane":"red","percent":100},"status":"active"}]`,
		`[{"id":"A","unknown":1}]`,
	} {
		if _, err := ParseProfiles([]byte(bad), c); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

type grades map[string]string

func (g grades) Grade(_ context.Context, scc string, _ time.Time) (string, error) { return g[scc], nil }

// Profiles read the parties' credit grades; unknown parties and unknown
// codes count as regular.
func TestCreditGradeInput(t *testing.T) {
	tg := targeting(t, 0, profile("DISHONEST", `decl.trader_grade == "dishonest" && decl.agent_grade == "regular"`, declaration.LaneRed, 100))
	d := declWith(1, "USA")
	if rd, _ := tg.Assess(context.Background(), d, time.Now()); rd.Lane != declaration.LaneGreen {
		t.Fatalf("no credit source: lane %s", rd.Lane)
	}
	d.Head.AgentCodeScc = "AGENT"
	tg.Credit = grades{"91350100M000100Y43": "dishonest", "AGENT": "no-such-grade"}
	rd, err := tg.Assess(context.Background(), d, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if rd.Lane != declaration.LaneRed || rd.Hits[0].Values["decl.trader_grade"] != "dishonest" {
		t.Fatalf("decision %+v", rd)
	}
}
