package risk

import (
	"context"
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/declaration"
)

// Store keeps the profile registry, the watch-lists and reference prices,
// and the facts effectiveness is measured on. Adapters: sqlite, postgres;
// the shared suite is storetest.RunRisk.
type Store interface {
	// WriteProfiles inserts new profile versions and changes the status of
	// existing ones in one transaction, with their audit events. An
	// existing (id, version) or a status that is no longer From is
	// ECONFLICT, and then nothing is written.
	WriteProfiles(ctx context.Context, w ProfileWrite) error
	// ProfileVersions returns every version of a profile, oldest first;
	// ENOTFOUND when there is none.
	ProfileVersions(ctx context.Context, id string) ([]Profile, error)
	// Profiles returns the latest version of every profile, or with
	// Active, every active version; by id.
	Profiles(ctx context.Context, activeOnly bool) ([]Profile, error)
	// ProfileEvents returns a profile's audit events, oldest first.
	ProfileEvents(ctx context.Context, id string) ([]ProfileEvent, error)

	// PutList inserts or replaces a watch-list; DeleteList removes one
	// (ENOTFOUND when absent). Both are audited by their UpdatedBy.
	PutList(ctx context.Context, l WatchList) error
	DeleteList(ctx context.Context, name string) error
	WatchLists(ctx context.Context) ([]WatchList, error)
	// PutRefPrices replaces the whole reference price table.
	PutRefPrices(ctx context.Context, ps []RefPrice) error
	RefPrices(ctx context.Context) ([]RefPrice, error)

	// Generation changes whenever something the engine compiles changes:
	// profiles' statuses, lists, prices. Nodes poll it to reload.
	Generation(ctx context.Context) (int64, error)

	// ProjectFacts takes up to limit risk events (decisions, re-routings,
	// results) the declaration store has committed and not yet projected,
	// with the current facts of their declarations, lets apply compute the
	// new facts, and stores them, all in one transaction. It returns how
	// many events it took.
	ProjectFacts(ctx context.Context, limit int, apply func([]FactEvent, map[int64]*Fact) ([]*Fact, error)) (int, error)
	// FeedPending tells whether events are left to project, counting those
	// another node is projecting at the moment (ProjectFacts skips them).
	FeedPending(ctx context.Context) (bool, error)
	// Facts returns the facts of declarations decided in [from, to).
	Facts(ctx context.Context, from, to time.Time) ([]Fact, error)
	// PartyCounts sums the facts decided since from by trader and by
	// declaring agent.
	PartyCounts(ctx context.Context, from time.Time) (traders, agents map[string]PartyHistory, err error)
}

// ProfileWrite is one atomic registry change.
type ProfileWrite struct {
	Insert []Profile
	Status []StatusChange
	Events []ProfileEvent
}

// StatusChange moves one version from one status to another.
type StatusChange struct {
	ID       string
	Version  int
	From, To Status
	At       time.Time
	By       string
}

// ProfileEvent is one audited registry action.
type ProfileEvent struct {
	ProfileID string    `json:"profile_id"`
	Version   int       `json:"version"`
	Action    string    `json:"action"` // create | edit | import | activate | retire
	Actor     string    `json:"actor"`
	Role      string    `json:"role"`
	At        time.Time `json:"at"`
	Reason    string    `json:"reason,omitempty"`
}

// WatchList is a named list of values profiles test with on_list().
type WatchList struct {
	Name        string    `json:"name"`
	Kind        string    `json:"kind"` // enterprise | country | hs | bill | container | other
	Description string    `json:"description"`
	Values      []string  `json:"values"`
	UpdatedAt   time.Time `json:"updated_at"`
	UpdatedBy   string    `json:"updated_by"`
}

// RefPrice is a reference unit price (参考价格) in CNY per first legal unit
// for a commodity code and origin ("*": any origin), valid on [from, to).
type RefPrice struct {
	Code      string          `json:"code"`
	Origin    string          `json:"origin"`
	Price     decimal.Decimal `json:"price"`
	ValidFrom time.Time       `json:"valid_from"`
	ValidTo   time.Time       `json:"valid_to,omitzero"`
	Source    string          `json:"source,omitempty"`
}

// FactEvent is a committed risk event of a declaration, with what the
// projection needs from the declaration itself.
type FactEvent struct {
	DeclarationID int64
	Seq           int
	Action        declaration.Action // assess_risk | reroute | record_result
	At            time.Time
	Data          []byte // the event's data: a RiskDecision, lanes, an InspectionResult
	Trader, Agent string
	Codes         []string // commodity codes by item number - 1
}

