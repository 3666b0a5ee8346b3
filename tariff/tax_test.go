package tariff

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
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

// The test schedule: lines for domain.md §2's worked examples and, for
// the precedence rules, L1 = 0306179000 (has a provisional rate),
// L2 = 0306171100 (none), L5 = 6109100000 (provisional above special),
// quota lines 1001990000 and 3102100000.
const testSchedule = `code_ts,hs6,name_zh,name_en,first_unit,second_unit,mfn_rate,general_rate,vat_rate,valid_from,valid_to
8471300000,847130,便携式计算机,Portable computers,001,035,10,70,13,2020-01-01,
0402210000,040221,奶粉,Milk powder,035,,10,40,9,2020-01-01,
3304990000,330499,化妆品,Cosmetics,035,,5,150,13,2020-01-01,
2208300000,220830,威士忌酒,Whisky,095,035,10,180,13,2020-01-01,
7219340000,721934,不锈钢板,Stainless steel,035,,5+2/u,30+8/u,13,2020-01-01,
0306179000,030617,冻虾,Frozen shrimps,035,,5,40,9,2020-01-01,
0306171100,030617,冻虾仁,Frozen peeled prawns,035,,5,40,9,2020-01-01,
6109100000,610910,T恤衫,T-shirts,011,035,10,90,13,2020-01-01,
1001990000,100199,小麦,Wheat,035,,65,180,9,2020-01-01,
3102100000,310210,尿素,Urea,035,,4,150,9,2020-01-01,
`

var testMeasures = fstest.MapFS{
	FileMFNPartners: {Data: []byte("country,valid_from,valid_to\nAUS,2020-01-01,\nKOR,2020-01-01,\nUSA,2020-01-01,\nJPN,2020-01-01,\nLAO,2020-01-01,\n")},
	FileParties: {Data: []byte("scheme,kind,country,valid_from,valid_to\nAG1,agreement,AUS,2020-01-01,\n" +
		"AG2,agreement,KOR,2026-01-01,\nSP,special,ETH,2020-01-01,\nSP,special,LAO,2020-01-01,\n")},
	FileAgreement: {Data: []byte("code_ts,agreement,rate,valid_from,valid_to\n0306179000,AG1,4,2020-01-01,\n0306179000,AG2,2,2020-01-01,\n" +
		"0306171100,AG1,6,2020-01-01,\n0306171100,AG2,2,2020-01-01,\n")},
	FileSpecial:     {Data: []byte("code_ts,scheme,rate,valid_from,valid_to\n0306179000,SP,4,2020-01-01,\n0306171100,SP,1,2020-01-01,\n6109100000,SP,0,2020-01-01,\n")},
	FileProvisional: {Data: []byte("code_ts,rate,valid_from,valid_to\n0306179000,3,2020-01-01,\n6109100000,6,2020-01-01,\n3102100000,1,2020-01-01,\n")},
	FileQuota:       {Data: []byte("code_ts,rate,valid_from,valid_to\n1001990000,1,2020-01-01,\n3102100000,4,2020-01-01,\n")},
	FileRemedies: {Data: []byte("code_ts,measure,origin,producer,rate,valid_from,valid_to\n" +
		"0306171100,anti_dumping,KOR,,20,2020-01-01,\n0306171100,anti_dumping,KOR,ACME,10,2020-01-01,\n" +
		"0306171100,safeguard,,,5,2020-01-01,\n0306171100,retaliatory,USA,,10,2020-01-01,2026-06-01\n")},
	FileConsumption: {Data: []byte("code_ts,rate,valid_from,valid_to\n3304990000,15,2020-01-01,\n2208300000,20+0.5/u,2020-01-01,\n")},
}

func testScheduleWithMeasures(t testing.TB) (*Schedule, *refdata.Catalog) {
	cat, err := refdata.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	s, err := LoadSchedule(strings.NewReader(testSchedule), "test.csv", cat)
	if err != nil {
		t.Fatal(err)
	}
	if s, err = s.WithMeasures(testMeasures, cat); err != nil {
		t.Fatal(err)
	}
	return s, cat
}

