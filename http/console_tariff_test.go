package http_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/demo"
)

var untranslated = regexp.MustCompile(`>[^<]*\b(bill|bills|guarantee|guarantees|calc|reviews|cat|remedy|nav|form|btn)\.[a-z_.0-9]+`)

// The tariff pages in both languages: a declaration shows its bill, the
// trader pays it from the bill page and the goods are released; the
// calculator answers with rates, the deciding rule and licences, and bad
// input with field messages; accounts and re-reviews render.
func TestConsoleTariffPages(t *testing.T) {
	f := startConsole(t, 60)
	admin, officer := f.users["admin"].Token, f.users["officer.li"].Token
	page := func(token, path string, code int) string {
		t.Helper()
		res, body := f.do(t, "GET", path, token, nil)
		wantStatus(t, res, body, code)
		if m := untranslated.FindString(body); m != "" {
			t.Errorf("%s: untranslated %q", path, m)
		}
		return body
	}
	// A green import waiting for payment shows its bill and the forms.
	d := f.find(t, func(d *declaration.Declaration) bool {
		return d.Status == declaration.StatusAssessed && d.Tax != nil && d.Tax.BillNo != ""
	})
	var trader demo.User // the trader, or for a first-time importer without an account its broker
	for _, u := range f.users {
		if u.Enterprise == d.Head.TradeCoScc || (trader.Token == "" && u.Enterprise == d.Head.AgentCodeScc) {
			trader = u
		}
	}
	for _, lang := range []string{"zh", "en"} {
		body := page(trader.Token, "/console/declarations/"+itoa(d.ID)+"?lang="+lang, http.StatusOK)
		wantIn(t, body, `id="tax-bills"`, d.Tax.BillNo, `id="form-pay"`, `id="form-guarantee"`)
		body = page(trader.Token, "/console/tax-bills?lang="+lang, http.StatusOK)
		wantIn(t, body, d.Tax.BillNo)
	}
	body := page(trader.Token, "/console/tax-bills/"+d.Tax.BillNo, http.StatusOK)
	wantIn(t, body, "待缴", `id="form-bill-pay"`, `id="to-pay"`)
	form := url.Values{"csrf": {csrfOf(t, body)}, "amount": {"1"}, "reference": {"BANK-C1"}}
	res, body := f.do(t, "POST", "/console/tax-bills/"+d.Tax.BillNo+"/pay", trader.Token, form)
	wantStatus(t, res, body, http.StatusUnprocessableEntity)
	wantIn(t, body, `id="error"`, "BANK-C1")
	form.Set("amount", d.Tax.Total.String())
	res, body = f.do(t, "POST", "/console/tax-bills/"+d.Tax.BillNo+"/pay", trader.Token, form)
	wantStatus(t, res, body, http.StatusSeeOther)
	body = page(trader.Token, res.Header.Get("Location"), http.StatusOK)
	wantIn(t, body, "已缴", "BANK-C1")
	got, _ := f.app.Declarations.Get(context.Background(), f.users["admin"].Principal(), d.ID)
	if got.Status != declaration.StatusReleased {
		t.Errorf("after paying from the console: %s", got.Status)
	}

	// The calculator.
	body = page(trader.Token, "/console/tariff/calc?lang=en", http.StatusOK)
	wantIn(t, body, `id="calc-form"`)
	q := url.Values{"code_ts": {"2204210000"}, "origin_country": {"AUS"}, "agreement": {"CNAU"}, "date": {"2026-11-20"},
		"trans_mode": {"1"}, "price": {"100000"}, "currency": {"CNY"}, "first_qty": {"1000"}}
	body = page(trader.Token, "/console/tariff/calc?"+q.Encode(), http.StatusOK)
	wantIn(t, body, `id="calc-rule"`, "agreement", "11,111.11", "14,444.44", `id="calc-licences"`)
	q.Set("price", "abc")
	q.Set("code_ts", "12")
	body = page(trader.Token, "/console/tariff/calc?lang=en&"+q.Encode(), http.StatusUnprocessableEntity)
	wantIn(t, body, `id="error"`, "not a number")

	// Guarantee accounts and re-reviews.
	body = page(admin, "/console/guarantees", http.StatusOK)
	wantIn(t, body, `id="guarantee-accounts"`)
	id := regexp.MustCompile(`href="/console/guarantees/([^"]+)"`).FindStringSubmatch(body)[1]
	page(admin, "/console/guarantees/"+id+"?lang=en", http.StatusOK)
	body = page(officer, "/console/tax-reviews", http.StatusOK)
	form = url.Values{"csrf": {csrfOf(t, body)}, "from": {"2020-01-01"}, "to": {"2030-01-01"}, "rule": {"item.g_no == 1"},
		"origin_country": {"PRK"}, "reason": {"origin check"}}
	res, body = f.do(t, "POST", "/console/tax-reviews", officer, form)
	wantStatus(t, res, body, http.StatusSeeOther)
	body = page(officer, res.Header.Get("Location")+"?lang=en", http.StatusOK)
	wantIn(t, body, "dry run", "origin check")
	form.Set("rule", "item.g_no ==")
	res, body = f.do(t, "POST", "/console/tax-reviews", officer, form)
	wantStatus(t, res, body, http.StatusUnprocessableEntity)
	wantIn(t, body, `id="error"`, "item.g_no ==")
	if res, _ := f.do(t, "GET", "/console/tax-reviews", trader.Token, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("a declarant opened the re-reviews: %d", res.StatusCode)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
