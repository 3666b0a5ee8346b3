package credit

import (
	"time"

	"github.com/shopspring/decimal"
)

// Kind is what a credit event records.
type Kind string

const (
	KindPenalty           Kind = "penalty"            // 行政处罚: a customs administrative penalty decision
	KindSmuggling         Kind = "smuggling"          // 走私: a smuggling case, administrative or criminal
	KindUnpaidTax         Kind = "unpaid_tax"         // 欠税: taxes due and not paid
	KindUnpaidFine        Kind = "unpaid_fine"        // 欠缴罚没款: fines, confiscated proceeds due and not paid
	KindSettlement        Kind = "settlement"         // 补缴/履行: an unpaid tax or fine paid, a penalty fulfilled
	KindCorrection        Kind = "correction"         // 报关单修改/撤销 for the enterprise's error
	KindRejection         Kind = "rejection"          // 退单: a declaration rejected
	KindInspectionFinding Kind = "inspection_finding" // 查验发现问题
	KindLateReport        Kind = "late_annual_report" // 未按时报送年报
	KindBlacklist         Kind = "blacklist"          // 联合惩戒: listed by another department
	KindDelisting         Kind = "delisting"          // removed from that list
	KindActivity          Kind = "activity"           // a month's volumes: declarations, lists, manifests, inspections
	KindVoid              Kind = "void"               // withdraws an event recorded in error
)

// Kinds lists every kind in the order documents show them.
var Kinds = []Kind{KindPenalty, KindSmuggling, KindUnpaidTax, KindUnpaidFine, KindSettlement, KindCorrection,
	KindRejection, KindInspectionFinding, KindLateReport, KindBlacklist, KindDelisting, KindActivity, KindVoid}

var kindNames = map[Kind][2]string{
	KindPenalty:           {"行政处罚", "administrative penalty"},
	KindSmuggling:         {"走私案件", "smuggling case"},
	KindUnpaidTax:         {"欠缴税款", "unpaid taxes"},
	KindUnpaidFine:        {"欠缴罚没款", "unpaid fine"},
	KindSettlement:        {"补缴或履行", "settlement"},
	KindCorrection:        {"报关单修改撤销", "declaration correction"},
	KindRejection:         {"退单", "declaration rejected"},
	KindInspectionFinding: {"查验发现问题", "inspection finding"},
	KindLateReport:        {"未按时报送年报", "late annual report"},
	KindBlacklist:         {"联合惩戒名单", "joint-punishment list entry"},
	KindDelisting:         {"移出联合惩戒名单", "removed from a joint-punishment list"},
	KindActivity:          {"月度业务量", "monthly activity"},
	KindVoid:              {"撤销错误记录", "record withdrawn"},
}

// NameZH and NameEN name the kind for people.
func (k Kind) NameZH() string { return kindNames[k][0] }
func (k Kind) NameEN() string { return kindNames[k][1] }

// Event is one fact in an enterprise's credit record. Events are never
// changed or deleted: a mistake is withdrawn by a void event, and a
// correction is a new event that supersedes the old one.
type Event struct {
	ID        int64           `json:"id"`
	SCC       string          `json:"scc"`
	Kind      Kind            `json:"kind"`
	On        Date            `json:"on"`                  // the day it happened (decision, case, month start for activity)
	Source    string          `json:"source"`              // the system or department that reported it
	Reference string          `json:"reference,omitempty"` // decision, case or declaration number
	Amount    decimal.Decimal `json:"amount"`              // CNY; zero where the kind has none
	// Intentional is set on penalties: since 2023 unintentional violations
	// do not count toward the dishonest thresholds.
	Intentional *bool     `json:"intentional,omitempty"`
	Criminal    bool      `json:"criminal,omitempty"`   // smuggling prosecuted as a crime
	DueOn       Date      `json:"due_on,omitzero"`      // unpaid taxes and fines
	Until       Date      `json:"until,omitzero"`       // a list entry's announced end
	Department  string    `json:"department,omitempty"` // the issuing department of a list entry
	RefersTo    int64     `json:"refers_to,omitempty"`  // settlement, delisting, void: the event concerned
	Supersedes  int64     `json:"supersedes,omitempty"` // a correction: the event this one replaces
	Counts      *Counts   `json:"counts,omitempty"`     // activity
	Note        string    `json:"note,omitempty"`
	RecordedAt  time.Time `json:"recorded_at"`
	RecordedBy  string    `json:"recorded_by"`
}

// Counts are a month's volumes from the clearance systems: the base of
// the per-mille rule and of the accuracy and inspection terms.
type Counts struct {
	Declarations int `json:"declarations"` // goods declarations (报关单)
	Lists        int `json:"lists"`        // entry/exit record lists (备案清单)
	Manifests    int `json:"manifests"`    // manifests (舱单)
	Inspections  int `json:"inspections"`  // declarations inspected
}
