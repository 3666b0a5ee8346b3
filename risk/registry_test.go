package risk_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/risk"
	"github.com/jinguan-customs/jinguan/sqlite"
)

var (
	analyst = auth.Principal{User: "analyst.zhao", Role: auth.RoleRiskAnalyst}
	officer = auth.Principal{User: "officer.li", Role: auth.RoleOfficer}
	day     = time.Date(2026, 3, 2, 0, 0, 0, 0, jinguan.China)
)

// registry is a registry on a fresh SQLite file whose changes reload a
// targeting stage.
type registry struct {
	*risk.Registry
	store risk.Store
	t     *risk.Targeting
}

func newRegistry(t *testing.T) registry {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "j.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c, err := risk.NewCompiler()
	if err != nil {
		t.Fatal(err)
	}
	sel, err := risk.NewSelectivity([]risk.Rule{{Office: "*", Direction: "*"}}, []byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	empty, _ := c.Engine(nil)
	cny := func(string, time.Time) (decimal.Decimal, bool) { return decimal.NewFromInt(1), true }
	tg := risk.NewTargeting(sel, empty, []byte("k"), cny, func(string, time.Time) risk.Where { return risk.Where{} })
	w := &risk.Watcher{Store: db.Risk(), Compiler: c, Targeting: tg, Now: func() time.Time { return day.Add(10 * time.Hour) }}
	reg := &risk.Registry{Store: db.Risk(), Compiler: c, Changed: w.Reload, Now: func() time.Time { return day.Add(9 * time.Hour) }}
	return registry{reg, db.Risk(), tg}
}

func wine(id string) risk.Profile {
	return risk.Profile{ID: id, Title: "葡萄酒低报 / Undervalued wine", Rationale: "below 15 CNY a litre",
		Scope: risk.Scope{Level: "national"}, ValidFrom: day.AddDate(-1, 0, 0), Owner: "analyst.zhao",
		Expr: `item.hs4 == "2204" && item.unit_value_cny < 15.0`, Priority: 5,
		Action: risk.Action{Lane: declaration.LaneYellow, Percent: 100, Instruction: "审核价格"}}
}

func wineDecl(id int64) *declaration.Declaration {
	d := &declaration.Declaration{ID: id, DeclaredAt: day.Add(11 * time.Hour)}
	d.Head = declaration.Head{CustomMaster: "2200", IEFlag: "I", TradeCoScc: "91310000MA1FL0XX0X"}
	d.Items = []declaration.Item{{GNo: 1, CodeTS: "2204210000", OriginCountry: "FRA", TradeCurr: "CNY",
		DeclTotal: decimal.NewFromInt(1000), FirstQty: decimal.NewFromInt(100)}}
	return d
}

func lane(t *testing.T, r registry) declaration.Lane {
	t.Helper()
	rd, err := r.t.Assess(context.Background(), wineDecl(1), day)
	if err != nil {
		t.Fatal(err)
	}
	return rd.Lane
}

func TestRegistryLifecycle(t *testing.T) {
	ctx := context.Background()
	r := newRegistry(t)
	if _, err := r.Create(ctx, officer, wine("WINE")); jinguan.ErrorCode(err) != jinguan.EFORBIDDEN {
		t.Fatalf("officer created a profile: %v", err)
	}
	p, err := r.Create(ctx, analyst, wine("WINE"))
	if err != nil || p.Version != 1 || p.Status != risk.Draft || p.CreatedBy != "analyst.zhao" {
		t.Fatalf("create: %+v %v", p, err)
	}
	if _, err := r.Create(ctx, analyst, wine("WINE")); jinguan.ErrorCode(err) != jinguan.ECONFLICT {
		t.Fatalf("second create: %v", err)
	}
	if lane(t, r) != declaration.LaneGreen {
		t.Fatal("a draft targeted")
	}
	if _, err := r.Activate(ctx, analyst, "WINE", 1, "approved"); err != nil {
		t.Fatal(err)
	}
	if lane(t, r) != declaration.LaneYellow {
		t.Fatal("the active profile did not target: no reload")
	}
	// Editing makes version 2; version 1 stays in service until 2 is activated.
	edit := wine("")
	edit.Version = 1
	edit.Action.Lane = declaration.LaneRed
	p2, err := r.Edit(ctx, analyst, "WINE", edit)
	if err != nil || p2.Version != 2 || p2.Status != risk.Draft {
		t.Fatalf("edit: %+v %v", p2, err)
	}
	if _, err := r.Edit(ctx, analyst, "WINE", edit); jinguan.ErrorCode(err) != jinguan.ECONFLICT {
		t.Fatalf("edit of a stale version: %v", err)
	}
	if lane(t, r) != declaration.LaneYellow {
		t.Fatal("a draft version replaced the active one")
	}
	if _, err := r.Activate(ctx, analyst, "WINE", 2, "stricter"); err != nil {
		t.Fatal(err)
	}
	if lane(t, r) != declaration.LaneRed {
		t.Fatal("version 2 not in service")
	}
	vs, evs, err := r.History(ctx, officer, "WINE")
	if err != nil || len(vs) != 2 || vs[0].Status != risk.Retired || vs[1].Status != risk.Active || vs[1].ActivatedBy != "analyst.zhao" {
		t.Fatalf("history %+v %v", vs, err)
	}
	var actions []string
	for _, e := range evs {
		actions = append(actions, e.Action+" v"+string(rune('0'+e.Version)))
	}
	if got := strings.Join(actions, ", "); got != "create v1, activate v1, edit v2, retire v1, activate v2" {
		t.Errorf("audit trail: %s", got)
	}
	if _, err := r.Activate(ctx, analyst, "WINE", 1, ""); jinguan.ErrorCode(err) != jinguan.ETRANSITION {
		t.Fatalf("reactivated a retired version: %v", err)
	}
	if _, err := r.Retire(ctx, analyst, "WINE", 2, "season over"); err != nil {
		t.Fatal(err)
	}
	if lane(t, r) != declaration.LaneGreen {
		t.Fatal("a retired profile still targets")
	}
}

// A bad profile is refused with a code and the position of the error, and
// nothing changes: no version, no event, no reload.
func TestBadProfileRefused(t *testing.T) {
	ctx := context.Background()
	r := newRegistry(t)
	good := wine("GOOD")
	if _, err := r.Import(ctx, analyst, []risk.Profile{good}); err != nil {
		t.Fatal(err)
	}
	gen, _ := r.store.Generation(ctx)
	cases := []struct{ expr, code, at string }{
		{"item.hs4 == \"2204\" &&\n  item.unit_value_cny <", "cel_compile", "2:"}, // syntax
		{`item.hs4 == "2204" && item.colour == "red"`, "cel_compile", "1:27"},     // unknown field, at its selection
		{`decl.containers.all(a, decl.containers.all(b, decl.containers.all(c, a != "")))`, // unbounded cost
			"cel_cost", ""},
	}
	for _, tc := range cases {
		bad := wine("BAD")
		bad.Expr = tc.expr
		_, err := r.Create(ctx, analyst, bad)
		assertRefused(t, err, "/expr", tc.code, tc.at)
		active := wine("GOOD")
		active.Status = risk.Active
		bad.Status = risk.Active
		_, err = r.Import(ctx, analyst, []risk.Profile{active, bad})
		assertRefused(t, err, "/1/expr", tc.code, tc.at)
		edit := wine("")
		edit.Expr = tc.expr
		_, err = r.Edit(ctx, analyst, "GOOD", edit)
		assertRefused(t, err, "/expr", tc.code, tc.at)
	}
	if _, err := r.Store.ProfileVersions(ctx, "BAD"); jinguan.ErrorCode(err) != jinguan.ENOTFOUND {
		t.Errorf("a bad profile was stored: %v", err)
	}
	vs, evs, _ := r.History(ctx, analyst, "GOOD")
	if len(vs) != 1 || vs[0].Status != risk.Draft || len(evs) != 1 {
		t.Errorf("GOOD changed: %d versions, %d events", len(vs), len(evs))
	}
	if g, _ := r.store.Generation(ctx); g != gen || lane(t, r) != declaration.LaneGreen {
		t.Error("the engine changed")
	}
}

func assertRefused(t *testing.T, err error, ptr, code, at string) {
	t.Helper()
	e := jinguan.AsError(err)
	if e.Code != jinguan.EINVALID || len(e.Fields) == 0 {
		t.Fatalf("not refused: %v", err)
	}
	f := e.Fields[0]
	if f.Pointer != ptr || f.Code != code || !strings.Contains(f.MessageEN, at) || !strings.Contains(f.MessageZH, at) {
		t.Errorf("error %+v, want %s %s at %q", f, ptr, code, at)
	}
}

func TestImportKeepsVersionsAndLists(t *testing.T) {
	ctx := context.Background()
	r := newRegistry(t)
	p := wine("WINE")
	p.Version, p.Status = 7, risk.Active
	got, err := r.Import(ctx, analyst, []risk.Profile{p})
	if err != nil || got[0].Version != 7 {
		t.Fatalf("import: %+v %v", got, err)
	}
	p.Action.Lane = declaration.LaneRed
	got, err = r.Import(ctx, analyst, []risk.Profile{p})
	if err != nil || got[0].Version != 8 {
		t.Fatalf("re-import: %+v %v", got, err)
	}
	if lane(t, r) != declaration.LaneRed {
		t.Fatal("imported version 8 not in service")
	}
	// A watch-list change reloads the engine too.
	watched := wine("WATCH")
	watched.Expr = `on_list("watch-traders", decl.trader)`
	watched.Status = risk.Active
	watched.Action.Lane = declaration.LaneRed
	if _, err := r.Retire(ctx, analyst, "WINE", 8, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Import(ctx, analyst, []risk.Profile{watched}); err != nil {
		t.Fatal(err)
	}
	if lane(t, r) != declaration.LaneGreen {
		t.Fatal("matched an empty list")
	}
	l := risk.WatchList{Name: "watch-traders", Kind: "enterprise", Values: []string{"91310000MA1FL0XX0X"}}
	if _, err := r.PutList(ctx, officer, l); jinguan.ErrorCode(err) != jinguan.EFORBIDDEN {
		t.Fatalf("officer edited a list: %v", err)
	}
	if _, err := r.PutList(ctx, analyst, risk.WatchList{Name: "Bad Name", Kind: "x"}); jinguan.ErrorCode(err) != jinguan.EINVALID {
		t.Fatalf("bad list: %v", err)
	}
	if _, err := r.PutList(ctx, analyst, l); err != nil {
		t.Fatal(err)
	}
	if lane(t, r) != declaration.LaneRed {
		t.Fatal("the list change did not reach the engine")
	}
}

func TestRefPricesDated(t *testing.T) {
	ctx := context.Background()
	r := newRegistry(t)
	p := wine("UNDERVAL")
	p.Expr = `item.unit_value_cny < 0.5 * ref_price(item.code, "*")`
	p.Status = risk.Active
	if _, err := r.Import(ctx, analyst, []risk.Profile{p}); err != nil {
		t.Fatal(err)
	}
	prices := []risk.RefPrice{
		{Code: "2204210000", Origin: "*", Price: decimal.NewFromInt(10), ValidFrom: day.AddDate(-1, 0, 0), ValidTo: day},
		{Code: "2204210000", Origin: "*", Price: decimal.NewFromInt(40), ValidFrom: day},
	}
	if err := r.PutRefPrices(ctx, analyst, append(prices, risk.RefPrice{Code: "22", Origin: "fr", ValidFrom: day})); jinguan.ErrorCode(err) != jinguan.EINVALID {
		t.Fatalf("bad price accepted: %v", err)
	}
	if lane(t, r) != declaration.LaneGreen {
		t.Fatal("targeted without prices")
	}
	if err := r.PutRefPrices(ctx, analyst, prices); err != nil {
		t.Fatal(err)
	}
	if lane(t, r) != declaration.LaneYellow { // 10 CNY/L against today's 40
		t.Fatal("today's reference price not used")
	}
}
