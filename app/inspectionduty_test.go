package app

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/shopspring/decimal"
)

// Additional duty an inspection finds is assessed with the declaration's
// taxes and collected on its bill.
func TestInspectionDutyOnTheBill(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		f, u := e.form("2201", "I") // red
		_, d := e.submit(f, u, "insp-duty")
		id := d["id"].(float64)
		e.settle(id)
		base := fmt.Sprintf("/api/v1/declarations/%.0f", id)
		code, got := e.do("POST", base+"/inspection-result", e.users["officer.wang"].Token, map[string]any{
			"outcome": "finding", "findings": []map[string]any{{"g_no": 1, "kind": "value", "additional_duty": "1234.56"}}})
		if code != http.StatusOK {
			t.Fatalf("result: %d %v", code, got)
		}
		tax := got["tax"].(map[string]any)
		sum := decimal.Zero
		for _, k := range []string{"duty", "remedy_duty", "consumption_tax", "vat"} {
			sum = sum.Add(decimal.RequireFromString(tax[k].(string)))
		}
		if tax["inspection_duty"] != "1234.56" || !decimal.RequireFromString(tax["total"].(string)).Equal(sum.Add(decimal.RequireFromString("1234.56"))) {
			t.Fatalf("assessment after the finding: %v", tax)
		}
		_, bills := e.do("GET", base+"/tax-bills", e.users["admin"].Token, nil)
		items := bills["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["amount"] != tax["total"] {
			t.Fatalf("bills %v, want one for %v", items, tax["total"])
		}
	})
}
