package ecommerce

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// randDec is a checked decimal element: up to 15 whole digits and 5 places,
// mostly short like real amounts, sometimes at the limits.
func randDec(r *rand.Rand) string {
	whole := 1 + r.IntN(4)
	if r.IntN(8) == 0 {
		whole = 1 + r.IntN(15)
	}
	var b strings.Builder
	for i := 0; i < whole; i++ {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	if places := r.IntN(7) - 1; places > 0 {
		b.WriteByte('.')
		for i := 0; i < places; i++ {
			b.WriteByte(byte('0' + r.IntN(10)))
		}
	}
	return b.String()
}

func checkFixedAgrees(t *testing.T, qty, price, total, net, gross string) {
	t.Helper()
	for _, s := range []string{qty, price, total} {
		if v, ok := fixed5(s); ok {
			d, err := decimal.NewFromString(s)
			if err != nil || !d.Shift(5).Equal(decimal.NewFromInt(v)) {
				t.Fatalf("fixed5(%q) = %d, decimal %v %v", s, v, d, err)
			}
		} else if validForm("dec", s) && len(strings.SplitN(s, ".", 2)[0]) <= 13 {
			t.Fatalf("fixed5(%q) refused a short decimal", s)
		}
	}
	q, ok1 := fixed5(qty)
	p, ok2 := fixed5(price)
	if ok1 && ok2 {
		want := dec(qty).Mul(dec(price)).Round(2).Shift(2)
		if got, ok := lineFen(q, p); ok && !want.Equal(decimal.NewFromInt(got)) {
			t.Fatalf("lineFen(%s, %s) = %d, decimal %s", qty, price, got, want)
		}
	}
	if tt, ok := fixed5(total); ok && !dec(total).Round(2).Shift(2).Equal(decimal.NewFromInt(fenOf(tt))) {
		t.Fatalf("fenOf(%s) = %d", total, fenOf(tt))
	}
	// lineTotal: the integer path never hides a mismatch, never invents one.
	var a problems
	a.lineTotal(qty, price, total, "/OrderList", 0)
	wantBad := !dec(qty).Mul(dec(price)).Round(2).Equal(dec(total).Round(2))
	if (len(a) > 0) != wantBad {
		t.Fatalf("lineTotal(%s, %s, %s) = %v, decimal mismatch %v", qty, price, total, a, wantBad)
	}
	if validForm("dec", net) && validForm("dec", gross) && netOverGross(net, gross) != dec(net).GreaterThan(dec(gross)) {
		t.Fatalf("netOverGross(%s, %s)", net, gross)
	}
}

// The integer path of the amount checks agrees with the decimal path.
func TestFixedAgreesWithDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		qty, price := randDec(r), randDec(r)
		total := dec(qty).Mul(dec(price)).Round(2).String()
		switch r.IntN(4) {
		case 0:
			total = randDec(r)
		case 1: // off by a fen, or by less than half a fen
			total = dec(total).Add(decimal.New(int64(r.IntN(3)-1), -2)).Abs().String()
		case 2:
			total = dec(qty).Mul(dec(price)).Truncate(5).String()
		}
		if !validForm("dec", total) {
			continue
		}
		checkFixedAgrees(t, qty, price, total, randDec(r), randDec(r))
	}
	// Ties: x.xx5 exactly, and just under.
	checkFixedAgrees(t, "1", "0.005", "0.01", "1", "1")
	checkFixedAgrees(t, "1", "0.00499", "0.00", "1.00001", "1")
	checkFixedAgrees(t, "9999999999999", "9999999999999", "999999999999999", "9999999999999.99999", "0")
	checkFixedAgrees(t, "99999999999999", "1", "99999999999999.00", "99999999999999.5", "99999999999999.49999")
}

