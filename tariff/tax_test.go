package tariff

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/refdata"
)

// fixedRate is a one-currency exchange-rate table.
type fixedRate map[string]string

func (f fixedRate) ExchangeRate(cur string, _ time.Time) (decimal.Decimal, bool) {
	if cur == "CNY" {
		return decimal.NewFromInt(1), true
	}
	r, ok := f[cur]
	if !ok {
		return decimal.Zero, false
	}
	return decimal.RequireFromString(r), true
}

const testSchedule = `code_ts,hs6,name_zh,name_en,first_unit,second_unit,mfn_rate,general_rate,vat_rate,valid_from,valid_to
8471300000,847130,便携式计算机,Portable computers,001,035,10,70,13,2020-01-01,
0402210000,040221,奶粉,Milk powder,035,,10,40,9,2020-01-01,
`

func basicTax(t *testing.T) *BasicTax {
	cat, err := refdata.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	s, err := LoadSchedule(strings.NewReader(testSchedule), "test.csv", cat)
	if err != nil {
		t.Fatal(err)
	}
	return &BasicTax{Schedule: s, Rates: fixedRate{"USD": "7.1000"}, Codes: cat, Config: DefaultTaxConfig()}
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func decl(terms string, fee *declaration.Charge, items ...declaration.Item) *declaration.Declaration {
	return &declaration.Declaration{
		DeclaredAt: time.Date(2026, 11, 20, 9, 0, 0, 0, jinguan.China),
		Form:       declaration.Form{Head: declaration.Head{IEFlag: "I", TransMode: terms, Fee: fee, GrossWet: d("1000")}, Items: items},
	}
}

func item(no int, code, total, cur, origin string) declaration.Item {
	return declaration.Item{GNo: no, CodeTS: code, DeclTotal: d(total), TradeCurr: cur, OriginCountry: origin}
}

// Worked example 1 of domain.md §2: FOB USD 10,000, freight USD 500,
// insurance unknown (3‰), rate 7.1000, duty 10 %, VAT 13 %.
func TestWorkedExample1(t *testing.T) {
	ta, err := basicTax(t).Assess(context.Background(),
		decl("3", &declaration.Charge{Mark: "3", Rate: d("500"), Currency: "USD"}, item(1, "8471300000", "10000", "USD", "USA")), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	it := ta.Items[0]
	for name, c := range map[string][2]decimal.Decimal{
		"customs value": {it.CustomsValue, d("74773.65")},
		"duty":          {ta.Duty, d("7477.37")},
		"vat":           {ta.VAT, d("10692.63")},
		"total":         {ta.Total, d("18170.00")},
	} {
		if !c[0].Equal(c[1]) {
			t.Errorf("%s = %s, want %s", name, c[0], c[1])
		}
	}
	if it.DutyRule != "MFN" {
		t.Errorf("rule %q", it.DutyRule)
	}
}

func TestAllocationAndRules(t *testing.T) {
	bt := basicTax(t)
	// CIF: nothing added; two items keep their own values; unknown origin → general rate; VAT 9 %.
	ta, err := bt.Assess(context.Background(), decl("1", nil,
		item(1, "8471300000", "1000.00", "USD", "USA"), item(2, "0402210000", "333.33", "USD", "")), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !ta.Items[0].CustomsValue.Equal(d("7100.00")) || !ta.Items[1].CustomsValue.Equal(d("2366.64")) {
		t.Errorf("values %s %s", ta.Items[0].CustomsValue, ta.Items[1].CustomsValue)
	}
	if ta.Items[1].DutyRule != "general (origin unknown)" || !ta.Items[1].DutyRate.Equal(d("40")) || !ta.Items[1].VATRate.Equal(d("9")) {
		t.Errorf("item 2 %+v", ta.Items[1])
	}
	// FOB with freight as a rate: the parts of the CIF value add up to the whole.
	ta, err = bt.Assess(context.Background(), decl("3", &declaration.Charge{Mark: "1", Rate: d("3")},
		item(1, "8471300000", "100.01", "USD", "USA"), item(2, "8471300000", "200.02", "USD", "USA"), item(3, "8471300000", "300.03", "USD", "USA")), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	want := d("600.06").Mul(d("1.03")).Mul(d("1.003")).Mul(d("7.1")).Round(2)
	sum := ta.Items[0].CustomsValue.Add(ta.Items[1].CustomsValue).Add(ta.Items[2].CustomsValue)
	if !sum.Equal(want) {
		t.Errorf("allocated values add to %s, want %s", sum, want)
	}
}

func TestDeMinimisAndExport(t *testing.T) {
	bt := basicTax(t)
	ta, err := bt.Assess(context.Background(), decl("1", nil, item(1, "8471300000", "50", "USD", "USA")), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// duty 35.50 ≤ 50 is waived; VAT on the value alone.
	if !ta.DutyWaived || !ta.Duty.IsZero() || !ta.VAT.Equal(d("46.15")) {
		t.Errorf("de minimis: %+v", ta)
	}
	ex := decl("3", nil, item(1, "8471300000", "50", "USD", "CHN"))
	ex.Head.IEFlag = "E"
	if ta, err = bt.Assess(context.Background(), ex, time.Now()); err != nil || !ta.Total.IsZero() {
		t.Errorf("export: %+v %v", ta, err)
	}
	if _, err := bt.Assess(context.Background(), decl("1", nil, item(1, "8471300000", "50", "EUR", "USA")), time.Now()); err == nil {
		t.Error("missing exchange rate accepted")
	}
}
