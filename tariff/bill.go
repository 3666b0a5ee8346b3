package tariff

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/enterprise"
)

// Tax bills (税款缴款书, 税单): one per assessment of a declaration, and
// later ones for supplementary assessments (补税) and refunds (退税).

// Bill kinds.
const (
	BillOriginal      = "original"
	BillSupplementary = "supplementary" // 补税: more is due after release
	BillRefund        = "refund"        // 退税: too much was collected
)

// Bill statuses.
const (
	BillUnpaid     = "unpaid"     // 待缴
	BillGuaranteed = "guaranteed" // 已担保, payment still due
	BillPaid       = "paid"       // 已缴
	BillCancelled  = "cancelled"  // 作废: the declaration was amended, withdrawn or rejected
	BillRefundDue  = "refund_due" // 待退
	BillRefunded   = "refunded"   // 已退
)

// BillStatuses lists every status.
var BillStatuses = []string{BillUnpaid, BillGuaranteed, BillPaid, BillCancelled, BillRefundDue, BillRefunded}

// Bill is one tax bill. Amounts are CNY. A supplementary or refund bill
// carries the differences by tax (a refund's are negative) and Amount, the
// positive sum to collect or to give back.
type Bill struct {
	No             string          `json:"no"`
	Kind           string          `json:"kind"`
	Original       string          `json:"original,omitempty"` // the bill a supplementary or refund bill corrects
	DeclarationID  int64           `json:"declaration_id"`
	EntryID        string          `json:"entry_id"`
	TradeCoScc     string          `json:"trade_co_scc"` // the taxpayer
	TradeName      string          `json:"trade_name"`
	AgentCodeScc   string          `json:"agent_code_scc"`
	Customs        string          `json:"customs"`
	Duty           decimal.Decimal `json:"duty"`
	RemedyDuty     decimal.Decimal `json:"remedy_duty"`
	ConsumptionTax decimal.Decimal `json:"consumption_tax"`
	VAT            decimal.Decimal `json:"vat"`
	Amount         decimal.Decimal `json:"amount"`
	IssuedAt       time.Time       `json:"issued_at"`
	DueDate        string          `json:"due_date"` // last day without a late fee, Beijing date
	Status         string          `json:"status"`
	Guarantee      string          `json:"guarantee,omitempty"` // account securing it
	Period         string          `json:"period,omitempty"`    // YYYY-MM of a consolidated (汇总征税) guarantee
	Paid           decimal.Decimal `json:"paid"`                // received (or refunded): amount + late fee
	LateFee        decimal.Decimal `json:"late_fee"`
	LateDays       int             `json:"late_days"`
	SettledAt      time.Time       `json:"settled_at,omitzero"` // paid, refunded or cancelled
	Reference      string          `json:"reference,omitempty"` // payment or refund reference
	Reason         string          `json:"reason,omitempty"`    // why a supplementary or refund bill was raised
	Review         string          `json:"review,omitempty"`    // the batch re-review that raised it
	Version        int             `json:"version"`
	// The credit measure under which it was secured before payment: the
	// trader's grade, its guarantee requirement (exempt, reduced, normal,
	// full) and what the account gave (nothing when exempt).
	Grade   string          `json:"credit_grade,omitempty"`
	Measure string          `json:"guarantee_measure,omitempty"`
	Secured decimal.Decimal `json:"secured,omitzero"`
}

// debited reports whether a guarantee account holds a debit for the bill:
// a guaranteed bill, unless its trader was exempt (bills secured before
// the measures were recorded were debited in full).
func (b Bill) debited() bool {
	return b.Status == BillGuaranteed && b.Guarantee != "" && (b.Measure == "" || b.Secured.IsPositive())
}

// Open reports whether the bill still waits for money to move.
func (b Bill) Open() bool {
	return b.Status == BillUnpaid || b.Status == BillGuaranteed || b.Status == BillRefundDue
}

// BillEvent is one change of a bill: who did what, when and why.
type BillEvent struct {
	BillNo string          `json:"bill_no"`
	Seq    int             `json:"seq"`
	Action string          `json:"action"` // issue | guarantee | pay | refund | cancel
	Actor  string          `json:"actor"`
	Role   string          `json:"role"`
	At     time.Time       `json:"at"`
	Reason string          `json:"reason,omitempty"`
	Data   json.RawMessage `json:"data,omitempty"`
}

// BillTx is what billing needs from a write transaction. The store
// adapters' declaration batches provide it (so a bill commits with its
// declaration's transition) as well as their own transactions.
type BillTx interface {
	enterprise.GuaranteeTx
	// InsertBill stores a new bill; ECONFLICT when the number exists.
	InsertBill(ctx context.Context, b *Bill) error
	// LockBill returns a bill, locked until the transaction ends where the
	// store locks rows; ENOTFOUND if none.
	LockBill(ctx context.Context, no string) (Bill, error)
	// UpdateBill rewrites a bill; ECONFLICT unless the stored version is
	// b.Version − 1.
	UpdateBill(ctx context.Context, b *Bill) error
	// AppendBillEvent stores an event; its Seq is the bill's version.
	AppendBillEvent(ctx context.Context, e BillEvent) error
	// DeclarationBills lists a declaration's bills by number.
	DeclarationBills(ctx context.Context, declarationID int64) ([]Bill, error)
	// GuaranteedBills lists the bills secured on account in period
	// ("" = any) that are still guaranteed, by number, locked.
	GuaranteedBills(ctx context.Context, account, period string) ([]Bill, error)
}

