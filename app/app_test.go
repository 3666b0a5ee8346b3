package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/demo"
	"github.com/jinguan-customs/jinguan/postgres/pgtest"
)

// Lanes are data: the test office 2201 sends every import to red, 2202 to
// yellow, 2248 to blue, everything else is green.
const testSelectivity = `office,direction,valid_from,valid_to,red,yellow,blue
*,*,2020-01-01,,0,0,0
2201,I,2020-01-01,,1,0,0
2202,I,2020-01-01,,0,1,0
2248,I,2020-01-01,,0,0,1
`

type env struct {
	t     *testing.T
	a     *App
	srv   *httptest.Server
	users map[string]demo.User
	gen   *demo.Generator
}

// eachStore runs fn on SQLite and, when JINGUAN_TEST_PG is set, on
// PostgreSQL: the API behaves the same on both.
// "queued" sends every declaration through the pipeline's queue instead of
// running the automatic stages with the submission.
func eachStore(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newEnv(t, "", true)) })
	t.Run("sqlite-queued", func(t *testing.T) { fn(t, newEnv(t, "", false)) })
	t.Run("postgres", func(t *testing.T) { fn(t, newEnv(t, pgtest.Schema(t), true)) })
}

func newEnv(t *testing.T, dsn string, inline bool, configFiles ...[2]string) *env {
	t.Helper()
	return newEnvSettings(t, dsn, inline, nil, configFiles...)
}