// Fact is what risk remembers of one declaration: how it was selected
// and what the check found. Effectiveness, history and backtests read it.
type Fact struct {
	DeclarationID int64            `json:"declaration_id"`
	Seq           int              `json:"seq"` // last event applied
	DecidedAt     time.Time        `json:"decided_at"`
	Office        string           `json:"office"`
	Direction     string           `json:"direction"`
	Trader        string           `json:"trader"`
	Agent         string           `json:"agent"`
	Stream        string           `json:"stream"`
	Lane          declaration.Lane `json:"lane"`
	RandomLane    declaration.Lane `json:"random_lane"`
	// RandomRate is the chance the random stream had to select it for a
	// check (red + yellow after the credit multiplier): its sampling weight.
	RandomRate float64 `json:"random_rate"`
	TopUp      bool    `json:"top_up"`
	// Model: the risk model selected it for a check ("score" or "exploration").
	Model string `json:"model,omitempty"`
	// ModelVersion and ModelScore: the model that scored it (0: none) and
	// its highest item score, for drift monitoring.
	ModelVersion int       `json:"model_version,omitempty"`
	ModelScore   float64   `json:"model_score,omitempty"`
	Rerouted     bool      `json:"rerouted,omitempty"` // Lane is an officer's
	Chapters     []string  `json:"chapters"`           // HS chapter by item number - 1
	Hits         []FactHit `json:"hits"`
	// The check, once recorded.
	Inspected      bool            `json:"inspected"`
	InspectedAt    time.Time       `json:"inspected_at,omitzero"`
	Findings       []FactFinding   `json:"findings,omitempty"`
	AdditionalDuty decimal.Decimal `json:"additional_duty"`
	Seized         bool            `json:"seized"`
	// Audit is the post-clearance audit (稽查), once recorded: the blue
	// lane's check, or one an officer chose after release.
	Audit *FactCheck `json:"audit,omitempty"`
}

// FactCheck is a recorded post-clearance audit.
type FactCheck struct {
	At             time.Time       `json:"at"`
	Findings       []FactFinding   `json:"findings,omitempty"`
	AdditionalDuty decimal.Decimal `json:"additional_duty"`
	Seized         bool            `json:"seized,omitempty"`
}

// FactHit is one profile hit of a decision.
type FactHit struct {
	ProfileID string           `json:"profile_id"`
	Version   int              `json:"version"`
	Item      int              `json:"item"`
	Lane      declaration.Lane `json:"lane"`
	Selected  bool             `json:"selected"`
}

// FactFinding is one finding of a check.
type FactFinding struct {
	GNo            int             `json:"g_no"`
	Kind           string          `json:"kind"`
	AdditionalDuty decimal.Decimal `json:"additional_duty"`
	Seized         bool            `json:"seized,omitempty"`
}

// PartyHistory is what profiles see of an enterprise's past: declarations
// decided, how many were checked and how many checks found something.
type PartyHistory struct {
	Declarations int       `json:"declarations"`
	Inspections  int       `json:"inspections"`
	Findings     int       `json:"findings"`
	LastFinding  time.Time `json:"last_finding,omitzero"`
}

// StatusDoc updates a stored profile document for a status change; the
// adapters keep the status in a column as well.
func StatusDoc(doc []byte, c StatusChange) ([]byte, error) {
	var p Profile
	if err := json.Unmarshal(doc, &p); err != nil {
		return nil, err
	}
	p.Status = c.To
	switch c.To {
	case Active:
		p.ActivatedAt, p.ActivatedBy = c.At, c.By
	case Retired:
		p.RetiredAt, p.RetiredBy = c.At, c.By
	}
	return json.Marshal(p)
}

// StoredFact is what adapters store of a fact: the document and the
// columns that party history counts. A check is an inspection or an
// audit: Inspected, one was recorded; Finding, one found something;
// CheckedAt (stored as inspected_at), when the last one that found
// something was recorded, else the last one (zero: none).
type StoredFact struct {
	Doc                []byte
	Inspected, Finding int // 0 or 1
	CheckedAt          time.Time
}

// FactRow encodes a fact for storage.
func FactRow(f *Fact) (StoredFact, error) {
	doc, err := json.Marshal(f)
	r := StoredFact{Doc: doc}
	found := false
	if f.Inspected {
		r.Inspected, r.CheckedAt, found = 1, f.InspectedAt, len(f.Findings) > 0
	}
	if a := f.Audit; a != nil && (!found || len(a.Findings) > 0) && a.At.After(r.CheckedAt) {
		r.Inspected, r.CheckedAt, found = 1, a.At, found || len(a.Findings) > 0
	}
	if found {
		r.Finding = 1
	}
	return r, err
}
