package declaration

import "github.com/jinguan-customs/jinguan/auth"

// Targeting is customs' own business. A declarant learns the lane — whether
// the goods are reviewed or inspected — but not why: which profile matched
// on which values, the inspection instruction, the random draw, the rates,
// the credit multiplier or the model's score. Selection logic that leaks
// teaches evasion. Officers, analysts and administrators see everything.

// forViewer returns d as p may see it: a copy without the targeting for a
// declarant, d itself for everyone else.
func forViewer(p auth.Principal, d *Declaration) *Declaration {
	if p.Role != auth.RoleDeclarant || d == nil || d.Risk == nil {
		return d
	}
	c := *d
	c.Risk = &RiskDecision{Lane: d.Risk.Lane, DecidedAt: d.Risk.DecidedAt,
		ReasonZH: laneNotice[d.Risk.Lane][0], ReasonEN: laneNotice[d.Risk.Lane][1]}
	c.Doc = nil // the stored document carries the full record: encode the copy
	return &c
}

// eventsForViewer blanks the reasons and data of the targeting steps for a
// declarant; the steps themselves (who, when, from and to) stay visible.
func eventsForViewer(p auth.Principal, evs []Event) []Event {
	if p.Role != auth.RoleDeclarant {
		return evs
	}
	out := make([]Event, len(evs))
	for i, ev := range evs {
		if ev.Action == ActAssessRisk || ev.Action == ActRoute || ev.Action == ActReroute {
			ev.Reason, ev.Data = "", nil
		}
		out[i] = ev
	}
	return out
}

var laneNotice = map[Lane][2]string{
	LaneGreen:  {"直接放行通道", "green lane: no check ordered"},
	LaneBlue:   {"放行后稽查通道", "blue lane: released, may be audited after release"},
	LaneYellow: {"单证审核", "yellow lane: documents are reviewed"},
	LaneRed:    {"查验", "red lane: the goods are inspected"},
}
