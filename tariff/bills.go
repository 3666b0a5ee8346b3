package tariff

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/enterprise"
)

// The bill-level actions of people: payment, guarantee, refund and the
// consolidated monthly payment (汇总征税). Each is audited as a bill event.

var (
	billPayers    = []auth.Role{auth.RoleDeclarant, auth.RoleOfficer, auth.RoleAdmin}
	billOfficers  = []auth.Role{auth.RoleOfficer, auth.RoleAdmin}
	errBillAccess = jinguan.Errorf(jinguan.EFORBIDDEN, "当前角色无权执行该操作", "your role may not do this")
)

// RefundInput records a refund made (退税).
type RefundInput struct {
	Reference string `json:"reference"`
}

// ConsolidatedInput pays every bill secured on a consolidated account in
// one month (汇总征税): the total of the statement, late fees included.
type ConsolidatedInput struct {
	Period    string          `json:"period"` // YYYY-MM
	Amount    decimal.Decimal `json:"amount"`
	Reference string          `json:"reference"`
}

// Statement is what a consolidated account owes for a month.
type Statement struct {
	Account string          `json:"account"`
	Period  string          `json:"period"`
	DueDate string          `json:"due_date"`
	Bills   []Bill          `json:"bills"`
	Tax     decimal.Decimal `json:"tax"`
	LateFee decimal.Decimal `json:"late_fee"`
	Total   decimal.Decimal `json:"total"` // to pay today
}

// billVisible: a declarant sees its own enterprise's bills, an officer those
// of the declarations his office's area covers, as with declarations.
func billVisible(p auth.Principal, b Bill) bool {
	switch p.Role {
	case auth.RoleDeclarant:
		return p.Enterprise != "" && (p.Enterprise == b.TradeCoScc || p.Enterprise == b.AgentCodeScc)
	case auth.RoleOfficer:
		return strings.HasPrefix(b.Customs, declaration.OfficeArea(p.Office))
	}
	return true
}

func billNotFound() error { return jinguan.NotFound("税单", "tax bill") }

func actor(p auth.Principal) declaration.Actor {
	return declaration.Actor{Name: p.User, Role: string(p.Role)}
}

// Bill returns a bill the principal may see, with its events.
func (b *Billing) Bill(ctx context.Context, p auth.Principal, no string) (Bill, []BillEvent, error) {
	bill, err := b.Store.Bill(ctx, no)
	if err != nil {
		return bill, nil, err
	}
	if !billVisible(p, bill) {
		return Bill{}, nil, billNotFound()
	}
	evs, err := b.Store.BillEvents(ctx, no)
	return bill, evs, err
}

// Bills lists the bills the principal may see.
func (b *Billing) Bills(ctx context.Context, p auth.Principal, f BillFilter) ([]Bill, string, error) {
	switch p.Role {
	case auth.RoleDeclarant:
		f.Enterprise = p.Enterprise
	case auth.RoleOfficer:
		f.OfficeArea = declaration.OfficeArea(p.Office)
	}
	return b.Store.Bills(ctx, f)
}

// DeclarationBills lists the bills of a declaration the principal may see.
func (b *Billing) DeclarationBills(ctx context.Context, p auth.Principal, id int64) ([]Bill, error) {
	rows, _, err := b.Bills(ctx, p, BillFilter{Declaration: id, Limit: 100})
	slices.SortFunc(rows, func(x, y Bill) int { return x.IssuedAt.Compare(y.IssuedAt) })
	return rows, err
}

// visibleBill loads a bill for an action by p.
func (b *Billing) visibleBill(ctx context.Context, p auth.Principal, no string, roles []auth.Role) (Bill, error) {
	bill, err := b.Store.Bill(ctx, no)
	if err != nil {
		return bill, err
	}
	if !billVisible(p, bill) {
		return bill, billNotFound()
	}
	if !slices.Contains(roles, p.Role) {
		return bill, errBillAccess
	}
	return bill, nil
}

// change runs fn on the locked bill in a transaction of its own.
func (b *Billing) change(ctx context.Context, no string, fn func(tx BillTx, bill *Bill) error) (Bill, error) {
	var out Bill
	err := b.Store.InBillTx(ctx, func(tx BillTx) error {
		bill, err := tx.LockBill(ctx, no)
		if err != nil {
			return err
		}
		if err := fn(tx, &bill); err != nil {
			return err
		}
		out = bill
		return nil
	})
	return out, err
}

// PayBill records payment of a bill. The unpaid bill of a declaration
// waiting for payment is paid through the declaration, which then moves
// on to release; any other open bill is paid here.
func (b *Billing) PayBill(ctx context.Context, p auth.Principal, no string, in declaration.PaymentInput) (Bill, error) {
	bill, err := b.visibleBill(ctx, p, no, billPayers)
	if err != nil {
		return bill, err
	}
	if bill.Kind == BillOriginal && bill.Status == BillUnpaid && b.Declarations != nil {
		if _, err := b.Declarations.Pay(ctx, p, bill.DeclarationID, in); err != nil {
			return bill, err
		}
		return b.Store.Bill(ctx, no)
	}
	return b.change(ctx, no, func(tx BillTx, bill *Bill) error {
		return b.pay(ctx, tx, bill, in, actor(p), b.now())
	})
}

