package http_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan/app"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/demo"
)

// consoleFixture is the whole program on SQLite in a temp folder with demo
// users and n submitted declarations that have left the pipeline.
type consoleFixture struct {
	app   *app.App
	srv   *httptest.Server
	users map[string]demo.User
	ids   []int64
}

// Lane rates well above the defaults so that a few dozen declarations
// reach every lane.
const testSelectivity = "office,direction,valid_from,valid_to,red,yellow,blue\n*,*,2020-01-01,,0.3,0.3,0.1\n"

func startConsole(t *testing.T, n int) *consoleFixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config", "selectivity.csv"), []byte(testSelectivity), 0o644); err != nil {
		t.Fatal(err)
	}
	// A fixed key makes the lane draws the same on every run, so that the
	// tests that look for a lane among the generated declarations find it.
	if err := os.WriteFile(filepath.Join(dir, "secret"), []byte("console test key: lane draws are fixed"), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(ctx, app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	f := &consoleFixture{app: a, srv: httptest.NewServer(a.Handler), users: map[string]demo.User{}}
	t.Cleanup(func() { f.srv.Close(); a.Close() })
	us, err := a.SeedDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		f.users[u.Name] = u
	}
	gen := a.Generator(42)
	for range n {
		body, key, u := gen.Next(time.Now())
		sub, err := a.Declarations.Submit(ctx, u.Principal(), key, body)
		if err != nil {
			t.Fatalf("submit: %v", err)
		}
		f.ids = append(f.ids, sub.Declaration.ID)
	}
	f.waitPipeline(t)
	return f
}

