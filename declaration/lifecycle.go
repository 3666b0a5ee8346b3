package declaration

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/jinguan-customs/jinguan"
)

// Lifecycle states.
const (
	StatusSubmitted       Status = "submitted"        // 已申报
	StatusAmended         Status = "amended"          // 已修改, awaiting a new risk assessment
	StatusRiskAssessed    Status = "risk_assessed"    // 已布控 (lane known)
	StatusUnderReview     Status = "under_review"     // 审单中 (yellow)
	StatusUnderInspection Status = "under_inspection" // 查验中 (red)
	StatusInspected       Status = "inspected"        // 审单/查验完毕
	StatusAssessed        Status = "assessed"         // 已计税
	StatusPaid            Status = "paid"             // 已缴税
	StatusGuaranteed      Status = "guaranteed"       // 已担保
	StatusReleased        Status = "released"         // 已放行
	StatusAudited         Status = "audited"          // 已稽查 (post-clearance audit recorded)
	StatusRejected        Status = "rejected"         // 退单
	StatusWithdrawn       Status = "withdrawn"        // 撤单
)

// Statuses lists every state in lifecycle order.
var Statuses = []Status{StatusSubmitted, StatusAmended, StatusRiskAssessed, StatusUnderReview,
	StatusUnderInspection, StatusInspected, StatusAssessed, StatusPaid, StatusGuaranteed,
	StatusReleased, StatusAudited, StatusRejected, StatusWithdrawn}

// Action names a transition.
type Action string

const (
	ActSubmit       Action = "submit"
	ActAssessRisk   Action = "assess_risk"
	ActRoute        Action = "route"         // to document review or inspection by lane
	ActRecordResult Action = "record_result" // review or inspection result
	ActAssessTax    Action = "assess_tax"
	ActGuarantee    Action = "guarantee"
	ActPay          Action = "pay"
	ActRelease      Action = "release"
	ActReject       Action = "reject"
	ActWithdraw     Action = "withdraw"
	ActAmend        Action = "amend"
	ActReroute      Action = "reroute"
	ActRecordAudit  Action = "record_audit" // post-clearance audit result (稽查)
)

// transitions is the whole state machine: which states an action may start
// from. The target state is fixed except for route and reroute, where the
// lane decides (see target).
var transitions = map[Action][]Status{
	ActAssessRisk:   {StatusSubmitted, StatusAmended},
	ActRoute:        {StatusRiskAssessed},
	ActRecordResult: {StatusUnderReview, StatusUnderInspection},
	ActAssessTax:    {StatusRiskAssessed, StatusInspected},
	ActGuarantee:    {StatusAssessed},
	ActPay:          {StatusAssessed},
	ActRelease:      {StatusPaid, StatusGuaranteed},
	ActReject: {StatusSubmitted, StatusAmended, StatusRiskAssessed, StatusUnderReview,
		StatusUnderInspection, StatusInspected, StatusAssessed},
	ActWithdraw: {StatusSubmitted, StatusAmended, StatusRiskAssessed, StatusUnderReview,
		StatusInspected, StatusAssessed},
	ActAmend:       {StatusRiskAssessed, StatusUnderReview, StatusInspected, StatusAssessed},
	ActReroute:     {StatusRiskAssessed, StatusUnderReview, StatusUnderInspection},
	ActRecordAudit: {StatusReleased},
}

var fixedTarget = map[Action]Status{
	ActAssessRisk:   StatusRiskAssessed,
	ActRecordResult: StatusInspected,
	ActAssessTax:    StatusAssessed,
	ActGuarantee:    StatusGuaranteed,
	ActPay:          StatusPaid,
	ActRelease:      StatusReleased,
	ActReject:       StatusRejected,
	ActWithdraw:     StatusWithdrawn,
	ActAmend:        StatusAmended,
	ActRecordAudit:  StatusAudited,
}

// laneState is where a declaration waits once its lane is known.
func laneState(l Lane) Status {
	switch l {
	case LaneYellow:
		return StatusUnderReview
	case LaneRed:
		return StatusUnderInspection
	default:
		return StatusRiskAssessed
	}
}

func target(a Action, d *Declaration) Status {
	if a == ActRoute || a == ActReroute {
		return laneState(d.Lane)
	}
	return fixedTarget[a]
}

// LaneSeverity orders lanes from release to inspection.
func LaneSeverity(l Lane) int {
	switch l {
	case LaneBlue:
		return 1
	case LaneYellow:
		return 2
	case LaneRed:
		return 3
	}
	return 0
}

// Can reports whether action a is allowed in status s.
func Can(a Action, s Status) bool {
	return slices.Contains(transitions[a], s)
}

// Terminal reports whether no action can leave s.
func Terminal(s Status) bool {
	return s == StatusAudited || s == StatusRejected || s == StatusWithdrawn
}

// Actor is who performs a transition.
type Actor struct {
	Name string
	Role string
}

// System is the actor of automatic pipeline steps.
var System = Actor{Name: "system", Role: "system"}

// transition applies action a to d and returns the event that records it.
// The caller has already changed the fields the action concerns (lane,
// result, tax…); data is stored with the event.
func transition(d *Declaration, a Action, by Actor, at time.Time, reason string, data any) (Event, error) {
	if a != ActSubmit && !Can(a, d.Status) {
		return Event{}, illegal(a, d.Status)
	}
	from := d.Status
	to := StatusSubmitted
	if a != ActSubmit {
		to = target(a, d)
	}
	var raw json.RawMessage
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return Event{}, err
		}
		raw = b
	}
	if a == ActRelease {
		d.ReleasedAt, d.ReleasedBy = at, by.Name // an audit must be someone else's
	}
	d.Status = to
	d.Doc = nil // the sealed document is stale now
	d.Version++
	d.UpdatedAt = at
	return Event{
		DeclarationID: d.ID, Seq: d.Version, Action: a, From: from, To: to,
		Actor: by.Name, Role: by.Role, At: at, Reason: reason, Data: raw,
	}, nil
}

func illegal(a Action, s Status) *jinguan.Error {
	return jinguan.Errorf(jinguan.ETRANSITION,
		"当前状态 %[2]s 不允许操作 %[1]s", "action %s is not allowed in status %s", a, s)
}
