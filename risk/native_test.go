package risk

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"cel.dev/cel-go/common/types"
)

// exprGen writes random expressions in (and around) the native subset.
type exprGen struct{ r *rand.Rand }

var (
	genStrings = []string{"decl.office", "decl.trader", "item.code", "item.origin", "item.hs4", "item.chapter"}
	genInts    = []string{"decl.late_days", "decl.items", "item.no"}
	genDoubles = []string{"item.unit_value_cny", "item.qty", "decl.gross_kg", "item.value_cny"}
	genLits    = []string{`"2200"`, `"VNM"`, `"USA"`, `"8471"`, `"84"`, `"8471300000"`, `""`, `"91350100M000100Y43"`}
)

func (g exprGen) pick(s []string) string { return s[g.r.IntN(len(s))] }

func (g exprGen) str() string {
	if g.r.IntN(3) == 0 {
		return g.pick(genLits)
	}
	return g.pick(genStrings)
}

func (g exprGen) num(depth int) string {
	switch k := g.r.IntN(7); {
	case k < 3:
		return g.pick(genDoubles)
	case k == 3:
		return fmt.Sprintf("%d.%d", g.r.IntN(3000), g.r.IntN(10))
	case k == 4 && depth > 0:
		return fmt.Sprintf("(%s %s %s)", g.num(depth-1), g.pick([]string{"*", "+", "-", "/"}), g.num(depth-1))
	case k == 5:
		return fmt.Sprintf("ref_price(item.code, %s)", g.pick([]string{"item.origin", `"*"`}))
	default:
		return "-" + g.pick(genDoubles)
	}
}

func (g exprGen) boolean(depth int) string {
	cmp := []string{"==", "!=", "<", "<=", ">", ">="}
	switch k := g.r.IntN(11); {
	case k == 0:
		return fmt.Sprintf("%s %s %s", g.str(), g.pick(cmp), g.str())
	case k == 1:
		return fmt.Sprintf("%s %s %s", g.num(2), g.pick(cmp), g.num(2))
	case k == 2:
		return fmt.Sprintf("%s %s %d", g.pick(genInts), g.pick(cmp), g.r.IntN(20))
	case k == 3:
		return fmt.Sprintf("%s in [%s, %s]", g.pick(genStrings), g.pick(genLits), g.pick(genLits))
	case k == 4:
		return fmt.Sprintf("%s.%s(%s)", g.pick(genStrings), g.pick([]string{"startsWith", "endsWith", "contains"}), g.str())
	case k == 5:
		return fmt.Sprintf(`on_list("watch-traders", %s)`, g.str())
	case k == 6:
		return fmt.Sprintf("%s in [%d, %d, 3]", g.pick(genInts), g.r.IntN(5), g.r.IntN(5))
	case k == 7:
		return g.pick([]string{"true", "false", "decl.containers.size() > 0", `decl.date > timestamp("2026-01-01T00:00:00Z")`})
	case depth > 0 && k == 8:
		return fmt.Sprintf("!(%s)", g.boolean(depth-1))
	case depth > 0 && k == 9:
		return fmt.Sprintf("(%s || %s)", g.boolean(depth-1), g.boolean(depth-1))
	case depth > 0:
		return fmt.Sprintf("(%s && %s)", g.boolean(depth-1), g.boolean(depth-1))
	}
	return fmt.Sprintf("%s == %s", g.pick(genStrings), g.pick(genLits))
}

