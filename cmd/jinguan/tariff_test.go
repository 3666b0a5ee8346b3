package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/app"
	"github.com/jinguan-customs/jinguan/tariff"
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

// jinguan tariff review lists the differences of released imports in a
// period and, with --apply, raises the bills; a bad rule is reported at
// its pointer.
func TestTariffReviewCommand(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	accounts, _ := a.Guarantees.Store.GuaranteeAccounts(ctx, "")
	gen := a.Generator(3)
	var released int
	for i := 0; released < 3 && i < 500; i++ {
		f, u := gen.Form(time.Now())
		if f.Head.IEFlag != "I" || f.Head.TradeCoScc != accounts[0].SCC {
			continue
		}
		body, _ := json.Marshal(f)
		sub, err := a.Declarations.Submit(ctx, u.Principal(), fmt.Sprint("cli-", i), body)
		if err == nil && sub.Declaration.Status == "released" {
			released++
		}
	}
	a.Close()
	if released == 0 {
		t.Fatal("no released import to review")
	}
	today := time.Now().In(jinguan.China).Format(time.DateOnly)
	run := func(args ...string) (string, error) {
		cmd := tariffCmd()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs(append([]string{"review", "--data", dir, "--from", today, "--to", today, "--actor", "officer.li",
			"--reason", "origin correction"}, args...))
		err := cmd.Execute()
		return out.String(), err
	}
	out, err := run("--rule", "item.g_no == 1", "--origin", "PRK")
	if err != nil || !strings.Contains(out, fmt.Sprintf("%d released imports", released)) || !strings.Contains(out, "dry run") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	out, err = run("--rule", "item.g_no == 1", "--origin", "PRK", "--apply", "--json")
	var rv tariff.Review
	if err != nil || json.Unmarshal([]byte(out), &rv) != nil || rv.Bills == 0 || rv.By != "officer.li" {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	out, err = run("--rule", "item.g_no ==")
	if err == nil || !strings.Contains(out, "/rule\tcel_compile") {
		t.Fatalf("bad rule: %v\n%s", err, out)
	}
}
