package http_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan/declaration"
)

func TestConsoleRiskPages(t *testing.T) {
	f := startConsole(t, 30)
	analyst, admin := f.users["analyst.zhao"].Token, f.users["admin"].Token

	res, body := f.do(t, "GET", "/console/risk/profiles", analyst, nil)
	wantStatus(t, res, body, http.StatusOK)
	wantIn(t, body, `id="new-profile"`, "布控规则")
	res, body = f.do(t, "GET", "/console/risk/profiles/new", analyst, nil)
	wantStatus(t, res, body, http.StatusOK)
	csrf := csrfOf(t, body)
	form := url.Values{"csrf": {csrf}, "id": {"CON-1"}, "title": {"全部进口"}, "rationale": {"测试"}, "owner": {"analyst.zhao"},
		"scope_level": {"national"}, "direction": {"I"}, "valid_from": {time.Now().AddDate(0, -1, 0).Format("2006-01-02")},
		"lane": {"yellow"}, "percent": {"100"}, "expr": {"item.no == 1 &&\r\n  item.colour == \"x\""}, "days": {"7"}}
	res, body = f.do(t, "POST", "/console/risk/profiles/new/save", analyst, form, "Accept-Language", "en")
	wantStatus(t, res, body, http.StatusUnprocessableEntity)
	wantIn(t, body, `id="error"`, "2:7", "colour")
	res, body = f.do(t, "GET", "/console/risk/profiles/CON-1", analyst, nil)
	wantStatus(t, res, body, http.StatusNotFound) // nothing was stored

	form.Set("expr", `item.no == 1 && item.origin != "CHN"`)
	res, body = f.do(t, "POST", "/console/risk/profiles/new/check", analyst, form)
	wantStatus(t, res, body, http.StatusOK)
	wantIn(t, body, `id="check-ok"`)
	res, body = f.do(t, "POST", "/console/risk/profiles/new/backtest", analyst, form)
	wantStatus(t, res, body, http.StatusOK)
	wantIn(t, body, `id="backtest"`, `id="bt-declarations">30<`)
	res, body = f.do(t, "POST", "/console/risk/profiles/new/save", analyst, form)
	wantStatus(t, res, body, http.StatusSeeOther)
	res, body = f.do(t, "GET", "/console/risk/profiles/CON-1?done=save", analyst, nil)
	wantStatus(t, res, body, http.StatusOK)
	wantIn(t, body, `data-version="1"`, "草稿", "/versions/1/activate")
	res, body = f.do(t, "POST", "/console/risk/profiles/CON-1/versions/1/activate", analyst, url.Values{"csrf": {csrf}, "reason": {"批准"}})
	wantStatus(t, res, body, http.StatusSeeOther)
	_, body = f.do(t, "GET", "/console/risk/profiles", analyst, nil)
	wantIn(t, body, "CON-1", `data-status="active"`)

	// Declarants see no targeting.
	declarant := f.outsider(t, f.find(t, func(*declaration.Declaration) bool { return true })).Token
	for _, p := range []string{"/console/risk/profiles", "/console/risk/effectiveness"} {
		res, body = f.do(t, "GET", p, declarant, nil)
		wantStatus(t, res, body, http.StatusForbidden)
	}

	// Every red or yellow declaration explains itself.
	n := 0
	for _, id := range f.ids {
		d, _ := f.app.Declarations.Get(t.Context(), f.users["admin"].Principal(), id)
		if d.Lane != declaration.LaneRed && d.Lane != declaration.LaneYellow {
			continue
		}
		n++
		res, body = f.do(t, "GET", "/console/risk/decisions/"+strconv.FormatInt(id, 10), admin, nil)
		wantStatus(t, res, body, http.StatusOK)
		wantIn(t, body, `id="why-reason"`, `id="random-lane"`, strings.ReplaceAll(d.Risk.ReasonZH, "\"", "&#34;"))
		_, body = f.do(t, "GET", "/console/declarations/"+strconv.FormatInt(id, 10), admin, nil)
		wantIn(t, body, `id="why-link"`)
		// The API says the same.
		var x struct {
			Lane     declaration.Lane          `json:"lane"`
			Decision *declaration.RiskDecision `json:"decision"`
		}
		if code := apiGet(t, f, "/api/v1/risk/decisions/"+strconv.FormatInt(id, 10), admin, &x); code != http.StatusOK ||
			x.Lane != d.Lane || x.Decision == nil || x.Decision.ReasonEN != d.Risk.ReasonEN || x.Decision.RandomLane == "" {
			t.Fatalf("API explanation of %d: %d %+v", id, code, x)
		}
	}
	if n == 0 {
		t.Fatal("no red or yellow declaration to explain")
	}

	// An inspection with additional duty, then effectiveness counts it.
	d := f.find(t, func(d *declaration.Declaration) bool { return d.Status == declaration.StatusUnderInspection })
	path := "/console/declarations/" + strconv.FormatInt(d.ID, 10)
	officer := f.users["officer.wang"].Token
	_, body = f.do(t, "GET", path, admin, nil)
	res, body = f.do(t, "POST", path+"/record_result", admin, url.Values{"csrf": {csrfOf(t, body)}, "outcome": {"finding"},
		"g_no": {"1"}, "kind": {"value"}, "additional_duty": {"1234.50"}, "seized": {"1"}})
	wantStatus(t, res, body, http.StatusSeeOther)
	_, body = f.do(t, "GET", path, officer, nil)
	wantIn(t, body, `id="inspection-duty">1,234.50`)
	if err := f.app.Risk.Projector.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	res, body = f.do(t, "GET", "/console/risk/effectiveness?bucket=hour", analyst, nil)
	wantStatus(t, res, body, http.StatusOK)
	wantIn(t, body, "<svg", `data-stream="random"`, "1,234.50", `id="by-chapter"`)
}

func apiGet(t *testing.T, f *consoleFixture, path, token string, out any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode
}