func assessor(t testing.TB) *Assessor {
	s, cat := testScheduleWithMeasures(t)
	return &Assessor{Schedule: s, Rates: fixedRate{"USD": "7.1000"}, Codes: cat, Config: DefaultTaxConfig()}
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

func withQty(it declaration.Item, qty string) declaration.Item {
	it.FirstQty = d(qty)
	return it
}

// TestWorkedExamples reproduces domain.md §2's worked examples to the fen.
func TestWorkedExamples(t *testing.T) {
	fob := &declaration.Charge{Mark: "3", Rate: d("500"), Currency: "USD"}
	tests := []struct {
		name string
		d    *declaration.Declaration
		want map[string]string // customs_value, duty, ct, vat of the first item
	}{
		{"1 FOB, freight, 3‰ insurance, USD", decl("3", fob, item(1, "8471300000", "10000", "USD", "USA")),
			map[string]string{"value": "74773.65", "duty": "7477.37", "ct": "0", "vat": "10692.63"}},
		{"2 ad valorem consumption tax", decl("1", nil, item(1, "3304990000", "100000", "CNY", "USA")),
			map[string]string{"value": "100000", "duty": "5000.00", "ct": "18529.41", "vat": "16058.82"}},
		{"3 compound consumption tax", decl("1", nil, withQty(item(1, "2208300000", "50000", "CNY", "USA"), "1000")),
			map[string]string{"value": "50000", "duty": "5000.00", "ct": "14375.00", "vat": "9018.75"}},
		{"4 compound duty", decl("1", nil, withQty(item(1, "7219340000", "20000", "CNY", "USA"), "1000")),
			map[string]string{"value": "20000", "duty": "3000.00", "ct": "0"}},
	}
	a := assessor(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ta, err := a.Assess(context.Background(), tt.d, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			it := ta.Items[0]
			got := map[string]decimal.Decimal{"value": it.CustomsValue, "duty": it.Duty, "ct": it.ConsumptionTax, "vat": it.VAT}
			for k, w := range tt.want {
				if !got[k].Equal(d(w)) {
					t.Errorf("%s = %s, want %s", k, got[k], w)
				}
			}
			if !ta.Total.Equal(ta.Duty.Add(ta.RemedyDuty).Add(ta.ConsumptionTax).Add(ta.VAT)) {
				t.Errorf("total %s does not add up", ta.Total)
			}
		})
	}
}

