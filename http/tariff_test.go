package http

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/enterprise"
	"github.com/jinguan-customs/jinguan/refdata"
	"github.com/jinguan-customs/jinguan/tariff"
)

var _ = schemaTypes(map[string]any{
	"CalcInput": tariff.CalcInput{}, "CalcResult": tariff.CalcResult{}, "Rule": tariff.Rule{},
	"CandidateRate": tariff.CandidateRate{}, "Requirement": tariff.Requirement{},
	"Bill": tariff.Bill{}, "BillEvent": tariff.BillEvent{}, "BillView": BillView{}, "BillDue": BillDue{},
	"GuaranteeInput": declaration.GuaranteeInput{}, "RefundInput": tariff.RefundInput{},
	"ConsolidatedInput": tariff.ConsolidatedInput{}, "Statement": tariff.Statement{},
	"GuaranteeAccount": enterprise.GuaranteeAccount{}, "GuaranteeDebit": enterprise.GuaranteeDebit{},
	"GuaranteeEvent": enterprise.GuaranteeEvent{}, "AccountView": AccountView{}, "AccountInput": AccountInput{},
	"ReviewInput": tariff.ReviewInput{}, "ItemOverride": tariff.ItemOverride{}, "TaxFigures": tariff.TaxFigures{},
	"ReviewDiff": tariff.ReviewDiff{}, "Review": tariff.Review{},
})

func calcServer(t testing.TB) *Server {
	cat, err := refdata.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	sched, err := tariff.SampleSchedule(cat)
	if err != nil {
		t.Fatal(err)
	}
	return &Server{Catalog: cat, Calculator: &tariff.Calculator{Schedule: sched, Catalog: cat, Config: tariff.DefaultTaxConfig()}}
}

// The calculator's HTTP decoder and checks: any body gets a result or a
// coded error with field pointers; nothing panics (the handler is called
// without the recovering wrapper) and nothing is a 500.
func FuzzCalcHTTP(f *testing.F) {
	f.Add([]byte(`{"code_ts":"2204210000","origin_country":"AUS","agreement":"CNAU","date":"2026-11-20","trans_mode":"3","price":"1000","currency":"USD","fee":{"mark":"2","rate":"5","currency":"USD"},"gross_wet":"100","first_qty":"10"}`))
	f.Add([]byte(`{"code_ts":"1001990000","date":"2026-01-01","trans_mode":"7","price":1e400,"in_quota":true}`))
	f.Add([]byte(`{"code_ts":12,"date":null,"fee":[],"unknown":1}`))
	f.Add([]byte(`{"price":"-0","first_qty":"1e-30","insur":{"mark":"1","rate":"9999999999999999"}}`))
	f.Add([]byte(`[`))
	s := calcServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/api/v1/tariff/calc", bytes.NewReader(body))
		err := s.calc(w, r, auth.Principal{User: "t", Role: auth.RoleDeclarant})
		if err == nil {
			if w.Code != http.StatusOK {
				t.Fatalf("status %d without error", w.Code)
			}
			return
		}
		e := jinguan.AsError(err)
		if e.Code != jinguan.EINVALID || len(e.Fields) == 0 {
			t.Fatalf("error %v: want EINVALID with field pointers", err)
		}
		for _, fe := range e.Fields {
			if fe.Code == "" || fe.MessageZH == "" || fe.MessageEN == "" {
				t.Fatalf("incomplete field error %+v", fe)
			}
		}
	})
}

func TestCalcHTTPErrors(t *testing.T) {
	s := calcServer(t)
	for body, want := range map[string]string{
		`{"code_ts":"8471300000","origin_country":"USA","date":"2026-11-20","trans_mode":"1","price":"100","currency":"CNY"}`: "",
		`{"code_ts":12}`: "/code_ts",
		`{"code_ts":"8471300000","date":"2026-11-20","trans_mode":"1","price":"100","fee":{"mark":"9","rate":"x"}}`: "/fee/rate",
		`{"code_ts":"8471300000","date":"2026-11-20","trans_mode":"1","price":"100","colour":"red"}`:                "/colour",
	} {
		w := httptest.NewRecorder()
		err := s.calc(w, httptest.NewRequest("POST", "/", strings.NewReader(body)), auth.Principal{})
		if want == "" {
			if err != nil || w.Code != 200 {
				t.Errorf("%s: %v %d", body, err, w.Code)
			}
			continue
		}
		e := jinguan.AsError(err)
		if len(e.Fields) == 0 || e.Fields[0].Pointer != want {
			t.Errorf("%s: %+v, want pointer %s", body, e, want)
		}
	}
}
