package tariff

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/enterprise"
)

// Billing is the declaration pipeline's tax-bill stage
// (declaration.Billing): it issues the bill of each assessment, secures it
// before payment as the trader's credit terms allow (credit.go) — on a
// guarantee account when the balance allows, or on the trader's
// exemption — and records payment. bills.go adds the bill-level actions people take.
type Billing struct {
	Store    BillStore
	Accounts enterprise.GuaranteeStore // balances, read by Plan
	Config   BillConfig
	Calendar *Calendar
	// Credit gives the trader's credit terms: how its bills may be
	// secured before payment and whether it may pay monthly; nil: every
	// trader on normal terms.
	Credit CreditTerms
	// Declarations pays and guarantees original bills through the
	// declaration's lifecycle; set once both are built.
	Declarations *declaration.Service
	Clock        func() time.Time // nil: time.Now
	CacheTTL     time.Duration    // how long Plan trusts a balance it read; 0: 2 s

	mu    sync.Mutex
	cache map[string]*planned
}

// planned is what Plan knows of a trader's accounts: the balances read,
// less what it has planned on them since.
type planned struct {
	accounts []enterprise.GuaranteeAccount
	expires  time.Time
}

func (b *Billing) now() time.Time {
	if b.Clock != nil {
		return b.Clock()
	}
	return time.Now()
}

// BillNumber is the number of a declaration's n-th bill of a kind: the
// customs number, a letter (T original, S supplementary, R refund) and
// two digits.
func BillNumber(entryID, kind string, n int) string {
	letter := map[string]string{BillOriginal: "T", BillSupplementary: "S", BillRefund: "R"}[kind]
	return fmt.Sprintf("%s-%s%02d", entryID, letter, n)
}

