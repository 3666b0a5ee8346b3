package app

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
)

// A batch re-review after a classification correction: the dry run lists
// the difference, applying raises a supplementary bill linked to the
// original, a second run raises nothing more, and correcting back gives
// a refund.
func TestBatchReReview(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		admin := e.users["admin"].Token
		_, accounts := e.traders()
		f, u := e.importOf(accounts[0].SCC)
		d := e.submitSettled(f, u, "rr-1")
		if d["status"] != "released" {
			t.Fatalf("status %v", d["status"])
		}
		declared := chinaDate(t, d["declared_at"])
		entry, code := d["entry_id"].(string), f.Items[0].CodeTS
		corrected := "8703234000" // saloon cars: 15 % duty and consumption tax
		if code == corrected {
			corrected = "8471300000"
		}
		review := func(apply bool, to string) map[string]any {
			t.Helper()
			status, rv := e.do("POST", "/api/v1/tax-reviews", admin, map[string]any{"from": declared, "to": declared,
				"rule": fmt.Sprintf(`decl.entry_id == %q && item.g_no == 1`, entry), "override": map[string]any{"code_ts": to},
				"reason": "classification ruling 2026-17", "apply": apply})
			if status != 200 {
				t.Fatalf("review: %d %v", status, rv)
			}
			return rv
		}
		dry := review(false, corrected)
		diffs := dry["differences"].([]any)
		if dry["matched"] != 1.0 || len(diffs) != 1 || dry["bills"] != 0.0 {
			t.Fatalf("dry run: %v", dry)
		}
		diff := diffs[0].(map[string]any)
		difference := decimal.RequireFromString(diff["difference"].(map[string]any)["total"].(string))
		if diff["kind"] != "supplementary" || !difference.IsPositive() || diff["bill"] != nil {
			t.Fatalf("dry run difference %v", diff)
		}
		if _, bills := e.do("GET", "/api/v1/tax-bills?kind=supplementary", admin, nil); len(bills["items"].([]any)) != 0 {
			t.Fatalf("a dry run raised bills: %v", bills)
		}

		applied := review(true, corrected)
		no, _ := applied["differences"].([]any)[0].(map[string]any)["bill"].(string)
		_, bill := e.do("GET", "/api/v1/tax-bills/"+no, admin, nil)
		if applied["bills"] != 1.0 || bill["kind"] != "supplementary" || bill["original"] != billOf(d) ||
			bill["amount"] != difference.String() || bill["status"] != "unpaid" || bill["review"] != applied["id"] {
			t.Fatalf("supplementary bill %v", bill)
		}
		if again := review(true, corrected); again["bills"] != 0.0 || len(again["differences"].([]any)) != 0 {
			t.Fatalf("second run: %v", again)
		}
		_, stored := e.do("GET", "/api/v1/tax-reviews/"+applied["id"].(string), admin, nil)
		if stored["reason"] != "classification ruling 2026-17" || len(stored["differences"].([]any)) != 1 {
			t.Fatalf("stored review %v", stored)
		}

		// The declarant pays the supplementary bill; correcting back refunds it.
		status, paid := e.do("POST", "/api/v1/tax-bills/"+no+"/payment", u.Token, map[string]any{"amount": bill["amount"], "reference": "BANK-S1"})
		if status != 200 || paid["status"] != "paid" {
			t.Fatalf("supplementary payment: %d %v", status, paid)
		}
		back := review(true, code)
		refund := back["differences"].([]any)[0].(map[string]any)
		_, rb := e.do("GET", "/api/v1/tax-bills/"+refund["bill"].(string), admin, nil)
		if refund["kind"] != "refund" || rb["status"] != "refund_due" || rb["amount"] != difference.String() {
			t.Fatalf("refund %v, bill %v", refund, rb)
		}
		if status, _ := e.do("POST", "/api/v1/tax-bills/"+refund["bill"].(string)+"/refund", u.Token, map[string]any{"reference": "X"}); status != http.StatusForbidden {
			t.Errorf("a declarant recorded a refund: %d", status)
		}
		status, rb = e.do("POST", "/api/v1/tax-bills/"+refund["bill"].(string)+"/refund", e.users["officer.li"].Token, map[string]any{"reference": "TREASURY-R1"})
		if status != 200 || rb["status"] != "refunded" {
			t.Fatalf("refund: %d %v", status, rb)
		}

		// Only officers re-review; a bad rule is a coded error at /rule.
		if status, _ := e.do("POST", "/api/v1/tax-reviews", u.Token, map[string]any{}); status != http.StatusForbidden {
			t.Errorf("a declarant ran a review: %d", status)
		}
		status, resp := e.do("POST", "/api/v1/tax-reviews", admin, map[string]any{"from": "2026-13-01", "to": declared,
			"rule": "item.no_such_field == 1", "override": map[string]any{"code_ts": "0000000000"}, "reason": ""})
		var ptrs []string
		for _, x := range resp["errors"].([]any) {
			ptrs = append(ptrs, x.(map[string]any)["pointer"].(string))
		}
		if status != http.StatusUnprocessableEntity || fmt.Sprint(ptrs) != "[/from /rule /override/code_ts /reason]" {
			t.Fatalf("bad input: %d %v", status, ptrs)
		}
	})
}

// chinaDate is the day of a timestamp in China, as the review's period reads it.
func chinaDate(t *testing.T, v any) string {
	t.Helper()
	at, err := time.Parse(time.RFC3339Nano, v.(string))
	if err != nil {
		t.Fatalf("timestamp %v: %v", v, err)
	}
	return at.In(jinguan.China).Format(time.DateOnly)
}
