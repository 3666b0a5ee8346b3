package app

import (
	"fmt"
	"net/http"
	"testing"
)

// 选查处分离: whoever re-routed (selected) may neither inspect nor release;
// the inspector may not release; the result carries the additional duty.
func TestSelectionInspectionReleaseByDifferentPeople(t *testing.T) {
	e := newEnv(t, "", true)
	f, u := e.form("2202", "I") // random yellow
	_, d := e.submit(f, u, "sep-1")
	e.settle(d["id"].(float64))
	base := fmt.Sprintf("/api/v1/declarations/%.0f", d["id"])
	li, wang := e.users["officer.li"].Token, e.users["officer.wang"].Token

	code, r := e.do("POST", base+"/reroute", li, map[string]string{"lane": "red", "reason": "seal number differs from the manifest"})
	if code != http.StatusOK || r["status"] != "under_inspection" {
		t.Fatalf("reroute: %d %v", code, r)
	}
	rk := r["risk"].(map[string]any)
	if rk["random_lane"] != "yellow" || rk["previous"].(map[string]any)["stream"] != "random" {
		t.Fatalf("re-routed decision keeps the random lane and the previous decision: %v", rk)
	}
	result := map[string]any{"outcome": "finding", "findings": []map[string]any{
		{"g_no": 1, "kind": "value", "additional_duty": "1200.50"},
		{"g_no": 1, "kind": "quantity", "additional_duty": "99.50", "seized": true}}}
	if code, _ := e.do("POST", base+"/inspection-result", li, result); code != http.StatusForbidden {
		t.Fatalf("the selecting officer inspected: %d", code)
	}
	code, r = e.do("POST", base+"/inspection-result", wang, result)
	if code != http.StatusOK {
		t.Fatalf("result: %d %v", code, r)
	}
	insp := r["inspection"].(map[string]any)
	if insp["additional_duty"] != "1300" || insp["seized"] != true {
		t.Fatalf("result totals: %v", insp)
	}
	st := e.settle(d["id"].(float64))
	if st["status"] == "assessed" {
		total := st["tax"].(map[string]any)["total"]
		if code, _ := e.do("POST", base+"/payment", u.Token, map[string]any{"amount": total, "reference": "B-1"}); code != http.StatusOK {
			t.Fatalf("payment: %d", code)
		}
	}
	for _, who := range []string{li, wang} {
		if code, _ := e.do("POST", base+"/release", who, map[string]string{}); code != http.StatusForbidden {
			t.Fatalf("released by the selector or the inspector: %d", code)
		}
	}
	if code, r := e.do("POST", base+"/release", e.users["admin"].Token, map[string]string{}); code != http.StatusOK || r["status"] != "released" {
		t.Fatalf("release by a third person: %d %v", code, r)
	}
}

// A lane may be lowered only by a risk analyst, and never below what the
// random stream drew.
func TestRerouteDownwards(t *testing.T) {
	profiles := `[{"id": "ALL-2200", "version": 1, "title": "All imports at Shanghai", "rationale": "test",
		"scope": {"level": "national"}, "direction": "I", "valid_from": "2025-01-01T00:00:00+08:00",
		"expr": "decl.office == \"2200\"", "owner": "analyst.zhao", "status": "active",
		"action": {"lane": "red", "percent": 100, "instruction": "开箱查验"}}]`
	e := newEnv(t, "", true, [2]string{"profiles.json", profiles})
	f, u := e.form("2200", "I")
	_, d := e.submit(f, u, "down-1")
	if got := e.settle(d["id"].(float64)); got["lane"] != "red" {
		t.Fatalf("lane %v", got["lane"])
	}
	base := fmt.Sprintf("/api/v1/declarations/%.0f", d["id"])
	down := map[string]string{"lane": "yellow", "reason": "documents suffice"}
	if code, _ := e.do("POST", base+"/reroute", e.users["officer.li"].Token, down); code != http.StatusForbidden {
		t.Fatalf("an officer lowered the lane: %d", code)
	}
	code, r := e.do("POST", base+"/reroute", e.users["analyst.zhao"].Token, down)
	if code != http.StatusOK || r["lane"] != "yellow" || r["risk"].(map[string]any)["previous"].(map[string]any)["stream"] != "targeted" {
		t.Fatalf("analyst lowers: %d %v", code, r)
	}

	f, u = e.form("2202", "I") // random yellow
	_, d = e.submit(f, u, "down-2")
	e.settle(d["id"].(float64))
	code, r = e.do("POST", fmt.Sprintf("/api/v1/declarations/%.0f/reroute", d["id"]), e.users["analyst.zhao"].Token,
		map[string]string{"lane": "green", "reason": "known trader"})
	if code != http.StatusUnprocessableEntity || r["errors"].([]any)[0].(map[string]any)["code"] != "random_selection" {
		t.Fatalf("random selection lowered: %d %v", code, r)
	}
}