// newEnvSettings is newEnv with sections of config.json set (replacing the
// section whole).
func newEnvSettings(t *testing.T, dsn string, inline bool, sections map[string]any, configFiles ...[2]string) *env {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config", "selectivity.csv"), []byte(testSelectivity), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range configFiles {
		if err := os.WriteFile(filepath.Join(dir, "config", f[0]), []byte(f[1]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The e-commerce random stream is off so that lists end as their documents say.
	settings := map[string]any{"pipeline": map[string]any{"inline": inline},
		"ecommerce": map[string]any{"random_red": 0, "random_yellow": 0}}
	for k, v := range sections {
		settings[k] = v
	}
	raw, _ := json.Marshal(settings)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := Config{DataDir: dir, PostgresDSN: dsn}
	a, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	users, err := a.SeedDemo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, a: a, srv: httptest.NewServer(a.Handler), users: map[string]demo.User{}, gen: a.Generator(7)}
	for _, u := range users {
		e.users[u.Name] = u
	}
	t.Cleanup(func() { e.srv.Close(); a.Close() })
	return e
}

// form makes a valid declaration for office, submitted by its trader.
func (e *env) form(office, ie string) (declaration.Form, demo.User) {
	for {
		f, u := e.gen.Form(time.Now())
		if f.Head.IEFlag != ie {
			continue
		}
		f.Head.CustomMaster, f.Head.IEPort = office, office
		return f, u
	}
}

func (e *env) do(method, path, token string, body any, hdr ...string) (int, map[string]any) {
	e.t.Helper()
	var rd *bytes.Reader
	switch b := body.(type) {
	case nil:
		rd = bytes.NewReader(nil)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (e *env) submit(f declaration.Form, u demo.User, key string) (int, map[string]any) {
	return e.do("POST", "/api/v1/declarations", u.Token, f, "Idempotency-Key", key)
}

// settle waits until the pipeline has moved the declaration past submission.
func (e *env) settle(id float64) map[string]any {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second) // generous: CI machines may be loaded
	for time.Now().Before(deadline) {
		_, d := e.do("GET", fmt.Sprintf("/api/v1/declarations/%.0f", id), e.users["admin"].Token, nil)
		if d["status"] != "submitted" {
			return d
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.t.Fatalf("declaration %.0f still submitted", id)
	return nil
}

func (e *env) count() int {
	c, err := e.a.Declarations.Counts(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

func TestSubmitIdempotentAndGreenRelease(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		f, u := e.form("2200", "I")
		code, d := e.submit(f, u, "k-1")
		if code != http.StatusCreated || d["status"] == nil || len(d["entry_id"].(string)) != 18 {
			t.Fatalf("submit: %d %v", code, d)
		}
		if e.a.Settings.Pipeline.Inline && d["lane"] != "green" {
			t.Fatalf("inline: the acknowledgement carries no lane: %v", d["status"])
		}
		code, again := e.submit(f, u, "k-1")
		if code != http.StatusOK || again["id"] != d["id"] {
			t.Fatalf("replay: %d %v", code, again)
		}
		f.Head.NoteS = "changed"
		if code, _ := e.submit(f, u, "k-1"); code != http.StatusConflict {
			t.Fatalf("same key, other body: %d", code)
		}
		if n := e.count(); n != 1 {
			t.Fatalf("%d declarations stored, want 1", n)
		}
		got := e.settle(d["id"].(float64))
		if got["lane"] != "green" || got["tax"] == nil || got["risk"] == nil {
			t.Fatalf("after pipeline: %v", got)
		}
		// Green import: released if the trader's guarantee covers it, else waits for payment.
		if got["status"] == "assessed" {
			total := got["tax"].(map[string]any)["total"]
			code, paid := e.do("POST", fmt.Sprintf("/api/v1/declarations/%.0f/payment", got["id"]), u.Token,
				map[string]any{"amount": total, "reference": "BANK-1"})
			if code != http.StatusOK || paid["status"] != "released" {
				t.Fatalf("payment: %d %v", code, paid)
			}
		} else if got["status"] != "released" {
			t.Fatalf("green import in status %v", got["status"])
		}
	})
}

func TestTenMistakesOneResponseNothingStored(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		f, u := e.form("2200", "I")
		f.Head.TradeCoScc = f.Head.TradeCoScc[:17] + "0"
		if f.Head.TradeCoScc == u.Enterprise {
			f.Head.TradeCoScc = f.Head.TradeCoScc[:17] + "1"
		}
		f.Head.TradeMode = "9999"
		f.Head.NetWt = f.Head.GrossWet.Add(f.Head.GrossWet)
		f.Head.TransMode, f.Head.Fee, f.Head.Insur = "3", nil, nil // FOB: freight and insurance missing (2)
		f.Head.IEDate = "2026-13-01"
		f.Items[0].DeclTotal = f.Items[0].DeclTotal.Add(f.Items[0].DeclTotal).Add(f.Items[0].DeclTotal)
		f.Items[0].FirstUnit = "999"
		f.Items[0].OriginCountry = "ATL"
		f.Items[0].CodeTS = "12345"
		code, resp := e.submit(f, u, "bad-1")
		errs, _ := resp["errors"].([]any)
		if code != http.StatusUnprocessableEntity || len(errs) != 10 {
			t.Fatalf("status %d, %d errors: %v", code, len(errs), resp)
		}
		for _, x := range errs {
			fe := x.(map[string]any)
			if fe["pointer"] == "" || fe["code"] == "" || fe["message_zh"] == "" || fe["message_en"] == "" {
				t.Errorf("incomplete error %v", fe)
			}
		}
		if n := e.count(); n != 0 {
			t.Fatalf("%d declarations stored after a 422", n)
		}
	})
}

func TestVisibilityAndAuth(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		f, u := e.form("2200", "E")
		_, d := e.submit(f, u, "v-1")
		path := fmt.Sprintf("/api/v1/declarations/%.0f", d["id"])
		if code, _ := e.do("GET", path, "", nil); code != http.StatusUnauthorized {
			t.Fatalf("no token: %d", code)
		}
		if code, _ := e.do("GET", path, "jg_wrong", nil); code != http.StatusUnauthorized {
			t.Fatalf("bad token: %d", code)
		}
		var other demo.User
		for _, x := range e.users {
			if x.Role == auth.RoleDeclarant && x.Enterprise != f.Head.TradeCoScc && x.Enterprise != f.Head.AgentCodeScc {
				other = x
				break
			}
		}
		for _, p := range []string{path, path + "/events"} {
			if code, resp := e.do("GET", p, other.Token, nil); code != http.StatusNotFound || resp["code"] != "not_found" {
				t.Fatalf("other enterprise %s: %d %v", p, code, resp)
			}
		}
		if code, _ := e.do("GET", path, u.Token, nil); code != http.StatusOK {
			t.Fatalf("own declaration: %d", code)
		}
		_, list := e.do("GET", "/api/v1/declarations", other.Token, nil)
		if items := list["items"].([]any); len(items) != 0 {
			t.Fatalf("other enterprise lists %d declarations", len(items))
		}
		if code, _ := e.do("POST", "/api/v1/declarations", e.users["officer.wang"].Token, f, "Idempotency-Key", "o-1"); code != http.StatusForbidden {
			t.Fatalf("officer submitting: %d", code)
		}
	})
}