// TestPrecedence has one case per rule of domain.md §2.
func TestPrecedence(t *testing.T) {
	s, _ := testScheduleWithMeasures(t)
	on := sday(2026, 3, 1)
	tests := []struct {
		name, code, origin, agreement string
		on                            time.Time
		quota                         bool
		rule, cat, rate               string
	}{
		{"MFN partner", "0306171100", "USA", "", on, false, "mfn", CatMFN, "5"},
		{"Chinese origin", "0306171100", "CHN", "", on, false, "mfn_chinese_origin", CatMFN, "5"},
		{"Chinese origin with provisional", "0306179000", "CHN", "", on, false, "mfn_provisional", CatProvisional, "3"},
		{"MFN + provisional", "0306179000", "USA", "", on, false, "mfn_provisional", CatProvisional, "3"},
		{"agreement", "0306171100", "KOR", "AG2", on, false, "agreement", CatAgreement, "2"},
		{"agreement + provisional, provisional lower", "0306179000", "AUS", "AG1", on, false, "agreement_provisional_lower", CatProvisional, "3"},
		{"agreement + provisional, agreement lower", "0306179000", "KOR", "AG2", on, false, "agreement_lower_than_provisional", CatAgreement, "2"},
		{"MFN below agreement, no provisional", "0306171100", "AUS", "AG1", on, false, "mfn_below_agreement", CatMFN, "5"},
		{"agreement not claimed", "0306171100", "KOR", "", on, false, "mfn", CatMFN, "5"},
		{"claimant not a party", "0306171100", "USA", "AG1", on, false, "mfn", CatMFN, "5"},
		{"party only from 2026", "0306171100", "KOR", "AG2", sday(2025, 6, 1), false, "mfn", CatMFN, "5"},
		{"special", "0306171100", "ETH", "", on, false, "special", CatSpecial, "1"},
		{"special + provisional, provisional lower", "0306179000", "ETH", "", on, false, "special_provisional_lower", CatProvisional, "3"},
		{"special + provisional, special lower", "6109100000", "LAO", "", on, false, "special_lower_than_provisional", CatSpecial, "0"},
		{"other origin: general, never provisional", "0306179000", "PRK", "", on, false, "general", CatGeneral, "40"},
		{"unknown origin", "0306179000", "", "", on, false, "general_unknown_origin", CatGeneral, "40"},
		{"unknown origin ZZZ", "0306171100", "ZZZ", "", on, false, "general_unknown_origin", CatGeneral, "40"},
		{"in quota", "1001990000", "USA", "", on, true, "quota", CatQuota, "1"},
		{"out of quota", "1001990000", "USA", "", on, false, "mfn", CatMFN, "65"},
		{"in quota, provisional lower", "3102100000", "USA", "", on, true, "quota_provisional_lower", CatProvisional, "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel, err := s.Select(Query{Code: tt.code, Origin: tt.origin, Agreement: tt.agreement, On: tt.on, InQuota: tt.quota,
				Value: d("1000"), Qty: d("10")})
			if err != nil {
				t.Fatal(err)
			}
			if sel.Rule.Code != tt.rule || sel.Category != tt.cat || !sel.Duty.AdValorem.Equal(d(tt.rate)) {
				t.Errorf("got %s %s %s, want %s %s %s", sel.Rule.Code, sel.Category, sel.Duty, tt.rule, tt.cat, tt.rate)
			}
			if sel.Rule.ZH == "" || sel.Rule.EN == "" {
				t.Errorf("rule %s has no text", sel.Rule.Code)
			}
		})
	}
	if _, err := s.Select(Query{Code: "9999999999", On: on}); err == nil {
		t.Error("unknown line accepted")
	}
}

// TestLowerComparesDuty: "the lower" of a specific and an ad valorem
// rate is the one giving less duty on this item.
func TestLowerComparesDuty(t *testing.T) {
	prov := testMeasures[FileProvisional]
	defer func() { testMeasures[FileProvisional] = prov }()
	testMeasures[FileProvisional] = &fstest.MapFile{Data: []byte("code_ts,rate,valid_from,valid_to\n0306179000,1/u,2020-01-01,\n")}
	s, _ := testScheduleWithMeasures(t)
	q := Query{Code: "0306179000", Origin: "AUS", Agreement: "AG1", On: sday(2026, 3, 1), Value: d("1000"), Qty: d("10")}
	// agreement 4 % of 1,000 = 40 > 10 × 1 = 10: provisional.
	if sel, _ := s.Select(q); sel.Category != CatProvisional {
		t.Errorf("cheap specific rate: %s", sel.Rule.Code)
	}
	q.Qty = d("100") // 100 > 40: agreement
	if sel, _ := s.Select(q); sel.Category != CatAgreement {
		t.Errorf("dear specific rate: %s", sel.Rule.Code)
	}
}

