package app

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan/credit"
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