// BillFilter selects bills. Zero fields do not filter.
type BillFilter struct {
	Status      []string
	Kind        string
	Trader      string // trade_co_scc
	Enterprise  string // visibility: trader or agent equals it
	OfficeArea  string // visibility: the declaration's customs starts with it (declaration.OfficeArea)
	Declaration int64
	Guarantee   string
	Period      string
	DueBefore   string // due date before this day: overdue when open
	Review      string
	From, To    time.Time // issued in [From, To)
	Cursor      string
	Limit       int
}

// BillStore keeps bills and their events.
type BillStore interface {
	// Bill returns ENOTFOUND when unknown.
	Bill(ctx context.Context, no string) (Bill, error)
	// Bills lists bills matching f, newest first, and a cursor for the
	// next page ("" when there is none).
	Bills(ctx context.Context, f BillFilter) ([]Bill, string, error)
	// BillEvents returns a bill's events in order.
	BillEvents(ctx context.Context, no string) ([]BillEvent, error)
	// InBillTx runs fn in a write transaction of its own. Never call it
	// from inside another write (on SQLite the writer is one connection).
	InBillTx(ctx context.Context, fn func(BillTx) error) error

	// PutReview stores a batch re-review's record; ECONFLICT if its id exists.
	PutReview(ctx context.Context, r Review) error
	// Review returns ENOTFOUND when unknown.
	Review(ctx context.Context, id string) (Review, error)
	// Reviews lists the latest reviews, newest first, without their
	// differences.
	Reviews(ctx context.Context, limit int) ([]Review, error)
}

// BillConfig holds the payment rules (domain.md §2).
type BillConfig struct {
	// DueDays: a bill is due within this many days of its issue [law: 15].
	DueDays int `json:"due_days"`
	// LateFeeRate per day on the unpaid tax [law: 0.0005 = 0.05 %].
	LateFeeRate decimal.Decimal `json:"late_fee_rate"`
	// ConsolidatedWorkday: bills on a consolidated guarantee are due by
	// this working day of the next month [practice: 5].
	ConsolidatedWorkday int `json:"consolidated_workday"`
	// Places late fees are rounded half-up to [default 2 = fen].
	Places int32 `json:"places"`
	// RecoveryYears: under-collected tax is recovered within this many
	// years of the declaration [law: 3]; a re-review raises no
	// supplementary bill for older ones.
	RecoveryYears int `json:"recovery_years"`
	// ReducedGuaranteeShare is the share of a bill a general guarantee is
	// debited for a trader whose credit grade reduces its guarantee
	// (减免担保) [default 0.5].
	ReducedGuaranteeShare decimal.Decimal `json:"reduced_guarantee_share"`
}

// Check reports the first problem with the payment rules.
func (c BillConfig) Check() error {
	if c.ReducedGuaranteeShare.IsNegative() || c.ReducedGuaranteeShare.GreaterThan(decimal.NewFromInt(1)) {
		return fmt.Errorf("billing.reduced_guarantee_share must be between 0 and 1, not %s", c.ReducedGuaranteeShare)
	}
	return nil
}

// DefaultBillConfig returns domain.md's figures.
func DefaultBillConfig() BillConfig {
	return BillConfig{DueDays: 15, LateFeeRate: decimal.RequireFromString("0.0005"), ConsolidatedWorkday: 5, Places: 2,
		RecoveryYears: 3, ReducedGuaranteeShare: decimal.RequireFromString("0.5")}
}

// LateFee is the fee on amount for payment on day paid of a bill due on
// day due: rate × amount for each day after due up to and including paid,
// rounded half-up. Days are Beijing dates (YYYY-MM-DD).
func (c BillConfig) LateFee(amount decimal.Decimal, due string, paid time.Time) (decimal.Decimal, int) {
	d, err := time.ParseInLocation(time.DateOnly, due, jinguan.China)
	if err != nil {
		return decimal.Zero, 0
	}
	p := paid.In(jinguan.China)
	p = time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, jinguan.China)
	days := int(p.Sub(d).Hours()+0.5) / 24
	if days <= 0 {
		return decimal.Zero, 0
	}
	return amount.Mul(c.LateFeeRate).Mul(decimal.NewFromInt(int64(days))).Round(c.Places), days
}

// day is the Beijing date of t.
func day(t time.Time) string { return t.In(jinguan.China).Format(time.DateOnly) }

// EncodeBillCursor makes the cursor that follows a page ending with b
// (pages are ordered by issue time, then number, newest first).
func EncodeBillCursor(b Bill) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(b.IssuedAt.UnixMicro(), 10) + "|" + b.No))
}

// DecodeBillCursor reads a cursor; a malformed one is EINVALID at /query/cursor.
func DecodeBillCursor(c string) (time.Time, string, error) {
	if raw, err := base64.RawURLEncoding.DecodeString(c); err == nil {
		us, no, ok := strings.Cut(string(raw), "|")
		if n, err := strconv.ParseInt(us, 10, 64); ok && err == nil && no != "" {
			return time.UnixMicro(n).UTC(), no, nil
		}
	}
	return time.Time{}, "", jinguan.Invalid([]jinguan.FieldError{{Pointer: "/query/cursor", Code: "format",
		MessageZH: "分页游标无效", MessageEN: "malformed page cursor"}})
}
