package credit

import (
	"context"
	"time"
)

// Store keeps the credit record. Events, repairs and certification
// decisions are the record; results and grade changes are derived from
// it and written by runs.
type Store interface {
	Sink
	ClearanceSource
	// AppendEvents stores events in one transaction, assigning ids in
	// order; on error nothing is stored.
	AppendEvents(ctx context.Context, es []Event) ([]Event, error)
	// Events returns an enterprise's events by id.
	Events(ctx context.Context, scc string) ([]Event, error)
	// ScanEvents reads the events with ids above after in id order, for
	// loading the book (after 0) and catching up with other nodes.
	ScanEvents(ctx context.Context, after int64, fn func(*Event) error) error
	// ScanSubjects reads what grading needs of the registered enterprises
	// updated since (zero: all).
	ScanSubjects(ctx context.Context, since time.Time, fn func(Subject) error) error
	// ScanResults reads every stored result.
	ScanResults(ctx context.Context, fn func(Result) error) error
	// AppendEventsOnce is AppendEvents under a key: a second batch with the
	// same key stores nothing and reports false.
	AppendEventsOnce(ctx context.Context, key string, es []Event) ([]Event, bool, error)
	// ClearanceVolumes counts each enterprise's declarations in [from, to)
	// — as trader, or as the declaring agent of another's — and those sent
	// to inspection (the red lane).
	ClearanceVolumes(ctx context.Context, from, to time.Time) ([]Volume, error)
	// GradeChanges returns the newest changes first; scc "" for all.
	GradeChanges(ctx context.Context, scc string, limit int) ([]GradeChange, error)

	// AppendRegistryChange stores a registry audit record and sets its id.
	AppendRegistryChange(ctx context.Context, c *RegistryChange) error
	// RegistryChanges returns an enterprise's registry audit trail, newest first.
	RegistryChanges(ctx context.Context, scc string) ([]RegistryChange, error)

	// PutRepair inserts an application and sets its id.
	PutRepair(ctx context.Context, r *Repair) error
	// UpdateRepair changes a repair in a transaction; fn's error aborts.
	// ENOTFOUND when there is no such repair.
	UpdateRepair(ctx context.Context, id int64, fn func(*Repair) error) (Repair, error)
	Repair(ctx context.Context, id int64) (Repair, error)
	Repairs(ctx context.Context, f RepairFilter) ([]Repair, error)

	// Certify stores a certification decision and sets the enterprise's
	// AEO certificate accordingly, in one transaction.
	Certify(ctx context.Context, c *Certification) error
	Certifications(ctx context.Context, scc string) ([]Certification, error)
}

// Volume is one enterprise's clearance over a period.
type Volume struct {
	SCC          string
	Declarations int
	Inspections  int
}

// RepairFilter selects repairs, newest first.
type RepairFilter struct {
	SCC    string
	Status RepairStatus
	Area   string // customs district prefix of the enterprise
	Limit  int    // default and most 1,000; negative: all
}

// RepairStatus is where an application stands.
type RepairStatus string

const (
	RepairPending  RepairStatus = "pending"
	RepairApproved RepairStatus = "approved"
	RepairRejected RepairStatus = "rejected"
)

// Repair is a credit repair application (信用修复申请) and its decision.
type Repair struct {
	ID        int64        `json:"id"`
	SCC       string       `json:"scc"`
	Grounds   []GroundRef  `json:"grounds"`
	Reason    string       `json:"reason"`
	Evidence  []Evidence   `json:"evidence"`
	Status    RepairStatus `json:"status"`
	AppliedAt time.Time    `json:"applied_at"`
	AppliedBy string       `json:"applied_by"`
	DecidedAt *time.Time   `json:"decided_at,omitempty"`
	DecidedBy string       `json:"decided_by,omitempty"`
	Decision  string       `json:"decision_reason,omitempty"`
	// GradeBefore and GradeAfter are the grades when applying and after
	// the decision.
	GradeBefore Grade  `json:"grade_before"`
	GradeAfter  *Grade `json:"grade_after,omitempty"`
}

// GroundRef names a dishonest ground: the rule and the event it rests on.
type GroundRef struct {
	Rule  string `json:"rule"`
	Event int64  `json:"event"`
}

// Evidence supports an application: what was done and where it is recorded.
type Evidence struct {
	Kind      string `json:"kind"` // see EvidenceKinds
	Reference string `json:"reference"`
	Note      string `json:"note,omitempty"`
}

// EvidenceKinds are the kinds of evidence an application can carry.
var EvidenceKinds = []string{"penalty_fulfilled", "tax_paid", "fine_paid", "rectified", "delisted", "other"}

// Certification is an AEO certification decision (认证决定): a grant with
// its level and validity, or a revocation. It is recorded by an officer,
// never computed.
type Certification struct {
	ID        int64     `json:"id"`
	SCC       string    `json:"scc"`
	Action    string    `json:"action"`          // "grant" or "revoke"
	Level     string    `json:"level,omitempty"` // "advanced" or "general", for grants
	Number    string    `json:"number,omitempty"`
	ValidFrom Date      `json:"valid_from"`
	ValidTo   Date      `json:"valid_to,omitzero"` // grants: expiry; revocations: the day it ends
	Reference string    `json:"reference"`         // the decision document
	Reason    string    `json:"reason"`
	DecidedBy string    `json:"decided_by"`
	DecidedAt time.Time `json:"decided_at"`
}
