package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestTariffCalc(t *testing.T) {
	c, err := calculator("")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	in := `{"code_ts":"3304990000","origin_country":"USA","date":"2026-11-20","trans_mode":"1","price":"100000","currency":"CNY"}`
	if err := runCalc(c, strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	var res struct {
		Rule struct{ Code string }
		Tax  struct{ Duty, VAT, ConsumptionTax string }
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.Rule.Code != "mfn" || res.Tax.Duty != "1000" {
		t.Fatalf("%v %s", err, out.String())
	}
	out.Reset()
	if err := runCalc(c, strings.NewReader(`{"code_ts":"1"}`), &out); err == nil || !strings.Contains(out.String(), `"/code_ts"`) {
		t.Fatalf("invalid input: %v %s", err, out.String())
	}
}
