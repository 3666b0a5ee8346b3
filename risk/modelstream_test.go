package risk

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/risk/model"
	"github.com/jinguan-customs/jinguan/risk/model/gbdt"
)

// modelHistory makes declarations where every fifth of 40 traders often
// has findings, with their items' labels.
func modelHistory(n int, seed uint64, from time.Time) ([]*declaration.Declaration, [][]bool) {
	rng := rand.New(rand.NewPCG(seed, 11))
	var ds []*declaration.Declaration
	var labels [][]bool
	for i := range n {
		tr := rng.IntN(40)
		d := &declaration.Declaration{ID: int64(seed)*100000 + int64(i), EntryID: fmt.Sprint("E", seed, "-", i),
			DeclaredAt: from.Add(time.Duration(i) * time.Hour)}
		d.Head = declaration.Head{CustomMaster: []string{"2200", "5100"}[rng.IntN(2)], IEFlag: "I", TradeCoScc: fmt.Sprint("T", tr),
			AgentCodeScc: fmt.Sprint("A", rng.IntN(8)), TradeCountry: "USA", TradeMode: "0110", TrafMode: "2", TransMode: "1",
			NetWt: decimal.NewFromInt(int64(10 + rng.IntN(900)))}
		var found []bool
		for g := range 1 + rng.IntN(3) {
			d.Items = append(d.Items, declaration.Item{GNo: g + 1, CodeTS: []string{"8471300000", "0402210000", "6109100000"}[rng.IntN(3)],
				OriginCountry: []string{"USA", "VNM", "DEU"}[rng.IntN(3)], GQty: decimal.NewFromInt(int64(1 + rng.IntN(50))),
				DeclTotal: decimal.NewFromInt(int64(100 + rng.IntN(5000))), TradeCurr: "USD", DutyMode: "1"})
			p := 0.04
			if tr%5 == 0 {
				p = 0.6
			}
			found = append(found, rng.Float64() < p)
		}
		ds, labels = append(ds, d), append(labels, found)
	}
	return ds, labels
}

func usdRates(string, time.Time) (decimal.Decimal, bool) { return decimal.NewFromInt(7), true }

func trainLive(t *testing.T, seed uint64) *model.Model {
	t.Helper()
	ds, labels := modelHistory(3000, seed, day.AddDate(0, -6, 0))
	var recs []model.Record
	for i, d := range ds {
		for j, r := range ModelRecords(d, usdRates) {
			r.Fraud = labels[i][j]
			recs = append(recs, r)
		}
	}
	m, err := model.BuiltinMapping(ModelFormat)
	if err != nil {
		t.Fatal(err)
	}
	p := gbdt.DefaultParams()
	p.Rounds, p.MinLeafRows = 40, 10
	mod, _, err := model.Train(recs, nil, m, p)
	if err != nil {
		t.Fatal(err)
	}
	return mod
}

func TestModelRecordsFollowTheExportMapping(t *testing.T) {
	m, _ := model.BuiltinMapping(ModelFormat)
	if got := strings.Join(m.ExtraNames(), ","); got != "ie_port,owner,trade_curr,trade_mode,traf_mode,trans_mode" {
		t.Fatalf("the mapping's extras %s no longer match ModelRecords", got)
	}
	d := declWith(1, "VNM")
	d.Head.NetWt = decimal.NewFromInt(60)
	d.Head.OwnerCodeScc = "OWNER"
	recs := ModelRecords(d, usdRates)
	if len(recs) != 2 || recs[1].Value != 3500 || recs[1].Mass != 50 || recs[0].Mass != 10 || recs[1].HS6 != "847130" ||
		recs[1].Extra[1] != "OWNER" || recs[1].Extra[2] != "USD" || recs[0].Date.Hour() != 0 {
		t.Fatalf("%+v", recs)
	}
	if _, ok := ItemFindings(d); ok {
		t.Fatal("a declaration without a result is not a label")
	}
	d.Inspection = &declaration.InspectionResult{Outcome: "finding", Findings: []declaration.Finding{{GNo: 2, Kind: "value"}}}
	if f, ok := ItemFindings(d); !ok || f[0] || !f[1] {
		t.Fatalf("findings %v", f)
	}
}

