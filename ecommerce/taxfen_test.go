package ecommerce

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/tariff"
)

// randAmount is an element with 0–5 places, mostly small; ties at half a
// fen come up often.
func randAmount(r *rand.Rand, maxWhole int) string {
	s := fmt.Sprint(r.IntN(maxWhole + 1))
	switch r.IntN(5) {
	case 0:
	case 1:
		s += "." + fmt.Sprint(r.IntN(10))
	case 2:
		s += fmt.Sprintf(".%02d", r.IntN(100))
	case 3:
		s += fmt.Sprintf(".%02d5", r.IntN(100)) // a tie at half a fen
	default:
		s += fmt.Sprintf(".%05d", r.IntN(100000))
	}
	return s
}

// The integer path gives the decimal path's bill, digit for digit, on
// random lists in CNY with and without consumption tax, and takes most of
// them.
func TestAssessFenMatchesDecimal(t *testing.T) {
	tx := testTaxer(t)
	r := rand.New(rand.NewPCG(21, 22))
	g := NewGenerator(23, 1000, DemoDay)
	gcodes := []string{"3304990000", "3304100000", "2208300000", "0402210000", "9102110000", "3303000010", "1901101000", "2204210000", "6403910000"}
	on := time.Date(2026, 11, 11, 4, 0, 0, 0, time.UTC)
	fast := 0
	const n = 30000
	for i := range n {
		inv := *g.Next().List.Inventory
		inv.Items = append([]InventoryItem(nil), inv.Items...)
		for len(inv.Items) < 1+r.IntN(5) {
			inv.Items = append(inv.Items, inv.Items[0])
		}
		for j := range inv.Items {
			it := &inv.Items[j]
			it.Gcode, it.TotalPrice = gcodes[r.IntN(len(gcodes))], randAmount(r, []int{5, 300, 1200}[r.IntN(3)])
			it.Qty = []string{"1", "2", "1.5"}[r.IntN(3)]
		}
		h := &inv.Head
		h.Freight, h.InsuredFee = randAmount(r, 40), []string{"0", randAmount(r, 5)}[r.IntN(2)]
		bill := TaxBill{InvtNo: h.InvtNo, OrderNo: h.OrderNo, Status: BillUnpaid}
		want, wr := tx.assessDecimal(&inv, on, bill)
		got := bill
		if !tx.assessFen(&inv, on, &got) {
			if billString(got) != billString(bill) {
				t.Fatalf("list %d: a refused integer path changed the bill", i)
			}
			continue
		}
		fast++
		if len(wr) > 0 || billString(got) != billString(want) {
			t.Fatalf("list %d %+v %+v:\n%s\nwant\n%s %v", i, h.Freight, inv.Items, billString(got), billString(want), wr)
		}
		at := on
		a, b := ListDoc{Inventory: &inv, Tax: &got, DecidedAt: &at}, ListDoc{Inventory: &inv, Tax: &want, DecidedAt: &at}
		if string(encodeList(&a)) != string(encodeList(&b)) {
			t.Fatalf("list %d: stored forms differ", i)
		}
	}
	if fast < n/2 {
		t.Fatalf("the integer path took %d of %d lists", fast, n)
	}
}

// A line's consumption tax and VAT in integers equal
// tariff.RetailImportTax's for random rates, shares and division
// precisions.
func TestLineTaxFenMatchesTariff(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	defer func(p int) { decimal.DivisionPrecision = p }(decimal.DivisionPrecision)
	rate := func() decimal.Decimal {
		return decimal.New(r.Int64N(10000), -int32(r.IntN(4))).Div(decimal.NewFromInt(100)).Truncate(4)
	}
	checked := 0
	for i := range 100_000 {
		decimal.DivisionPrecision = []int{16, 16, 16, 12, 20}[i%5]
		cfg := tariff.DefaultRetailConfig()
		cfg.Share = []decimal.Decimal{decimal.RequireFromString("0.7"), decimal.RequireFromString("0.65"), decimal.NewFromInt(1),
			decimal.RequireFromString("0.123")}[r.IntN(4)]
		item := tariff.RetailItem{Value: decimal.New(r.Int64N(500_001), -2), VAT: rate()}
		if r.IntN(3) > 0 {
			item.CT = &tariff.Rate{AdValorem: rate()}
		}
		tax := tariff.RetailImportTax(cfg, tariff.RetailOrder{Items: []tariff.RetailItem{item}})
		fr, fc := newFenRates(item), newRetailFen(cfg)
		if !fr.ok || !fc.ok || tax.Channel != tariff.RetailPreferential {
			continue
		}
		ct, vat, ok := lineTaxFen(item.Value.Shift(2).IntPart(), &fr, &fc)
		if !ok {
			continue
		}
		checked++
		if !decimal.New(ct, -2).Equal(tax.Lines[0].CT) || !decimal.New(vat, -2).Equal(tax.Lines[0].VAT) {
			t.Fatalf("value %s VAT %s CT %+v share %s precision %d: ct %d vat %d, tariff %s %s",
				item.Value, item.VAT, item.CT, cfg.Share, decimal.DivisionPrecision, ct, vat, tax.Lines[0].CT, tax.Lines[0].VAT)
		}
	}
	if checked < 80_000 {
		t.Fatalf("only %d lines in the integer path", checked)
	}
}

// What the engine takes from a bill's fen is what it took from its
// decimals: their JSON, their fen and their float.
func TestBillFenAsDecimals(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	for i := range 200_000 {
		f := r.Int64N(1_000_000_000)
		switch i % 4 {
		case 1:
			f = r.Int64N(1000)
		case 2:
			f = -f
		case 3:
			f = r.Int64() >> r.IntN(63)
		}
		d := decimal.New(f, -2)
		if got, want := string(appendFen(nil, f)), d.String(); got != want {
			t.Fatalf("appendFen(%d) = %s, want %s", f, got, want)
		}
		if f >= 0 && f < 1<<53 && float64(f)/100 != d.InexactFloat64() {
			t.Fatalf("%d: float %v, decimal %v", f, float64(f)/100, d.InexactFloat64())
		}
		b := TaxBill{Value: d, Total: d, fen: &billFen{sums: [5]int64{3: f, 4: f}}}
		if f >= 0 && (b.valueFen() != toFen(d) || b.totalFen() != toFen(d)) {
			t.Fatalf("%d: fen %d %d, decimal %d", f, b.valueFen(), b.totalFen(), toFen(d))
		}
	}
}
