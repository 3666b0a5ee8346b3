package http

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/enterprise"
	"github.com/jinguan-customs/jinguan/tariff"
)

// Console pages of the tariff module: tax bills with payment, guarantee
// and refund, guarantee accounts with the consolidated monthly payment,
// the policy calculator, and batch re-reviews. The declaration page shows
// its bills (tax_parts.html).

var _ = func() bool {
	layout := template.Must(template.ParseFS(consoleFS, "console/layout.html"))
	for _, name := range []string{"tax_bills", "tax_bill", "guarantees", "guarantee", "tariff_calc", "tax_reviews", "tax_review"} {
		pages[name] = template.Must(template.Must(layout.Clone()).ParseFS(consoleFS, "console/"+name+".html", "console/tax_parts.html"))
	}
	pages["detail"] = template.Must(template.Must(layout.Clone()).ParseFS(consoleFS, "console/detail.html", "console/tax_parts.html"))
	consoleActions["guarantee"] = &consoleAction{declaration.ActGuarantee, payerRoles, func(s *Server, ctx context.Context, p auth.Principal, id int64, r *http.Request) error {
		_, err := s.Declarations.Guarantee(ctx, p, id, declaration.GuaranteeInput{Account: formText(r, "account")})
		return err
	}}
	return true
}()

func (s *Server) tariffConsoleRoutes(mux *http.ServeMux, page func(string, func(*Server, http.ResponseWriter, *http.Request, *cview) error) http.Handler, cop *http.CrossOriginProtection) {
	mux.Handle("GET /console/tax-bills", page("tax_bills", (*Server).billsPage))
	mux.Handle("GET /console/tax-bills/{no}", page("tax_bill", (*Server).billPage))
	mux.Handle("POST /console/tax-bills/{no}/{action}", cop.Handler(page("tax_bill_action", (*Server).billActionPost)))
	mux.Handle("GET /console/guarantees", page("guarantees", (*Server).guaranteesPage))
	mux.Handle("GET /console/guarantees/{id}", page("guarantee", (*Server).guaranteePage))
	mux.Handle("POST /console/guarantees/{id}/pay", cop.Handler(page("guarantee_pay", (*Server).consolidatedPost)))
	mux.Handle("GET /console/tariff/calc", page("tariff_calc", (*Server).calcPage))
	mux.Handle("GET /console/tax-reviews", page("tax_reviews", (*Server).reviewsPage))
	mux.Handle("POST /console/tax-reviews", cop.Handler(page("tax_review_run", (*Server).reviewPost)))
	mux.Handle("GET /console/tax-reviews/{id}", page("tax_review", (*Server).reviewPage))
}

// billRow is a bill with what paying it today costs.
type billRow struct {
	tariff.Bill
	Due *BillDue
}

func (s *Server) billRows(bills []tariff.Bill) []billRow {
	out := make([]billRow, len(bills))
	now := time.Now()
	for i, b := range bills {
		out[i] = billRow{Bill: b, Due: s.billView(b, nil, now).Due}
	}
	return out
}

// BillStatus, BillKind and GuaranteeKind name codes in the page language.
func (v *cview) BillStatus(s string) string    { return v.T("bill.status." + s) }
func (v *cview) BillKind(k string) string      { return v.T("bill.kind." + k) }
func (v *cview) GuaranteeKind(k string) string { return v.T("guarantee.kind." + k) }

// Overdue reports whether an open bill is past its due date.
func (v *cview) Overdue(b tariff.Bill) bool {
	return (b.Status == tariff.BillUnpaid || b.Status == tariff.BillGuaranteed) &&
		b.DueDate < time.Now().In(jinguan.China).Format(time.DateOnly)
}

// SeesAllBills: officers and admins see every enterprise's bills and run re-reviews.
func (v *cview) SeesAllBills() bool {
	return v.User != nil && (v.User.Role == auth.RoleOfficer || v.User.Role == auth.RoleAdmin)
}

type billsData struct {
	Q        url.Values
	Statuses []string
	BillRows []billRow
	NextURL  string
}

