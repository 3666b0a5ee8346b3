package risk

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"cel.dev/cel-go/common/types"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
)

func compiler(t testing.TB) *Compiler {
	c, err := NewCompiler()
	if err != nil {
		t.Fatal(err)
	}
	c.SetLists(&Lists{
		Named: map[string]map[string]struct{}{"watch-traders": {"91350100M000100Y43": {}},
			"watch-bills": {"COSU000001": {}, "COSU000002": {}}},
		RefPrices: map[string]float64{"8471300000|VNM": 3000},
	})
	return c
}

func TestCompileRefusesBadProfiles(t *testing.T) {
	c := compiler(t)
	cases := []struct{ expr, code, at string }{
		{`item.origin == "USA" &&`, "cel_compile", "1:"},
		{`item.colour == "red"`, "cel_compile", "1:5"},
		{"item.origin == \"USA\"\n  && decl.weight > 1.0", "cel_compile", "2:"},
		{`item.origin`, "cel_type", ""},
		{`item.qty > 1`, "cel_compile", ""}, // double against int: no implicit conversion
		{`decl.containers.all(a, decl.containers.all(b, decl.containers.all(c, a + b + c != "")))`, "cel_cost", ""},
	}
	for _, tc := range cases {
		_, errs := c.Compile(tc.expr)
		if len(errs) == 0 {
			t.Errorf("%q compiled", tc.expr)
			continue
		}
		e := errs[0]
		if e.Code != tc.code || e.Pointer != "/expr" || !strings.Contains(e.MessageEN, tc.at) || e.MessageZH == "" {
			t.Errorf("%q: %+v", tc.expr, e)
		}
	}
	if _, errs := c.Compile(`on_list("watch-traders", decl.trader) && item.unit_value_cny < 0.5 * ref_price(item.code, item.origin)`); errs != nil {
		t.Errorf("valid expression refused: %+v", errs)
	}
}

