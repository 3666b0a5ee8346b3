package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/credit"
	"github.com/jinguan-customs/jinguan/demo"
	"github.com/jinguan-customs/jinguan/enterprise"
	"github.com/jinguan-customs/jinguan/tariff"
)

// grade puts trader in grade through the credit API, as credit officers
// would: a certification decision, an unpaid tax past its term or a
// joint-punishment listing. Regular needs nothing.
func (e *env) grade(trader, grade string) {
	e.t.Helper()
	admin := e.users["admin"].Token
	today := credit.DateOf(time.Now())
	day := func(ago int) string { return (today - credit.Date(ago)).String() }
	var code int
	var body map[string]any
	switch grade {
	case "advanced_certified", "certified":
		level := map[string]string{"advanced_certified": "advanced", "certified": "general"}[grade]
		code, body = e.do("POST", "/api/v1/enterprises/"+trader+"/certifications", admin, map[string]any{"action": "grant",
			"level": level, "number": "AEOCN2200" + trader[12:18], "valid_from": day(30), "reference": "署企认〔2026〕1号", "reason": "认证标准全部达标"})
	case "dishonest":
		code, body = e.do("POST", "/api/v1/credit/events", admin, map[string]any{"scc": trader, "kind": "unpaid_tax",
			"on": day(100), "source": "税费征收系统", "amount": "268450.37", "due_on": day(125), "reference": "税款缴款书 1"})
	case "seriously_dishonest":
		code, body = e.do("POST", "/api/v1/credit/events", admin, map[string]any{"scc": trader, "kind": "blacklist",
			"on": day(10), "source": "全国信用信息共享平台", "department": "国家税务总局", "reference": "重大税收违法失信主体 1"})
	}
	if code >= 300 {
		e.t.Fatalf("grading %s %s: %d %v", trader, grade, code, body)
	}
	_, a := e.do("GET", "/api/v1/enterprises/"+trader+"/credit", admin, nil)
	if a["grade"] != grade {
		e.t.Fatalf("%s graded %v, want %s", trader, a["grade"], grade)
	}
}

// consignees returns n demo traders that are not brokers.
func (e *env) consignees(n int) []string {
	plain, accounts := e.traders()
	out := plain
	for _, a := range accounts {
		out = append(out, a.SCC)
	}
	if len(out) < n {
		e.t.Fatalf("only %d demo traders", len(out))
	}
	return out[:n]
}

// Priority handling: the declarations of an advanced-certified trader are
// flagged in the decision record and come first in the inspection queue,
// in the API and on the console, though submitted before the others.
func TestPriorityQueue(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ts := e.consignees(2)
		aeo, regular := ts[0], ts[1]
		e.grade(aeo, "advanced_certified")
		officer := e.users["officer.wang"].Token
		// Office 2201 inspects every import at random, an advanced-certified
		// trader's at a fifth of that: submit until one is red, then two
		// regular ones.
		submit := func(trader, key string) map[string]any {
			f, u := e.formFor(trader, "2201")
			code, d := e.submit(f, u, key)
			if code != http.StatusCreated {
				t.Fatalf("submit: %d %v", code, d)
			}
			d = e.settle(d["id"].(float64))
			_, d = e.do("GET", fmt.Sprintf("/api/v1/declarations/%.0f", d["id"]), officer, nil)
			rd := d["risk"].(map[string]any)
			if got := rd["priority"] == true; got != (trader == aeo) || rd["grade"] == nil {
				t.Fatalf("%s: decision %v", trader, rd)
			}
			return d
		}
		var first float64
		for i := 0; first == 0; i++ {
			if i == 100 {
				t.Fatal("no advanced-certified import drawn red in 100")
			}
			if d := submit(aeo, fmt.Sprint("prio-aeo-", i)); d["lane"] == "red" {
				first = d["id"].(float64)
				rd := d["risk"].(map[string]any)
				if rd["document_review_share"] != 0.2 || !strings.Contains(rd["reason_en"].(string), "priority handling") {
					t.Errorf("the decision does not say what the grade did: %v", rd)
				}
			}
		}
		submit(regular, "prio-reg-1")
		submit(regular, "prio-reg-2")
		code, list := e.do("GET", "/api/v1/declarations?status=under_inspection&order=priority", officer, nil)
		rows, _ := list["items"].([]any)
		if code != 200 || len(rows) != 3 || rows[0].(map[string]any)["id"] != first || rows[0].(map[string]any)["priority"] != true ||
			rows[1].(map[string]any)["priority"] != nil {
			t.Fatalf("inspection queue: %d %v", code, list)
		}
		_, list = e.do("GET", "/api/v1/declarations?status=under_inspection", officer, nil)
		if rows := list["items"].([]any); rows[2].(map[string]any)["id"] != first {
			t.Errorf("newest first, the priority declaration is last: %v", rows)
		}
		if code, body := e.do("GET", "/api/v1/declarations?order=oldest", officer, nil); code != 422 || fmt.Sprint(pointers(body)) != "[/query/order:format]" {
			t.Errorf("unknown order: %d %v", code, body)
		}
		for _, lang := range []string{"zh", "en"} {
			html := e.page("/console/declarations?status=under_inspection&order=priority&lang="+lang, officer)
			row, _, _ := strings.Cut(html[strings.Index(html, "<tr data-status=")+1:], ">")
			mark := map[string]string{"zh": ">优先<", "en": ">Priority<"}[lang]
			if !strings.Contains(row, `data-priority="1"`) || strings.Count(html, `data-priority="1"`) != 1 || !strings.Contains(html, mark) {
				t.Errorf("console queue (%s) lacks the marker or puts it below the others", lang)
			}
		}
	})
}

