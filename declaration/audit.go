package declaration

import (
	"context"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
)

// RecordAudit stores the result of a post-clearance audit (稽查) of a
// released declaration: the blue lane's queue, or any release an officer
// selects. Its additional duty raises a supplementary tax bill linked to
// the original, in the same transaction.
//
// 选查处分离: the audit checks the whole clearance, so whoever selected,
// inspected or released the declaration may not audit it.
func (s *Service) RecordAudit(ctx context.Context, p auth.Principal, id int64, in ResultInput) (*Declaration, error) {
	return s.act(ctx, p, id, officers, false, func(ctx context.Context, tx Tx, d *Declaration, at time.Time) (step, error) {
		if err := can(ActRecordAudit, d); err != nil {
			return step{}, err
		}
		if (d.Risk != nil && d.Risk.DecidedBy == p.User) || (d.Inspection != nil && d.Inspection.Officer == p.User) ||
			d.ReleasedBy == p.User {
			return step{}, jinguan.Errorf(jinguan.EFORBIDDEN, "选查处分离：布控、查验或放行人员不得稽查本单",
				"separation of duties: the officer who selected, inspected or released may not audit")
		}
		r, errs := checkResult(d, in, p.User, at)
		if len(errs) > 0 {
			return step{}, jinguan.Invalid(errs)
		}
		if r.AdditionalDuty.IsPositive() && s.billing != nil {
			no, err := s.billing.Supplement(ctx, tx, d, r.AdditionalDuty, Actor{p.User, string(p.Role)}, at,
				"稽查补税 post-clearance audit")
			if err != nil {
				return step{}, err
			}
			r.Bill = no
		}
		d.Audit = r
		return step{ActRecordAudit, in.Outcome, d.Audit}, nil
	})
}