func TestRedLaneInspectionSeparationOfDuties(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		f, u := e.form("2201", "I")
		_, d := e.submit(f, u, "r-1")
		got := e.settle(d["id"].(float64))
		if got["lane"] != "red" || got["status"] != "under_inspection" {
			t.Fatalf("want red lane under inspection, got %v %v", got["lane"], got["status"])
		}
		base := fmt.Sprintf("/api/v1/declarations/%.0f", d["id"])
		wang, li := e.users["officer.wang"].Token, e.users["officer.li"].Token
		if code, _ := e.do("POST", base+"/release", wang, map[string]string{}); code != http.StatusConflict {
			t.Fatalf("release before inspection: %d", code)
		}
		if code, _ := e.do("POST", base+"/inspection-result", u.Token, map[string]string{"outcome": "no_finding"}); code != http.StatusForbidden {
			t.Fatalf("declarant recording a result: %d", code)
		}
		code, r := e.do("POST", base+"/inspection-result", wang, map[string]any{"outcome": "finding",
			"findings": []map[string]any{{"g_no": 1, "kind": "value", "note": "under-invoiced"}}})
		if code != http.StatusOK || r["inspection"] == nil || r["tax"] == nil {
			t.Fatalf("result: %d %v", code, r)
		}
		if r["status"] == "assessed" {
			total := r["tax"].(map[string]any)["total"]
			if code, resp := e.do("POST", base+"/payment", u.Token, map[string]any{"amount": "0.01", "reference": "X"}); code != http.StatusUnprocessableEntity {
				t.Fatalf("wrong amount: %d %v", code, resp)
			}
			if code, _ := e.do("POST", base+"/payment", u.Token, map[string]any{"amount": total, "reference": "BANK-2"}); code != http.StatusOK {
				t.Fatalf("payment: %d", code)
			}
		}
		if code, resp := e.do("POST", base+"/release", wang, map[string]string{}); code != http.StatusForbidden {
			t.Fatalf("inspector releasing: %d %v", code, resp)
		}
		code, r = e.do("POST", base+"/release", li, map[string]string{"reason": "duties settled"})
		if code != http.StatusOK || r["status"] != "released" {
			t.Fatalf("release: %d %v", code, r)
		}
		_, evs := e.do("GET", base+"/events", u.Token, nil)
		var actions []string
		for _, x := range evs["events"].([]any) {
			actions = append(actions, x.(map[string]any)["action"].(string))
		}
		want := "[submit assess_risk route record_result assess_tax"
		if got := fmt.Sprint(actions); len(got) < len(want) || got[:len(want)] != want || actions[len(actions)-1] != "release" {
			t.Fatalf("events %v", actions)
		}
	})
}