// accountOf picks a demo guarantee account: consolidated or not, with a
// balance that covers any demo import.
func (e *env) accountOf(consolidated bool) enterprise.GuaranteeAccount {
	e.t.Helper()
	_, accounts := e.traders()
	for _, a := range accounts {
		if a.Consolidated == consolidated && a.Amount.GreaterThanOrEqual(decimal.NewFromInt(20_000_000)) {
			return a
		}
	}
	e.t.Fatalf("no demo account consolidated=%v", consolidated)
	return enterprise.GuaranteeAccount{}
}

func (e *env) balanceOf(id string) decimal.Decimal {
	e.t.Helper()
	_, acct := e.do("GET", "/api/v1/guarantee-accounts/"+id, e.users["admin"].Token, nil)
	return decimal.RequireFromString(acct["balance"].(string))
}

// Release before payment under each grade's guarantee requirement, end to
// end on green-lane imports: an advanced-certified trader's goods go on
// its exemption (its consolidated account takes the bill for the month,
// its balance untouched), a certified trader's on half the bill debited,
// a regular trader's on the whole bill, and a dishonest trader's wait for
// payment — its general guarantee refused — until an officer registers a
// specific guarantee of the bill.
func TestGuaranteeMeasuresPerGrade(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		admin, officer := e.users["admin"].Token, e.users["officer.li"].Token
		plain, _ := e.traders()
		monthly, general := e.accountOf(true), e.accountOf(false)
		exemptPlain, exemptMonthly, reduced, dishonest := plain[0], monthly.SCC, general.SCC, plain[1]
		e.grade(exemptPlain, "advanced_certified")
		e.grade(exemptMonthly, "advanced_certified")
		e.grade(reduced, "certified")
		e.grade(dishonest, "dishonest")
		code, resp := e.do("PUT", "/api/v1/guarantee-accounts/GA-LISTED", officer, map[string]any{"scc": dishonest,
			"kind": "bank_letter", "amount": "100000000", "valid_from": "2025-01-01", "reason": "lodged before the listing"})
		if code != 200 {
			t.Fatalf("register: %d %v", code, resp)
		}
		importOf := func(trader, key string) (map[string]any, map[string]any, decimal.Decimal) {
			t.Helper()
			f, u := e.importOf(trader)
			d := e.submitSettled(f, u, key)
			if d["status"] == "under_inspection" { // a dishonest trader's, mostly
				code, r := e.do("POST", fmt.Sprintf("/api/v1/declarations/%.0f/inspection-result", d["id"]), e.users["officer.wang"].Token,
					map[string]any{"outcome": "no_finding"})
				if code != 200 {
					t.Fatalf("inspection result: %d %v", code, r)
				}
				d = r
			}
			_, bill := e.do("GET", "/api/v1/tax-bills/"+billOf(d), admin, nil)
			return d, bill, decimal.RequireFromString(d["tax"].(map[string]any)["total"].(string))
		}
		settlement := func(d map[string]any) map[string]any { s, _ := d["settlement"].(map[string]any); return s }
		dueIn15 := func(bill map[string]any) string {
			issued, _ := time.Parse(time.RFC3339Nano, bill["issued_at"].(string))
			return e.a.Billing.Calendar.DueDate(issued, 15)
		}

		// Exempt, no account: released on the undertaking, the bill due in 15 days.
		d, bill, total := importOf(exemptPlain, "exempt-1")
		s := settlement(d)
		if d["status"] != "released" || s["kind"] != "guarantee_exempt" || s["grade"] != "advanced_certified" ||
			s["guarantee"] != "exempt" || s["secured"] != nil || s["reference"] != nil {
			t.Fatalf("exempt: %v %v", d["status"], s)
		}
		if bill["status"] != "guaranteed" || bill["guarantee"] != nil || bill["guarantee_measure"] != "exempt" ||
			bill["due_date"] != dueIn15(bill) || bill["period"] != nil {
			t.Fatalf("exempt bill: %v", bill)
		}
		code, paid := e.do("POST", "/api/v1/tax-bills/"+bill["no"].(string)+"/payment", admin, map[string]any{"amount": total.String(), "reference": "BANK-EX"})
		if code != 200 || paid["status"] != "paid" {
			t.Fatalf("paying an exempt bill: %d %v", code, paid)
		}

		// Exempt with a consolidated account: on the month's statement, nothing debited.
		d, bill, _ = importOf(exemptMonthly, "exempt-2")
		if s = settlement(d); d["status"] != "released" || s["kind"] != "guarantee_exempt" || s["reference"] != monthly.ID || s["consolidated"] != true {
			t.Fatalf("exempt on a consolidated account: %v %v", d["status"], s)
		}
		if bill["guarantee"] != monthly.ID || bill["period"] == nil || e.balanceOf(monthly.ID).Cmp(monthly.Amount) != 0 {
			t.Fatalf("exempt bill on the statement %v; balance %s of %s", bill, e.balanceOf(monthly.ID), monthly.Amount)
		}

		// Reduced: half the bill, rounded up to the fen, debited.
		d, bill, total = importOf(reduced, "reduced-1")
		half := total.Mul(decimal.RequireFromString("0.5")).RoundCeil(2)
		if s = settlement(d); d["status"] != "released" || s["guarantee"] != "reduced" || s["secured"] != half.String() ||
			bill["secured"] != half.String() || !general.Amount.Sub(e.balanceOf(general.ID)).Equal(half) {
			t.Fatalf("reduced: %v %v; bill %v; balance %s", d["status"], s, bill, e.balanceOf(general.ID))
		}
		code, _ = e.do("POST", "/api/v1/tax-bills/"+bill["no"].(string)+"/payment", admin, map[string]any{"amount": total.String(), "reference": "BANK-RED"})
		if code != 200 || !e.balanceOf(general.ID).Equal(general.Amount) {
			t.Fatalf("payment did not give the half back: %d, balance %s", code, e.balanceOf(general.ID))
		}

		// Full: the general guarantee is refused, the goods wait.
		d, bill, total = importOf(dishonest, "full-1")
		if d["status"] != "assessed" || d["settlement"] != nil || bill["status"] != "unpaid" {
			t.Fatalf("dishonest trader released: %v %v", d["status"], d["settlement"])
		}
		u := e.users[declarantOf(e, d["head"].(map[string]any)["agent_code_scc"].(string), dishonest)]
		path := fmt.Sprintf("/api/v1/declarations/%.0f/guarantee", d["id"])
		for _, body := range []map[string]any{{}, {"account": "GA-LISTED"}} {
			code, resp = e.do("POST", path, u.Token, body)
			if code != 422 || fmt.Sprint(pointers(resp)) != "[/account:full_guarantee_required]" {
				t.Fatalf("general guarantee of a dishonest trader %v: %d %v", body, code, resp)
			}
		}
		// An officer records a specific guarantee of the bill in full.
		no := bill["no"].(string)
		code, resp = e.do("PUT", "/api/v1/guarantee-accounts/GA-SPECIFIC-1", officer, map[string]any{"scc": dishonest,
			"kind": "bank_letter", "amount": total.String(), "valid_from": "2025-01-01", "bill": no, "reason": "逐票担保"})
		if code != 200 || resp["bill"] != no {
			t.Fatalf("specific guarantee: %d %v", code, resp)
		}
		code, resp = e.do("POST", path, u.Token, map[string]any{})
		want := map[any]string{"green": "released", "red": "guaranteed"}[resp["lane"]] // an officer releases a red one
		if s = settlement(resp); code != 200 || resp["status"] != want || s["reference"] != "GA-SPECIFIC-1" ||
			s["guarantee"] != "full" || s["secured"] != total.String() || s["grade"] != "dishonest" {
			t.Fatalf("on the specific guarantee: %d %v %v", code, resp["status"], s)
		}
		if b := e.balanceOf("GA-LISTED"); !b.Equal(decimal.NewFromInt(100000000)) {
			t.Errorf("the general guarantee was debited: %s", b)
		}
		// The console shows the measure on the declaration and the bill.
		html := e.page(fmt.Sprintf("/console/declarations/%.0f?lang=en", resp["id"]), officer)
		if !strings.Contains(html, `id="settle-measure"`) || !strings.Contains(e.page("/console/tax-bills/"+no+"?lang=zh", officer), "全额担保") {
			t.Error("console lacks the guarantee measure")
		}
	})
}

