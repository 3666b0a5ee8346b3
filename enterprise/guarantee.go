package enterprise

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/uscc"
)

// Guarantee kinds (担保方式).
const (
	GuaranteeBankLetter = "bank_letter" // 银行保函
	GuaranteeInsurance  = "insurance"   // 关税保证保险
	GuaranteeDeposit    = "deposit"     // 保证金
)

// GuaranteeKinds lists the valid kinds.
var GuaranteeKinds = []string{GuaranteeBankLetter, GuaranteeInsurance, GuaranteeDeposit}

// GuaranteeAccount is a guarantee lodged with customs (税款担保) that
// secures an enterprise's taxes up to Amount. Every secured amount is
// debited from Balance and given back when the tax is paid, so goods can
// be released before payment only while the balance lasts. A consolidated
// account (汇总征税总担保) lets the bills it secures be paid once a month.
type GuaranteeAccount struct {
	ID           string          `json:"id"` // guarantee number (担保编号)
	SCC          string          `json:"scc"`
	Kind         string          `json:"kind"`
	Consolidated bool            `json:"consolidated"`
	Amount       decimal.Decimal `json:"amount"`  // 担保额度, CNY
	Balance      decimal.Decimal `json:"balance"` // what is left to secure
	ValidFrom    string          `json:"valid_from"`
	ValidTo      string          `json:"valid_to,omitempty"` // exclusive; "" = open
	UpdatedAt    time.Time       `json:"updated_at"`
	// Bill makes the account a specific guarantee (逐票担保) that secures
	// that one tax bill and nothing else; "" = a general guarantee (总担保).
	Bill string `json:"bill,omitempty"`
}

// Secures reports whether the account may secure ref: a general
// guarantee anything, a specific one only its bill.
func (a GuaranteeAccount) Secures(ref string) bool { return a.Bill == "" || a.Bill == ref }

// ValidOn reports whether the account secures anything on day (YYYY-MM-DD).
func (a GuaranteeAccount) ValidOn(day string) bool {
	return a.ValidFrom <= day && (a.ValidTo == "" || day < a.ValidTo)
}

// GuaranteeDebit is one amount secured on an account, named by what it
// secures: a tax bill number, an e-commerce inventory list number…
type GuaranteeDebit struct {
	Ref        string          `json:"ref"`
	Account    string          `json:"account"`
	Amount     decimal.Decimal `json:"amount"`
	DebitedAt  time.Time       `json:"debited_at"`
	RestoredAt time.Time       `json:"restored_at,omitzero"` // zero while outstanding
}

// GuaranteeTx is what debits and restores need from a write transaction.
// The store adapters' declaration batches provide it too, so a debit can
// commit together with the release it allows.
type GuaranteeTx interface {
	// LockGuaranteeAccounts returns the enterprise's accounts ordered by
	// id, locked until the transaction ends where the store locks rows.
	LockGuaranteeAccounts(ctx context.Context, scc string) ([]GuaranteeAccount, error)
	// LockGuaranteeAccount returns one account, locked; ENOTFOUND if none.
	LockGuaranteeAccount(ctx context.Context, id string) (GuaranteeAccount, error)
	// GuaranteeDebit returns the debit recorded for ref; ENOTFOUND if none.
	GuaranteeDebit(ctx context.Context, ref string) (GuaranteeDebit, error)
	// PutGuaranteeDebit inserts or replaces the debit for d.Ref and sets
	// its account's balance.
	PutGuaranteeDebit(ctx context.Context, d GuaranteeDebit, balance decimal.Decimal, at time.Time) error
}

// Debit secures amount for ref on account (or, when account is "", on the
// first of the enterprise's accounts valid on the day of at that may
// secure ref and whose balance covers it) and returns the debit and the
// account as debited. ok is
// false, and nothing is written, when none covers it. A ref already
// debited and not restored returns that debit: retries are safe.
func Debit(ctx context.Context, tx GuaranteeTx, scc, account string, amount decimal.Decimal, ref string, at time.Time) (d GuaranteeDebit, a GuaranteeAccount, ok bool, err error) {
	if !amount.IsPositive() || ref == "" {
		return d, a, false, jinguan.Errorf(jinguan.EINVALID, "担保扣减金额须为正数且须注明所担保的单证", "a debit needs a positive amount and a reference")
	}
	prev, err := tx.GuaranteeDebit(ctx, ref)
	switch {
	case err == nil && prev.RestoredAt.IsZero():
		a, err = tx.LockGuaranteeAccount(ctx, prev.Account)
		return prev, a, err == nil, err
	case err == nil:
		return d, a, false, jinguan.Errorf(jinguan.ECONFLICT, "%s 的担保已恢复，不能再次扣减", "the guarantee for %s was restored and cannot be debited again", ref)
	case jinguan.ErrorCode(err) != jinguan.ENOTFOUND:
		return d, a, false, err
	}
	accounts, err := tx.LockGuaranteeAccounts(ctx, scc)
	if err != nil {
		return d, a, false, err
	}
	day := at.In(jinguan.China).Format(time.DateOnly)
	for _, a := range accounts {
		if (account != "" && a.ID != account) || !a.ValidOn(day) || !a.Secures(ref) || a.Balance.LessThan(amount) {
			continue
		}
		d = GuaranteeDebit{Ref: ref, Account: a.ID, Amount: amount, DebitedAt: at}
		a.Balance, a.UpdatedAt = a.Balance.Sub(amount), at
		if err := tx.PutGuaranteeDebit(ctx, d, a.Balance, at); err != nil {
			return GuaranteeDebit{}, a, false, err
		}
		return d, a, true, nil
	}
	return d, a, false, nil
}

