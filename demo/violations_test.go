package demo

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/refdata"
	"github.com/jinguan-customs/jinguan/tariff"
)

// The traffic carries planted violations at the rates violations.go says,
// Truth finds them from the declaration and the secret alone, and the
// published reference prices stay within 10 % of the hidden market.
func TestPlantedViolations(t *testing.T) {
	cat, err := refdata.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	sched, err := tariff.LoadDir(t.TempDir(), cat)
	if err != nil {
		t.Fatal(err)
	}
	ents := Enterprises()
	secret := []byte("demo-secret")
	g := NewGenerator(3, cat, sched, ents, Users(secret, ents))
	at := time.Now()
	type tally struct{ decls, undervalued, origin, hs int }
	by := map[string]*tally{"watched": {}, "newcomer": {}, "other": {}}
	for range 6000 {
		f, _ := g.Form(at)
		d := &declaration.Declaration{ID: 1, DeclaredAt: at, Form: f}
		group := "other"
		switch {
		case slices.Contains(WatchedTraders(), f.Head.TradeCoScc):
			group = "watched"
		case newcomer(f.Head.TradeCoScc):
			group = "newcomer"
		}
		if f.Head.IEFlag != "I" {
			continue
		}
		c := by[group]
		c.decls++
		truth := Truth(secret, cat, d)
		if a, b := fmt.Sprint(truth), fmt.Sprint(Truth(secret, cat, d)); a != b {
			t.Fatal("truth is not reproducible")
		}
		for _, x := range truth {
			switch x.Kind {
			case "value":
				c.undervalued++
			case "origin":
				c.origin++
			case "hs":
				c.hs++
			}
			if !x.AdditionalDuty.IsPositive() {
				t.Fatalf("finding without duty: %+v", x)
			}
		}
	}
	w, n, o := by["watched"], by["newcomer"], by["other"]
	if w.decls == 0 || n.decls == 0 || o.decls == 0 {
		t.Fatalf("groups %+v %+v %+v", *w, *n, *o)
	}
	perDecl := func(x, d int) float64 { return float64(x) / float64(d) }
	// About 5 items a declaration: one in eight undervalued for watched traders, 1 % for the others.
	if r := perDecl(w.undervalued, w.decls); r < 0.35 || r > 0.9 {
		t.Errorf("watched traders: %.2f undervalued items a declaration", r)
	}
	if r := perDecl(o.undervalued, o.decls); r > 0.12 {
		t.Errorf("other traders: %.2f undervalued items a declaration", r)
	}
	if n.hs == 0 || o.hs != 0 || w.hs != 0 {
		t.Errorf("misclassification is the newcomers': %+v %+v %+v", *n, *w, *o)
	}
	if o.origin == 0 {
		t.Error("no false origins planted")
	}
	for _, p := range RefPrices(sched.Lines(at), at) {
		var unit string
		for _, l := range sched.Lines(at) {
			if l.Code == p.Code {
				unit = l.FirstUnit
			}
		}
		m := MarketPrice(p.Code, unit)
		if r := p.Price.InexactFloat64() / m; math.Abs(r-1) > 0.1001 {
			t.Fatalf("%s: reference %s against market %.2f", p.Code, p.Price, m)
		}
	}
}