func TestModelStreamSelectsByScoreAndExplores(t *testing.T) {
	s, err := NewModelStream(ModelPolicy{Capacity: 0.1, Explore: 0.2, Lane: declaration.LaneRed, Window: 500, Factors: 3}, []byte("k"), usdRates)
	if err != nil {
		t.Fatal(err)
	}
	tg := targeting(t, 0)
	tg.Model = s
	ctx := context.Background()
	ds, labels := modelHistory(1500, 9, day)
	rd, err := tg.Assess(ctx, ds[0], time.Now())
	if err != nil || rd.Model != nil {
		t.Fatalf("without a model: %+v %v", rd.Model, err)
	}
	if err := s.Use(&ActiveModel{Version: 3, Model: trainLive(t, 1)}); err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	var hitsScore, hitsRest, nScore, nRest int
	for i, d := range ds {
		rd, err := tg.Assess(ctx, d, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		md := rd.Model
		if md == nil || md.Version != 3 || len(md.Items) != len(d.Items) || md.Item < 1 {
			t.Fatalf("decision %+v", md)
		}
		if i < warmUp {
			if md.Selected == "score" {
				t.Fatal("selected by score before any threshold")
			}
			continue
		}
		count[md.Selected]++
		if md.Selected != "" && (rd.Lane != declaration.LaneRed || md.Lane != declaration.LaneRed) {
			t.Fatalf("selected %q but lane %s", md.Selected, rd.Lane)
		}
		if md.Selected == "score" && (rd.Stream != "model" || md.Score < md.Threshold || !strings.Contains(rd.ReasonEN, "at or above the threshold")) {
			t.Fatalf("score selection recorded as %q: %s", rd.Stream, rd.ReasonEN)
		}
		if md.Selected == "exploration" && (rd.Stream != "model_explore" || md.Draw >= md.ExploreRate || md.Score >= md.Threshold) {
			t.Fatalf("exploration recorded as %+v", md)
		}
		if len(md.Factors) == 0 || md.Factors[0].ZH == "" || md.Factors[0].EN == "" {
			t.Fatalf("no explanation: %+v", md.Factors)
		}
		found := false
		for _, f := range labels[i] {
			found = found || f
		}
		if md.Selected == "score" {
			nScore++
			if found {
				hitsScore++
			}
		} else {
			nRest++
			if found {
				hitsRest++
			}
		}
	}
	n := len(ds) - warmUp
	if c := count["score"]; c < n*5/100 || c > n*12/100 {
		t.Errorf("%d of %d selected by score, want about 8 %%", c, n)
	}
	if c := count["exploration"]; c < n/200 || c > n*4/100 {
		t.Errorf("%d of %d explored, want about 2 %%", c, n)
	}
	if rs, rr := float64(hitsScore)/float64(nScore), float64(hitsRest)/float64(nRest); rs < 2*rr {
		t.Errorf("hit rate %.2f among score selections, %.2f among the rest", rs, rr)
	}
	// The same declaration gets the same exploration draw.
	if s.draw(42) != s.draw(42) || s.draw(42) == s.draw(43) {
		t.Fatal("draws are not keyed by declaration")
	}
}

func TestModelStreamUse(t *testing.T) {
	s, _ := NewModelStream(DefaultModelPolicy(), []byte("k"), usdRates)
	m := trainLive(t, 1)
	other := &model.Model{Version: m.Version, Format: "kcs", Features: m.Features, Trees: m.Trees}
	if err := s.Use(&ActiveModel{Version: 1, Model: other}); err == nil {
		t.Fatal("a model of another format was accepted")
	}
	if err := s.Use(&ActiveModel{Version: 1, Model: m}); err != nil {
		t.Fatal(err)
	}
	ds, _ := modelHistory(150, 4, day)
	for _, d := range ds {
		var rd declaration.RiskDecision
		if err := s.Assess(context.Background(), d, &rd); err != nil {
			t.Fatal(err)
		}
	}
	before := append([]float64(nil), s.sorted...)
	// A new model rescores the recent declarations: the threshold is its own at once.
	if err := s.Use(&ActiveModel{Version: 2, Model: trainLive(t, 2)}); err != nil {
		t.Fatal(err)
	}
	if len(s.sorted) != len(before) {
		t.Fatalf("%d recent scores after the swap, %d before", len(s.sorted), len(before))
	}
	same := true
	for i := range before {
		same = same && before[i] == s.sorted[i]
	}
	if same {
		t.Fatal("the recent declarations were not rescored")
	}
	if err := (ModelPolicy{Capacity: 1.2, Lane: declaration.LaneRed, Window: 100}).Check(); err == nil {
		t.Fatal("capacity above 1 accepted")
	}
}

// BenchmarkModelStreamAssess is the model's part of the risk stage per
// declaration (about 2 items here): records, scores, threshold, and the
// explanation of the top item in words.
func BenchmarkModelStreamAssess(b *testing.B) {
	s, _ := NewModelStream(DefaultModelPolicy(), []byte("k"), usdRates)
	t := &testing.T{}
	if err := s.Use(&ActiveModel{Version: 1, Model: trainLive(t, 1)}); err != nil {
		b.Fatal(err)
	}
	ds, _ := modelHistory(2000, 5, day)
	items := 0
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		var rd declaration.RiskDecision
		d := ds[i%len(ds)]
		items += len(d.Items)
		if err := s.Assess(context.Background(), d, &rd); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(items)/float64(b.N), "items/decl")
}