// waitPipeline polls until no declaration is still in status submitted.
func (f *consoleFixture) waitPipeline(t *testing.T) {
	t.Helper()
	admin := f.users["admin"].Principal()
	deadline := time.Now().Add(15 * time.Second)
	for {
		rows, _, err := f.app.Declarations.List(context.Background(), admin,
			declaration.Filter{Status: []declaration.Status{declaration.StatusSubmitted}, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("declarations still in status submitted after 15s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// find returns a declaration matching ok, as seen by admin.
func (f *consoleFixture) find(t *testing.T, ok func(*declaration.Declaration) bool) *declaration.Declaration {
	t.Helper()
	for _, id := range f.ids {
		d, err := f.app.Declarations.Get(context.Background(), f.users["admin"].Principal(), id)
		if err != nil {
			t.Fatal(err)
		}
		if ok(d) {
			return d
		}
	}
	t.Fatal("no declaration matches")
	return nil
}

// outsider is a declarant who may not see d.
func (f *consoleFixture) outsider(t *testing.T, d *declaration.Declaration) demo.User {
	t.Helper()
	for _, u := range f.users {
		if u.Role == auth.RoleDeclarant && !slices.Contains(
			[]string{d.Head.TradeCoScc, d.Head.OwnerCodeScc, d.Head.AgentCodeScc}, u.Enterprise) {
			return u
		}
	}
	t.Fatal("no outsider")
	return demo.User{}
}

// get fetches a path without following redirects.
func (f *consoleFixture) do(t *testing.T, method, path, token string, form url.Values, hdr ...string) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, f.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if token != "" {
		req.AddCookie(&http.Cookie{Name: "jinguan_session", Value: token})
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func wantStatus(t *testing.T, res *http.Response, body string, code int) {
	t.Helper()
	if res.StatusCode != code {
		t.Fatalf("%s %s: status %d, want %d\n%.2000s", res.Request.Method, res.Request.URL, res.StatusCode, code, body)
	}
}

func wantIn(t *testing.T, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

func TestConsoleSessionAndLanguage(t *testing.T) {
	f := startConsole(t, 3)
	officer := f.users["officer.wang"].Token

	res, body := f.do(t, "GET", "/", "", nil)
	wantStatus(t, res, body, http.StatusFound)
	if loc := res.Header.Get("Location"); loc != "/console/declarations" {
		t.Errorf("/ redirects to %q", loc)
	}
	res, body = f.do(t, "GET", "/console/declarations?lane=red", "", nil)
	wantStatus(t, res, body, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/console/login?next=") {
		t.Errorf("no session redirects to %q", loc)
	}
	res, body = f.do(t, "GET", "/console/declarations", "not-a-token", nil)
	wantStatus(t, res, body, http.StatusSeeOther)

	// Bad token: the form again, with the error in the chosen language.
	res, body = f.do(t, "POST", "/console/login", "", url.Values{"token": {"nope"}})
	wantStatus(t, res, body, http.StatusUnauthorized)
	wantIn(t, body, `<html lang="zh-CN">`, "访问令牌无效")
	res, body = f.do(t, "POST", "/console/login", "", url.Values{"token": {"nope"}}, "Accept-Language", "en-GB,en;q=0.9")
	wantStatus(t, res, body, http.StatusUnauthorized)
	wantIn(t, body, `<html lang="en">`, "not valid")

	res, body = f.do(t, "POST", "/console/login", "", url.Values{"token": {officer}, "next": {"/console/declarations?lane=red"}})
	wantStatus(t, res, body, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/console/declarations?lane=red" {
		t.Errorf("login redirects to %q", loc)
	}
	var session *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "jinguan_session" {
			session = c
		}
	}
	if session == nil || session.Value != officer || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie %+v", session)
	}
	res, body = f.do(t, "POST", "/console/login", "", url.Values{"token": {officer}, "next": {"//evil.example/"}})
	if loc := res.Header.Get("Location"); loc != "/console/declarations" {
		t.Errorf("open redirect to %q", loc)
	}

	// Language: ?lang beats the cookie, which beats Accept-Language.
	res, body = f.do(t, "GET", "/console/declarations", officer, nil, "Accept-Language", "en-US,en;q=0.8,zh;q=0.5")
	wantStatus(t, res, body, http.StatusOK)
	wantIn(t, body, `<html lang="en">`, "Entry number", "Declarations by status")
	res, body = f.do(t, "GET", "/console/declarations?lang=zh", officer, nil, "Accept-Language", "en")
	wantIn(t, body, `<html lang="zh-CN">`, "海关编号", "各状态报关单数量")
	if !slices.ContainsFunc(res.Cookies(), func(c *http.Cookie) bool { return c.Name == "lang" && c.Value == "zh" }) {
		t.Error("?lang=zh sets no cookie")
	}
	req, _ := http.NewRequest("GET", f.srv.URL+"/console/declarations", nil)
	req.AddCookie(&http.Cookie{Name: "jinguan_session", Value: officer})
	req.AddCookie(&http.Cookie{Name: "lang", Value: "en"})
	req.Header.Set("Accept-Language", "zh-CN")
	res2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res2.Body)
	res2.Body.Close()
	wantIn(t, string(b), `<html lang="en">`)

	// Logout needs the form token and clears the cookie.
	res, body = f.do(t, "POST", "/console/logout", officer, url.Values{"csrf": {"forged"}})
	wantStatus(t, res, body, http.StatusForbidden)
	_, page := f.do(t, "GET", "/console/declarations", officer, nil)
	res, body = f.do(t, "POST", "/console/logout", officer, url.Values{"csrf": {csrfOf(t, page)}})
	wantStatus(t, res, body, http.StatusSeeOther)
	if !slices.ContainsFunc(res.Cookies(), func(c *http.Cookie) bool { return c.Name == "jinguan_session" && c.MaxAge < 0 }) {
		t.Error("logout does not clear the session cookie")
	}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("page has no csrf field")
	}
	return m[1]
}

func TestConsolePages(t *testing.T) {
	f := startConsole(t, 12)
	officer := f.users["officer.wang"].Token
	d := f.find(t, func(d *declaration.Declaration) bool { return declaration.Can(declaration.ActReject, d.Status) })
	path := "/console/declarations/" + strconv.FormatInt(d.ID, 10)

	res, body := f.do(t, "GET", "/console/static/console.css", "", nil)
	wantStatus(t, res, body, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("stylesheet served as %q", ct)
	}
	res, body = f.do(t, "GET", "/console/static/", "", nil)
	wantStatus(t, res, body, http.StatusNotFound)

	// Paging follows the store's cursor and keeps the filter.
	rowRE := regexp.MustCompile(`href="/console/declarations/(\d+)"`)
	_, body = f.do(t, "GET", "/console/declarations?limit=5", officer, nil)
	first := rowRE.FindAllStringSubmatch(body, -1)
	next := regexp.MustCompile(`href="([^"]+)" id="next-page"`).FindStringSubmatch(body)
	if len(first) != 5 || next == nil {
		t.Fatalf("first page: %d rows, next link %v", len(first), next)
	}
	_, body = f.do(t, "GET", strings.ReplaceAll(next[1], "&amp;", "&"), officer, nil)
	second := rowRE.FindAllStringSubmatch(body, -1)
	if len(second) != 5 || second[0][1] == first[0][1] {
		t.Errorf("second page repeats or is short: %v", second)
	}

	res, body = f.do(t, "GET", "/console/declarations?lane=purple&hs=x", officer, nil)
	wantStatus(t, res, body, http.StatusUnprocessableEntity)
	wantIn(t, body, `id="error"`, "通道", "商品编号前缀")

	res, body = f.do(t, "GET", path, officer, nil)
	wantStatus(t, res, body, http.StatusOK)
	wantIn(t, body, d.EntryID, `id="risk-reason"`, `id="timeline"`, `id="form-reject"`, d.Risk.ReasonZH)

	for _, p := range []string{"/console/declarations/99999999", "/console/declarations/abc", "/console/nothing"} {
		res, body = f.do(t, "GET", p, officer, nil)
		wantStatus(t, res, body, http.StatusNotFound)
		wantIn(t, body, `id="error-page"`, "404")
	}
	res, body = f.do(t, "GET", path, f.outsider(t, d).Token, nil)
	wantStatus(t, res, body, http.StatusNotFound)

	// Actions: a forged token is refused; an error shows on the page; a
	// good form redirects back and the status has changed.
	res, body = f.do(t, "POST", path+"/reject", officer, url.Values{"csrf": {"x"}, "reason": {"no"}})
	wantStatus(t, res, body, http.StatusForbidden)
	_, page := f.do(t, "GET", path, officer, nil)
	csrf := csrfOf(t, page)
	res, body = f.do(t, "POST", path+"/reject", officer, url.Values{"csrf": {csrf}, "reason": {""}}, "Accept-Language", "en")
	wantStatus(t, res, body, http.StatusUnprocessableEntity)
	wantIn(t, body, `id="error"`, "Reason: is required")
	res, body = f.do(t, "POST", path+"/reject", officer, url.Values{"csrf": {csrf}, "reason": {"单证不齐 <b>"}})
	wantStatus(t, res, body, http.StatusSeeOther)
	res, body = f.do(t, "GET", res.Header.Get("Location"), officer, nil)
	wantIn(t, body, "已退单", "单证不齐 &lt;b&gt;")
	res, body = f.do(t, "POST", path+"/reject", officer, url.Values{"csrf": {csrf}, "reason": {"again"}})
	wantStatus(t, res, body, http.StatusConflict)
}
