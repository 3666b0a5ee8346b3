package tariff

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/refdata"
)

func calculator(t testing.TB) *Calculator {
	cat, err := refdata.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	s, err := SampleSchedule(cat)
	if err != nil {
		t.Fatal(err)
	}
	return &Calculator{Schedule: s, Catalog: cat, Config: DefaultTaxConfig()}
}

func calcInput(t testing.TB, js string) CalcInput {
	var in CalcInput
	if err := json.Unmarshal([]byte(js), &in); err != nil {
		t.Fatal(err)
	}
	return in
}

func TestCalcSample(t *testing.T) {
	c := calculator(t)
	wine := `{"code_ts":"2204210000","origin_country":"AUS","agreement":"CNAU","date":"%s","trans_mode":"1",
		"price":"100000","currency":"CNY","first_qty":"1000"}`
	res, err := c.Calc(calcInput(t, strings.Replace(wine, "%s", "2026-11-20", 1)))
	if err != nil {
		t.Fatal(err)
	}
	tax := res.Tax
	// Agreement 0 %: no duty; CT 10 % on 100,000/0.9; VAT on value + CT.
	if res.Rule.Code != "agreement" || !tax.Duty.IsZero() || !tax.ConsumptionTax.Equal(d("11111.11")) || !tax.VAT.Equal(d("14444.44")) {
		t.Errorf("wine 2026: %s %+v", res.Rule.Code, tax)
	}
	var lic []string
	for _, l := range res.Licences {
		lic = append(lic, l.Code)
	}
	if strings.Join(lic, " ") != "A Y" || res.Licences[0].NameZH == "" {
		t.Errorf("licences %+v", res.Licences)
	}
	applied := 0
	for _, r := range res.Rates {
		if r.Applied {
			applied++
		}
	}
	if len(res.Rates) < 3 || applied != 1 {
		t.Errorf("rates %+v", res.Rates)
	}
	// In 2023 the anti-dumping and countervailing duties on Australian wine were in force.
	res, err = c.Calc(calcInput(t, strings.Replace(wine, "%s", "2023-06-01", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Tax.RemedyDuty.Equal(d("122500")) || len(res.Tax.Items[0].Remedies) != 2 {
		t.Errorf("wine 2023 remedies %s %+v", res.Tax.RemedyDuty, res.Tax.Items[0].Remedies)
	}
}

func TestCalcProducerRemedy(t *testing.T) {
	c := calculator(t)
	for producer, want := range map[string]string{"": "2020", "SAMPLE STAINLESS WORKS": "1650"} {
		res, err := c.Calc(CalcInput{CodeTS: "7219340000", Origin: "IDN", Producer: producer, Date: "2026-11-20",
			TransMode: "1", Price: d("10000"), Currency: "CNY", FirstQty: d("1000")})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Tax.RemedyDuty.Equal(d(want)) {
			t.Errorf("producer %q: anti-dumping %s, want %s", producer, res.Tax.RemedyDuty, want)
		}
	}
}

func TestCalcErrors(t *testing.T) {
	c := calculator(t)
	_, err := c.Calc(calcInput(t, `{"code_ts":"12","origin_country":"XXX","date":"2026-13-01","trans_mode":"9","price":"-1",
		"fee":{"mark":"4","rate":"-1"}}`))
	var je *jinguan.Error
	if !errors.As(err, &je) || je.Code != jinguan.EINVALID {
		t.Fatalf("err = %v", err)
	}
	var ptrs []string
	for _, f := range je.Fields {
		ptrs = append(ptrs, f.Pointer)
	}
	if got := strings.Join(ptrs, " "); got != "/code_ts /date /fee/mark /fee/rate /price" {
		t.Errorf("pointers %s", got)
	}
	_, err = c.Calc(calcInput(t, `{"code_ts":"8471300000","origin_country":"XXX","date":"2026-11-20","trans_mode":"9","price":"1e20","currency":"ZZZ"}`))
	if !errors.As(err, &je) || len(je.Fields) != 4 {
		t.Errorf("err = %v", err)
	}
}

// FuzzCalc: no input makes the calculator panic or run away.
func FuzzCalc(f *testing.F) {
	f.Add(`{"code_ts":"2204210000","origin_country":"AUS","agreement":"CNAU","date":"2026-11-20","trans_mode":"3","price":"1000","currency":"USD","fee":{"mark":"2","rate":"5","currency":"USD"},"gross_wet":"100","first_qty":"10"}`)
	f.Add(`{"code_ts":"1001990000","origin_country":"","date":"2026-01-01","trans_mode":"7","price":"0.01","in_quota":true}`)
	f.Add(`{"code_ts":"2208300000","origin_country":"PRK","date":"2026-01-01","trans_mode":"1","price":"1e-20","first_qty":"1e14"}`)
	c := calculator(f)
	f.Fuzz(func(t *testing.T, js string) {
		var in CalcInput
		if json.Unmarshal([]byte(js), &in) != nil {
			return
		}
		res, err := c.Calc(in)
		var je *jinguan.Error
		if err != nil && !errors.As(err, &je) {
			t.Fatalf("uncoded error %v", err)
		}
		if err == nil && len(res.Tax.Items) != 1 {
			t.Fatalf("result %+v", res)
		}
	})
}

func TestAgreements(t *testing.T) {
	s := calculator(t).Schedule
	on := time.Date(2026, 11, 20, 0, 0, 0, 0, jinguan.China)
	if got := s.Agreements("2204210000", "AUS", on); len(got) == 0 || !slices.Contains(got, "CNAU") {
		t.Errorf("Australian wine: %v", got)
	}
	if got := s.Agreements("2204210000", "USA", on); len(got) != 0 {
		t.Errorf("US wine claims %v", got)
	}
	for _, sch := range s.Agreements("2204210000", "AUS", on) {
		sel, err := s.Select(Query{Code: "2204210000", Origin: "AUS", Agreement: sch, On: on, Value: d("1000"), Qty: d("10")})
		if err != nil || sel.Scheme == "" && sel.Rule.Code != RuleMFNBelowAgreement.Code {
			t.Errorf("%s: %+v %v", sch, sel.Rule, err)
		}
	}
}
