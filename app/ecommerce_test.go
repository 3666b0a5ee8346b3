package app

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func sampleXML(t *testing.T, names ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("<batch>")
	for _, n := range names {
		x, err := os.ReadFile(filepath.Join("..", "ecommerce", "testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		b.Write(bytes.TrimPrefix(x, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)))
	}
	b.WriteString("</batch>")
	return b.Bytes()
}

func receipts(t *testing.T, out map[string]any) []map[string]any {
	t.Helper()
	var rs []map[string]any
	for _, r := range out["receipts"].([]any) {
		rs = append(rs, r.(map[string]any))
	}
	return rs
}

// The samples of cbec-messages.md's elements go through the API: the list
// is released with domain.md's cosmetics tax, shown with its documents,
// returned within the window; malformed XML gets a CEB900 receipt.
func TestEcommerceAPI(t *testing.T) {
	e := newEnv(t, "", true)
	admin := e.users["admin"].Token
	code, out := e.do("POST", "/api/v1/ecommerce/messages", admin,
		sampleXML(t, "ceb621-inventory.xml", "ceb311-order.xml", "ceb411-payment.xml", "ceb511-waybill.xml"), "Content-Type", "application/xml")
	if code != 200 {
		t.Fatalf("%d %v", code, out)
	}
	rs := receipts(t, out)
	if len(rs) != 4 || rs[0]["type"] != "CEB622" || rs[0]["status"] != 120.0 || rs[3]["type"] != "CEB512" {
		t.Fatalf("receipts %v", rs)
	}
	id := rs[0]["list_id"].(float64)
	code, view := e.do("GET", fmt.Sprintf("/api/v1/ecommerce/lists/%.0f", id), admin, nil)
	if code != 200 {
		t.Fatalf("%d %v", code, view)
	}
	list := view["list"].(map[string]any)
	tax := view["decision"].(map[string]any)["tax"].(map[string]any)
	if list["status"] != 800.0 || tax["consumptionTax"] != "39.53" || tax["valueAddedTax"] != "34.26" || view["order"] == nil ||
		view["payment"] == nil || view["waybill"] == nil || len(view["receipts"].([]any)) != 2 {
		t.Fatalf("list view %v", view)
	}
	code, out = e.do("GET", "/api/v1/ecommerce/lists?status=800", admin, nil)
	if code != 200 || len(out["lists"].([]any)) != 1 {
		t.Fatalf("%d %v", code, out)
	}
	// Malformed XML and a wrong amount get coded receipts.
	bad := strings.Replace(string(sampleXML(t, "ceb311-order.xml")), "<ceb:acturalPaid>393.79", "<ceb:acturalPaid>300.00", 1)
	_, out = e.do("POST", "/api/v1/ecommerce/messages", admin, []byte(bad), "Content-Type", "application/xml")
	if rs := receipts(t, out); len(rs) != 1 || rs[0]["type"] != "CEB900" || rs[0]["code"] != "amount_mismatch" {
		t.Fatalf("wrong amount: %v", rs)
	}
	_, out = e.do("POST", "/api/v1/ecommerce/messages", admin, []byte("<ceb:CEB311Message"), "Content-Type", "application/xml")
	if rs := receipts(t, out); len(rs) != 1 || rs[0]["code"] != "xml_syntax" {
		t.Fatalf("malformed: %v", rs)
	}
	// JSON is the same thing.
	_, out = e.do("POST", "/api/v1/ecommerce/messages", admin, []byte(`[{"CEB623Message": {"guid": "X", "version": "1.0", "InvtCancel": [{}]}}]`))
	if rs := receipts(t, out); len(rs) != 1 || rs[0]["type"] != "CEB900" || rs[0]["code"] != "required" {
		t.Fatalf("json: %v", rs)
	}
	_, out = e.do("POST", "/api/v1/ecommerce/messages", admin, sampleXML(t, "ceb625-return.xml"), "Content-Type", "application/xml")
	if rs := receipts(t, out); rs[0]["status"] != 700.0 {
		t.Fatalf("return: %v", rs)
	}
	if code, _ := e.do("POST", "/api/v1/ecommerce/messages", e.users["officer.wang"].Token, sampleXML(t, "ceb311-order.xml"),
		"Content-Type", "application/xml"); code != 403 {
		t.Fatalf("an officer submitted: %d", code)
	}
	code, out = e.do("GET", "/api/v1/ecommerce/tax-periods", admin, nil)
	if p := out["periods"].([]any); code != 200 || len(p) != 1 || p[0].(map[string]any)["bills"] != 0.0 {
		t.Fatalf("periods after the return: %d %v", code, out)
	}
}

// The console shows lists by status and one list with its three
// documents and its tax bill, in both languages, with no missing string.
func TestEcommerceConsole(t *testing.T) {
	e := newEnv(t, "", true)
	admin := e.users["admin"].Token
	_, out := e.do("POST", "/api/v1/ecommerce/messages", admin,
		sampleXML(t, "ceb311-order.xml", "ceb411-payment.xml", "ceb511-waybill.xml", "ceb621-inventory.xml"), "Content-Type", "application/xml")
	id := receipts(t, out)[3]["list_id"].(float64)
	get := func(path string) string {
		req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: "jinguan_session", Value: admin})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
		if m := regexp.MustCompile(`>[^<]*\b(cbec|risk|lane|col|list|filter|detail|nav)\.[a-z_.0-9]+`).FindString(string(b)); m != "" {
			t.Errorf("%s: untranslated %q", path, m)
		}
		return string(b)
	}
	for _, lang := range []string{"zh", "en"} {
		page := get("/console/ecommerce?status=800&lang=" + lang)
		if !strings.Contains(page, "ORD20261111000001") {
			t.Fatalf("%s list page lacks the list:\n%s", lang, page)
		}
		page = get(fmt.Sprintf("/console/ecommerce/%.0f?lang=%s", id, lang))
		for _, want := range []string{"39.53", "34.26", "73.79", "doc-order", "393.79", "SF1234567890", "CEB816"} {
			if !strings.Contains(page, want) {
				t.Fatalf("%s detail page lacks %q", lang, want)
			}
		}
	}
}
