package ecommerce

import (
	"context"
	"time"
)

// Store keeps documents, lists, receipts, buyer quotas and tax periods.
// SQLite and PostgreSQL adapters implement it and pass storetest's suite.
//
// All writes go through Apply: one transaction per batch of units, each
// unit (one incoming document with everything it causes) applied whole or
// refused whole. The buyer's quota is counted inside that transaction
// (SQLite: read and written back under the write lock; PostgreSQL: a
// conditional update), so two processes cannot both spend the same quota.
// SyncLater is a Store that can commit a batch without waiting for the
// disk and make everything committed so far durable afterwards. The engine
// then writes the next batch while the disk syncs the last one, and one
// sync serves every batch committed before it; a batch is answered only
// after its sync.
type SyncLater interface {
	ApplyNoSync(ctx context.Context, b []*Unit) error
	Sync(ctx context.Context) error
}

type Store interface {
	// Apply writes the batch. A unit the store must refuse (a duplicate
	// document or list, a list changed meanwhile, a quota that would be
	// exceeded) is passed to its Refuse and written as refused. The error
	// is for the whole batch: nothing of it was written.
	Apply(ctx context.Context, b []*Unit) error
	// Docs returns the stored documents with those keys (absent keys are
	// missing from the map).
	Docs(ctx context.Context, keys []string) (map[string]DocRow, error)
	// Waiting returns the lists waiting for documents (status 120).
	Waiting(ctx context.Context) ([]ListRow, error)
	// List returns ENOTFOUND when unknown; ListByKey likewise.
	List(ctx context.Context, id int64) (ListRow, error)
	ListByKey(ctx context.Context, key string) (ListRow, error)
	// Lists returns summaries (Doc empty) newest first.
	Lists(ctx context.Context, f Filter) ([]ListRow, error)
	// Receipts returns list receipts with Seq > after, in order.
	Receipts(ctx context.Context, after int64, limit int) ([]Receipt, error)
	// ListReceipts returns one list's receipts in order.
	ListReceipts(ctx context.Context, listID int64) ([]Receipt, error)
	// Quota returns the buyer's counted total in fen for a year.
	Quota(ctx context.Context, buyerID string, year int) (int64, error)
	// TaxPeriods returns the consolidated tax periods of a guarantor
	// ("" for all), newest first.
	TaxPeriods(ctx context.Context, assureCode string) ([]TaxPeriod, error)
	// PayPeriod marks a period paid and gives back its guarantee debits;
	// ENOTFOUND when unknown, ECONFLICT when already paid.
	PayPeriod(ctx context.Context, assureCode, period string, at time.Time) (TaxPeriod, error)
	// Registrations returns the e-commerce enterprise registrations.
	Registrations(ctx context.Context) ([]Registration, error)
	PutRegistration(ctx context.Context, r Registration) error
	// Cursor and SetCursor keep each webhook's position in the receipt log.
	Cursor(ctx context.Context, name string) (int64, error)
	SetCursor(ctx context.Context, name string, seq int64) error
	// MaxListID returns the highest list id stored (0 when none).
	MaxListID(ctx context.Context) (int64, error)
}

// DocRow is a stored order, payment or waybill. Key is KindKey(kind, ...).
type DocRow struct {
	Key  string
	Kind Kind
	At   time.Time
	Doc  []byte // JSON of the document
	Op   DocOp  // for Apply only
}

// DocOp says how Apply writes a document.
type DocOp int

const (
	DocInsert DocOp = iota // refused as a duplicate when the key exists
	DocUpsert              // change (appType 2)
	DocDelete              // delete (appType 3)
)

