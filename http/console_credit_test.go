package http_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan/credit"
	"github.com/jinguan-customs/jinguan/demo"
)

// The credit pages for an officer, a credit officer and the enterprise
// itself, in both languages, with the demo's credit record.
func TestConsoleCredit(t *testing.T) {
	f := startConsole(t, 6)
	var users []demo.User
	for _, u := range f.users {
		users = append(users, u)
	}
	if err := f.app.SeedDemoCredit(context.Background(), users); err != nil {
		t.Fatal(err)
	}
	ents := demo.Enterprises()
	chen, xu, officer := f.users["credit.chen"].Token, f.users["credit.xu"].Token, f.users["officer.wang"].Token
	var futian demo.User // the demo's dishonest trader with a pending repair
	for _, u := range f.users {
		if u.Enterprise == ents[6].SCC {
			futian = u
		}
	}

	res, body := f.do(t, "GET", "/console/enterprises", officer, nil)
	wantStatus(t, res, body, http.StatusOK)
	wantIn(t, body, "企业信用管理", `data-grade="seriously_dishonest"`, "严重失信企业", ents[8].NameZH)
	res, body = f.do(t, "GET", "/console/enterprises?grade=advanced_certified&lang=en", officer, nil)
	wantStatus(t, res, body, http.StatusOK)
	wantIn(t, body, "Enterprise credit", ents[3].SCC, ents[9].NameEN)
	if strings.Contains(body, ents[4].NameEN) {
		t.Error("the grade filter lets a regular enterprise through")
	}
	res, body = f.do(t, "GET", "/console/enterprises?grade=bogus", officer, nil)
	wantStatus(t, res, body, http.StatusUnprocessableEntity)

	// The officer sees the explanation but no personal data and no forms.
	res, body = f.do(t, "GET", "/console/enterprises/"+ents[10].SCC, officer, nil)
	wantStatus(t, res, body, http.StatusOK)
	wantIn(t, body, `id="credit-score"`, `id="credit-grounds"`, "处罚次数超比例且金额超限", `id="score-total"`)
	if strings.Contains(body, `id="form-event"`) || strings.Contains(body, `id="form-certify"`) {
		t.Error("an officer is offered credit forms")
	}

	// A credit officer of another district does not see it.
	res, body = f.do(t, "GET", "/console/enterprises/"+ents[3].SCC, xu, nil)
	wantStatus(t, res, body, http.StatusNotFound)

	// The enterprise sees its own record and may apply; not another's.
	res, body = f.do(t, "GET", "/console/enterprises", futian.Token, nil)
	wantStatus(t, res, body, http.StatusSeeOther)
	res, body = f.do(t, "GET", "/console/enterprises/"+ents[6].SCC+"?lang=en", futian.Token, nil)
	wantStatus(t, res, body, http.StatusOK)
	wantIn(t, body, "dishonest", "fines left unpaid", `id="credit-repair-list"`, "pending")
	res, body = f.do(t, "GET", "/console/enterprises/"+ents[8].SCC, futian.Token, nil)
	wantStatus(t, res, body, http.StatusNotFound)

	// A credit officer records an event through the form; a bad one comes
	// back with the field named and the values kept.
	res, page := f.do(t, "GET", "/console/enterprises/"+ents[5].SCC, chen, nil)
	wantStatus(t, res, page, http.StatusOK)
	wantIn(t, page, `id="form-event"`, `id="form-certify"`)
	csrf := csrfOf(t, page)
	bad := url.Values{"csrf": {csrf}, "kind": {"penalty"}, "on": {"2026-13-01"}, "source": {"处罚系统"}, "amount": {"8000"}, "reference": {"深关缉违字〔2026〕77号"}}
	res, body = f.do(t, "POST", "/console/enterprises/"+ents[5].SCC+"/event", chen, bad)
	wantStatus(t, res, body, http.StatusUnprocessableEntity)
	wantIn(t, body, "/on", "/intentional", "深关缉违字〔2026〕77号")
	good := url.Values{"csrf": {csrf}, "kind": {"penalty"}, "on": {credit.DateOf(time.Now()).String()}, "source": {"处罚系统"}, "amount": {"8000"},
		"intentional": {"no"}, "reference": {"深关缉违字〔2026〕77号"}}
	res, body = f.do(t, "POST", "/console/enterprises/"+ents[5].SCC+"/event", chen, good)
	wantStatus(t, res, body, http.StatusSeeOther)
	res, body = f.do(t, "GET", res.Header.Get("Location"), chen, nil)
	wantIn(t, body, "信用事件已记录", "深关缉违字〔2026〕77号", `data-term="penalty"`)

	// The repair queue: the applicant cannot decide; the officer approves.
	res, body = f.do(t, "GET", "/console/credit/repairs", chen, nil)
	wantStatus(t, res, body, http.StatusOK)
	wantIn(t, body, ents[6].NameZH, `data-status="pending"`)
	pending, _ := f.app.Credit.Repairs(context.Background(), f.users["admin"].Principal(), credit.RepairFilter{Status: credit.RepairPending})
	if len(pending) != 1 {
		t.Fatalf("pending %+v", pending)
	}
	path := "/console/credit/repairs/" + strconv.FormatInt(pending[0].ID, 10)
	res, body = f.do(t, "POST", path+"/approve", chen, url.Values{"csrf": {csrfOf(t, body)}, "reason": {""}})
	wantStatus(t, res, body, http.StatusUnprocessableEntity)
	res, body = f.do(t, "POST", path+"/approve", chen, url.Values{"csrf": {csrf}, "reason": {"罚款已缴清，整改到位"}})
	wantStatus(t, res, body, http.StatusSeeOther)
	if g, _ := f.app.Credit.Book().Lookup(ents[6].SCC); g != credit.GradeRegular {
		t.Errorf("after approval: %s", g)
	}
	res, body = f.do(t, "GET", "/console/credit/repairs?status=approved&done=approve&lang=en", chen, nil)
	wantIn(t, body, "The repair was approved", "罚款已缴清")

	// The grade model with the lanes by grade.
	res, body = f.do(t, "GET", "/console/credit/grades?lang=en", officer, nil)
	wantStatus(t, res, body, http.StatusOK)
	wantIn(t, body, "Grades and measures", `id="grade-rates"`, "exempt", "full")
	res, body = f.do(t, "GET", "/console/credit/grades", futian.Token, nil)
	wantStatus(t, res, body, http.StatusForbidden)
}