// Restore gives a debit's amount back to its account: the secured tax was
// paid, or is no longer due. Restoring twice changes nothing. ENOTFOUND
// when ref was never debited.
func Restore(ctx context.Context, tx GuaranteeTx, ref string, at time.Time) (GuaranteeDebit, error) {
	d, err := tx.GuaranteeDebit(ctx, ref)
	if err != nil || !d.RestoredAt.IsZero() {
		return d, err
	}
	a, err := tx.LockGuaranteeAccount(ctx, d.Account)
	if err != nil {
		return d, err
	}
	d.RestoredAt = at
	return d, tx.PutGuaranteeDebit(ctx, d, a.Balance.Add(d.Amount), at)
}

// GuaranteeEvent records who registered or changed an account, and how.
type GuaranteeEvent struct {
	Account string          `json:"account"`
	Action  string          `json:"action"` // register | change
	Actor   string          `json:"actor"`
	Role    string          `json:"role"`
	At      time.Time       `json:"at"`
	Reason  string          `json:"reason,omitempty"`
	Data    json.RawMessage `json:"data,omitempty"` // the account as stored
}

// GuaranteeStore keeps guarantee accounts and their debits.
type GuaranteeStore interface {
	// PutGuaranteeAccount registers an account or changes its terms and
	// records ev (its Action and Data are filled in). The balance is the
	// amount less the outstanding debits, whatever a.Balance says. It
	// returns the stored account.
	PutGuaranteeAccount(ctx context.Context, a GuaranteeAccount, ev GuaranteeEvent) (GuaranteeAccount, error)
	// GuaranteeEvents lists an account's registration and changes in order.
	GuaranteeEvents(ctx context.Context, account string) ([]GuaranteeEvent, error)
	// GuaranteeAccount returns ENOTFOUND when unknown.
	GuaranteeAccount(ctx context.Context, id string) (GuaranteeAccount, error)
	// GuaranteeAccounts lists an enterprise's accounts ("" = every
	// enterprise's) by enterprise and id.
	GuaranteeAccounts(ctx context.Context, scc string) ([]GuaranteeAccount, error)
	// GuaranteeDebits lists an account's debits, newest first; outstanding
	// only when asked.
	GuaranteeDebits(ctx context.Context, account string, outstanding bool, limit int) ([]GuaranteeDebit, error)
	// InGuaranteeTx runs fn in a write transaction of its own. Never call it
	// from inside another write (on SQLite the writer is one connection).
	InGuaranteeTx(ctx context.Context, fn func(GuaranteeTx) error) error
}

// Guarantor is what a module that releases goods against a guarantee
// needs: take the amount from the trader's balance, and give it back once
// the tax is paid or no longer due. Both are idempotent on ref.
type Guarantor interface {
	Debit(ctx context.Context, scc string, amount decimal.Decimal, ref string, at time.Time) (GuaranteeDebit, bool, error)
	Restore(ctx context.Context, ref string, at time.Time) (GuaranteeDebit, error)
}

// Ledger is the Guarantor over a store, each call its own transaction.
// (The declaration pipeline debits inside its own batch instead, with the
// package functions Debit and Restore.)
type Ledger struct {
	Store GuaranteeStore
}

// Debit takes amount for ref from the first of the enterprise's valid
// accounts that covers it; ok is false when none does.
func (l *Ledger) Debit(ctx context.Context, scc string, amount decimal.Decimal, ref string, at time.Time) (d GuaranteeDebit, ok bool, err error) {
	err = l.Store.InGuaranteeTx(ctx, func(tx GuaranteeTx) error {
		d, _, ok, err = Debit(ctx, tx, scc, "", amount, ref, at)
		return err
	})
	return d, ok, err
}

// Restore gives the debit for ref back.
func (l *Ledger) Restore(ctx context.Context, ref string, at time.Time) (d GuaranteeDebit, err error) {
	err = l.Store.InGuaranteeTx(ctx, func(tx GuaranteeTx) error {
		d, err = Restore(ctx, tx, ref, at)
		return err
	})
	return d, err
}