// ListRow is a stored inventory list with its summary columns.
type ListRow struct {
	ID          int64     `json:"id"`
	Key         string    `json:"key"` // ebpCode|orderNo
	Status      Status    `json:"status"`
	Lane        string    `json:"lane,omitempty"`
	BuyerID     string    `json:"buyer_id"`
	EbpCode     string    `json:"ebp_code"`
	OrderNo     string    `json:"order_no"`
	LogisticsNo string    `json:"logistics_no"`
	AssureCode  string    `json:"assure_code"`
	TradeMode   string    `json:"trade_mode"`
	CustomsCode string    `json:"customs_code"`
	ValueFen    int64     `json:"value_fen"`
	TaxFen      int64     `json:"tax_fen"`
	Period      string    `json:"period,omitempty"` // tax period yyyyMM once taxed
	DeclaredAt  time.Time `json:"declared_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	Deadline    time.Time `json:"deadline,omitzero"` // waiting lists: rejected after this
	Doc         []byte    `json:"-"`                 // JSON of ListDoc

	// For Apply: insert (ExpectStatus 0) or update when the stored status
	// is ExpectStatus.
	ExpectStatus Status `json:"-"`
}

// Filter selects lists.
type Filter struct {
	Status  []Status
	BuyerID string
	EbpCode string
	Before  int64 // id cursor: lists with a smaller id
	Limit   int
}

// Unit is everything one incoming document causes.
type Unit struct {
	Docs     []DocRow
	List     *ListRow
	Quota    *QuotaDelta
	Period   *PeriodDelta
	Receipts []Receipt // list receipts to log; Seq is set by Apply
	// Guarantee secures the list's tax (see SecureBatch); Period is
	// counted only once it is secured.
	Guarantee *GuaranteeClaim
	// Refuse turns the unit into its refusal (code: duplicate, conflict,
	// quota); Apply then writes what is left.
	Refuse  func(code string)
	Refused string // set by Apply

	revert func() // undoes the unit's effect on the match state
	after  func() // runs once the unit is durable

	// The receipts' stored form made ahead of the writer (encodeReceipts),
	// end to end, for the receipts starting at storedFor.
	stored     []byte
	storedEnds []int
	storedFor  *Receipt
}

// encodeReceipts makes the receipts' stored form on the engine goroutine,
// so that the single writer only copies it: the JSON without seq and
// list_id, which the writer assigns and the store keeps in columns.
func (u *Unit) encodeReceipts() {
	u.stored, u.storedEnds, u.storedFor = nil, nil, nil
	for i := range u.Receipts {
		b, err := storedReceipt(u.stored, &u.Receipts[i])
		if err != nil {
			u.stored, u.storedEnds = nil, nil
			return // encoded again by the writer, which reports the error
		}
		u.stored, u.storedEnds = b, append(u.storedEnds, len(b))
	}
	if len(u.Receipts) > 0 {
		u.storedFor = &u.Receipts[0]
	}
}

// AppendReceipt appends receipt i's stored form to b: JSON without seq and
// list_id (the store keeps them in columns and puts them back on reading).
// The form made ahead serves unless the receipts were replaced since (a
// unit refused by the writer gets new ones).
func (u *Unit) AppendReceipt(b []byte, i int) ([]byte, error) {
	if u.storedFor != nil && u.storedFor == &u.Receipts[0] && len(u.storedEnds) == len(u.Receipts) {
		start := 0
		if i > 0 {
			start = u.storedEnds[i-1]
		}
		return append(b, u.stored[start:u.storedEnds[i]]...), nil
	}
	return storedReceipt(b, &u.Receipts[i])
}

// ReceiptsSize is the length of the receipts' stored form when it was made
// ahead (0 otherwise), for the writer to size its buffer.
func (u *Unit) ReceiptsSize() int { return len(u.stored) }

func storedReceipt(b []byte, r *Receipt) ([]byte, error) {
	c := *r
	c.Seq, c.ListID = 0, 0
	return c.AppendJSON(b)
}

// QuotaDelta counts a list against (or, negative, restores) a buyer's
// annual total. A positive delta is applied only if the total stays
// within Limit.
type QuotaDelta struct {
	BuyerID  string
	Year     int
	DeltaFen int64
	LimitFen int64
}

// PeriodDelta adds a tax bill to (or removes it from) its guarantor's
// consolidated payment period.
type PeriodDelta struct {
	AssureCode string
	Period     string
	Bills      int64
	TaxFen     int64
}

// TaxPeriod is a guarantor's consolidated tax of one month (汇总征税).
type TaxPeriod struct {
	AssureCode string     `json:"assure_code"`
	Period     string     `json:"period"` // yyyyMM
	Bills      int64      `json:"bills"`
	TaxFen     int64      `json:"tax_fen"`
	PaidAt     *time.Time `json:"paid_at,omitempty"`
}

// Registration is an enterprise's e-commerce registration (跨境电商企业
// 备案): the customs code used in messages, its credit code in the
// enterprise registry and the roles it may act in.
type Registration struct {
	Code   string   `json:"code"` // 10-character customs registration code
	SCC    string   `json:"scc"`
	NameZH string   `json:"name_zh"`
	Roles  []string `json:"roles"`
}

// Roles of e-commerce parties.
const (
	RolePlatform  = "ebp"       // 电商平台
	RoleSeller    = "ebc"       // 电商企业
	RoleLogistics = "logistics" // 物流企业
	RolePayment   = "payment"   // 支付企业
	RoleAgent     = "agent"     // 申报企业
	RoleGuarantor = "assure"    // 担保企业
)

// Document keys.
func orderKey(ebp, orderNo string) string   { return "O|" + ebp + "|" + orderNo }
func paymentKey(ebp, orderNo string) string { return "P|" + ebp + "|" + orderNo }
func waybillKey(code, no string) string     { return "W|" + code + "|" + no }
func listKey(ebp, orderNo string) string    { return ebp + "|" + orderNo }

// PeriodSums adds up a batch's period deltas so that an adapter writes
// each guarantor's period once per batch.
type PeriodSums struct {
	m     map[[2]string]*PeriodDelta
	order [][2]string
}

func NewPeriodSums() *PeriodSums { return &PeriodSums{m: map[[2]string]*PeriodDelta{}} }

func (p *PeriodSums) Add(d PeriodDelta) {
	k := [2]string{d.AssureCode, d.Period}
	if s := p.m[k]; s != nil {
		s.Bills += d.Bills
		s.TaxFen += d.TaxFen
		return
	}
	p.m[k] = &d
	p.order = append(p.order, k)
}

// Deltas returns the sums in first-seen order.
func (p *PeriodSums) Deltas() []PeriodDelta {
	out := make([]PeriodDelta, 0, len(p.order))
	for _, k := range p.order {
		out = append(out, *p.m[k])
	}
	return out
}