// declarantOf names a demo declarant user who may act for the trader: its
// own, else its agent's.
func declarantOf(e *env, agent, trader string) string {
	for n, u := range e.users {
		if u.Role == "declarant" && u.Enterprise == trader {
			return n
		}
	}
	for n, u := range e.users {
		if u.Role == "declarant" && u.Enterprise == agent {
			return n
		}
	}
	e.t.Fatalf("no declarant for %s", trader)
	return ""
}

// Consolidated payment only where the grade allows it: configured off for
// regular traders, a regular trader's consolidated guarantee still
// secures its bill, but the bill is paid on its own by its own date, and
// the settlement and the bill's event say why (zh/en).
func TestConsolidatedPaymentRefused(t *testing.T) {
	e := newEnvSettings(t, "", true, map[string]any{"credit": map[string]any{"measures": map[string]any{
		"regular": map[string]any{"random_multiplier": 1, "document_review_share": 1, "guarantee": "normal",
			"two_step": true, "consolidated_payment": false}}}})
	admin := e.users["admin"].Token
	monthly := e.accountOf(true)
	f, u := e.importOf(monthly.SCC)
	d := e.submitSettled(f, u, "refused-1")
	s := d["settlement"].(map[string]any)
	refused, _ := s["refused"].(map[string]any)
	if d["status"] != "released" || s["reference"] != monthly.ID || s["consolidated"] != nil || refused == nil ||
		refused["code"] != "consolidated_not_allowed" || !strings.Contains(refused["message_zh"].(string), "汇总征税") ||
		!strings.Contains(refused["message_en"].(string), "consolidated payment") {
		t.Fatalf("refused consolidated payment: %v %v", d["status"], s)
	}
	_, bill := e.do("GET", "/api/v1/tax-bills/"+billOf(d), admin, nil)
	issued, _ := time.Parse(time.RFC3339Nano, bill["issued_at"].(string))
	if bill["period"] != nil || bill["due_date"] != e.a.Billing.Calendar.DueDate(issued, 15) {
		t.Fatalf("bill still on the month's statement: %v", bill)
	}
	evs := bill["events"].([]any)
	if data := evs[len(evs)-1].(map[string]any)["data"].(map[string]any); data["refused"] == nil {
		t.Errorf("the guarantee event does not say why: %v", data)
	}
	if html := e.page(fmt.Sprintf("/console/declarations/%.0f?lang=en", d["id"]), admin); !strings.Contains(html, `id="settle-refused"`) ||
		!strings.Contains(html, "consolidated_not_allowed") {
		t.Error("console does not show the refusal")
	}
}

