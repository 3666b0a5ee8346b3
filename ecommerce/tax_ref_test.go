package ecommerce

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan/tariff"
	"github.com/shopspring/decimal"
)

// refAssess is the tax as first written: every line taxed again on its own
// for its part of the bill. The reference Assess is compared with.
func (t *Taxer) refAssess(inv *Inventory, on time.Time) (TaxBill, []Reason) {
	h := &inv.Head
	bill := TaxBill{InvtNo: h.InvtNo, OrderNo: h.OrderNo, LogisticsNo: h.LogisticsNo, AssureCode: h.AssureCode,
		EbcCode: h.EbcCode, LogisticsCode: h.LogisticsCode, AgentCode: h.AgentCode, CustomsCode: h.CustomsCode, Status: BillUnpaid}
	rate := decimal.NewFromInt(1)
	if h.Currency != "142" {
		iso, ok := t.Legacy.Currency[h.Currency]
		r, ok2 := t.Rates(iso, on)
		if !ok || !ok2 {
			return bill, []Reason{reason("currency", "/InventoryHead/currency", "币制 "+h.Currency+" 无当日海关汇率", "no customs exchange rate for currency "+h.Currency)}
		}
		rate = r
	}
	extra := dec(h.Freight).Add(dec(h.InsuredFee))
	sum := decimal.Zero
	for i := range inv.Items {
		sum = sum.Add(dec(inv.Items[i].TotalPrice))
	}
	items := make([]tariff.RetailItem, len(inv.Items))
	var reasons []Reason
	left := extra
	for i := range inv.Items {
		it := &inv.Items[i]
		share := left
		if i < len(inv.Items)-1 && sum.IsPositive() {
			share = extra.Mul(dec(it.TotalPrice)).Div(sum).Round(2)
			left = left.Sub(share)
		}
		value := dec(it.TotalPrice).Add(share).Mul(rate).Round(2)
		origin, ok := t.Legacy.Country[it.Country]
		if !ok {
			reasons = append(reasons, reason("country", "/InventoryList/"+strconv.Itoa(i)+"/country", "原产国代码 "+it.Country+" 未知", "unknown country code "+it.Country))
			continue
		}
		r, err := t.Schedule.RetailItemFor(it.Gcode, origin, on, decimal.Zero, decimal.Zero)
		if err != nil {
			reasons = append(reasons, reason("tariff_line", "/InventoryList/"+strconv.Itoa(i)+"/gcode", "商品编码 "+it.Gcode+" 不在税则中", "tariff code "+it.Gcode+" is not in the schedule"))
			continue
		}
		items[i] = r
		items[i].Value, items[i].Qty = value, dec(it.Qty1)
	}
	if len(reasons) > 0 {
		return bill, reasons
	}
	order := tariff.RetailOrder{Items: items, Indivisible: len(items) == 1 && dec(inv.Items[0].Qty).Equal(decimal.NewFromInt(1))}
	tax := tariff.RetailImportTax(t.Config, order)
	bill.Channel, bill.Rule, bill.RuleZH, bill.RuleEN = tax.Channel, tax.Rule.Code, tax.Rule.ZH, tax.Rule.EN
	bill.Value = tax.Value
	if tax.Channel == tariff.RetailGeneralTrade {
		return bill, []Reason{{Code: tax.Rule.Code, Element: "/InventoryHead", ZH: tax.Rule.ZH, EN: tax.Rule.EN}}
	}
	bill.CustomsTax, bill.ValueAddedTax, bill.ConsumptionTax, bill.Total = tax.Duty, tax.VAT, tax.CT, tax.Total
	for i, it := range items {
		one := tariff.RetailImportTax(t.Config, tariff.RetailOrder{Items: []tariff.RetailItem{it}, Indivisible: order.Indivisible})
		if len(items) == 1 {
			one = tax
		}
		gnum, _ := strconv.Atoi(inv.Items[i].Gnum)
		bill.Items = append(bill.Items, TaxItem{Gnum: gnum, Gcode: inv.Items[i].Gcode, TaxPrice: it.Value,
			CustomsTax: one.Duty, ValueAddedTax: one.VAT, ConsumptionTax: one.CT})
	}
	return bill, nil
}

// Assess gives the reference's bills, to the last digit and in the
// stored form, over synthetic lists varied in value, lines, currency,
// freight and insurance.
func TestAssessMatchesReference(t *testing.T) {
	tx := testTaxer(t)
	r := rand.New(rand.NewPCG(12, 13))
	g := NewGenerator(13, 5000, DemoDay)
	gcodes := []string{"3304990000", "2208300000", "8471300000", "0402210000", "9102110000", "3303000010", "2204210000", "9999999999"}
	on := time.Date(2026, 11, 11, 4, 0, 0, 0, time.UTC)
	if _, ok := tx.Rates("USD", on); !ok {
		t.Fatal("no USD rate in the embedded catalogue")
	}
	stats := map[string]int{}
	for i := range 5000 {
		inv := *g.Next().List.Inventory
		inv.Items = append([]InventoryItem(nil), inv.Items...)
		h := &inv.Head
		switch i % 6 {
		case 1:
			h.Currency = "502" // USD
		case 2:
			h.InsuredFee, h.Freight = fmt.Sprintf("%d.%02d", r.IntN(30), r.IntN(100)), fmt.Sprintf("%d.%d", r.IntN(50), r.IntN(10))
		case 3:
			inv.Items[0].Gcode = gcodes[r.IntN(len(gcodes))]
		case 4: // dear single articles and over-limit orders
			inv.Items[0].Qty, inv.Items[0].TotalPrice = "1", fmt.Sprintf("%d.%02d", 3000+r.IntN(5000), r.IntN(100))
		case 5:
			h.Currency = "999"
		}
		want, wr := tx.refAssess(&inv, on)
		got, gr := tx.Assess(&inv, on)
		stats[fmt.Sprint(got.Channel, " ", len(gr) > 0, " ", !got.ConsumptionTax.IsZero())]++
		if fmt.Sprint(gr) != fmt.Sprint(wr) || billString(got) != billString(want) {
			t.Fatalf("list %d:\n%s %v\nwant\n%s %v", i, billString(got), gr, billString(want), wr)
		}
		at := on
		a, b := ListDoc{Inventory: &inv, Tax: &got, DecidedAt: &at}, ListDoc{Inventory: &inv, Tax: &want, DecidedAt: &at}
		if string(encodeList(&a)) != string(encodeList(&b)) {
			t.Fatalf("list %d: stored forms differ", i)
		}
	}
	// Every channel came up, with and without consumption tax, and refusals.
	for _, k := range []string{"cbec_preferential false true", "cbec_preferential false false", "cbec_full_tax false true",
		"cbec_full_tax false false", "general_trade true false", " true false"} {
		if stats[k] == 0 {
			t.Errorf("no %q among %v", k, stats)
		}
	}
}

func billString(b TaxBill) string {
	s := fmt.Sprintf("%s %s %s %s %s %s %s %s %s|", b.Channel, b.Rule, b.RuleEN, b.Status, b.CustomsTax, b.ValueAddedTax, b.ConsumptionTax, b.Total, b.Value)
	for _, it := range b.Items {
		s += fmt.Sprintf("%d %s %s %s %s %s|", it.Gnum, it.Gcode, it.TaxPrice, it.CustomsTax, it.ValueAddedTax, it.ConsumptionTax)
	}
	return s
}
