package app

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/demo"
	"github.com/jinguan-customs/jinguan/tariff"
)

// released submits an import at office (2248: blue, 2200: green) and pays
// its bill when no guarantee covered it, so that the goods are released.
func (e *env) released(office, key string) (map[string]any, string) {
	e.t.Helper()
	f, u := e.form(office, "I")
	return e.release(f, u, key)
}

func (e *env) release(f declaration.Form, u demo.User, key string) (map[string]any, string) {
	e.t.Helper()
	return e.pay(e.submitSettled(f, u, key), u, key)
}

// pay pays the bill of an assessed green or blue declaration, which
// releases it.
func (e *env) pay(d map[string]any, u demo.User, key string) (map[string]any, string) {
	e.t.Helper()
	base := fmt.Sprintf("/api/v1/declarations/%.0f", d["id"])
	if d["status"] == "assessed" {
		total := d["tax"].(map[string]any)["total"]
		if code, r := e.do("POST", base+"/payment", u.Token, map[string]any{"amount": total, "reference": "BANK-" + key}); code != http.StatusOK {
			e.t.Fatalf("payment: %d %v", code, r)
		}
		_, d = e.do("GET", base, e.users["admin"].Token, nil)
	}
	if d["status"] != "released" {
		e.t.Fatalf("%s: status %v", key, d["status"])
	}
	return d, base
}

func (e *env) ids(query, token string) []float64 {
	e.t.Helper()
	_, r := e.do("GET", "/api/v1/declarations?"+query, token, nil)
	var out []float64
	for _, x := range r["items"].([]any) {
		out = append(out, x.(map[string]any)["id"].(float64))
	}
	return out
}

// A blue-lane release joins the audit queue; an officer records the audit,
// whose additional duty raises a supplementary bill linked to the original;
// the declaration leaves the queue and nothing more can happen to it.
func TestBlueLaneAudit(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		admin, wang := e.users["admin"].Token, e.users["officer.wang"].Token
		d, base := e.released("2248", "blue-1")
		id := d["id"].(float64)
		if d["lane"] != "blue" || d["released_by"] != "system" || d["released_at"] == nil {
			t.Fatalf("blue release: lane %v, by %v at %v", d["lane"], d["released_by"], d["released_at"])
		}
		if !slices.Contains(e.ids("lane=blue&status=released", admin), id) {
			t.Fatal("not in the audit queue")
		}
		_, owner := e.form("2248", "I")
		for _, tok := range []string{owner.Token, e.users["analyst.zhao"].Token} {
			if code, _ := e.do("POST", base+"/audit-result", tok, map[string]string{"outcome": "no_finding"}); code != http.StatusForbidden {
				t.Fatalf("a declarant or analyst audited: %d", code)
			}
		}
		code, bad := e.do("POST", base+"/audit-result", wang, map[string]any{"outcome": "finding",
			"findings": []map[string]any{{"g_no": 99, "kind": "colour", "additional_duty": "-1"}}})
		var ptrs []string
		for _, x := range bad["errors"].([]any) {
			ptrs = append(ptrs, x.(map[string]any)["pointer"].(string))
		}
		if code != http.StatusUnprocessableEntity || fmt.Sprint(ptrs) != "[/findings/0/g_no /findings/0/kind /findings/0/additional_duty]" {
			t.Fatalf("bad audit: %d %v", code, ptrs)
		}
		if _, now := e.do("GET", base, admin, nil); now["status"] != "released" || now["audit"] != nil || now["version"] != d["version"] {
			t.Fatalf("a refused audit changed the declaration: %v", now["status"])
		}

		code, r := e.do("POST", base+"/audit-result", wang, map[string]any{"outcome": "finding", "note": "稽查核实",
			"findings": []map[string]any{{"g_no": 1, "kind": "value", "additional_duty": "800"},
				{"g_no": 1, "kind": "origin", "additional_duty": "200.50", "seized": true}}})
		if code != http.StatusOK || r["status"] != "audited" {
			t.Fatalf("audit: %d %v", code, r)
		}
		audit := r["audit"].(map[string]any)
		no, _ := audit["bill"].(string)
		if audit["additional_duty"] != "1000.5" || audit["seized"] != true || audit["officer"] != "officer.wang" || no == "" {
			t.Fatalf("audit result %v", audit)
		}
		_, bill := e.do("GET", "/api/v1/tax-bills/"+no, admin, nil)
		if bill["kind"] != "supplementary" || bill["original"] != billOf(d) || bill["amount"] != "1000.5" ||
			bill["duty"] != "1000.5" || bill["status"] != "unpaid" || bill["declaration_id"] != id {
			t.Fatalf("supplementary bill %v", bill)
		}
		if code, again := e.do("POST", base+"/audit-result", e.users["officer.li"].Token, map[string]string{"outcome": "no_finding"}); code != http.StatusConflict {
			t.Fatalf("audited twice: %d %v", code, again)
		}
		if slices.Contains(e.ids("lane=blue&status=released", admin), id) || !slices.Contains(e.ids("status=audited", admin), id) {
			t.Fatal("the audited declaration is still in the queue, or not listed as audited")
		}
		_, evs := e.do("GET", base+"/events", admin, nil)
		list := evs["events"].([]any)
		last := list[len(list)-1].(map[string]any)
		if last["action"] != "record_audit" || last["from"] != "released" || last["to"] != "audited" || last["actor"] != "officer.wang" {
			t.Fatalf("last event %v", last)
		}

		// Effectiveness: the audit stream counts the audit and its revenue.
		if err := e.a.Risk.Projector.Drain(t.Context()); err != nil {
			t.Fatal(err)
		}
		_, eff := e.do("GET", "/api/v1/risk/effectiveness", admin, nil)
		var stream map[string]any
		for _, x := range eff["streams"].([]any) {
			if x.(map[string]any)["stream"] == "audit" {
				stream = x.(map[string]any)
			}
		}
		if stream == nil || stream["selections"] != 1.0 || stream["inspections"] != 1.0 || stream["hits"] != 1.0 ||
			stream["revenue"] != "1000.5" || stream["seizures"] != 1.0 {
			t.Fatalf("audit stream %v", stream)
		}

		// A batch re-review of the audited import finds it, and does not
		// take the audit's bill for over-collection.
		declared := chinaDate(t, d["declared_at"])
		code, rv := e.do("POST", "/api/v1/tax-reviews", admin, map[string]any{"from": declared, "to": declared,
			"rule":     fmt.Sprintf(`decl.entry_id == %q && item.g_no == 1`, d["entry_id"]),
			"override": map[string]any{"code_ts": d["items"].([]any)[0].(map[string]any)["code_ts"]}, "reason": "check", "apply": false})
		if code != 200 || rv["matched"] != 1.0 || len(rv["differences"].([]any)) != 0 {
			t.Fatalf("re-review of the audited import: %d %v", code, rv)
		}
	})
}

