package app

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// A declarant learns the lane of its declaration but not the targeting
// behind it; an officer sees the whole decision record.
func TestDeclarantSeesLaneNotTargeting(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		f, u := e.form("2201", "I") // red by the random stream
		code, sub := e.submit(f, u, "redact-1")
		if code != http.StatusCreated {
			t.Fatalf("submit: %d", code)
		}
		id := sub["id"].(float64)
		e.settle(id)
		path := fmt.Sprintf("/api/v1/declarations/%.0f", id)

		_, officer := e.do("GET", path, e.users["officer.wang"].Token, nil)
		full := officer["risk"].(map[string]any)
		if full["lane"] != "red" || full["rates"] == nil || full["stream"] == "" || full["random_lane"] != "red" {
			t.Fatalf("officer's view of the decision: %v", full)
		}
		_, got := e.do("GET", path, u.Token, nil)
		views := []map[string]any{got}
		if e.a.Settings.Pipeline.Inline {
			views = append(views, sub) // the acknowledgement carries the decision
		}
		for _, view := range views {
			r, _ := view["risk"].(map[string]any)
			if r == nil || r["lane"] != "red" {
				t.Fatalf("declarant's view lacks the lane: %v", view["risk"])
			}
			for _, k := range []string{"rates", "hits", "draw", "rule_set", "multiplier", "grade", "model", "random_lane", "previous"} {
				if v, ok := r[k]; ok && v != nil && v != 0.0 && v != "" {
					t.Errorf("declarant sees risk.%s = %v", k, v)
				}
			}
			if !strings.Contains(r["reason_en"].(string), "inspected") {
				t.Errorf("declarant's notice: %v", r["reason_en"])
			}
		}
		_, evs := e.do("GET", path+"/events", u.Token, nil)
		for _, x := range evs["events"].([]any) {
			ev := x.(map[string]any)
			if ev["action"] == "assess_risk" && (ev["reason"] != nil || ev["data"] != nil) {
				t.Errorf("declarant sees the risk step's reason %v / data %v", ev["reason"], ev["data"])
			}
		}
		_, evs = e.do("GET", path+"/events", e.users["officer.wang"].Token, nil)
		seen := false
		for _, x := range evs["events"].([]any) {
			if ev := x.(map[string]any); ev["action"] == "assess_risk" && ev["data"] != nil {
				seen = true
			}
		}
		if !seen {
			t.Error("officer does not see the risk step's record")
		}
	})
}
