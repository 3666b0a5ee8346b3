package http

import (
	"net/http"
	"regexp"
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

// The tariff module's API: the policy calculator, tax bills, guarantee
// accounts and batch re-reviews.

// BillView is a bill with its history and what paying it today costs.
type BillView struct {
	tariff.Bill
	Events []tariff.BillEvent `json:"events"`
	Due    *BillDue           `json:"due_today,omitempty"` // open bills only
}

// BillDue is the late fee and total of paying a bill on the day asked.
type BillDue struct {
	Date     string          `json:"date"`
	LateDays int             `json:"late_days"`
	LateFee  decimal.Decimal `json:"late_fee"`
	Total    decimal.Decimal `json:"total"`
}

// AccountInput registers a guarantee account or changes its terms.
type AccountInput struct {
	SCC          string          `json:"scc"`
	Kind         string          `json:"kind"`
	Consolidated bool            `json:"consolidated"`
	Amount       decimal.Decimal `json:"amount"`
	ValidFrom    string          `json:"valid_from"`
	ValidTo      string          `json:"valid_to,omitempty"`
	Reason       string          `json:"reason,omitempty"`
	// Bill makes it a specific guarantee (逐票担保) of that one tax bill.
	Bill string `json:"bill,omitempty"`
}

// AccountView is an account with its latest debits and its history.
type AccountView struct {
	enterprise.GuaranteeAccount
	Debits []enterprise.GuaranteeDebit `json:"debits"`
	Events []enterprise.GuaranteeEvent `json:"events"`
}

func (s *Server) billView(b tariff.Bill, evs []tariff.BillEvent, at time.Time) BillView {
	v := BillView{Bill: b, Events: evs}
	if v.Events == nil {
		v.Events = []tariff.BillEvent{}
	}
	if b.Status == tariff.BillUnpaid || b.Status == tariff.BillGuaranteed {
		fee, days := s.Billing.Config.LateFee(b.Amount, b.DueDate, at)
		v.Due = &BillDue{Date: at.In(jinguan.China).Format(time.DateOnly), LateDays: days, LateFee: fee, Total: b.Amount.Add(fee)}
	}
	return v
}

func (s *Server) calc(w http.ResponseWriter, r *http.Request, _ auth.Principal) error {
	var in tariff.CalcInput
	if err := decodeInput(w, r, &in); err != nil {
		return err
	}
	res, err := s.Calculator.Calc(in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

var (
	reBillNo  = regexp.MustCompile(`^[0-9A-Z-]{1,40}$`)
	rePeriod  = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}$`)
	reAccount = regexp.MustCompile(`^[0-9A-Za-z-]{1,32}$`)
)

func pathBill(r *http.Request) (string, error) {
	no := r.PathValue("no")
	if !reBillNo.MatchString(no) {
		return "", jinguan.NotFound("税单", "tax bill")
	}
	return no, nil
}

func pathAccount(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !reAccount.MatchString(id) {
		return "", jinguan.NotFound("担保账户", "guarantee account")
	}
	return id, nil
}

// parseBillFilter reads the bill list's query, reporting every bad value.
func parseBillFilter(q map[string][]string) (tariff.BillFilter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	var f tariff.BillFilter
	var errs []jinguan.FieldError
	bad := func(k, want string) {
		errs = append(errs, jinguan.FieldError{Pointer: "/query/" + k, Code: "format",
			MessageZH: "查询参数格式错误，应为：" + want, MessageEN: "malformed query parameter; expected " + want})
	}
	if v := get("status"); v != "" {
		for _, st := range strings.Split(v, ",") {
			if !contains(tariff.BillStatuses, st) {
				bad("status", "a comma-separated list of bill statuses")
				break
			}
			f.Status = append(f.Status, st)
		}
	}
	switch k := get("kind"); k {
	case "", tariff.BillOriginal, tariff.BillSupplementary, tariff.BillRefund:
		f.Kind = k
	default:
		bad("kind", "original, supplementary or refund")
	}
	check := func(k string, re *regexp.Regexp, want string, dst *string) {
		if v := get(k); v != "" {
			if !re.MatchString(v) {
				bad(k, want)
			}
			*dst = v
		}
	}
	check("trader", reSCC, "an 18-character credit code", &f.Trader)
	check("guarantee", reAccount, "a guarantee account number", &f.Guarantee)
	check("period", rePeriod, "YYYY-MM", &f.Period)
	check("review", reAccount, "a re-review number", &f.Review)
	if v := get("declaration"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			bad("declaration", "a declaration id")
		}
		f.Declaration = id
	}
	if v := get("overdue"); v == "true" {
		f.DueBefore = time.Now().In(jinguan.China).Format(time.DateOnly)
		if len(f.Status) == 0 {
			f.Status = []string{tariff.BillUnpaid, tariff.BillGuaranteed}
		}
	} else if v != "" && v != "false" {
		bad("overdue", "true or false")
	}
	date := func(k string, dst *time.Time, addDay bool) {
		if v := get(k); v != "" {
			t, err := time.ParseInLocation(time.DateOnly, v, jinguan.China)
			if err != nil {
				bad(k, "YYYY-MM-DD")
				return
			}
			if addDay {
				t = t.AddDate(0, 0, 1)
			}
			*dst = t
		}
	}
	date("from", &f.From, false)
	date("to", &f.To, true)
	if v := get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > declaration.MaxLimit {
			bad("limit", "1–500")
		}
		f.Limit = n
	}
	f.Cursor = get("cursor")
	if len(errs) > 0 {
		return f, jinguan.Invalid(errs)
	}
	return f, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (s *Server) listBills(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f, err := parseBillFilter(r.URL.Query())
	if err != nil {
		return err
	}
	rows, next, err := s.Billing.Bills(r.Context(), p, f)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []tariff.Bill{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": rows, "next_cursor": next})
}

func (s *Server) getBill(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	no, err := pathBill(r)
	if err != nil {
		return err
	}
	b, evs, err := s.Billing.Bill(r.Context(), p, no)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.billView(b, evs, time.Now()))
}

func (s *Server) declarationBills(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.Declarations.Get(r.Context(), p, id); err != nil {
		return err
	}
	rows, err := s.Billing.DeclarationBills(r.Context(), p, id)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []tariff.Bill{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": rows})
}

// billAction decodes an action's input and runs it on the bill.
func billAction[T any](s *Server, w http.ResponseWriter, r *http.Request, p auth.Principal,
	fn func(*tariff.Billing, auth.Principal, string, T) (tariff.Bill, error)) error {
	no, err := pathBill(r)
	if err != nil {
		return err
	}
	var in T
	if err := decodeInput(w, r, &in); err != nil {
		return err
	}
	if _, err := fn(s.Billing, p, no, in); err != nil {
		return err
	}
	b, evs, err := s.Billing.Bill(r.Context(), p, no)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.billView(b, evs, time.Now()))
}

func (s *Server) payBill(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return billAction(s, w, r, p, func(b *tariff.Billing, p auth.Principal, no string, in declaration.PaymentInput) (tariff.Bill, error) {
		return b.PayBill(r.Context(), p, no, in)
	})
}

func (s *Server) guaranteeBill(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return billAction(s, w, r, p, func(b *tariff.Billing, p auth.Principal, no string, in declaration.GuaranteeInput) (tariff.Bill, error) {
		return b.GuaranteeBill(r.Context(), p, no, in)
	})
}

func (s *Server) refundBill(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return billAction(s, w, r, p, func(b *tariff.Billing, p auth.Principal, no string, in tariff.RefundInput) (tariff.Bill, error) {
		return b.RefundBill(r.Context(), p, no, in)
	})
}

func (s *Server) guaranteeDeclaration(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return act(w, r, p, s.Declarations.Guarantee)
}

func (s *Server) listAccounts(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	scc := r.URL.Query().Get("scc")
	if scc != "" && !reSCC.MatchString(scc) {
		return jinguan.Invalid([]jinguan.FieldError{{Pointer: "/query/scc", Code: "format",
			MessageZH: "查询参数格式错误，应为：18位统一社会信用代码", MessageEN: "malformed query parameter; expected an 18-character credit code"}})
	}
	rows, err := s.Guarantees.Accounts(r.Context(), p, scc)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []enterprise.GuaranteeAccount{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": rows})
}

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathAccount(r)
	if err != nil {
		return err
	}
	a, debits, evs, err := s.Guarantees.Account(r.Context(), p, id)
	if err != nil {
		return err
	}
	v := AccountView{GuaranteeAccount: a, Debits: debits, Events: evs}
	if v.Debits == nil {
		v.Debits = []enterprise.GuaranteeDebit{}
	}
	if v.Events == nil {
		v.Events = []enterprise.GuaranteeEvent{}
	}
	return writeJSON(w, http.StatusOK, v)
}

func (s *Server) putAccount(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id := r.PathValue("id")
	var in AccountInput
	if err := decodeInput(w, r, &in); err != nil {
		return err
	}
	a := enterprise.GuaranteeAccount{ID: id, SCC: in.SCC, Kind: in.Kind, Consolidated: in.Consolidated,
		Amount: in.Amount, ValidFrom: in.ValidFrom, ValidTo: in.ValidTo, Bill: in.Bill}
	if _, err := s.Guarantees.Register(r.Context(), p, a, in.Reason, time.Now()); err != nil {
		return err
	}
	return s.getAccount(w, r, p)
}

func (s *Server) statement(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathAccount(r)
	if err != nil {
		return err
	}
	period := r.URL.Query().Get("period")
	if period == "" {
		period = time.Now().In(jinguan.China).AddDate(0, -1, 0).Format("2006-01") // last month: what is due now
	}
	st, err := s.Billing.Statement(r.Context(), p, id, period)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st)
}

func (s *Server) payConsolidated(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathAccount(r)
	if err != nil {
		return err
	}
	var in tariff.ConsolidatedInput
	if err := decodeInput(w, r, &in); err != nil {
		return err
	}
	st, err := s.Billing.PayConsolidated(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st)
}

func (s *Server) runReview(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var in tariff.ReviewInput
	if err := decodeInput(w, r, &in); err != nil {
		return err
	}
	rv, err := s.Reviews.Run(r.Context(), p, in, nil)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rv)
}

func (s *Server) listReviews(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	rows, err := s.Reviews.Reviews(r.Context(), p, 100)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []tariff.Review{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": rows})
}

func (s *Server) getReview(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id := r.PathValue("id")
	if !reAccount.MatchString(id) {
		return jinguan.NotFound("复审记录", "re-review")
	}
	rv, err := s.Reviews.Review(r.Context(), p, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rv)
}