// Any release may be audited, by an officer who neither selected,
// inspected nor released it; no duty, no bill.
func TestAuditSeparationOfDuties(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		wang, li := e.users["officer.wang"].Token, e.users["officer.li"].Token
		f, u := e.form("2201", "I") // red
		_, d := e.submit(f, u, "sep-audit-1")
		e.settle(d["id"].(float64))
		base := fmt.Sprintf("/api/v1/declarations/%.0f", d["id"])
		if code, _ := e.do("POST", base+"/audit-result", e.users["admin"].Token, map[string]string{"outcome": "no_finding"}); code != http.StatusConflict {
			t.Fatalf("audit before release: %d", code)
		}
		if code, r := e.do("POST", base+"/inspection-result", wang, map[string]string{"outcome": "no_finding"}); code != http.StatusOK {
			t.Fatalf("inspection: %d %v", code, r)
		}
		_, d = e.do("GET", base, wang, nil)
		if d["status"] == "assessed" {
			e.do("POST", base+"/payment", u.Token, map[string]any{"amount": d["tax"].(map[string]any)["total"], "reference": "B-9"})
		}
		if code, r := e.do("POST", base+"/release", li, map[string]string{}); code != http.StatusOK || r["released_by"] != "officer.li" {
			t.Fatalf("release: %d %v", code, r)
		}
		for _, who := range []string{wang, li} {
			if code, _ := e.do("POST", base+"/audit-result", who, map[string]string{"outcome": "no_finding"}); code != http.StatusForbidden {
				t.Fatalf("the inspector or the releaser audited: %d", code)
			}
		}
		code, r := e.do("POST", base+"/audit-result", e.users["admin"].Token, map[string]string{"outcome": "no_finding"})
		if code != http.StatusOK || r["status"] != "audited" || r["lane"] != "red" || r["audit"].(map[string]any)["bill"] != nil {
			t.Fatalf("audit by a third person: %d %v", code, r)
		}

		// A green release, selected for audit by an officer.
		g, gb := e.released("2200", "green-audit-1")
		code, r = e.do("POST", gb+"/audit-result", wang, map[string]any{"outcome": "finding",
			"findings": []map[string]any{{"g_no": 1, "kind": "quantity", "additional_duty": "12.34"}}})
		if code != http.StatusOK || r["audit"].(map[string]any)["bill"] == nil || g["lane"] != "green" {
			t.Fatalf("audit of a green release: %d %v", code, r)
		}
	})
}