// Every grade's measures reach the modules that apply them through the
// wiring: billing's terms and the risk stage's settings follow the credit
// configuration.
func TestMeasuresWiredPerGrade(t *testing.T) {
	e := newEnv(t, "", true)
	ts := e.consignees(5)
	grades := []string{"advanced_certified", "certified", "regular", "dishonest", "seriously_dishonest"}
	measures := credit.DefaultMeasures()
	for i, g := range grades {
		e.grade(ts[i], g)
		cg, _ := credit.ParseGrade(g)
		m := measures[cg]
		terms, err := e.a.Billing.Credit.Terms(context.Background(), ts[i], time.Now())
		if err != nil || terms != (tariff.Terms{Grade: g, Guarantee: m.Guarantee, Consolidated: m.ConsolidatedPayment}) {
			t.Errorf("%s: billing terms %+v %v, measures %+v", g, terms, err, m)
		}
		// Two-step declaration is not built: its eligibility is shown.
		_, a := e.do("GET", "/api/v1/enterprises/"+ts[i]+"/credit", e.users["admin"].Token, nil)
		if shown := a["measures"].(map[string]any); shown["two_step"] != m.TwoStep || shown["guarantee"] != m.Guarantee {
			t.Errorf("%s: measures shown %v", g, shown)
		}
		r := e.a.Settings.Risk.Credit[g]
		if r.Multiplier != m.RandomMultiplier || r.Floor != m.MinInspectionRate || r.DocumentReview == nil ||
			*r.DocumentReview != m.DocumentReviewShare || r.Priority != m.Priority {
			t.Errorf("%s: risk measure %+v, credit measures %+v", g, r, m)
		}
	}
}

