package credit

import (
	"strings"
	"testing"

	"github.com/jinguan-customs/jinguan/uscc"
)

// fakeRegistry knows one enterprise and a few stored events.
type fakeRegistry map[int64]target

func (f fakeRegistry) known(scc string) bool { return scc == testSCC }
func (f fakeRegistry) activityOn(scc string, month Date) (int64, bool) {
	for id, t := range f {
		if t.Kind == KindActivity && t.On == month && !t.Dead {
			return id, true
		}
	}
	return 0, false
}
func (f fakeRegistry) target(scc string, id int64) (target, bool) {
	t, ok := f[id]
	return t, ok && scc == testSCC
}

func TestValidateEvent(t *testing.T) {
	reg := fakeRegistry{
		7:  {Kind: KindUnpaidTax, On: day("2025-02-01")},
		8:  {Kind: KindBlacklist, On: day("2025-02-01"), Delisted: true},
		9:  {Kind: KindPenalty, On: day("2025-02-01"), Dead: true},
		10: {Kind: KindVoid, On: day("2025-02-01")},
		11: {Kind: KindActivity, On: day("2025-01-01")},
	}
	today := day("2025-06-30")
	badCheck := testSCC[:17] + "B"
	if uscc.Valid(badCheck) || !uscc.Valid(testSCC) {
		t.Fatal("test codes")
	}
	cases := []struct {
		body string
		want []string // pointer:code
	}{
		{`{"scc":"` + testSCC + `","kind":"penalty","on":"2025-03-01","source":"penalty system","amount":"5000","intentional":true}`, nil},
		{`{"scc":"` + testSCC + `","kind":"activity","on":"2025-03-01","source":"stats","counts":{"declarations":10,"lists":0,"manifests":0,"inspections":2}}`, nil},
		{`{"scc":"` + testSCC + `","kind":"settlement","on":"2025-03-01","source":"tax","refers_to":7}`, nil},
		{`{"scc":"` + testSCC + `","kind":"blacklist","on":"2025-03-01","source":"ndrc","department":"国家发展改革委","until":"2026-03-01"}`, nil},
		{`{"scc":"12345","kind":"penalty","on":"2025-03-01","source":"x","amount":"1","intentional":false}`, []string{"/scc:scc_format"}},
		{`{"scc":"` + badCheck + `","kind":"penalty","on":"2025-03-01","source":"x","amount":"1","intentional":false}`, []string{"/scc:scc_check"}},
		{`{"scc":"91440300ma5f0000x1","kind":"rejection","on":"2025-03-01","source":"x"}`, []string{"/scc:scc_format"}},
		{`{"scc":"` + uscc.Complete("91440300MA5F0000X") + `","kind":"rejection","on":"2025-03-01","source":"x"}`, []string{"/scc:unknown_enterprise"}},
		{`{"scc":"` + testSCC + `","kind":"fraud","on":"2025-03-01","source":"x"}`, []string{"/kind:unknown_kind"}},
		{`{"scc":"` + testSCC + `","kind":"penalty","on":"2025-13-01","source":"","amount":"-1"}`,
			[]string{"/on:date_format", "/source:required", "/amount:amount_positive", "/intentional:required"}},
		{`{"scc":"` + testSCC + `","kind":"penalty","on":"2025-07-01","source":"x","amount":"1.005","intentional":true}`,
			[]string{"/on:future_date", "/amount:amount_places"}},
		{`{"scc":"` + testSCC + `","kind":"correction","on":"2025-03-01","source":"x","amount":"10","due_on":"2025-01-01","counts":{"declarations":1,"lists":0,"manifests":0,"inspections":0}}`,
			[]string{"/amount:not_allowed", "/due_on:not_allowed", "/counts:not_allowed"}},
		{`{"scc":"` + testSCC + `","kind":"unpaid_tax","on":"2025-03-01","source":"x","amount":"10","due_on":"2025-04-01"}`, []string{"/due_on:not_yet_due"}},
		{`{"scc":"` + testSCC + `","kind":"activity","on":"2025-03-02","source":"x","counts":{"declarations":1,"lists":0,"manifests":0,"inspections":5}}`,
			[]string{"/counts/inspections:count_range", "/on:month_start"}},
		{`{"scc":"` + testSCC + `","kind":"settlement","on":"2025-03-01","source":"x"}`, []string{"/refers_to:required"}},
		{`{"scc":"` + testSCC + `","kind":"activity","on":"2025-01-01","source":"x","counts":{"declarations":3,"lists":0,"manifests":0,"inspections":0}}`,
			[]string{"/on:duplicate_month"}},
		{`{"scc":"` + testSCC + `","kind":"activity","on":"2025-01-01","source":"x","supersedes":11,"counts":{"declarations":3,"lists":0,"manifests":0,"inspections":0}}`, nil},
		{`{"scc":"` + testSCC + `","kind":"settlement","on":"2025-03-01","source":"x","refers_to":8}`, []string{"/refers_to:wrong_target"}},
		{`{"scc":"` + testSCC + `","kind":"settlement","on":"2025-01-01","source":"x","refers_to":7}`, []string{"/on:before_target"}},
		{`{"scc":"` + testSCC + `","kind":"delisting","on":"2025-03-01","source":"x","refers_to":8}`, []string{"/refers_to:already_settled"}},
		{`{"scc":"` + testSCC + `","kind":"void","on":"2025-03-01","source":"x","refers_to":99}`, []string{"/refers_to:unknown_event"}},
		{`{"scc":"` + testSCC + `","kind":"void","on":"2025-03-01","source":"x","refers_to":9}`, []string{"/refers_to:already_withdrawn"}},
		{`{"scc":"` + testSCC + `","kind":"void","on":"2025-03-01","source":"x","refers_to":10}`, []string{"/refers_to:wrong_target"}},
		{`{"scc":"` + testSCC + `","kind":"rejection","on":"2025-03-01","source":"x","supersedes":7}`, []string{"/supersedes:wrong_target"}},
		{`{"scc":"` + testSCC + `","kind":"blacklist","on":"2025-03-01","source":"x","until":"2025-03-01"}`,
			[]string{"/department:required", "/until:until_before_on"}},
		{`{"scc":"` + testSCC + `","kind":"smuggling","on":"2025-03-01","source":"x","intentional":true,"criminal":true}`, []string{"/intentional:not_allowed"}},
		{`{"scc":"` + testSCC + `","kind":"penalty","on":"2025-03-01","source":"x","amount":"abc","intentional":"yes","extra":1}`,
			[]string{"/amount:not_a_number", "/extra:unknown_field", "/intentional:type"}},
		{`{"scc":`, []string{":malformed_json"}},
	}
	for _, c := range cases {
		in, errs := DecodeEvent([]byte(c.body))
		if errs == nil {
			_, errs = validate([]EventInput{in}, "", reg, today)
		}
		var got []string
		for _, e := range errs {
			got = append(got, e.Pointer+":"+e.Code)
			if e.MessageZH == "" || e.MessageEN == "" {
				t.Errorf("%s: %s has no message", c.body, e.Code)
			}
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%s\n got %v\nwant %v", c.body, got, c.want)
		}
	}
}

