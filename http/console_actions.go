package http

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
)

// consoleAction is one form on the declaration page. roles mirror the
// service's checks only to decide which forms to show; the service still
// decides.
type consoleAction struct {
	action declaration.Action
	roles  []auth.Role
	run    func(s *Server, ctx context.Context, p auth.Principal, id int64, r *http.Request) error
}

var (
	officerRoles   = []auth.Role{auth.RoleOfficer, auth.RoleAdmin}
	routerRoles    = []auth.Role{auth.RoleOfficer, auth.RoleRiskAnalyst, auth.RoleAdmin}
	declarantRoles = []auth.Role{auth.RoleDeclarant, auth.RoleAdmin}
	payerRoles     = []auth.Role{auth.RoleDeclarant, auth.RoleOfficer, auth.RoleAdmin}
)

// consoleActions is keyed by the last path segment of the form's URL,
// which is also the action name.
var consoleActions = map[string]*consoleAction{
	"record_result": {declaration.ActRecordResult, officerRoles, func(s *Server, ctx context.Context, p auth.Principal, id int64, r *http.Request) error {
		in, err := resultInput(r)
		if err == nil {
			_, err = s.Declarations.RecordResult(ctx, p, id, in)
		}
		return err
	}},
	"record_audit": {declaration.ActRecordAudit, officerRoles, func(s *Server, ctx context.Context, p auth.Principal, id int64, r *http.Request) error {
		in, err := resultInput(r)
		if err == nil {
			_, err = s.Declarations.RecordAudit(ctx, p, id, in)
		}
		return err
	}},
	"release": {declaration.ActRelease, officerRoles, func(s *Server, ctx context.Context, p auth.Principal, id int64, r *http.Request) error {
		_, err := s.Declarations.Release(ctx, p, id, declaration.ReasonInput{Reason: formText(r, "reason")})
		return err
	}},
	"reject": {declaration.ActReject, officerRoles, func(s *Server, ctx context.Context, p auth.Principal, id int64, r *http.Request) error {
		_, err := s.Declarations.Reject(ctx, p, id, declaration.ReasonInput{Reason: formText(r, "reason")})
		return err
	}},
	"withdraw": {declaration.ActWithdraw, declarantRoles, func(s *Server, ctx context.Context, p auth.Principal, id int64, r *http.Request) error {
		_, err := s.Declarations.Withdraw(ctx, p, id, declaration.ReasonInput{Reason: formText(r, "reason")})
		return err
	}},
	"reroute": {declaration.ActReroute, routerRoles, func(s *Server, ctx context.Context, p auth.Principal, id int64, r *http.Request) error {
		_, err := s.Declarations.Reroute(ctx, p, id, declaration.RerouteInput{
			Lane: declaration.Lane(formText(r, "lane")), Reason: formText(r, "reason")})
		return err
	}},
	"pay": {declaration.ActPay, payerRoles, runPay},
}

func formText(r *http.Request, k string) string { return strings.TrimSpace(r.PostFormValue(k)) }

// resultInput reads the result form: the outcome and at most one finding.
func resultInput(r *http.Request) (declaration.ResultInput, error) {
	in := declaration.ResultInput{Outcome: formText(r, "outcome"), Note: formText(r, "note")}
	if in.Outcome == "finding" {
		gno, err := strconv.Atoi(formText(r, "g_no"))
		if err != nil {
			gno = 0 // the service reports it as an unknown item
		}
		f := declaration.Finding{GNo: gno, Kind: formText(r, "kind"), Note: formText(r, "finding_note"), Seized: formText(r, "seized") != ""}
		if t := formText(r, "additional_duty"); t != "" {
			d, err := decimal.NewFromString(t)
			if err != nil {
				return in, jinguan.Invalid([]jinguan.FieldError{{Pointer: "/findings/0/additional_duty", Code: "format",
					MessageZH: "金额格式错误", MessageEN: "the amount is not a number"}})
			}
			f.AdditionalDuty = d
		}
		in.Findings = []declaration.Finding{f}
	}
	return in, nil
}

func runPay(s *Server, ctx context.Context, p auth.Principal, id int64, r *http.Request) error {
	amount, err := decimal.NewFromString(formText(r, "amount"))
	if err != nil {
		return jinguan.Invalid([]jinguan.FieldError{{Pointer: "/amount", Code: "format",
			MessageZH: "金额格式错误", MessageEN: "the amount is not a number"}})
	}
	_, err = s.Declarations.Pay(ctx, p, id, declaration.PaymentInput{Amount: amount, Reference: formText(r, "reference")})
	return err
}

// actionPost runs one form: POST, then redirect back to the page (so a
// reload does not repeat it); a coded error re-renders the page with the
// message and the posted values.
func (s *Server) actionPost(w http.ResponseWriter, r *http.Request, v *cview) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	name := r.PathValue("action")
	a := consoleActions[name]
	if a == nil {
		return jinguan.NotFound("页面", "page")
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return jinguan.Invalid([]jinguan.FieldError{{Code: "body_too_large",
			MessageZH: "表单过大或无法读取", MessageEN: "the form is too large or unreadable"}})
	}
	if !v.csrfOK(r) {
		return errCSRF
	}
	err = a.run(s, r.Context(), *v.User, id, r)
	switch code := jinguan.ErrorCode(err); code {
	case "":
		http.Redirect(w, r, "/console/declarations/"+strconv.FormatInt(id, 10)+"?done="+name, http.StatusSeeOther)
		return nil
	case jinguan.ENOTFOUND, jinguan.EINTERNAL, jinguan.EUNAVAIL:
		return err
	default:
		v.Err = jinguan.AsError(err)
		v.Path = "/console/declarations/" + strconv.FormatInt(id, 10)
		v.query = nil
		return s.renderDetail(w, r, v, id, statusOf[code], name, r.PostForm)
	}
}
