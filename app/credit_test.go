package app

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/credit"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/demo"
)

// formFor generates a valid import declaration of trader at office.
func (e *env) formFor(trader, office string) (declaration.Form, demo.User) {
	for {
		f, u := e.form(office, "I")
		if f.Head.TradeCoScc == trader {
			return f, u
		}
	}
}

// The trader's grade reaches the risk stage: with no random inspection
// configured at 2200, a regular trader goes green and a seriously
// dishonest one is always inspected (floor 100 %), from the moment the
// event is recorded.
func TestCreditGradeDrivesInspection(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ents := demo.Enterprises()
		var honest, crook string
		for _, x := range ents {
			if x.Has("consignee") && honest == "" {
				honest = x.SCC
			} else if x.Has("consignee") && crook == "" {
				crook = x.SCC
			}
		}
		admin := e.users["admin"].Token
		code, rec := e.do("POST", "/api/v1/credit/events", admin, map[string]any{"scc": crook, "kind": "smuggling",
			"on": credit.DateOf(time.Now()).String(), "source": "缉私局", "reference": "沪关缉刑〔2026〕1号", "criminal": true})
		if code != 201 || len(rec["grade_changes"].([]any)) != 1 {
			t.Fatalf("record: %d %v", code, rec)
		}
		lanes := map[string]map[string]int{honest: {}, crook: {}}
		for i := 0; i < 12; i++ {
			for _, trader := range []string{honest, crook} {
				f, u := e.formFor(trader, "2200")
				code, d := e.submit(f, u, fmt.Sprintf("credit-%s-%d", trader[10:], i))
				if code != 201 {
					t.Fatalf("submit: %d %v", code, d)
				}
				d = e.settle(d["id"].(float64))
				lanes[trader][d["lane"].(string)]++
			}
		}
		if lanes[crook]["red"] != 12 || lanes[honest]["red"] != 0 {
			t.Errorf("lanes: regular %v, seriously dishonest %v", lanes[honest], lanes[crook])
		}
	})
}

// The credit API end to end: coded errors, the explanation, self-service.
func TestCreditAPI(t *testing.T) {
	e := newEnv(t, "", true)
	admin := e.users["admin"].Token
	code, body := e.do("POST", "/api/v1/enterprises", admin, map[string]any{"scc": "91310115MA1H5N9X7B", "name_zh": "", "roles": []string{"shipper"},
		"customs": "2200", "registered_at": "2020-01-01"})
	if code != 422 || fmt.Sprint(pointers(body)) != "[/name_zh:required /scc:scc_check /roles/0:unknown_role]" {
		t.Errorf("bad registration: %d %v", code, body)
	}
	var self demo.User
	for _, u := range e.users {
		if u.Role == "declarant" {
			self = u
			break
		}
	}
	code, body = e.do("POST", "/api/v1/credit/event-batches", admin, map[string]any{"events": []map[string]any{
		{"scc": self.Enterprise, "kind": "late_annual_report", "on": "2026-01-10", "source": "年报系统"},
		{"scc": self.Enterprise, "kind": "penalty", "on": "2026-01-11", "source": "处罚系统", "amount": "12.345", "intentional": true}}})
	if code != 422 || fmt.Sprint(pointers(body)) != "[/events/1/amount:amount_places]" {
		t.Errorf("bad batch: %d %v", code, body)
	}
	code, body = e.do("GET", "/api/v1/enterprises/"+self.Enterprise+"/credit/events", self.Token, nil)
	if code != 200 || len(body["events"].([]any)) != 0 {
		t.Errorf("events after a refused batch: %d %v", code, body)
	}
	code, _ = e.do("POST", "/api/v1/credit/event-batches", admin, map[string]any{"events": []map[string]any{
		{"scc": self.Enterprise, "kind": "late_annual_report", "on": "2026-01-10", "source": "年报系统"},
		{"scc": self.Enterprise, "kind": "penalty", "on": "2026-01-11", "source": "处罚系统", "amount": "12000", "intentional": true}}})
	if code != 201 {
		t.Fatalf("batch: %d", code)
	}
	// The enterprise sees its own grade, score and the events behind it.
	code, a := e.do("GET", "/api/v1/enterprises/"+self.Enterprise+"/credit?on=2026-02-01", self.Token, nil)
	if code != 200 || a["grade"] != "regular" {
		t.Fatalf("assessment: %d %v", code, a)
	}
	sum := 0.0
	terms := map[string]bool{}
	for _, l := range a["lines"].([]any) {
		l := l.(map[string]any)
		sum += l["points"].(float64)
		terms[l["term"].(string)] = true
	}
	if sum != a["score"].(float64) || !terms["penalty"] || !terms["late_annual_report"] {
		t.Errorf("lines add up to %v, score %v: %v", sum, a["score"], a["lines"])
	}
	code, _ = e.do("GET", "/api/v1/enterprises/"+demo.Enterprises()[5].SCC+"/credit", self.Token, nil)
	if code != 404 && self.Enterprise != demo.Enterprises()[5].SCC {
		t.Errorf("another enterprise's credit: %d", code)
	}
	code, body = e.do("GET", "/api/v1/credit/grades", e.users["officer.wang"].Token, nil)
	if code != 200 || body["model"] != "2026" || len(body["grades"].([]any)) != 5 {
		t.Errorf("grade model: %d %v", code, body)
	}
	code, body = e.do("POST", "/api/v1/credit/runs", admin, nil)
	if code != 200 || body["enterprises"].(float64) < 14 {
		t.Errorf("run: %d %v", code, body)
	}
	code, _ = e.do("POST", "/api/v1/credit/runs", self.Token, nil)
	if code != 403 {
		t.Errorf("a declarant ran the job: %d", code)
	}
}