// The demo shows the measures apart: an advanced-certified trader's green
// import is released on its exemption and paid by its due date; the
// dishonest trader's waits for payment though it holds a general
// guarantee with a balance.
func TestDemoGuaranteeMeasures(t *testing.T) {
	e := newEnv(t, "", true)
	ctx := context.Background()
	users := make([]demo.User, 0, len(e.users))
	payers := map[string]demo.User{}
	for _, u := range e.users {
		users = append(users, u)
		if u.Role == "declarant" {
			payers[u.Enterprise] = u
		}
	}
	if err := e.a.SeedDemoCredit(ctx, users); err != nil {
		t.Fatal(err)
	}
	ents := demo.Enterprises()
	aeo, listed := ents[9].SCC, demo.ListedGuarantee(ents)
	f, u := e.importOf(aeo)
	d := e.submitSettled(f, u, "demo-aeo")
	if s := d["settlement"].(map[string]any); d["status"] != "released" || s["kind"] != "guarantee_exempt" {
		t.Fatalf("advanced-certified import: %v %v", d["status"], s)
	}
	f, u = e.importOf(listed.SCC)
	d = e.submitSettled(f, u, "demo-listed")
	if d["status"] == "under_inspection" {
		_, d = e.do("POST", fmt.Sprintf("/api/v1/declarations/%.0f/inspection-result", d["id"]), e.users["officer.wang"].Token,
			map[string]any{"outcome": "no_finding"})
	}
	if d["status"] != "assessed" || !e.balanceOf(listed.ID).Equal(listed.Amount) {
		t.Fatalf("dishonest trader's import: %v, its guarantee's balance %s", d["status"], e.balanceOf(listed.ID))
	}
	// The exempt bill is paid by the traffic's payers once due.
	rows, _, err := e.a.Billing.Store.Bills(ctx, tariff.BillFilter{Trader: aeo, Limit: 10})
	if err != nil || len(rows) != 1 || rows[0].Measure != tariff.GuaranteeExempt {
		t.Fatalf("bills of the advanced-certified trader: %+v %v", rows, err)
	}
	due, _ := time.ParseInLocation(time.DateOnly, rows[0].DueDate, jinguan.China)
	e.a.payDemoUndertakings(ctx, payers, due.Add(-24*time.Hour))
	if b, _ := e.a.Billing.Store.Bill(ctx, rows[0].No); b.Status != tariff.BillGuaranteed {
		t.Fatalf("paid before it was due: %s", b.Status)
	}
	// On the due date a punctual trader pays without a fee; a late payer
	// days later, with it.
	for _, at := range []time.Time{due.Add(10 * time.Hour), due.Add(5*24*time.Hour + 10*time.Hour)} {
		e.a.Billing.Clock = func() time.Time { return at }
		e.a.payDemoUndertakings(ctx, payers, at)
		b, _ := e.a.Billing.Store.Bill(ctx, rows[0].No)
		paid, wantPaid := b.Status == tariff.BillPaid, !demo.PaysLate(aeo) || at.After(due.Add(24*time.Hour))
		if paid != wantPaid || paid && (b.LateDays > 0) != demo.PaysLate(aeo) {
			t.Fatalf("exempt bill on %s: %s, %d days late", at.Format(time.DateOnly), b.Status, b.LateDays)
		}
	}
}
