package app

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan/risk"
)

// The risk API end to end: a bad profile is refused with its position and
// changes nothing; a good one is drafted, edited, activated and then
// targets the next declaration, whose "why selected" view names it.
func TestRiskAPI(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		analyst, officer := e.users["analyst.zhao"].Token, e.users["officer.wang"].Token
		_, before := e.do("GET", "/api/v1/risk/profiles", analyst, nil)
		prof := map[string]any{"id": "API-TEST", "title": "全部进口 / all imports", "rationale": "test", "owner": "analyst.zhao",
			"scope": map[string]string{"level": "national"}, "direction": "I", "valid_from": time.Now().AddDate(0, -1, 0),
			"expr": "item.no == 1 &&\n  item.colour == \"red\"", "action": map[string]any{"lane": "yellow", "percent": 100, "instruction": "审核单证"}}
		code, res := e.do("POST", "/api/v1/risk/profiles", analyst, prof)
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("bad profile: %d %v", code, res)
		}
		fe := res["errors"].([]any)[0].(map[string]any)
		if fe["pointer"] != "/expr" || fe["code"] != "cel_compile" || !strings.Contains(fe["message_en"].(string), "2:7") {
			t.Fatalf("error %v", fe)
		}
		if _, after := e.do("GET", "/api/v1/risk/profiles", analyst, nil); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("a refused profile changed the registry: %v", after)
		}
		prof["expr"] = `item.no == 1 && decl.trader != ""`
		if code, res = e.do("POST", "/api/v1/risk/profiles", officer, prof); code != http.StatusForbidden {
			t.Fatalf("officer created: %d", code)
		}
		if code, res = e.do("POST", "/api/v1/risk/profiles", analyst, prof); code != http.StatusCreated || res["status"] != "draft" {
			t.Fatalf("create: %d %v", code, res)
		}
		prof["version"] = 1
		prof["action"] = map[string]any{"lane": "red", "percent": 100, "instruction": "开箱查验"}
		if code, res = e.do("PUT", "/api/v1/risk/profiles/API-TEST", analyst, prof); code != http.StatusCreated || res["version"] != 2.0 {
			t.Fatalf("edit: %d %v", code, res)
		}
		bt := map[string]any{"profile": prof, "days": 7}
		if code, res = e.do("POST", "/api/v1/risk/backtest", analyst, bt); code != http.StatusOK || res["declarations"] == nil {
			t.Fatalf("backtest: %d %v", code, res)
		}
		code, res = e.do("POST", "/api/v1/risk/profiles/API-TEST/versions/2/activate", analyst, map[string]string{"reason": "approved"})
		if code != http.StatusOK || res["status"] != "active" {
			t.Fatalf("activate: %d %v", code, res)
		}
		f, u := e.form("2200", "I")
		_, d := e.submit(f, u, "api-risk-1")
		got := e.settle(d["id"].(float64))
		if got["lane"] != "red" {
			t.Fatalf("lane %v after activation", got["lane"])
		}
		path := fmt.Sprintf("/api/v1/risk/decisions/%.0f", d["id"])
		if code, _ := e.do("GET", path, u.Token, nil); code != http.StatusForbidden && code != http.StatusNotFound {
			t.Fatalf("a declarant saw the targeting: %d", code)
		}
		code, x := e.do("GET", path, officer, nil)
		if code != http.StatusOK {
			t.Fatalf("explain: %d %v", code, x)
		}
		hits := x["hits"].([]any)
		h := hits[0].(map[string]any)
		if h["profile_id"] != "API-TEST" || h["profile"].(map[string]any)["rationale"] != "test" ||
			h["profile"].(map[string]any)["action"].(map[string]any)["instruction"] != "开箱查验" ||
			x["decision"].(map[string]any)["random_lane"] == nil {
			t.Fatalf("explanation %v", x)
		}
		code, hist := e.do("GET", "/api/v1/risk/profiles/API-TEST", officer, nil)
		if code != http.StatusOK || len(hist["versions"].([]any)) != 2 || len(hist["events"].([]any)) != 3 {
			t.Fatalf("history %d %v", code, hist)
		}
		code, ev := e.do("GET", "/api/v1/risk/effectiveness?bucket=hour", analyst, nil)
		if code != http.StatusOK || len(ev["streams"].([]any)) != len(risk.Streams) {
			t.Fatalf("effectiveness %d %v", code, ev)
		}
		if code, _ := e.do("GET", "/api/v1/risk/effectiveness?bucket=week&from=x", analyst, nil); code != http.StatusUnprocessableEntity {
			t.Fatalf("bad query: %d", code)
		}
		list := map[string]any{"kind": "bill", "description": "可疑提单", "values": []string{"COSU0000000001"}}
		if code, res = e.do("PUT", "/api/v1/risk/lists/watch-bills", analyst, list); code != http.StatusOK || res["updated_by"] != "analyst.zhao" {
			t.Fatalf("put list: %d %v", code, res)
		}
		prices := map[string]any{"prices": []map[string]any{{"code": "2204210000", "origin": "*", "price": "40", "valid_from": time.Now()}}}
		if code, res = e.do("PUT", "/api/v1/risk/ref-prices", analyst, prices); code != http.StatusOK {
			t.Fatalf("put prices: %d %v", code, res)
		}
		code, exp := e.do("GET", "/api/v1/risk/profiles/export?status=active", analyst, nil)
		if code != http.StatusOK || len(exp["profiles"].([]any)) != 1 {
			t.Fatalf("export %d %v", code, exp)
		}
		if code, res = e.do("POST", "/api/v1/risk/profiles/import", analyst, exp); code != http.StatusOK ||
			res["profiles"].([]any)[0].(map[string]any)["version"] != 3.0 {
			t.Fatalf("re-import %d %v", code, res)
		}
	})
}