func TestTradeRemedies(t *testing.T) {
	s, _ := testScheduleWithMeasures(t)
	on := sday(2026, 3, 1)
	tests := []struct {
		origin, producer string
		on               time.Time
		want             string
	}{
		{"KOR", "", on, "anti_dumping 20, safeguard 5"},
		{"KOR", "ACME", on, "anti_dumping 10, safeguard 5"},
		{"USA", "", on, "safeguard 5, retaliatory 10"},
		{"USA", "", sday(2026, 6, 1), "safeguard 5"},
		{"", "", on, "safeguard 5"},
		{"CHN", "", on, ""},
	}
	for _, tt := range tests {
		sel, err := s.Select(Query{Code: "0306171100", Origin: tt.origin, Producer: tt.producer, On: tt.on})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range sel.Remedies {
			got = append(got, r.Measure+" "+r.Rate.String())
		}
		if strings.Join(got, ", ") != tt.want {
			t.Errorf("%s/%s on %s: %v, want %s", tt.origin, tt.producer, tt.on.Format(time.DateOnly), got, tt.want)
		}
	}
	// On an assessment: KOR pays 20 % anti-dumping and 5 % safeguard on top,
	// both in the VAT base.
	ta, err := assessor(t).Assess(context.Background(), decl("1", nil, item(1, "0306171100", "10000", "CNY", "KOR")), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	it := ta.Items[0]
	if !it.Duty.Equal(d("500")) || !it.RemedyDuty.Equal(d("2500")) || len(it.Remedies) != 2 || !it.VAT.Equal(d("1170")) ||
		!ta.Total.Equal(d("4170")) {
		t.Errorf("assessment %+v", ta)
	}
}

func TestAllocationAndRules(t *testing.T) {
	a := assessor(t)
	// CIF: nothing added; two items keep their own values; unknown origin → general rate; VAT 9 %.
	ta, err := a.Assess(context.Background(), decl("1", nil,
		item(1, "8471300000", "1000.00", "USD", "USA"), item(2, "0402210000", "333.33", "USD", "")), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !ta.Items[0].CustomsValue.Equal(d("7100.00")) || !ta.Items[1].CustomsValue.Equal(d("2366.64")) {
		t.Errorf("values %s %s", ta.Items[0].CustomsValue, ta.Items[1].CustomsValue)
	}
	if ta.Items[1].DutyRuleCode != "general_unknown_origin" || !ta.Items[1].DutyRate.Equal(d("40")) || !ta.Items[1].VATRate.Equal(d("9")) {
		t.Errorf("item 2 %+v", ta.Items[1])
	}
	// FOB with freight as a rate: the parts of the CIF value add up to the whole.
	ta, err = a.Assess(context.Background(), decl("3", &declaration.Charge{Mark: "1", Rate: d("3")},
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

func TestValuationTerms(t *testing.T) {
	a := assessor(t)
	usd := func(s string) *declaration.Charge { return &declaration.Charge{Mark: "3", Rate: d(s), Currency: "USD"} }
	tests := []struct {
		name, terms       string
		fee, insur, other *declaration.Charge
		want              string // USD value before × 7.1
	}{
		{"CIF adds nothing", "1", usd("500"), usd("30"), nil, "10000"},
		{"C&F adds insurance", "2", usd("500"), nil, nil, "10030"}, // 10,000 × 3‰
		{"C&F declared insurance", "2", nil, usd("25"), nil, "10025"},
		{"FOB adds both", "3", usd("500"), usd("40"), nil, "10540"},
		{"C&I adds freight", "4", usd("500"), usd("40"), nil, "10500"},
		{"EXW adds both, default insurance", "7", usd("500"), nil, nil, "10531.5"},
		{"freight per tonne", "4", &declaration.Charge{Mark: "2", Rate: d("20"), Currency: "USD"}, nil, nil, "10020"}, // 1 t gross
		{"insurance as a rate", "3", usd("500"), &declaration.Charge{Mark: "1", Rate: d("0.5")}, nil, "10552.5"},      // 0.5 % of 10,500
		{"other costs added on any terms", "1", nil, nil, usd("10"), "10010"},
	}
	for _, tt := range tests {
		dd := decl(tt.terms, tt.fee, item(1, "8471300000", "10000", "USD", "USA"))
		dd.Head.Insur, dd.Head.Other = tt.insur, tt.other
		ta, err := a.Assess(context.Background(), dd, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if want := d(tt.want).Mul(d("7.1")).Round(2); !ta.Items[0].CustomsValue.Equal(want) {
			t.Errorf("%s: value %s, want %s", tt.name, ta.Items[0].CustomsValue, want)
		}
	}
}

func TestDeMinimisAndExport(t *testing.T) {
	a := assessor(t)
	ta, err := a.Assess(context.Background(), decl("1", nil, item(1, "8471300000", "50", "USD", "USA")), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// duty 35.50 ≤ 50 is waived; VAT on the value alone.
	if !ta.DutyWaived || !ta.Duty.IsZero() || !ta.VAT.Equal(d("46.15")) {
		t.Errorf("de minimis: %+v", ta)
	}
	ex := decl("3", nil, item(1, "8471300000", "50", "USD", "CHN"))
	ex.Head.IEFlag = "E"
	if ta, err = a.Assess(context.Background(), ex, time.Now()); err != nil || !ta.Total.IsZero() {
		t.Errorf("export: %+v %v", ta, err)
	}
	if _, err := a.Assess(context.Background(), decl("1", nil, item(1, "8471300000", "50", "EUR", "USA")), time.Now()); err == nil {
		t.Error("missing exchange rate accepted")
	}
}

func TestQuotaCertificateAndRateDate(t *testing.T) {
	a := assessor(t)
	dd := decl("1", nil, item(1, "1001990000", "10000", "CNY", "USA"))
	dd.Licences = []declaration.Licence{{DocuCode: QuotaCertificate, CertCode: "Q1"}}
	ta, err := a.Assess(context.Background(), dd, time.Now())
	if err != nil || ta.Items[0].DutyRuleCode != "quota" || !ta.Items[0].Duty.Equal(d("100")) {
		t.Fatalf("in quota: %+v %v", ta, err)
	}
	// Declared before arrival: the arrival day's rates apply (AG2 from 2026-01-01).
	pre := decl("1", nil, item(1, "0306171100", "10000", "CNY", "KOR"))
	pre.Items[0].Agreement = "AG2"
	pre.DeclaredAt, pre.Head.IEDate = time.Date(2025, 12, 30, 10, 0, 0, 0, jinguan.China), "2026-01-02"
	if ta, err = a.Assess(context.Background(), pre, time.Now()); err != nil || ta.Items[0].DutyRuleCode != "agreement" {
		t.Fatalf("pre-declared: %+v %v", ta, err)
	}
}

var taxSink declaration.TaxAssessment

// BenchmarkAssessItem is the tax stage per item: a 10-item FOB
// declaration (valuation, selection with remedies, duty, CT, VAT).
func BenchmarkAssessItem(b *testing.B) {
	a := assessor(b)
	a.Rates = a.Codes.(*refdata.Catalog) // the embedded customs rates, as in the pipeline
	var items []declaration.Item
	codes := []string{"8471300000", "3304990000", "2208300000", "7219340000", "0306171100"}
	for i := range 10 {
		items = append(items, withQty(item(i+1, codes[i%len(codes)], "12345.67", "USD", []string{"USA", "KOR", "AUS"}[i%3]), "120"))
	}
	dd := decl("3", &declaration.Charge{Mark: "3", Rate: d("500"), Currency: "USD"}, items...)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	for b.Loop() {
		taxSink, _ = a.Assess(context.Background(), dd, time.Now())
	}
	cpu = processCPU() - cpu
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(items)), "ns/item")
	if cpu > 0 {
		b.ReportMetric(float64(cpu)/float64(b.N)/float64(len(items)), "cpu-ns/item")
	}
}

// A schedule loaded without companion files gives every known origin MFN.
func TestBareScheduleMFN(t *testing.T) {
	s, err := LoadSchedule(strings.NewReader(testSchedule), "test.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	for origin, want := range map[string]string{"PRK": "mfn", "USA": "mfn", "": "general_unknown_origin"} {
		sel, err := s.Select(Query{Code: "8471300000", Origin: origin, On: sday(2026, 1, 1)})
		if err != nil || sel.Rule.Code != want {
			t.Errorf("%q: %s %v", origin, sel.Rule.Code, err)
		}
	}
}
