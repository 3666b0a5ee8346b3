package tariff

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/u128"
)

// The integer path gives exactly what the decimal path gives, on random
// declarations: currencies, transaction terms, freight, insurance and other
// costs of each mark, specific and compound duties, remedies, consumption
// tax, quotas, the duty de minimis, and amounts from cents to billions.
func TestFenMatchesDecimal(t *testing.T) {
	fast := assessor(t)
	fast.Rates = fast.Codes.(interface {
		ExchangeRates
		declaration.Codes
	})
	slow := *fast
	slow.decimalOnly = true
	codes := []string{"8471300000", "0402210000", "3304990000", "2208300000", "7219340000", "0306179000",
		"0306171100", "6109100000", "1001990000", "3102100000"}
	origins := []string{"USA", "KOR", "AUS", "LAO", "ETH", "PRK", "JPN", ""}
	currencies := []string{"CNY", "USD", "EUR", "JPY", "HKD", "XXX"}
	r := rand.New(rand.NewPCG(1, 2))
	num := func(maxDigits, places int) string {
		v := r.Int64N(int64(u128.Pow10[1+r.IntN(maxDigits)]))
		return decimal.New(v, -int32(r.IntN(places+1))).String()
	}
	charge := func() *declaration.Charge {
		switch r.IntN(4) {
		case 0:
			return nil
		case 1:
			return &declaration.Charge{Mark: "1", Rate: d(num(3, 2))}
		case 2:
			return &declaration.Charge{Mark: "2", Rate: d(num(5, 3)), Currency: currencies[r.IntN(5)]}
		default:
			return &declaration.Charge{Mark: "3", Rate: d(num(7, 2)), Currency: currencies[r.IntN(5)]}
		}
	}
	var n, valued, taxed int
	for range 20000 {
		var items []declaration.Item
		for i := range 1 + r.IntN(6) {
			cur := currencies[r.IntN(5)]
			if r.IntN(200) == 0 {
				cur = currencies[5] // no rate: the same error either way
			}
			it := item(i+1, codes[r.IntN(len(codes))], num(10, 4), cur, origins[r.IntN(len(origins))])
			it.FirstQty = d(num(6, 3))
			items = append(items, it)
		}
		dd := decl(fmt.Sprint(1+r.IntN(7)), charge(), items...)
		dd.Head.Insur, dd.Head.Other, dd.Head.GrossWet = charge(), charge(), d(num(7, 3))
		if r.IntN(10) == 0 {
			dd.Licences = []declaration.Licence{{DocuCode: QuotaCertificate}}
		}
		at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
		want, werr := slow.assess(dd, at, "")
		got, gerr := fast.assess(dd, at, "")
		if fmt.Sprint(werr) != fmt.Sprint(gerr) {
			t.Fatalf("errors differ: %v / %v", werr, gerr)
		}
		if werr != nil {
			continue
		}
		n++
		wj, _ := json.Marshal(want)
		gj, _ := json.Marshal(got)
		if string(wj) != string(gj) {
			dj, _ := json.Marshal(dd)
			t.Fatalf("declaration %s\ndecimal  %s\nintegers %s", dj, wj, gj)
		}
		// How often the integer path took the declaration.
		v := Valuer{Rates: fast.Rates, Codes: fast.Codes, Config: fast.Config}
		vf, ok, _ := v.valuesFen(dd, dd.DeclDate(), map[string]string{})
		if !ok {
			continue
		}
		valued++
		var sels []Selection
		var vals []decimal.Decimal
		for i, it := range dd.Items {
			vals = append(vals, fenDec(vf[i]))
			s, _ := fast.Schedule.Select(Query{Code: it.CodeTS, Origin: it.OriginCountry, On: RateDate(dd),
				InQuota: len(dd.Licences) > 0, Value: fenDec(vf[i]), Qty: it.FirstQty})
			sels = append(sels, s)
		}
		var ta declaration.TaxAssessment
		if fast.taxesFen(&ta, dd, sels, vals, vf) {
			taxed++
		}
	}
	t.Logf("%d declarations assessed; the integer path valued %d and taxed %d", n, valued, taxed)
	if valued < n*3/4 || taxed < valued*9/10 {
		t.Fatalf("the integer path took too few: %d valued, %d taxed of %d", valued, taxed, n)
	}
}

// Rounding to fen and the 16-place division, on values worked by hand.
func TestFenRoundingAndDivision(t *testing.T) {
	if got, _ := roundFen(wide{u128.From(12345), 3}, true); got != 1235 { // 12.345
		t.Fatalf("12.345 → %d fen", got)
	}
	if got, _ := div(wide{u128.From(2), 0}, wide{u128.From(3), 0}); got.c.Lo != 6666666666666667 || got.s != 16 {
		t.Fatalf("2/3 → %v", got)
	}
	// a.s above 16 + b.s: the divisor takes the scale. 1.23456789e-10 / 3
	// = 411522.63e-16.
	if got, _ := div(wide{u128.From(123456789), 18}, wide{u128.From(3), 0}); got.c.Lo != 411523 || got.s != 16 {
		t.Fatalf("1.23456789e-10 / 3 → %v", got)
	}
}