func (s *Server) billsPage(w http.ResponseWriter, r *http.Request, v *cview) error {
	q := r.URL.Query()
	d := billsData{Q: q, Statuses: tariff.BillStatuses}
	f, err := parseBillFilter(q)
	if err != nil {
		v.Err = jinguan.AsError(err)
		return s.render(w, http.StatusUnprocessableEntity, "tax_bills", v, d)
	}
	if f.Limit == 0 {
		f.Limit = consolePageSize
	}
	rows, next, err := s.Billing.Bills(r.Context(), *v.User, f)
	if err != nil {
		if jinguan.ErrorCode(err) == jinguan.EINVALID {
			v.Err = jinguan.AsError(err)
			return s.render(w, http.StatusUnprocessableEntity, "tax_bills", v, d)
		}
		return err
	}
	d.BillRows = s.billRows(rows)
	if next != "" {
		nq := url.Values{}
		for k, vs := range q {
			nq[k] = vs
		}
		nq.Del("lang")
		nq.Set("cursor", next)
		d.NextURL = "/console/tax-bills?" + nq.Encode()
	}
	return s.render(w, http.StatusOK, "tax_bills", v, d)
}

type billData struct {
	B        BillView
	CanPay   bool
	CanGuar  bool
	CanRefnd bool
	Accounts []enterprise.GuaranteeAccount
	action   string
	posted   url.Values
}

// Val refills a field of the form that was just posted and failed.
func (d billData) Val(action, field string) string {
	if d.action != action {
		return ""
	}
	return d.posted.Get(field)
}

func (s *Server) billPage(w http.ResponseWriter, r *http.Request, v *cview) error {
	if done := r.URL.Query().Get("done"); done != "" {
		v.Notice = v.T("detail.done") + v.T("bill.action."+done)
	}
	return s.renderBill(w, r, v, http.StatusOK, "", nil)
}

func (s *Server) renderBill(w http.ResponseWriter, r *http.Request, v *cview, code int, action string, posted url.Values) error {
	no, err := pathBill(r)
	if err != nil {
		return err
	}
	p := *v.User
	b, evs, err := s.Billing.Bill(r.Context(), p, no)
	if err != nil {
		return err
	}
	payer := p.Role == auth.RoleDeclarant || v.SeesAllBills()
	d := billData{B: s.billView(b, evs, time.Now()), action: action, posted: posted,
		CanPay:   payer && (b.Status == tariff.BillUnpaid || b.Status == tariff.BillGuaranteed),
		CanGuar:  payer && b.Status == tariff.BillUnpaid && b.Kind != tariff.BillRefund,
		CanRefnd: v.SeesAllBills() && b.Status == tariff.BillRefundDue}
	if d.CanGuar {
		if d.Accounts, err = s.Guarantees.Store.GuaranteeAccounts(r.Context(), b.TradeCoScc); err != nil {
			return err
		}
	}
	return s.render(w, code, "tax_bill", v, d)
}

func (s *Server) billActionPost(w http.ResponseWriter, r *http.Request, v *cview) error {
	no, err := pathBill(r)
	if err != nil {
		return err
	}
	action := r.PathValue("action")
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil || !v.csrfOK(r) {
		return errCSRF
	}
	ctx, p := r.Context(), *v.User
	switch action {
	case "pay":
		amount, perr := decimal.NewFromString(formText(r, "amount"))
		if perr != nil {
			err = jinguan.Invalid([]jinguan.FieldError{{Pointer: "/amount", Code: "format", MessageZH: "金额格式错误", MessageEN: "the amount is not a number"}})
			break
		}
		_, err = s.Billing.PayBill(ctx, p, no, declaration.PaymentInput{Amount: amount, Reference: formText(r, "reference")})
	case "guarantee":
		_, err = s.Billing.GuaranteeBill(ctx, p, no, declaration.GuaranteeInput{Account: formText(r, "account")})
	case "refund":
		_, err = s.Billing.RefundBill(ctx, p, no, tariff.RefundInput{Reference: formText(r, "reference")})
	default:
		return jinguan.NotFound("页面", "page")
	}
	switch code := jinguan.ErrorCode(err); code {
	case "":
		http.Redirect(w, r, "/console/tax-bills/"+no+"?done="+action, http.StatusSeeOther)
		return nil
	case jinguan.ENOTFOUND, jinguan.EINTERNAL, jinguan.EUNAVAIL:
		return err
	default:
		v.Err, v.Path, v.query = jinguan.AsError(err), "/console/tax-bills/"+no, nil
		return s.renderBill(w, r, v, statusOf[code], action, r.PostForm)
	}
}