func TestProfileCheck(t *testing.T) {
	p := Profile{ID: "bad id!", Scope: Scope{Level: "local", Office: "22"}, Direction: "X",
		Action: Action{Lane: declaration.LaneGreen, Percent: 0}, Status: "live"}
	var got []string
	for _, e := range p.Check() {
		got = append(got, e.Pointer)
	}
	want := []string{"/id", "/title", "/rationale", "/owner", "/expr", "/scope/office", "/direction",
		"/valid_from", "/action/lane", "/action/percent", "/status"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}

func item(no int, code, origin string, unitValue float64) ItemInput {
	return ItemInput{No: no, Code: code, HS6: code[:6], HS4: code[:4], Chapter: code[:2], Origin: origin,
		UnitValueCNY: unitValue, ValueCNY: unitValue * 10, LegalQty: 10}
}

var day = time.Date(2026, 11, 20, 0, 0, 0, 0, jinguan.China)

func TestMatchScopesWindowsAndValues(t *testing.T) {
	c := compiler(t)
	base := Profile{Title: "t", Rationale: "r", Owner: "o", Scope: Scope{Level: "national"},
		ValidFrom: day.AddDate(0, -1, 0), Action: Action{Lane: declaration.LaneRed, Percent: 100}, Status: Active}
	mk := func(id, expr string, f func(*Profile)) Profile {
		p := base
		p.ID, p.Version, p.Expr = id, 1, expr
		if f != nil {
			f(&p)
		}
		return p
	}
	under := `item.code == "8471300000" && item.unit_value_cny < 0.5 * ref_price(item.code, item.origin)`
	profiles := []Profile{
		mk("under", under, nil),
		mk("local-other", under, func(p *Profile) { p.Scope = Scope{Level: "local", Office: "5300"} }),
		mk("local-parent", under, func(p *Profile) { p.Scope = Scope{Level: "local", Office: "2200"} }),
		mk("air", under, func(p *Profile) { p.Scope = Scope{Level: "regional", Channel: "air"} }),
		mk("sea", under, func(p *Profile) { p.Scope = Scope{Level: "regional", Channel: "sea"} }),
		mk("expired", under, func(p *Profile) { p.ValidTo = day }),
		mk("exports", under, func(p *Profile) { p.Direction = "E" }),
		mk("draft", under, func(p *Profile) { p.Status = Draft }),
		mk("watch", `on_list("watch-traders", decl.trader)`, nil),
		mk("origins", `item.origin in ["VNM", "THA"] && item.chapter == "84"`, nil),
	}
	e, err := c.Engine(profiles)
	if err != nil {
		t.Fatal(err)
	}
	d := &DeclInput{Office: "2248", Direction: "I", Trader: "91350100M000100Y43", Date: day}
	items := []ItemInput{item(1, "8471300000", "VNM", 1000), item(2, "8471300000", "VNM", 2000), item(3, "0402210000", "NZL", 30)}
	hits, err := e.Match(d, items, Where{Channel: "sea", Parent: "2200"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hits {
		got = append(got, fmt.Sprintf("%s@%d", h.Profile.ID, h.Item))
	}
	slices.Sort(got)
	want := []string{"local-parent@1", "origins@1", "origins@2", "sea@1", "under@1", "watch@0"}
	if !slices.Equal(got, want) {
		t.Fatalf("hits %v\nwant %v", got, want)
	}
	for _, h := range hits {
		if h.Profile.ID == "under" {
			if v := h.ValueMap(); v["item.unit_value_cny"] != "1000" || v["item.code"] != "8471300000" || v["item.origin"] != "VNM" {
				t.Errorf("values %v", h.Values)
			}
		}
	}
}

// TestIndexNeverMisses: the index only narrows; matching through it gives
// exactly what evaluating every profile on every item gives.
func TestIndexNeverMisses(t *testing.T) {
	c := compiler(t)
	codes := []string{"8471300000", "8517130000", "0402210000", "3304990000", "6109100000", "8703236000", "9503008900"}
	origins := []string{"VNM", "USA", "JPN", "DEU", "THA"}
	traders := []string{"91350100M000100Y43", "91110000600037341L"}
	offices := []string{"2200", "5300", "0100"}
	profiles := SyntheticProfiles(600, 1, codes, origins, traders, offices)
	e, err := c.Engine(profiles)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(2, 2))
	for round := 0; round < 200; round++ {
		d := &DeclInput{Office: offices[r.IntN(3)], Direction: "I", Trader: traders[r.IntN(2)], Date: day,
			LateDays: r.IntN(100), GrossKg: float64(r.IntN(1_000_000)), BillNo: fmt.Sprintf("COSU%06d", r.IntN(4))}
		var items []ItemInput
		for i := 1; i <= 1+r.IntN(6); i++ {
			items = append(items, item(i, codes[r.IntN(len(codes))], origins[r.IntN(len(origins))], float64(r.IntN(4000))))
		}
		hits, err := e.Match(d, items, Where{})
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for _, h := range hits {
			got = append(got, fmt.Sprintf("%s@%d", h.Profile.ID, h.Item))
		}
		for j := range e.entries {
			en := &e.entries[j]
			if en.declOnly { // once per declaration, as item 0
				if out, _, _ := en.c.prog.Eval(&vars{decl: d, item: &ItemInput{}}); out == types.True {
					want = append(want, en.p.ID+"@0")
				}
				continue
			}
			for i := range items {
				out, _, err := en.c.prog.Eval(&vars{decl: d, item: &items[i]})
				if err != nil {
					t.Fatal(err)
				}
				if out == types.True {
					want = append(want, fmt.Sprintf("%s@%d", en.p.ID, items[i].No))
				}
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: index gave %v, full evaluation %v", round, got, want)
		}
	}
	if n := len(e.always) + len(e.declAlways); n > 5 {
		t.Errorf("%d of 600 profiles unindexed", n)
	}
}