// TestNativeAgreesWithCEL: on random expressions and inputs, the native
// translation (whole, or as a pre-filter in front of CEL) decides exactly
// as the CEL interpreter does.
func TestNativeAgreesWithCEL(t *testing.T) {
	c := compiler(t)
	lists := c.lists.Load()
	r := rand.New(rand.NewPCG(11, 12))
	g := exprGen{r}
	translated, checked := 0, 0
	for n := 0; n < 3000; n++ {
		expr := g.boolean(3)
		cp, errs := c.Compile(expr)
		if errs != nil {
			continue // e.g. a cost over the limit
		}
		plan := planNative(cp.ast.NativeRep().Expr())
		if plan.full != nil {
			translated++
		}
		for k := 0; k < 20; k++ {
			d := &DeclInput{Office: g.pick([]string{"2200", "5300"}), Trader: g.pick([]string{"91350100M000100Y43", "X"}),
				LateDays: r.IntN(20), Items: r.IntN(5), GrossKg: float64(r.IntN(3000)), Date: day}
			if r.IntN(2) == 0 {
				d.Containers = []string{"CSQU3054383"}
			}
			code := g.pick([]string{"8471300000", "0402210000", ""})
			it := &ItemInput{No: r.IntN(4), Code: code, Origin: g.pick([]string{"VNM", "USA", ""}), Qty: float64(r.IntN(100)),
				UnitValueCNY: float64(r.IntN(5000)) / 2, ValueCNY: float64(r.IntN(100000))}
			if len(code) >= 4 {
				it.HS4, it.Chapter = code[:4], code[:2]
			}
			out, _, err := cp.prog.Eval(&vars{decl: d, item: it})
			if err != nil {
				if plan.full != nil {
					t.Fatalf("%s: CEL failed (%v) on a translated expression", expr, err)
				}
				continue
			}
			want := out == types.True
			nv := &nenv{d: d, it: it, lists: lists}
			if plan.full != nil && plan.full(nv) != want {
				t.Fatalf("%s on %+v %+v: native %v, CEL %v", expr, d, it, !want, want)
			}
			if plan.pre != nil && !plan.pre(nv) && want {
				t.Fatalf("%s: the pre-filter refused a match", expr)
			}
			checked++
		}
	}
	if translated < 1000 || checked < 20000 {
		t.Fatalf("only %d expressions translated, %d evaluations compared", translated, checked)
	}
}

// FuzzProfileExpr: any text an analyst saves either is refused with a
// coded error or compiles; what compiles is planned and, when it
// translates, decides as CEL does. Nothing panics.
func FuzzProfileExpr(f *testing.F) {
	g := exprGen{rand.New(rand.NewPCG(5, 6))}
	for range 40 {
		f.Add(g.boolean(3))
	}
	f.Add(`item.code.startsWith("84") && ref_price(item.code, "*") > 0.0`)
	f.Add(`on_list("watch-traders", decl.trader) || decl.items in [1, 2]`)
	c := compiler(f)
	d := &DeclInput{Office: "2200", Trader: "91350100M000100Y43", LateDays: 3, Items: 2, GrossKg: 12.5, Date: day}
	it := &ItemInput{No: 1, Code: "8471300000", HS4: "8471", Chapter: "84", Origin: "VNM", UnitValueCNY: 700, Qty: 3}
	f.Fuzz(func(t *testing.T, expr string) {
		cp, errs := c.Compile(expr)
		if errs != nil {
			for _, e := range errs {
				if e.Code == "" || e.Pointer != "/expr" || e.MessageZH == "" || e.MessageEN == "" {
					t.Fatalf("uncoded error %+v", e)
				}
			}
			return
		}
		plan := planNative(cp.ast.NativeRep().Expr())
		out, _, err := cp.prog.Eval(&vars{decl: d, item: it})
		nv := &nenv{d: d, it: it, lists: c.lists.Load()}
		if plan.full != nil {
			if err != nil {
				t.Fatalf("%q: CEL failed (%v) on a translated expression", expr, err)
			}
			if plan.full(nv) != (out == types.True) {
				t.Fatalf("%q: native and CEL disagree", expr)
			}
		}
		if plan.pre != nil && err == nil && out == types.True && !plan.pre(nv) {
			t.Fatalf("%q: the pre-filter refused a match", expr)
		}
	})
}