func TestRerouteRejectWithdrawAmend(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		f, u := e.form("2202", "I")
		_, d := e.submit(f, u, "y-1")
		if got := e.settle(d["id"].(float64)); got["status"] != "under_review" {
			t.Fatalf("yellow lane: %v", got["status"])
		}
		base := fmt.Sprintf("/api/v1/declarations/%.0f", d["id"])
		analyst := e.users["analyst.zhao"].Token
		if code, _ := e.do("POST", base+"/reroute", analyst, map[string]string{"lane": "red"}); code != http.StatusUnprocessableEntity {
			t.Fatalf("reroute without reason: %d", code)
		}
		code, r := e.do("POST", base+"/reroute", analyst, map[string]string{"lane": "red", "reason": "intelligence on the consignor"})
		if code != http.StatusOK || r["status"] != "under_inspection" || r["risk"].(map[string]any)["stream"] != "rerouted" {
			t.Fatalf("reroute: %d %v", code, r)
		}
		if code, _ := e.do("POST", base+"/withdraw", u.Token, map[string]string{"reason": "x"}); code != http.StatusConflict {
			t.Fatalf("withdraw under inspection: %d", code)
		}
		code, r = e.do("POST", base+"/reject", e.users["officer.li"].Token, map[string]string{"reason": "goods do not match the invoice"})
		if code != http.StatusOK || r["status"] != "rejected" {
			t.Fatalf("reject: %d %v", code, r)
		}

		// Amend a yellow-lane declaration: it is assessed again.
		f2, u2 := e.form("2202", "I")
		_, d2 := e.submit(f2, u2, "y-2")
		e.settle(d2["id"].(float64))
		f2.Head.NoteS = "corrected invoice"
		base2 := fmt.Sprintf("/api/v1/declarations/%.0f", d2["id"])
		code, r = e.do("PUT", base2, u2.Token, f2)
		if code != http.StatusOK || r["amendments"] != 1.0 || r["status"] != "under_review" {
			t.Fatalf("amend: %d %v", code, r)
		}
		code, r = e.do("POST", base2+"/withdraw", u2.Token, map[string]string{"reason": "order cancelled"})
		if code != http.StatusOK || r["status"] != "withdrawn" {
			t.Fatalf("withdraw: %d %v", code, r)
		}
		if code, _ := e.do("POST", base2+"/withdraw", u2.Token, map[string]string{"reason": "again"}); code != http.StatusConflict {
			t.Fatalf("withdraw twice: %d", code)
		}
	})
}

func TestListFilters(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		for i := 0; i < 6; i++ {
			office := []string{"2200", "2201", "2202"}[i%3]
			f, u := e.form(office, "I")
			_, d := e.submit(f, u, fmt.Sprint("l-", i))
			e.settle(d["id"].(float64))
		}
		admin := e.users["admin"].Token
		_, all := e.do("GET", "/api/v1/declarations?limit=2", admin, nil)
		if len(all["items"].([]any)) != 2 || all["next_cursor"] == "" {
			t.Fatalf("paging: %v", all)
		}
		_, red := e.do("GET", "/api/v1/declarations?lane=red&office=2201", admin, nil)
		if items := red["items"].([]any); len(items) != 2 {
			t.Fatalf("red lane filter: %d", len(items))
		}
		code, bad := e.do("GET", "/api/v1/declarations?lane=purple&hs=x&from=yesterday", admin, nil)
		if code != http.StatusUnprocessableEntity || len(bad["errors"].([]any)) != 3 {
			t.Fatalf("bad filters: %d %v", code, bad)
		}
	})
}

// A profile in the data folder targets the declaration; the decision and
// the values that matched are visible through the API.
func TestProfileTargetsDeclaration(t *testing.T) {
	profiles := `[{"id": "SH-ALL-IMPORTS", "version": 3, "title": "All imports at Shanghai", "rationale": "test",
		"scope": {"level": "local", "office": "2200"}, "direction": "I", "valid_from": "2025-01-01T00:00:00+08:00",
		"expr": "item.no == 1 && item.origin != \"CHN\"", "owner": "analyst.zhao", "status": "active",
		"action": {"lane": "red", "percent": 100, "instruction": "开箱查验"}}]`
	e := newEnv(t, "", true, [2]string{"profiles.json", profiles})
	f, u := e.form("2200", "I")
	_, d := e.submit(f, u, "p-1")
	got := e.settle(d["id"].(float64))
	rk := got["risk"].(map[string]any)
	hits, _ := rk["hits"].([]any)
	if got["lane"] != "red" || rk["stream"] != "targeted" || len(hits) != 1 {
		t.Fatalf("decision: lane %v, risk %v", got["lane"], rk)
	}
	h := hits[0].(map[string]any)
	if h["profile_id"] != "SH-ALL-IMPORTS" || h["version"] != 3.0 || h["item"] != 1.0 || h["selected"] != true ||
		h["values"].(map[string]any)["item.origin"] != f.Items[0].OriginCountry {
		t.Fatalf("hit %v", h)
	}
	// Out of the profile's scope: another office is not targeted by it.
	f2, u2 := e.form("5300", "I")
	_, d2 := e.submit(f2, u2, "p-2")
	if r := e.settle(d2["id"].(float64))["risk"].(map[string]any); r["hits"] != nil {
		t.Fatalf("office 5300 hit a Shanghai profile: %v", r)
	}
}
