package http

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
)

// Console pages of the post-clearance audit (稽查): the queue of released
// blue-lane declarations not yet audited and the audits recorded, and the
// audit form on the declaration page (console_actions.go).

var _ = func() bool {
	layout := template.Must(template.ParseFS(consoleFS, "console/layout.html"))
	t := template.Must(layout.Clone())
	pages["audits"] = template.Must(t.ParseFS(consoleFS, "console/audits.html", "console/risk_nav.html"))
	return true
}()

// WithData is the view with other data, for sub-templates.
func (v *cview) WithData(x any) *cview {
	c := *v
	c.Data = x
	return &c
}

// resultView is a review, inspection or audit result and the id prefix
// of its fields on the page.
type resultView struct {
	ID string
	R  *declaration.InspectionResult
}

// Result names a result for the "result" template.
func (d detailData) Result(id string, r *declaration.InspectionResult) resultView {
	return resultView{id, r}
}

// resultForm is what the "resultform" template needs: the action
// (record_result or record_audit) and the page.
type resultForm struct {
	Action declaration.Action
	Name   string
	D      detailData
}

// ResultForm names the action for the "resultform" template.
func (d detailData) ResultForm(action string) resultForm {
	return resultForm{declaration.Action(action), action, d}
}

// auditRow is a row of the audit page: the list row, and the audit once
// recorded.
type auditRow struct {
	declaration.Summary
	Audit *declaration.InspectionResult
}

type auditsData struct {
	Show    string // pending | audited
	Rows    []auditRow
	NextURL string
}

// auditsPage lists the audit queue (show=pending: released blue-lane
// declarations) or the audits recorded, whatever the lane (show=audited).
func (s *Server) auditsPage(w http.ResponseWriter, r *http.Request, v *cview) error {
	if err := s.riskGate(v); err != nil {
		return err
	}
	ctx, p, q := r.Context(), *v.User, r.URL.Query()
	d := auditsData{Show: q.Get("show")}
	f := declaration.Filter{Lane: declaration.LaneBlue, Status: []declaration.Status{declaration.StatusReleased},
		Cursor: q.Get("cursor"), Limit: consolePageSize}
	switch d.Show {
	case "", "pending":
		d.Show = "pending"
	case "audited":
		f.Lane, f.Status = "", []declaration.Status{declaration.StatusAudited}
	default:
		return jinguan.Invalid([]jinguan.FieldError{{Pointer: "/query/show", Code: "one_of",
			MessageZH: "取值应为 pending, audited 之一", MessageEN: "must be one of pending, audited"}})
	}
	rows, next, err := s.Declarations.List(ctx, p, f)
	if err != nil {
		return err
	}
	for _, row := range rows {
		ar := auditRow{Summary: row}
		if row.Status == declaration.StatusAudited {
			full, err := s.Declarations.Get(ctx, p, row.ID)
			if err != nil {
				return err
			}
			ar.Audit = full.Audit
		}
		d.Rows = append(d.Rows, ar)
	}
	if next != "" {
		d.NextURL = "/console/audits?show=" + d.Show + "&cursor=" + url.QueryEscape(next)
	}
	return s.render(w, http.StatusOK, "audits", v, d)
}
