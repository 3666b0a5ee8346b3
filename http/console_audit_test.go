package http_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
)

// The audit queue lists released blue-lane declarations; the audit form
// on the declaration page records the result and raises the bill; the
// declaration moves to the audited tab. Those who took part get a note
// instead of the form.
func TestConsoleAudit(t *testing.T) {
	f := startConsole(t, 40)
	ctx, admin := t.Context(), f.users["admin"].Principal()
	d := f.find(t, func(d *declaration.Declaration) bool {
		return d.Lane == declaration.LaneBlue && (d.Status == declaration.StatusReleased || d.Status == declaration.StatusAssessed)
	})
	if d.Status == declaration.StatusAssessed {
		if _, err := f.app.Declarations.Pay(ctx, admin, d.ID, declaration.PaymentInput{Amount: d.Tax.Total, Reference: "B-1"}); err != nil {
			t.Fatal(err)
		}
	}
	officer, path := f.users["officer.wang"].Token, "/console/declarations/"+strconv.FormatInt(d.ID, 10)
	res, body := f.do(t, "GET", "/console/audits", officer, nil)
	wantStatus(t, res, body, http.StatusOK)
	wantIn(t, body, d.EntryID, "待稽查", `id="tab-audited"`)
	_, body = f.do(t, "GET", "/console/audits?lang=en", officer, nil)
	wantIn(t, body, "Post-release audit", "Waiting (blue lane)")

	_, body = f.do(t, "GET", path, officer, nil)
	wantIn(t, body, `id="form-record_audit"`, `id="audit-pending"`, "待稽查")
	res, body = f.do(t, "POST", path+"/record_audit", officer, url.Values{"csrf": {csrfOf(t, body)}, "outcome": {"finding"},
		"g_no": {"1"}, "kind": {"value"}, "additional_duty": {"x"}})
	wantStatus(t, res, body, http.StatusUnprocessableEntity)
	wantIn(t, body, `id="error"`, `value="x"`) // the form keeps what was typed
	res, body = f.do(t, "POST", path+"/record_audit", officer, url.Values{"csrf": {csrfOf(t, body)}, "outcome": {"finding"},
		"g_no": {"1"}, "kind": {"value"}, "additional_duty": {"2500"}, "finding_note": {"发票低报"}})
	wantStatus(t, res, body, http.StatusSeeOther)
	_, body = f.do(t, "GET", res.Header.Get("Location"), officer, nil)
	wantIn(t, body, "已稽查", `id="audit-outcome">发现问题`, `id="audit-duty">2,500.00`, `id="audit-bill"`, "发票低报")
	if strings.Contains(body, `id="form-record_audit"`) {
		t.Error("the audit form is still offered")
	}
	got, _ := f.app.Declarations.Get(ctx, admin, d.ID)
	_, body = f.do(t, "GET", "/console/audits?show=audited", officer, nil)
	wantIn(t, body, d.EntryID, got.Audit.Bill, "officer.wang")
	_, body = f.do(t, "GET", "/console/audits", officer, nil)
	if strings.Contains(body, d.EntryID) {
		t.Error("the audited declaration is still in the queue")
	}
	res, body = f.do(t, "GET", "/console/audits?show=all", officer, nil)
	wantStatus(t, res, body, http.StatusUnprocessableEntity)
	res, body = f.do(t, "GET", "/console/audits", f.outsider(t, d).Token, nil)
	wantStatus(t, res, body, http.StatusForbidden)

	// A red release: its inspector and its releaser may not audit it.
	r := f.find(t, func(d *declaration.Declaration) bool { return d.Status == declaration.StatusUnderInspection })
	wang, li := f.users["officer.wang"].Principal(), f.users["officer.li"].Principal()
	if _, err := f.app.Declarations.RecordResult(ctx, wang, r.ID, declaration.ResultInput{Outcome: "no_finding"}); err != nil {
		t.Fatal(err)
	}
	if r, _ = f.app.Declarations.Get(ctx, admin, r.ID); r.Status == declaration.StatusAssessed {
		if _, err := f.app.Declarations.Pay(ctx, admin, r.ID, declaration.PaymentInput{Amount: r.Tax.Total, Reference: "B-2"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.app.Declarations.Release(ctx, li, r.ID, declaration.ReasonInput{}); err != nil {
		t.Fatal(err)
	}
	path = "/console/declarations/" + strconv.FormatInt(r.ID, 10)
	for _, who := range []string{"officer.wang", "officer.li"} {
		_, body = f.do(t, "GET", path, f.users[who].Token, nil)
		wantIn(t, body, `id="audit-by-other"`, "已放行；关员可选择本单进行稽查")
		if strings.Contains(body, `id="form-record_audit"`) {
			t.Errorf("%s is offered the audit form", who)
		}
	}
	_, body = f.do(t, "GET", path, f.users["admin"].Token, nil)
	wantIn(t, body, `id="form-record_audit"`)
	// Its declarant is not told about audits that may come.
	seen := 0
	for _, u := range f.users {
		if u.Role == auth.RoleDeclarant && (u.Enterprise == r.Head.TradeCoScc || u.Enterprise == r.Head.AgentCodeScc) {
			seen++
			res, body = f.do(t, "GET", path, u.Token, nil)
			wantStatus(t, res, body, http.StatusOK)
			if strings.Contains(body, `id="audit-pending"`) || strings.Contains(body, `id="form-record_audit"`) {
				t.Errorf("declarant %s sees the audit queue", u.Name)
			}
		}
	}
	if seen == 0 {
		t.Error("no declarant of the red release")
	}
}