func TestValidateBatch(t *testing.T) {
	reg := fakeRegistry{7: {Kind: KindUnpaidTax, On: day("2025-02-01")}}
	body := `{"events":[
		{"scc":"` + testSCC + `","kind":"settlement","on":"2025-03-01","source":"x","refers_to":7},
		{"scc":"` + testSCC + `","kind":"settlement","on":"2025-03-02","source":"x","refers_to":7},
		{"scc":"` + testSCC + `","kind":"late_annual_report","on":"2025-03-02","source":"x"}]}`
	b, errs := DecodeBatch([]byte(body))
	if errs != nil {
		t.Fatal(errs)
	}
	es, errs := validate(b.Events, "/events", reg, day("2025-06-30"))
	if es != nil || len(errs) != 1 || errs[0].Pointer != "/events/1/refers_to" || errs[0].Code != "already_settled" {
		t.Errorf("events %v errors %+v", es, errs)
	}
}

func FuzzDecodeEvent(f *testing.F) {
	f.Add([]byte(`{"scc":"` + testSCC + `","kind":"penalty","on":"2025-03-01","source":"x","amount":"5","intentional":true}`))
	f.Add([]byte(`{"scc":"` + testSCC + `","kind":"activity","on":"2025-03-01","source":"x","counts":{"declarations":1}}`))
	f.Add([]byte(`{"events":[{"kind":"void","refers_to":1e99}]}`))
	reg := fakeRegistry{7: {Kind: KindUnpaidTax, On: day("2025-02-01")}}
	f.Fuzz(func(t *testing.T, body []byte) {
		if in, errs := DecodeEvent(body); errs == nil {
			validate([]EventInput{in}, "", reg, day("2025-06-30"))
		}
		if b, errs := DecodeBatch(body); errs == nil {
			validate(b.Events, "/events", reg, day("2025-06-30"))
		}
	})
}