// declarationBills loads the bills shown on a declaration's page and the
// amount its pay form proposes: the bill with today's late fee.
func (s *Server) declarationBillRows(ctx context.Context, p auth.Principal, d *declaration.Declaration) ([]billRow, string) {
	if s.Billing == nil {
		return nil, ""
	}
	bills, err := s.Billing.DeclarationBills(ctx, p, d.ID)
	if err != nil {
		return nil, ""
	}
	rows := s.billRows(bills)
	for _, b := range rows {
		if d.Tax != nil && b.No == d.Tax.BillNo && b.Due != nil {
			return rows, b.Due.Total.StringFixed(2)
		}
	}
	return rows, ""
}

type guaranteesData struct {
	Rows []enterprise.GuaranteeAccount
}

func (s *Server) guaranteesPage(w http.ResponseWriter, r *http.Request, v *cview) error {
	rows, err := s.Guarantees.Accounts(r.Context(), *v.User, "")
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "guarantees", v, guaranteesData{Rows: rows})
}

type guaranteeData struct {
	A         AccountView
	Period    string
	Statement *tariff.Statement
	CanPay    bool
	posted    url.Values
}

func (d guaranteeData) Val(field string) string { return d.posted.Get(field) }

func (s *Server) guaranteePage(w http.ResponseWriter, r *http.Request, v *cview) error {
	if r.URL.Query().Get("done") == "pay" {
		v.Notice = v.T("detail.done") + v.T("guarantee.pay")
	}
	return s.renderGuarantee(w, r, v, http.StatusOK, r.URL.Query().Get("period"), nil)
}

func (s *Server) renderGuarantee(w http.ResponseWriter, r *http.Request, v *cview, code int, period string, posted url.Values) error {
	id, err := pathAccount(r)
	if err != nil {
		return err
	}
	ctx, p := r.Context(), *v.User
	a, debits, evs, err := s.Guarantees.Account(ctx, p, id)
	if err != nil {
		return err
	}
	if period == "" {
		period = time.Now().In(jinguan.China).AddDate(0, -1, 0).Format("2006-01")
	}
	d := guaranteeData{A: AccountView{GuaranteeAccount: a, Debits: debits, Events: evs}, Period: period, posted: posted}
	if a.Consolidated {
		st, err := s.Billing.Statement(ctx, p, id, period)
		if err != nil && jinguan.ErrorCode(err) != jinguan.EINVALID {
			return err
		}
		if err == nil {
			d.Statement = &st
			d.CanPay = len(st.Bills) > 0
		} else if v.Err == nil {
			v.Err = jinguan.AsError(err)
		}
	}
	return s.render(w, code, "guarantee", v, d)
}

