package ecommerce

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/refdata"
	"github.com/jinguan-customs/jinguan/tariff"
)

func testTaxer(t testing.TB) *Taxer {
	t.Helper()
	cat, err := refdata.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	s, err := tariff.SampleSchedule(cat)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := LoadReference("")
	if err != nil {
		t.Fatal(err)
	}
	return &Taxer{Schedule: s, Config: tariff.DefaultRetailConfig(), Legacy: ref.Legacy, Rates: cat.ExchangeRate}
}

func sampleList(t testing.TB) *Inventory {
	b, err := os.ReadFile("testdata/ceb621-inventory.xml")
	if err != nil {
		t.Fatal(err)
	}
	docs, bad := DecodeXML(bytes.NewReader(b))
	if len(bad) > 0 {
		t.Fatal(bad)
	}
	return docs[0].Inventory
}

// domain.md §2: cosmetics 300 + freight 20 = 320, CT 15 %, VAT 13 % →
// CT 39.53, VAT 34.26; milk powder 3,000, no CT → VAT 273.00.
func TestTaxExamples(t *testing.T) {
	tx := testTaxer(t)
	on := time.Date(2026, 11, 11, 12, 0, 0, 0, jinguan.China)
	inv := sampleList(t)
	bill, why := tx.Assess(inv, on)
	if len(why) > 0 {
		t.Fatal(why)
	}
	if bill.Value.String() != "320" || bill.ConsumptionTax.StringFixed(2) != "39.53" || bill.ValueAddedTax.StringFixed(2) != "34.26" ||
		!bill.CustomsTax.IsZero() || bill.Channel != tariff.RetailPreferential {
		t.Fatalf("cosmetics bill %+v", bill)
	}
	if len(bill.Items) != 1 || !bill.Items[0].ConsumptionTax.Equal(bill.ConsumptionTax) {
		t.Fatalf("items %+v", bill.Items)
	}

	milk := sampleList(t)
	milk.Head.Freight = "0"
	it := &milk.Items[0]
	it.Gcode, it.Qty, it.Price, it.TotalPrice = "1901101000", "3", "1000", "3000"
	bill, why = tx.Assess(milk, on)
	if len(why) > 0 {
		t.Fatal(why)
	}
	if bill.ValueAddedTax.StringFixed(2) != "273.00" || !bill.ConsumptionTax.IsZero() {
		t.Fatalf("milk powder bill %+v", bill)
	}

	// Freight is shared over the lines by value; two lines over 5,000 are general trade.
	two := sampleList(t)
	two.Items = append(two.Items, two.Items[0])
	two.Items[1].Gcode, two.Items[1].Qty, two.Items[1].Price, two.Items[1].TotalPrice = "1901101000", "5", "1000", "5000"
	if _, why = tx.Assess(two, on); len(why) != 1 || why[0].Code != "cbec_over_order_limit" {
		t.Fatalf("over the order limit: %+v", why)
	}
	two.Items[1].Qty, two.Items[1].TotalPrice = "1", "1000"
	bill, why = tx.Assess(two, on)
	if len(why) > 0 || !bill.Items[0].TaxPrice.Add(bill.Items[1].TaxPrice).Equal(bill.Value) || bill.Value.String() != "1320" {
		t.Fatalf("two lines %+v %+v", bill, why)
	}
}

// Every lane says why: a profile, a random draw, or neither.
func TestRiskSaysWhy(t *testing.T) {
	r, err := NewRisk(nil, []byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	lane, hits, why := r.Assess("A|1", &ListFacts{Value: 100, MinPriceRatio: 1, BuyersAtAddress: 1, BuyersAtPhone: 1, BuyerListsToday: 1})
	if why == "" || len(hits) != 0 {
		t.Fatalf("%s %v %q", lane, hits, why)
	}
	lane, hits, why = r.Assess("A|2", &ListFacts{Value: 100, MinPriceRatio: 0.1, BuyersAtAddress: 1, BuyersAtPhone: 1, BuyerListsToday: 1})
	if lane != LaneRed || len(hits) != 1 || hits[0].Profile != "CBEC-UNDERVALUED" || why != "profile CBEC-UNDERVALUED" {
		t.Fatalf("%s %v %q", lane, hits, why)
	}
	lane, hits, _ = r.Assess("A|3", &ListFacts{Value: 100, MinPriceRatio: 1, BuyersAtAddress: 9, BuyersAtPhone: 1, BuyerListsToday: 1})
	if lane != LaneYellow || len(hits) != 1 {
		t.Fatalf("shared address: %s %v", lane, hits)
	}
	r.Random.Red = 1 // the configured random stream selects whatever the profiles say
	lane, hits, why = r.Assess("A|1", &ListFacts{Value: 100, MinPriceRatio: 1, BuyersAtAddress: 1, BuyersAtPhone: 1, BuyerListsToday: 1})
	if lane != LaneRed || len(hits) != 0 || !strings.Contains(why, "random") {
		t.Fatalf("random stream: %s %v %q", lane, hits, why)
	}
}

// The day's cross-list facts: distinct buyers per address and phone up to
// the cap, lists per buyer, a fresh start each day.
func TestWindowCountsDistinctBuyers(t *testing.T) {
	var w window
	check := func(buyer, addr, phone string, wa, wp, wl int) {
		t.Helper()
		a, p, l := w.observe(1, buyer, addr, phone)
		if a != wa || p != wp || l != wl {
			t.Fatalf("%s at %s/%s: %d %d %d, want %d %d %d", buyer, addr, phone, a, p, l, wa, wp, wl)
		}
	}
	check("b1", "addr", "p1", 1, 1, 1)
	check("b1", "addr", "p1", 1, 1, 2)
	check("b2", "addr", "p2", 2, 1, 1)
	check("b1", "addr", "p2", 2, 2, 3)
	check("b3", "other", "p3", 1, 1, 1)
	for i := range 40 {
		w.observe(1, "many"+itoa(i), "shared", "p")
	}
	if a, _, _ := w.observe(1, "late", "shared", "x"); a != windowCap {
		t.Fatalf("capped at %d, want %d", a, windowCap)
	}
	if a, _, l := w.observe(2, "b1", "addr", "p1"); a != 1 || l != 1 {
		t.Fatalf("a new day starts afresh: %d %d", a, l)
	}
}