// GuaranteeBill secures an unpaid bill on a guarantee account; for a
// declaration waiting for payment that lets its goods be released.
func (b *Billing) GuaranteeBill(ctx context.Context, p auth.Principal, no string, in declaration.GuaranteeInput) (Bill, error) {
	bill, err := b.visibleBill(ctx, p, no, billPayers)
	if err != nil {
		return bill, err
	}
	if bill.Kind == BillOriginal && bill.Status == BillUnpaid && b.Declarations != nil {
		if _, err := b.Declarations.Guarantee(ctx, p, bill.DeclarationID, in); err != nil {
			return bill, err
		}
		return b.Store.Bill(ctx, no)
	}
	return b.change(ctx, no, func(tx BillTx, bill *Bill) error {
		_, err := b.guarantee(ctx, tx, bill, in.Account, actor(p), b.now())
		return err
	})
}

// RefundBill records that a refund bill's amount was paid back (officers).
func (b *Billing) RefundBill(ctx context.Context, p auth.Principal, no string, in RefundInput) (Bill, error) {
	if _, err := b.visibleBill(ctx, p, no, billOfficers); err != nil {
		return Bill{}, err
	}
	return b.change(ctx, no, func(tx BillTx, bill *Bill) error {
		if bill.Status != BillRefundDue {
			return billState(bill, "refund")
		}
		if errs := reference(in.Reference); errs != nil {
			return jinguan.Invalid(errs)
		}
		at := b.now()
		bill.Status, bill.Paid, bill.SettledAt, bill.Reference = BillRefunded, bill.Amount, at, in.Reference
		return b.write(ctx, tx, bill, false, b.event(bill, "refund", actor(p), at, "", map[string]any{"reference": in.Reference}))
	})
}

// accountFor loads a guarantee account the principal may act on.
func (b *Billing) accountFor(ctx context.Context, p auth.Principal, id string) (enterprise.GuaranteeAccount, error) {
	a, err := b.Accounts.GuaranteeAccount(ctx, id)
	if err != nil {
		return a, err
	}
	if p.Role == auth.RoleDeclarant && p.Enterprise != a.SCC {
		return a, jinguan.NotFound("担保账户", "guarantee account")
	}
	return a, nil
}

// Statement lists what a consolidated account owes for a month, with late
// fees as of now.
func (b *Billing) Statement(ctx context.Context, p auth.Principal, account, period string) (Statement, error) {
	a, err := b.accountFor(ctx, p, account)
	if err != nil {
		return Statement{}, err
	}
	if err := checkPeriod(period); err != nil {
		return Statement{}, err
	}
	rows, _, err := b.Store.Bills(ctx, BillFilter{Guarantee: a.ID, Period: period, Status: []string{BillGuaranteed}, Limit: 10000})
	if err != nil {
		return Statement{}, err
	}
	return b.statement(a.ID, period, rows, b.now()), nil
}

func (b *Billing) statement(account, period string, rows []Bill, at time.Time) Statement {
	st := Statement{Account: account, Period: period, Bills: rows, Tax: decimal.Zero, LateFee: decimal.Zero}
	if st.Bills == nil {
		st.Bills = []Bill{}
	}
	slices.SortFunc(st.Bills, func(x, y Bill) int { return compareStrings(x.No, y.No) })
	for _, r := range st.Bills {
		fee, _ := b.Config.LateFee(r.Amount, r.DueDate, at)
		st.Tax, st.LateFee = st.Tax.Add(r.Amount), st.LateFee.Add(fee)
		st.DueDate = r.DueDate
	}
	st.Total = st.Tax.Add(st.LateFee)
	return st
}

// PayConsolidated pays a month's bills on a consolidated account at once
// and gives the guarantee back; the amount must equal the statement's total.
func (b *Billing) PayConsolidated(ctx context.Context, p auth.Principal, account string, in ConsolidatedInput) (Statement, error) {
	a, err := b.accountFor(ctx, p, account)
	if err != nil {
		return Statement{}, err
	}
	if !slices.Contains(billPayers, p.Role) {
		return Statement{}, errBillAccess
	}
	var errs []jinguan.FieldError
	if err := checkPeriod(in.Period); err != nil {
		errs = append(errs, jinguan.AsError(err).Fields...)
	}
	errs = append(errs, reference(in.Reference)...)
	if len(errs) > 0 {
		return Statement{}, jinguan.Invalid(errs)
	}
	if !a.Consolidated {
		return Statement{}, jinguan.Errorf(jinguan.ETRANSITION, "担保账户 %s 不是汇总征税担保", "guarantee account %s is not a consolidated-payment guarantee", a.ID)
	}
	var st Statement
	err = b.Store.InBillTx(ctx, func(tx BillTx) error {
		rows, err := tx.GuaranteedBills(ctx, a.ID, in.Period)
		if err != nil {
			return err
		}
		at := b.now()
		st = b.statement(a.ID, in.Period, rows, at)
		if len(rows) == 0 {
			return jinguan.Errorf(jinguan.ETRANSITION, "%s 月无待汇总缴纳的税单", "no bills to pay for %s", in.Period)
		}
		if !in.Amount.Equal(st.Total) {
			return jinguan.Invalid([]jinguan.FieldError{fieldErr("/amount", "amount_mismatch",
				"缴款金额须等于汇总应缴 "+st.Total.StringFixed(2), "the amount must equal the statement's total, "+st.Total.StringFixed(2))})
		}
		for i := range st.Bills {
			bill := &st.Bills[i]
			fee, _ := b.Config.LateFee(bill.Amount, bill.DueDate, at)
			if err := b.pay(ctx, tx, bill, declaration.PaymentInput{Amount: bill.Amount.Add(fee), Reference: in.Reference}, actor(p), at); err != nil {
				return err
			}
		}
		return nil
	})
	return st, err
}

func checkPeriod(period string) error {
	if _, err := time.Parse("2006-01", period); err != nil || len(period) != 7 {
		return jinguan.Invalid([]jinguan.FieldError{fieldErr("/period", "format", "月份格式应为 YYYY-MM", "want a month YYYY-MM")})
	}
	return nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
