package declaration

import (
	"context"
	"time"
)

// Store persists declarations and their events. SQLite and PostgreSQL
// adapters implement it and pass the same suite (storetest).
//
// Writes go through WriteBatch: one transaction, one commit, with each Op
// isolated in a savepoint so that a failing Op leaves no trace while the
// others commit. That is the group commit the service relies on.
type Store interface {
	// ReserveID returns an id for a declaration about to be inserted, so
	// that its document can be prepared outside the writer. Ids are never
	// handed out twice.
	ReserveID(ctx context.Context) (int64, error)

	// WriteBatch runs ops in one transaction. errs[i] is ops[i]'s error; if
	// the commit itself fails every element carries that error.
	WriteBatch(ctx context.Context, ops []Op) (errs []error)

	// Get returns ENOTFOUND when no declaration has that id.
	Get(ctx context.Context, id int64) (*Declaration, error)
	// List returns summaries matching f in f.Order, and a cursor for the
	// next page ("" when there is none).
	List(ctx context.Context, f Filter) (rows []Summary, next string, err error)
	// Events returns the declaration's events in order.
	Events(ctx context.Context, id int64) ([]Event, error)
	// Pending returns ids of declarations in one of the statuses, oldest
	// first; the pipeline resumes them after a restart.
	Pending(ctx context.Context, statuses []Status, limit int) ([]int64, error)
	// CountByStatus is for health and metrics pages.
	CountByStatus(ctx context.Context) (map[Status]int, error)
	Close() error
}

// Op is one unit of work inside a batch.
type Op func(ctx context.Context, tx Tx) error

// Tx is what an Op may do inside the batch's transaction.
type Tx interface {
	// Get returns ENOTFOUND when absent; on PostgreSQL the row is locked.
	Get(ctx context.Context, id int64) (*Declaration, error)
	// FindByKey returns the declaration the agent submitted under a client
	// key, or nil, nil.
	FindByKey(ctx context.Context, agentScc, clientKey string) (*Declaration, error)
	// Insert stores a new declaration. It keeps an ID from ReserveID or
	// assigns one, and sets EntryID and SeqNo.
	Insert(ctx context.Context, d *Declaration) error
	// Update rewrites the declaration row; items are rewritten when
	// itemsChanged (after an amendment).
	Update(ctx context.Context, d *Declaration, itemsChanged bool) error
	// AppendEvents stores events; (declaration, seq) is unique.
	AppendEvents(ctx context.Context, evs ...Event) error
}

// Filter selects declarations for List. Zero fields do not filter.
type Filter struct {
	Status     []Status
	Lane       Lane
	IEFlag     string
	Trader     string // trade_co_scc
	Enterprise string // visibility: trader, owner or agent equals it
	Office     string // custom_master
	OfficeArea string // visibility: custom_master starts with it (see OfficeArea)
	HSPrefix   string // any item's code_ts starts with it
	From, To   time.Time
	// Order: "" lists newest first; OrderPriority lists the declarations
	// of traders whose grade earns priority handling first (the officers'
	// review and inspection queues), each group newest first.
	Order  string
	Cursor string
	Limit  int
}