// An audit's finding becomes a credit event of the trader, as an
// inspection's does; a clean audit none.
func TestAuditFindingFollowedByCredit(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		trader := demo.Enterprises()[4].SCC
		f, u := e.formFor(trader, "2248")
		_, base := e.release(f, u, "credit-audit-1")
		code, r := e.do("POST", base+"/audit-result", e.users["officer.wang"].Token, map[string]any{"outcome": "finding",
			"findings": []map[string]any{{"g_no": 1, "kind": "origin"}}})
		if code != http.StatusOK {
			t.Fatalf("audit: %d %v", code, r)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			_, body := e.do("GET", "/api/v1/enterprises/"+trader+"/credit/events", e.users["admin"].Token, nil)
			events, _ := body["events"].([]any)
			for _, x := range events {
				if ev := x.(map[string]any); ev["kind"] == "inspection_finding" && ev["source"] == "稽查系统" && ev["reference"] == r["entry_id"] {
					return
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("no credit event for the audit finding: %v", events)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// The demo's auditor: back-dated blue-lane releases are audited days
// later with the planted truth, live ones once they have waited in the
// queue; the audit stream's effectiveness counts them.
func TestDemoAudits(t *testing.T) {
	e := newEnv(t, "", true, [2]string{"selectivity.csv", "office,direction,valid_from,valid_to,red,yellow,blue\n*,*,2020-01-01,,0,0,0.5\n"})
	ctx, admin := t.Context(), auth.Principal{User: "admin", Role: auth.RoleAdmin}
	wang, li := e.users["officer.wang"], e.users["officer.li"]
	if err := e.a.seedTaxHistory(ctx, e.a.Generator(5), wang.Principal(), li.Principal()); err != nil {
		t.Fatal(err)
	}
	audited := func() []*declaration.Declaration {
		rows, _, err := e.a.Declarations.List(ctx, admin, declaration.Filter{Status: []declaration.Status{declaration.StatusAudited}, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		var out []*declaration.Declaration
		for _, r := range rows {
			d, _ := e.a.Declarations.Get(ctx, admin, r.ID)
			out = append(out, d)
		}
		return out
	}
	history := audited()
	if len(history) == 0 {
		t.Fatal("no back-dated audit")
	}
	for _, d := range history {
		a := d.Audit
		if d.Lane != declaration.LaneBlue || a.Officer != "officer.wang" || !a.RecordedAt.After(d.ReleasedAt.AddDate(0, 0, 2)) ||
			a.RecordedAt.After(time.Now()) {
			t.Fatalf("history audit of %d: lane %s, %+v, released %v", d.ID, d.Lane, a, d.ReleasedAt)
		}
		for _, want := range demo.Truth(e.a.secret, e.a.Catalog, d) {
			if !slices.ContainsFunc(a.Findings, func(f declaration.Finding) bool { return f.GNo == want.GNo && f.Kind == want.Kind }) {
				t.Fatalf("audit of %d misses the planted %+v: %+v", d.ID, want, a.Findings)
			}
		}
		if a.AdditionalDuty.IsPositive() != (a.Bill != "") {
			t.Fatalf("audit of %d: duty %s, bill %q", d.ID, a.AdditionalDuty, a.Bill)
		}
	}

	// Live: a fresh blue release waits auditDelay in the queue.
	plain, _ := e.traders()
	var fresh map[string]any
	for i := 0; fresh == nil; i++ {
		f, u := e.importOf(plain[0])
		if d := e.submitSettled(f, u, fmt.Sprintf("live-blue-%d", i)); d["lane"] == "blue" {
			fresh, _ = e.pay(d, u, fmt.Sprintf("live-blue-%d", i))
		}
	}
	id := int64(fresh["id"].(float64))
	payers := map[string]demo.User{}
	for _, u := range e.users {
		if u.Role == auth.RoleDeclarant {
			payers[u.Enterprise] = u
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	e.a.auditDemoReleases(ctx, wang, payers, time.Now(), rng)
	if d, _ := e.a.Declarations.Get(ctx, admin, id); d.Status != declaration.StatusReleased {
		t.Fatalf("audited before its time: %s", d.Status)
	}
	e.a.auditDemoReleases(ctx, wang, payers, time.Now().Add(auditDelay+time.Minute), rng)
	d, _ := e.a.Declarations.Get(ctx, admin, id)
	if d.Status != declaration.StatusAudited {
		t.Fatalf("not audited after the delay: %s", d.Status)
	}
	if d.Audit.Bill != "" && !demo.PaysLate(d.Head.TradeCoScc) {
		if b, _ := e.a.Billing.Store.Bill(ctx, d.Audit.Bill); b.Status != tariff.BillPaid {
			t.Errorf("the audit's bill is %s, want paid at once", b.Status)
		}
	}
	if err := e.a.Risk.Projector.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	ev, err := e.a.Risk.Effectiveness(ctx, admin, time.Now().AddDate(0, 0, -historyDays-1), time.Now().Add(time.Hour), 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	all := audited()
	for _, s := range ev.Streams {
		if s.Stream == "audit" && (s.Inspections != len(all) || s.Selections < len(all)) {
			t.Errorf("audit stream %+v, %d audits", s, len(all))
		}
	}
	found := 0
	for _, d := range all {
		if d.Audit.Outcome == "finding" {
			found++
		}
	}
	t.Logf("%d audits (%d back-dated), %d with findings", len(all), len(history), found)
}
