package risk

import (
	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/declaration"
)

// check is a recorded check of a declaration as effectiveness counts it.
type check struct {
	done, seized bool
	findings     []FactFinding
	revenue      decimal.Decimal
}

func (c check) found() bool { return len(c.findings) > 0 }

// inspection is the review or inspection; audit the post-clearance audit.
func (f *Fact) inspection() check {
	return check{done: f.Inspected, seized: f.Seized, findings: f.Findings, revenue: f.AdditionalDuty}
}

func (f *Fact) audit() check {
	if f.Audit == nil {
		return check{}
	}
	return check{done: true, seized: f.Audit.Seized, findings: f.Audit.Findings, revenue: f.Audit.AdditionalDuty}
}

// checkFor is what judges a stream's selection: the audit stream's is
// the audit, the others' the review or inspection.
func (f *Fact) checkFor(stream string) check {
	if stream == StreamAudit {
		return f.audit()
	}
	return f.inspection()
}

// profileCheck is what judges a profile's selection: the check the
// declaration got, the review or inspection before an audit (a blue-lane
// profile's selection is judged by the audit).
func (f *Fact) profileCheck() check {
	if f.Inspected || f.Audit == nil {
		return f.inspection()
	}
	return f.audit()
}

// audited reports whether the declaration is the audit stream's: sent to
// the blue lane, or audited after an officer chose it.
func (f *Fact) audited() bool { return f.Lane == declaration.LaneBlue || f.Audit != nil }