// CheckGuaranteeAccount reports every problem of an account to register,
// with JSON pointers.
func CheckGuaranteeAccount(a GuaranteeAccount) []jinguan.FieldError {
	var fs []jinguan.FieldError
	bad := func(ptr, code, zh, en string) {
		fs = append(fs, jinguan.FieldError{Pointer: ptr, Code: code, MessageZH: zh, MessageEN: en})
	}
	if !reGuaranteeID.MatchString(a.ID) {
		bad("/id", "format", "担保编号应为1–32位字母、数字或连字符", "want 1–32 letters, digits or hyphens")
	}
	if !uscc.Valid(a.SCC) {
		bad("/scc", "format", "统一社会信用代码无效", "not a valid unified social credit code")
	}
	if !slices.Contains(GuaranteeKinds, a.Kind) {
		bad("/kind", "one_of", "担保方式应为 bank_letter、insurance 或 deposit", "want bank_letter, insurance or deposit")
	}
	if !a.Amount.IsPositive() || a.Amount.GreaterThanOrEqual(decimal.New(1, 13)) || a.Amount.Exponent() < -2 {
		bad("/amount", "range", "担保额度应为正数、小于10^13且最多两位小数", "must be positive, below 10^13, at most 2 decimals")
	}
	from, errFrom := time.Parse(time.DateOnly, a.ValidFrom)
	if errFrom != nil {
		bad("/valid_from", "format", "日期格式应为 YYYY-MM-DD", "want a date YYYY-MM-DD")
	}
	switch {
	case a.Bill != "" && !reGuaranteeID.MatchString(a.Bill):
		bad("/bill", "format", "逐票担保所担保的税单编号应为1–32位字母、数字或连字符", "want the number of the one tax bill it secures: 1–32 letters, digits or hyphens")
	case a.Bill != "" && a.Consolidated:
		bad("/consolidated", "specific_consolidated", "逐票担保不能用于汇总征税", "a specific guarantee of one bill cannot be a consolidated-payment guarantee")
	}
	if a.ValidTo != "" {
		to, err := time.Parse(time.DateOnly, a.ValidTo)
		switch {
		case err != nil:
			bad("/valid_to", "format", "日期格式应为 YYYY-MM-DD", "want a date YYYY-MM-DD")
		case errFrom == nil && !to.After(from):
			bad("/valid_to", "range", "截止日期须晚于起始日期", "must be after valid_from")
		}
	}
	return fs
}

var reGuaranteeID = regexp.MustCompile(`^[0-9A-Za-z-]{1,32}$`)

// Register records a guarantee account or new terms for one (officers,
// from the guarantee the enterprise lodged).
func (l *Ledger) Register(ctx context.Context, p auth.Principal, a GuaranteeAccount, reason string, at time.Time) (GuaranteeAccount, error) {
	if p.Role != auth.RoleOfficer && p.Role != auth.RoleAdmin {
		return a, jinguan.Errorf(jinguan.EFORBIDDEN, "当前角色无权执行该操作", "your role may not do this")
	}
	fs := CheckGuaranteeAccount(a)
	if len([]rune(reason)) > 500 {
		fs = append(fs, jinguan.FieldError{Pointer: "/reason", Code: "too_long", MessageZH: "内容过长", MessageEN: "too long"})
	}
	if len(fs) > 0 {
		return a, jinguan.Invalid(fs)
	}
	a.UpdatedAt = at
	return l.Store.PutGuaranteeAccount(ctx, a, GuaranteeEvent{Account: a.ID, Actor: p.User, Role: string(p.Role), At: at, Reason: reason})
}

// Accounts lists guarantee accounts: a declarant's own enterprise's only.
func (l *Ledger) Accounts(ctx context.Context, p auth.Principal, scc string) ([]GuaranteeAccount, error) {
	if p.Role == auth.RoleDeclarant {
		scc = p.Enterprise
	}
	return l.Store.GuaranteeAccounts(ctx, scc)
}

// Account returns an account with its latest debits and its history.
func (l *Ledger) Account(ctx context.Context, p auth.Principal, id string) (GuaranteeAccount, []GuaranteeDebit, []GuaranteeEvent, error) {
	a, err := l.Store.GuaranteeAccount(ctx, id)
	if err == nil && p.Role == auth.RoleDeclarant && p.Enterprise != a.SCC {
		err = jinguan.NotFound("担保账户", "guarantee account")
	}
	if err != nil {
		return a, nil, nil, err
	}
	debits, err := l.Store.GuaranteeDebits(ctx, id, false, 200)
	if err != nil {
		return a, nil, nil, err
	}
	evs, err := l.Store.GuaranteeEvents(ctx, id)
	return a, debits, evs, err
}