func (s *Server) consolidatedPost(w http.ResponseWriter, r *http.Request, v *cview) error {
	id, err := pathAccount(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil || !v.csrfOK(r) {
		return errCSRF
	}
	in := tariff.ConsolidatedInput{Period: formText(r, "period"), Reference: formText(r, "reference")}
	if in.Amount, err = decimal.NewFromString(formText(r, "amount")); err == nil {
		_, err = s.Billing.PayConsolidated(r.Context(), *v.User, id, in)
	} else {
		err = jinguan.Invalid([]jinguan.FieldError{{Pointer: "/amount", Code: "format", MessageZH: "金额格式错误", MessageEN: "the amount is not a number"}})
	}
	switch code := jinguan.ErrorCode(err); code {
	case "":
		http.Redirect(w, r, "/console/guarantees/"+id+"?done=pay&period="+url.QueryEscape(in.Period), http.StatusSeeOther)
		return nil
	case jinguan.ENOTFOUND, jinguan.EINTERNAL, jinguan.EUNAVAIL:
		return err
	default:
		v.Err, v.Path, v.query = jinguan.AsError(err), "/console/guarantees/"+id, nil
		return s.renderGuarantee(w, r, v, statusOf[code], in.Period, r.PostForm)
	}
}

type calcData struct {
	Q      url.Values
	Result *tariff.CalcResult
}

// calcPage is the policy calculator: a GET form, so a result can be
// bookmarked and shared; nothing is stored.
func (s *Server) calcPage(w http.ResponseWriter, r *http.Request, v *cview) error {
	q := r.URL.Query()
	d := calcData{Q: q}
	if q.Get("code_ts") == "" {
		if q.Get("date") == "" {
			q.Set("date", time.Now().In(jinguan.China).Format(time.DateOnly))
		}
		return s.render(w, http.StatusOK, "tariff_calc", v, d)
	}
	in, errs := calcInputFromQuery(q)
	var err error
	if errs == nil {
		var res tariff.CalcResult
		if res, err = s.Calculator.Calc(in); err == nil {
			d.Result = &res
		}
	} else {
		err = jinguan.Invalid(errs)
	}
	if err != nil {
		if jinguan.ErrorCode(err) != jinguan.EINVALID {
			return err
		}
		v.Err = jinguan.AsError(err)
		return s.render(w, http.StatusUnprocessableEntity, "tariff_calc", v, d)
	}
	v.at = time.Now()
	return s.render(w, http.StatusOK, "tariff_calc", v, d)
}

// calcInputFromQuery reads the calculator form; a number that does not
// parse is a field error at the input's JSON pointer.
func calcInputFromQuery(q url.Values) (tariff.CalcInput, []jinguan.FieldError) {
	var errs []jinguan.FieldError
	num := func(key, ptr string) decimal.Decimal {
		v := strings.TrimSpace(q.Get(key))
		if v == "" {
			return decimal.Zero
		}
		d, err := decimal.NewFromString(v)
		if err != nil {
			errs = append(errs, jinguan.FieldError{Pointer: ptr, Code: "format", MessageZH: "应为数字", MessageEN: "not a number"})
		}
		return d
	}
	in := tariff.CalcInput{CodeTS: strings.TrimSpace(q.Get("code_ts")), Origin: strings.ToUpper(strings.TrimSpace(q.Get("origin_country"))),
		Agreement: strings.ToUpper(strings.TrimSpace(q.Get("agreement"))), Date: q.Get("date"), TransMode: q.Get("trans_mode"),
		Price: num("price", "/price"), Currency: strings.ToUpper(strings.TrimSpace(q.Get("currency"))),
		GrossWet: num("gross_wet", "/gross_wet"), FirstQty: num("first_qty", "/first_qty"), InQuota: q.Get("in_quota") == "1"}
	charge := func(name string) *declaration.Charge {
		if q.Get(name+"_mark") == "" {
			return nil
		}
		return &declaration.Charge{Mark: q.Get(name + "_mark"), Rate: num(name+"_rate", "/"+name+"/rate"),
			Currency: strings.ToUpper(strings.TrimSpace(q.Get(name + "_curr")))}
	}
	in.Fee, in.Insur = charge("fee"), charge("insur")
	return in, errs
}

type reviewsData struct {
	Rows   []tariff.Review
	posted url.Values
}

func (d reviewsData) Val(field string) string { return d.posted.Get(field) }

func (s *Server) reviewsPage(w http.ResponseWriter, r *http.Request, v *cview) error {
	return s.renderReviews(w, r, v, http.StatusOK, nil)
}

func (s *Server) renderReviews(w http.ResponseWriter, r *http.Request, v *cview, code int, posted url.Values) error {
	rows, err := s.Reviews.Reviews(r.Context(), *v.User, 50)
	if err != nil {
		return err
	}
	return s.render(w, code, "tax_reviews", v, reviewsData{Rows: rows, posted: posted})
}

func (s *Server) reviewPost(w http.ResponseWriter, r *http.Request, v *cview) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil || !v.csrfOK(r) {
		return errCSRF
	}
	in := tariff.ReviewInput{From: formText(r, "from"), To: formText(r, "to"), Rule: formText(r, "rule"),
		Reason: formText(r, "reason"), Apply: r.PostFormValue("apply") == "1"}
	if o := (tariff.ItemOverride{CodeTS: formText(r, "code_ts"), Origin: strings.ToUpper(formText(r, "origin_country"))}); o.CodeTS != "" || o.Origin != "" {
		in.Override = &o
	}
	rv, err := s.Reviews.Run(r.Context(), *v.User, in, nil)
	switch code := jinguan.ErrorCode(err); code {
	case "":
		http.Redirect(w, r, "/console/tax-reviews/"+rv.ID, http.StatusSeeOther)
		return nil
	case jinguan.EINVALID:
		v.Err, v.query = jinguan.AsError(err), nil
		return s.renderReviews(w, r, v, statusOf[code], r.PostForm)
	default:
		return err
	}
}

func (s *Server) reviewPage(w http.ResponseWriter, r *http.Request, v *cview) error {
	id := r.PathValue("id")
	if !reAccount.MatchString(id) {
		return jinguan.NotFound("复审记录", "re-review")
	}
	rv, err := s.Reviews.Review(r.Context(), *v.User, id)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "tax_review", v, rv)
}

// Itoa is for templates.
func (v *cview) Itoa(n int) string { return strconv.Itoa(n) }

// CalcTerms are the transaction terms the calculator offers.
func (v *cview) CalcTerms() []string { return []string{"1", "2", "3", "4", "7"} }