func pointers(body map[string]any) []string {
	var out []string
	errs, _ := body["errors"].([]any)
	for _, x := range errs {
		m := x.(map[string]any)
		out = append(out, fmt.Sprint(m["pointer"], ":", m["code"]))
	}
	return out
}

// The demo's credit record puts the demo traders in every grade, once.
func TestDemoCredit(t *testing.T) {
	e := newEnv(t, "", true)
	users := make([]demo.User, 0, len(e.users))
	for _, u := range e.users {
		users = append(users, u)
	}
	for i := 0; i < 2; i++ { // the second run changes nothing
		if err := e.a.SeedDemoCredit(context.Background(), users); err != nil {
			t.Fatal(err)
		}
	}
	counts := e.a.Credit.Book().GradeCounts()
	for _, g := range e.a.Credit.Config().Model.Grades() {
		if counts[g] == 0 {
			t.Errorf("no demo enterprise is %s: %v", g, counts)
		}
	}
	ents := demo.Enterprises()
	pending, _ := e.a.Credit.Repairs(context.Background(), e.users["credit.chen"].Principal(), credit.RepairFilter{Status: credit.RepairPending})
	if len(pending) != 1 || pending[0].SCC != ents[6].SCC || pending[0].AppliedBy == "demo" {
		t.Errorf("pending repairs %+v", pending)
	}
	// The officer of the Shenzhen district sees its enterprises only.
	list, _, err := e.a.Credit.Enterprises(context.Background(), e.users["credit.xu"].Principal(), credit.ListFilter{})
	if err != nil || len(list) == 0 {
		t.Fatalf("Shenzhen list %v %v", list, err)
	}
	for _, v := range list {
		if v.Customs[:2] != "53" {
			t.Errorf("credit.xu sees %s of %s", v.SCC, v.Customs)
		}
	}
	// The demo's grades reach the risk stage.
	for _, i := range []int{3, 8} {
		g, _ := e.a.Credit.Book().Lookup(ents[i].SCC)
		if want := []credit.Grade{3: credit.GradeAdvancedCertified, 8: credit.GradeSeriouslyDishonest}[i]; g != want {
			t.Errorf("%s: %s, want %s", ents[i].NameEN, g, want)
		}
	}
}

