package http

import (
	"encoding/json"
	"io/fs"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
)

func TestAcceptLang(t *testing.T) {
	for h, want := range map[string]string{
		"":                           "zh",
		"en-US,en;q=0.9":             "en",
		"zh-CN,zh;q=0.9,en;q=0.8":    "zh",
		"fr-FR,en;q=0.5,zh-TW;q=0.4": "en",
		"de, en;q=0.3, zh;q=0.7":     "zh",
		"ja":                         "zh",
		"EN":                         "en",
	} {
		if got := acceptLang(h); got != want {
			t.Errorf("acceptLang(%q) = %s, want %s", h, got, want)
		}
	}
}

// Every key the templates name, and every key built from a status, lane,
// action or role, is in the message table in both languages.
func TestConsoleMessagesComplete(t *testing.T) {
	for k, m := range consoleMessages {
		if m[0] == "" || m[1] == "" {
			t.Errorf("%s lacks a language", k)
		}
	}
	var keys []string
	re := regexp.MustCompile(`\.T "([^"]+)"`)
	fs.WalkDir(consoleFS, "console", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(consoleFS, path)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			keys = append(keys, m[1])
		}
		return nil
	})
	if len(keys) < 50 {
		t.Fatalf("found only %d keys in the templates", len(keys))
	}
	for _, s := range declaration.Statuses {
		keys = append(keys, "status."+string(s))
	}
	for _, l := range allLanes {
		keys = append(keys, "lane."+string(l))
	}
	for _, r := range auth.Roles {
		keys = append(keys, "role."+string(r))
	}
	for _, a := range []declaration.Action{declaration.ActSubmit, declaration.ActAssessRisk, declaration.ActRoute,
		declaration.ActRecordResult, declaration.ActAssessTax, declaration.ActGuarantee, declaration.ActPay,
		declaration.ActRelease, declaration.ActReject, declaration.ActWithdraw, declaration.ActAmend, declaration.ActReroute,
		declaration.ActRecordAudit} {
		keys = append(keys, "action."+string(a))
	}
	for name := range consoleActions {
		keys = append(keys, "btn."+name)
	}
	for _, k := range append(keys, "role.system", "stream.random", "stream.rerouted", "outcome.finding",
		"outcome.no_finding", "settle.paid", "settle.guaranteed", "settle.none_due", "ie.I", "ie.E") {
		if _, ok := consoleMessages[k]; !ok {
			t.Errorf("message %q is missing", k)
		}
	}
}

func TestConsoleFormatting(t *testing.T) {
	v := &cview{Lang: "en"}
	for in, want := range map[string]string{"0": "0.00", "999.5": "999.50", "1234567.891": "1,234,567.89", "-1000": "-1,000.00"} {
		if got := v.Money(decimal.RequireFromString(in)); got != want {
			t.Errorf("Money(%s) = %s, want %s", in, got, want)
		}
	}
	if got := fraction("0.045"); got != "4.5%" {
		t.Errorf("fraction = %s", got)
	}
	for next, want := range map[string]string{
		"/console/declarations/7":   "/console/declarations/7",
		"//evil.example":            consoleHome,
		"https://evil.example":      consoleHome,
		"/console/login?next=x":     consoleHome,
		"/console/\\evil":           consoleHome,
		"":                          consoleHome,
		"/console/declarations?a=1": "/console/declarations?a=1",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
	r := httptest.NewRequest("GET", "/console/declarations?lane=red&lang=zh", nil)
	v = &cview{Lang: "zh", Path: r.URL.Path, query: r.URL.Query()}
	if got := v.SwitchURL(); got != "/console/declarations?lane=red&lang=en" {
		t.Errorf("SwitchURL = %s", got)
	}
}

func TestEventReasonLocalized(t *testing.T) {
	tax := declaration.Event{Action: declaration.ActAssessTax, Role: "system", Reason: "basic: …",
		Data: json.RawMessage(`{"duty":"7477.37","vat":"10692.63","total":"18170"}`)}
	route := declaration.Event{Action: declaration.ActRoute, Role: "system", To: declaration.StatusUnderInspection, Reason: "lane red"}
	person := declaration.Event{Action: declaration.ActReject, Role: "officer", Reason: "货证不符"}
	cases := []struct {
		lang string
		ev   declaration.Event
		want string
	}{
		{"zh", tax, "关税 7477.37，增值税 10692.63，合计 18170.00 元"},
		{"en", tax, "duty 7477.37, VAT 10692.63, total CNY 18170.00"},
		{"zh", route, "转入查验（红色通道）"},
		{"en", person, "货证不符"},
	}
	for _, c := range cases {
		v := &cview{Lang: c.lang}
		if got := v.EventReason(c.ev); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.lang, c.ev.Action, got, c.want)
		}
	}
}