// Plan implements declaration.Billing: the bill number, and how the bill
// is secured before payment under the trader's credit terms — the first of
// its accounts valid today that may serve and whose last known balance
// covers what the terms take, or its exemption. Planned amounts are taken
// off the cached balance so that a burst of declarations does not count
// one balance many times.
func (b *Billing) Plan(ctx context.Context, d *declaration.Declaration) (string, *declaration.Settlement, error) {
	no := BillNumber(d.EntryID, BillOriginal, d.Amendments+1)
	scc, amount, today := d.Head.TradeCoScc, d.Tax.Total, day(d.Tax.AssessedAt)
	t, err := b.terms(ctx, scc, d.Tax.AssessedAt)
	if err != nil {
		return "", nil, err
	}
	if b.Accounts == nil {
		s, _ := b.choose(no, amount, t, nil, "", today)
		return no, s, nil
	}
	now := b.now()
	b.mu.Lock()
	p := b.cache[scc]
	b.mu.Unlock()
	if p == nil || now.After(p.expires) {
		accounts, err := b.Accounts.GuaranteeAccounts(ctx, scc)
		if err != nil {
			return "", nil, err
		}
		ttl := b.CacheTTL
		if ttl == 0 {
			ttl = 2 * time.Second
		}
		p = &planned{accounts: accounts, expires: now.Add(ttl)}
		b.mu.Lock()
		if b.cache == nil {
			b.cache = map[string]*planned{}
		}
		b.cache[scc] = p
		b.mu.Unlock()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s, a := b.choose(no, amount, t, p.accounts, "", today)
	if a != nil {
		a.Balance = a.Balance.Sub(s.Secured)
	}
	return no, s, nil
}

// forget drops what Plan knows of a trader's balances.
func (b *Billing) forget(scc string) {
	b.mu.Lock()
	delete(b.cache, scc)
	b.mu.Unlock()
}

func billTx(tx declaration.Tx) (BillTx, error) {
	btx, ok := tx.(BillTx)
	if !ok {
		return nil, fmt.Errorf("tariff: the declaration store (%T) keeps no tax bills", tx)
	}
	return btx, nil
}

// Issue implements declaration.Billing: it stores the bill of d's
// assessment and, when d.Settlement secures it before payment, debits
// what the plan takes from the account it names (nothing when exempt).
func (b *Billing) Issue(ctx context.Context, tx declaration.Tx, d *declaration.Declaration) (bool, error) {
	btx, err := billTx(tx)
	if err != nil {
		return false, err
	}
	t := d.Tax
	bill := &Bill{No: t.BillNo, Kind: BillOriginal, DeclarationID: d.ID, EntryID: d.EntryID,
		TradeCoScc: d.Head.TradeCoScc, TradeName: d.Head.TradeName, AgentCodeScc: d.Head.AgentCodeScc,
		Customs: d.Head.CustomMaster, Duty: t.Duty.Add(t.InspectionDuty), RemedyDuty: t.RemedyDuty, ConsumptionTax: t.ConsumptionTax,
		VAT: t.VAT, Amount: t.Total, IssuedAt: t.AssessedAt, Status: BillUnpaid, Version: 1}
	bill.DueDate = b.Calendar.DueDate(t.AssessedAt, b.Config.DueDays)
	events := []BillEvent{b.event(bill, "issue", declaration.System, t.AssessedAt, "",
		map[string]any{"amount": bill.Amount, "due_date": bill.DueDate})}
	if s := d.Settlement; s.SecuredBeforePayment() {
		if s.Secured.IsPositive() {
			_, _, ok, err := enterprise.Debit(ctx, btx, bill.TradeCoScc, s.Reference, s.Secured, bill.No, s.At)
			if err != nil || !ok {
				b.forget(bill.TradeCoScc)
				return false, err
			}
		}
		events = append(events, b.secure(bill, s, declaration.System))
	}
	return true, b.write(ctx, btx, bill, true, events...)
}

// secure marks a bill as secured before payment as s says and returns the
// event that records it, with the credit measure that applied. On a
// consolidated account the bill is due by the configured working day of
// the month after its issue, with the month's others.
func (b *Billing) secure(bill *Bill, s *declaration.Settlement, by declaration.Actor) BillEvent {
	bill.Status, bill.Guarantee = BillGuaranteed, s.Reference
	bill.Grade, bill.Measure, bill.Secured = s.Grade, s.Guarantee, s.Secured
	if s.Consolidated {
		bill.Period = bill.IssuedAt.In(jinguan.China).Format("2006-01")
		bill.DueDate = b.Calendar.NthWorkday(bill.IssuedAt, b.Config.ConsolidatedWorkday)
	}
	data := map[string]any{"account": s.Reference, "due_date": bill.DueDate, "period": bill.Period,
		"grade": s.Grade, "guarantee": s.Guarantee, "secured": s.Secured}
	if s.Refused != nil {
		data["refused"] = s.Refused
	}
	return b.event(bill, "guarantee", by, s.At, s.Kind, data)
}

// event builds the next event of bill; call it after the change, with
// bill.Version already counting it.
func (b *Billing) event(bill *Bill, action string, by declaration.Actor, at time.Time, reason string, data any) BillEvent {
	raw, _ := json.Marshal(data)
	return BillEvent{BillNo: bill.No, Action: action, Actor: by.Name, Role: by.Role, At: at, Reason: reason, Data: raw}
}

// write stores a new or changed bill and its events, numbering the events
// from the bill's version.
func (b *Billing) write(ctx context.Context, tx BillTx, bill *Bill, insert bool, events ...BillEvent) error {
	var err error
	if insert {
		bill.Version = len(events)
		err = tx.InsertBill(ctx, bill)
	} else {
		bill.Version += len(events)
		err = tx.UpdateBill(ctx, bill)
	}
	if err != nil {
		return err
	}
	for i, e := range events {
		e.Seq = bill.Version - len(events) + 1 + i
		if err := tx.AppendBillEvent(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// Pay implements declaration.Billing for the unpaid bill of an assessed
// declaration.
func (b *Billing) Pay(ctx context.Context, tx declaration.Tx, d *declaration.Declaration, in declaration.PaymentInput, by declaration.Actor, at time.Time) (*declaration.Settlement, error) {
	btx, err := billTx(tx)
	if err != nil {
		return nil, err
	}
	bill, err := btx.LockBill(ctx, d.Tax.BillNo)
	if err != nil {
		return nil, err
	}
	if err := b.pay(ctx, btx, &bill, in, by, at); err != nil {
		return nil, err
	}
	return &declaration.Settlement{Kind: "paid", Amount: bill.Paid, Reference: in.Reference, At: at, By: by.Name}, nil
}

// pay records payment of an unpaid or guaranteed bill in full, late fee
// included, and gives a guarantee back.
func (b *Billing) pay(ctx context.Context, tx BillTx, bill *Bill, in declaration.PaymentInput, by declaration.Actor, at time.Time) error {
	if bill.Status != BillUnpaid && bill.Status != BillGuaranteed {
		return billState(bill, "pay")
	}
	fee, days := b.Config.LateFee(bill.Amount, bill.DueDate, at)
	due := bill.Amount.Add(fee)
	var errs []jinguan.FieldError
	if !in.Amount.Equal(due) {
		errs = append(errs, fieldErr("/amount", "amount_mismatch",
			fmt.Sprintf("缴款金额须等于应缴税款 %s（含滞纳金 %s）", due.StringFixed(2), fee.StringFixed(2)),
			fmt.Sprintf("the amount must equal the tax due, %s (late fee %s included)", due.StringFixed(2), fee.StringFixed(2))))
	}
	errs = append(errs, reference(in.Reference)...)
	if len(errs) > 0 {
		return jinguan.Invalid(errs)
	}
	events := []BillEvent{}
	if bill.debited() {
		if _, err := enterprise.Restore(ctx, tx, bill.No, at); err != nil {
			return err
		}
		b.forget(bill.TradeCoScc)
	}
	bill.Status, bill.Paid, bill.LateFee, bill.LateDays, bill.SettledAt, bill.Reference = BillPaid, due, fee, days, at, in.Reference
	events = append(events, b.event(bill, "pay", by, at, "", map[string]any{"paid": due, "late_fee": fee, "late_days": days, "reference": in.Reference}))
	return b.write(ctx, tx, bill, false, events...)
}

// Guarantee implements declaration.Billing: it secures the unpaid bill of
// an assessed declaration before payment under the trader's credit terms.
func (b *Billing) Guarantee(ctx context.Context, tx declaration.Tx, d *declaration.Declaration, account string, by declaration.Actor, at time.Time) (*declaration.Settlement, error) {
	btx, err := billTx(tx)
	if err != nil {
		return nil, err
	}
	bill, err := btx.LockBill(ctx, d.Tax.BillNo)
	if err != nil {
		return nil, err
	}
	return b.guarantee(ctx, btx, &bill, account, by, at)
}

// guarantee secures an unpaid bill on one of the trader's accounts, or on
// its exemption, as its credit terms allow. A trader under full guarantee
// is refused its general guarantee: it pays, or an officer registers a
// specific guarantee of this bill.
func (b *Billing) guarantee(ctx context.Context, tx BillTx, bill *Bill, account string, by declaration.Actor, at time.Time) (*declaration.Settlement, error) {
	if bill.Status != BillUnpaid || bill.Kind == BillRefund {
		return nil, billState(bill, "guarantee")
	}
	if len(account) > 32 {
		return nil, jinguan.Invalid([]jinguan.FieldError{fieldErr("/account", "too_long", "担保编号过长", "too long")})
	}
	t, err := b.terms(ctx, bill.TradeCoScc, at)
	if err != nil {
		return nil, err
	}
	if bill.Kind != BillOriginal && t.Guarantee == GuaranteeExempt {
		t.Guarantee = GuaranteeNormal // released goods: an exemption would secure nothing
	}
	accounts, err := tx.LockGuaranteeAccounts(ctx, bill.TradeCoScc)
	if err != nil {
		return nil, err
	}
	s, _ := b.choose(bill.No, bill.Amount, t, accounts, account, day(at))
	if s != nil && s.Secured.IsPositive() {
		if _, _, ok, err := enterprise.Debit(ctx, tx, bill.TradeCoScc, s.Reference, s.Secured, bill.No, at); err != nil || !ok {
			s = nil
			if err != nil {
				return nil, err
			}
		}
	}
	switch {
	case s == nil && t.Guarantee == GuaranteeFull:
		return nil, jinguan.Invalid([]jinguan.FieldError{fieldErr("/account", "full_guarantee_required",
			"企业信用等级（"+gradeZH(t.Grade)+"）须全额担保：不得使用总担保，须缴清税款或由关员登记本税单的逐票担保",
			"the trader's credit grade ("+t.Grade+") requires full guarantee: its general guarantee may not be used; pay the taxes, or an officer registers a specific guarantee of this bill")})
	case s == nil:
		return nil, jinguan.Invalid([]jinguan.FieldError{fieldErr("/account", "not_covered",
			"纳税人无有效且余额足以担保本税单的担保账户", "the taxpayer has no valid guarantee account whose balance covers this bill")})
	}
	b.forget(bill.TradeCoScc)
	s.At, s.By = at, by.Name
	return s, b.write(ctx, tx, bill, false, b.secure(bill, s, by))
}

// Cancel implements declaration.Billing.
func (b *Billing) Cancel(ctx context.Context, tx declaration.Tx, _ *declaration.Declaration, no string, by declaration.Actor, at time.Time, reason string) error {
	btx, err := billTx(tx)
	if err != nil {
		return err
	}
	bill, err := btx.LockBill(ctx, no)
	if err != nil {
		return err
	}
	if bill.debited() {
		if _, err := enterprise.Restore(ctx, btx, no, at); err != nil {
			return err
		}
		b.forget(bill.TradeCoScc)
	} else if bill.Status != BillUnpaid && bill.Status != BillGuaranteed {
		return billState(&bill, "cancel")
	}
	bill.Status, bill.SettledAt = BillCancelled, at
	return b.write(ctx, btx, &bill, false, b.event(&bill, "cancel", by, at, reason, nil))
}

func billState(bill *Bill, action string) error {
	return jinguan.Errorf(jinguan.ETRANSITION, "税单 %[1]s 状态为 %[2]s，不能执行 %[3]s",
		"bill %[1]s is %[2]s: %[3]s is not allowed", bill.No, bill.Status, action)
}

func fieldErr(ptr, code, zh, en string) jinguan.FieldError {
	return jinguan.FieldError{Pointer: ptr, Code: code, MessageZH: zh, MessageEN: en}
}

func reference(ref string) []jinguan.FieldError {
	switch {
	case ref == "":
		return []jinguan.FieldError{fieldErr("/reference", "required", "必填项缺失", "is required")}
	case len([]rune(ref)) > 64:
		return []jinguan.FieldError{fieldErr("/reference", "too_long", "内容过长", "too long")}
	}
	return nil
}

var _ declaration.Billing = (*Billing)(nil)