// The order's equations: the integer path says "agree" exactly when the
// decimal path does, for orders whose values it can hold.
func TestOrderAmountsAgreeWithDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	g := NewGenerator(11, 1000, DemoDay)
	for i := range 20_000 {
		o := *g.Next().Order.Order
		o.Items = append([]OrderItem(nil), o.Items...)
		switch i % 4 {
		case 1:
			o.Head.ActuralPaid = dec(o.Head.ActuralPaid).Add(decimal.New(int64(r.IntN(3)-1), -int32(r.IntN(6)))).Abs().String()
		case 2:
			o.Items[0].TotalPrice = randDec(r)
		case 3:
			o.Head.Discount = randDec(r)
		}
		sum := decimal.Zero
		for _, it := range o.Items {
			sum = sum.Add(dec(it.TotalPrice))
		}
		h := &o.Head
		want := sum.Equal(dec(h.GoodsValue)) &&
			dec(h.ActuralPaid).Equal(dec(h.GoodsValue).Add(dec(h.Freight)).Add(dec(h.TaxTotal)).Sub(dec(h.Discount)))
		if got := orderAmountsAgree(&o); got != want {
			t.Fatalf("order %d: integer path %v, decimal %v: %+v", i, got, want, h)
		}
	}
	// Too long for the integer path: it declines, the decimal path decides.
	o := Order{Head: OrderHead{GoodsValue: "12345678901234", Freight: "0", TaxTotal: "0", Discount: "0", ActuralPaid: "12345678901234"},
		Items: []OrderItem{{TotalPrice: "12345678901234"}}}
	if orderAmountsAgree(&o) {
		t.Fatal("a 14-digit value took the integer path")
	}
	var p problems
	p.checkOrder(&o)
	for _, x := range p {
		if x.Code == "amount_mismatch" {
			t.Fatalf("decimal path: %v", x)
		}
	}
}

func FuzzFixedAgreesWithDecimal(f *testing.F) {
	f.Add("2", "19.99", "39.98", "1.5", "1.65")
	f.Add("1", "0.005", "0.01", "0", "0")
	f.Fuzz(func(t *testing.T, qty, price, total, net, gross string) {
		for _, s := range []string{qty, price, total} {
			if !validForm("dec", s) {
				return
			}
		}
		checkFixedAgrees(t, qty, price, total, net, gross)
	})
}

// The matching rules' integer paths agree with the decimal ones.
func TestMatchAmountsAgreeWithDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	tols := []tolerance{newTolerance(decimal.RequireFromString("0.1")), newTolerance(decimal.RequireFromString("0.05")),
		newTolerance(decimal.RequireFromString("0.123456")), newTolerance(decimal.Zero), newTolerance(decimal.RequireFromString("1.5"))}
	if !tols[0].ok || tols[2].ok {
		t.Fatalf("tolerances: %+v", tols)
	}
	for range 200_000 {
		a, b := randDec(r), randDec(r)
		if r.IntN(3) == 0 { // near each other
			b = dec(a).Add(decimal.New(int64(r.IntN(21)-10), -int32(r.IntN(6)))).Abs().String()
		}
		if equalDec(a, b) != dec(a).Equal(dec(b)) {
			t.Fatalf("equalDec(%s, %s)", a, b)
		}
		for _, tol := range tols {
			want := dec(a).Sub(dec(b)).Abs().GreaterThan(dec(b).Mul(tol.d))
			if got := weightOff(a, b, tol); got != want {
				t.Fatalf("weightOff(%s, %s, %s) = %v", a, b, tol.d, got)
			}
		}
		l := Inventory{Items: []InventoryItem{{TotalPrice: a}, {TotalPrice: b}}}
		sum := dec(a).Add(dec(b))
		for _, goods := range []string{sum.String(), randDec(r)} {
			if listGoodsAgree(&l, goods) != sum.Equal(dec(goods)) {
				t.Fatalf("listGoodsAgree(%s + %s, %s)", a, b, goods)
			}
		}
	}
	// The exact boundary: 10 % of 2 is 0.2.
	if weightOff("2.2", "2", tols[0]) || !weightOff("2.20001", "2", tols[0]) || weightOff("1.8", "2", tols[0]) {
		t.Fatal("boundary")
	}
}