// An inspection finding recorded on a declaration becomes a credit event
// of the trader; a rejection one of the declaring agent.
func TestCreditFollowsClearance(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		trader := demo.Enterprises()[4].SCC
		f, u := e.formFor(trader, "2201") // the test office inspects every import
		code, d := e.submit(f, u, "credit-follow-1")
		if code != 201 {
			t.Fatalf("submit: %d %v", code, d)
		}
		d = e.settle(d["id"].(float64))
		base := fmt.Sprintf("/api/v1/declarations/%.0f", d["id"].(float64))
		code, r := e.do("POST", base+"/inspection-result", e.users["officer.wang"].Token, map[string]any{"outcome": "finding",
			"findings": []map[string]any{{"g_no": 1, "kind": "value", "note": "under-invoiced"}}})
		if code != 200 {
			t.Fatalf("result: %d %v", code, r)
		}
		f2, u2 := e.formFor(trader, "2202") // sent to document review
		code, d2 := e.submit(f2, u2, "credit-follow-2")
		if code != 201 {
			t.Fatalf("submit: %d %v", code, d2)
		}
		e.settle(d2["id"].(float64))
		code, r = e.do("POST", fmt.Sprintf("/api/v1/declarations/%.0f/reject", d2["id"].(float64)), e.users["officer.wang"].Token,
			map[string]string{"reason": "随附单证不全"})
		if code != 200 {
			t.Fatalf("reject: %d %v", code, r)
		}
		admin := e.users["admin"].Token
		wait := func(scc, kind string) {
			t.Helper()
			deadline := time.Now().Add(10 * time.Second)
			for time.Now().Before(deadline) {
				code, body := e.do("GET", "/api/v1/enterprises/"+scc+"/credit/events", admin, nil)
				events, ok := body["events"].([]any)
				if code != 200 || !ok {
					t.Fatalf("events of %s: %d %v", scc, code, body)
				}
				for _, x := range events {
					if x.(map[string]any)["kind"] == kind {
						return
					}
				}
				time.Sleep(50 * time.Millisecond)
			}
			t.Fatalf("no %s event for %s", kind, scc)
		}
		wait(f.Head.TradeCoScc, "inspection_finding")
		declarer := f2.Head.AgentCodeScc
		if !e.a.Credit.Book().Known(declarer) {
			declarer = trader
		}
		wait(declarer, "rejection")
		_, a := e.do("GET", "/api/v1/enterprises/"+f.Head.TradeCoScc+"/credit", admin, nil)
		found := false
		for _, l := range a["lines"].([]any) {
			found = found || l.(map[string]any)["term"] == "inspection_finding"
		}
		if !found {
			t.Errorf("the finding does not count in the score: %v", a["lines"])
		}
	})
}

// The month's activity comes from the platform's declarations, once.
func TestCreditMonthlyActivity(t *testing.T) {
	e := newEnv(t, "", true)
	ctx := context.Background()
	trader := demo.Enterprises()[4].SCC
	for i := 0; i < 5; i++ {
		office := "2200"
		if i < 2 {
			office = "2201" // inspected
		}
		f, u := e.formFor(trader, office)
		if code, d := e.submit(f, u, fmt.Sprintf("activity-%d", i)); code != 201 {
			t.Fatalf("submit: %d %v", code, d)
		}
	}
	month := credit.DateOf(time.Now())
	n, err := e.a.Credit.RollupMonth(ctx, month)
	if err != nil || n == 0 {
		t.Fatalf("roll-up: %d %v", n, err)
	}
	if n, err := e.a.Credit.RollupMonth(ctx, month); err != nil || n != 0 {
		t.Errorf("second roll-up: %d %v", n, err)
	}
	admin := e.users["admin"].Principal()
	es, _ := e.a.Credit.Events(ctx, admin, trader)
	if len(es) != 1 || es[0].Kind != credit.KindActivity || es[0].Counts.Declarations != 5 || es[0].Counts.Inspections != 2 {
		t.Fatalf("events %+v", es)
	}
	first := es[0].On.String()
	_, err = e.a.Credit.RecordEvent(ctx, admin, []byte(fmt.Sprintf(`{"scc":%q,"kind":"activity","on":%q,"source":"x",
		"counts":{"declarations":1,"lists":0,"manifests":0,"inspections":0}}`, trader, first)))
	if got := fmt.Sprint(pointersOf(err)); got != "[/on:duplicate_month]" {
		t.Errorf("second activity for the month: %v", err)
	}
}

func pointersOf(err error) []string {
	var out []string
	for _, f := range jinguan.AsError(err).Fields {
		out = append(out, f.Pointer+":"+f.Code)
	}
	return out
}
