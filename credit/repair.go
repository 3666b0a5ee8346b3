package credit

import (
	"context"
	"strconv"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
)

// RepairInput is a repair application: the grounds to repair (none: every
// ground in force), why, and the evidence.
type RepairInput struct {
	Grounds  []GroundRef `json:"grounds,omitempty"`
	Reason   string      `json:"reason"`
	Evidence []Evidence  `json:"evidence"`
}

// DecisionInput is an officer's decision on an application.
type DecisionInput struct {
	Reason string `json:"reason"`
}

// Decided is what a repair decision did.
type Decided struct {
	Repair       Repair        `json:"repair"`
	GradeChanges []GradeChange `json:"grade_changes"`
}

// ApplyRepair files a repair application for an enterprise: by the
// enterprise itself or by a credit officer on its behalf. Every named
// ground must be in force and repairable today.
func (s *Service) ApplyRepair(ctx context.Context, p auth.Principal, scc string, body []byte) (Repair, error) {
	var in RepairInput
	if errs := declaration.DecodeStrict(body, &in); errs != nil {
		return Repair{}, jinguan.Invalid(errs)
	}
	if p.Role == auth.RoleDeclarant {
		if _, err := s.visible(ctx, p, scc); err != nil {
			return Repair{}, err
		}
	} else if _, err := s.managed(ctx, p, scc); err != nil {
		return Repair{}, err
	}
	s.record.Lock()
	defer s.record.Unlock()
	s.ensure(ctx, scc)
	today := s.today()
	v := &checker{}
	r := Repair{SCC: scc, Reason: v.text("reason", in.Reason, true, maxNote), Status: RepairPending,
		AppliedAt: s.now().UTC(), AppliedBy: p.User}
	if len(in.Evidence) == 0 {
		v.add("evidence", "required", "须提交证明材料", "evidence is required")
	}
	for i, ev := range in.Evidence {
		f := "evidence/" + strconv.Itoa(i)
		if !slicesContains(EvidenceKinds, ev.Kind) {
			v.add(f+"/kind", "unknown_kind", "未知的证明材料类型", "unknown kind of evidence")
		}
		r.Evidence = append(r.Evidence, Evidence{Kind: ev.Kind, Reference: v.text(f+"/reference", ev.Reference, true, maxText),
			Note: v.text(f+"/note", ev.Note, false, maxNote)})
	}
	a, ok := s.book.Assess(scc, today)
	if !ok {
		return Repair{}, notFoundEnterprise()
	}
	r.GradeBefore = a.Grade
	r.Grounds = in.Grounds
	if len(r.Grounds) == 0 {
		for _, g := range a.Grounds {
			if g.Active {
				r.Grounds = append(r.Grounds, GroundRef{Rule: g.Rule, Event: g.Event})
			}
		}
		if len(r.Grounds) == 0 {
			v.add("grounds", "no_grounds", "企业没有需要修复的失信情形", "the enterprise has no dishonest ground to repair")
		}
	}
	v.repairable(a, r.Grounds, today, len(in.Grounds) > 0)
	if v.errs != nil {
		return Repair{}, jinguan.Invalid(v.errs)
	}
	pending, err := s.store.Repairs(ctx, RepairFilter{SCC: scc, Status: RepairPending, Limit: 1})
	if err != nil {
		return Repair{}, err
	}
	if len(pending) > 0 {
		return Repair{}, jinguan.Errorf(jinguan.ECONFLICT, "该企业已有待审核的信用修复申请（%d）",
			"the enterprise has a pending repair application (%d)", pending[0].ID)
	}
	if err := s.store.PutRepair(ctx, &r); err != nil {
		return Repair{}, err
	}
	return r, nil
}

// repairable checks that every ground is in force and may be repaired on
// day. named: the grounds were listed by the applicant (pointers name them).
func (c *checker) repairable(a *Assessment, refs []GroundRef, day Date, named bool) {
	for i, ref := range refs {
		f := "grounds"
		if named {
			f += "/" + strconv.Itoa(i)
		}
		var g *Ground
		for j := range a.Grounds {
			if a.Grounds[j].Rule == ref.Rule && a.Grounds[j].Event == ref.Event {
				g = &a.Grounds[j]
			}
		}
		switch {
		case g == nil || !g.Active:
			c.add(f, "not_active", "该失信情形不存在或已消除", "no such ground is in force")
		case g.RepairableFrom == 0 && (g.Rule == RuleUnpaidTax || g.Rule == RuleUnpaidFine):
			c.add(f, "unsettled", "须先缴清所欠款项", "the sum must be paid first")
		case g.RepairableFrom == 0:
			c.add(f, "not_repairable", "该失信情形不适用信用修复（期满或移出名单后自动解除）",
				"this ground cannot be repaired; it ends with its term or the delisting")
		case g.RepairableFrom > day:
			c.add(f, "waiting_period", "自 "+g.RepairableFrom.String()+" 起方可修复",
				"it may be repaired from "+g.RepairableFrom.String())
		}
	}
}

// DecideRepair approves or rejects a pending application with reasons.
// An approval is refused unless every ground is still in force and
// repairable today; the applicant may not decide. On approval the grounds
// end today and the grade is recomputed at once.
func (s *Service) DecideRepair(ctx context.Context, p auth.Principal, id int64, approve bool, body []byte) (Decided, error) {
	var in DecisionInput
	if errs := declaration.DecodeStrict(body, &in); errs != nil {
		return Decided{}, jinguan.Invalid(errs)
	}
	if !slicesContains(recorders, p.Role) {
		return Decided{}, forbidden()
	}
	cur, err := s.store.Repair(ctx, id)
	if err != nil {
		return Decided{}, err
	}
	if _, err := s.managed(ctx, p, cur.SCC); err != nil {
		if jinguan.ErrorCode(err) == jinguan.ENOTFOUND {
			return Decided{}, jinguan.NotFound("信用修复申请", "repair application")
		}
		return Decided{}, err
	}
	v := &checker{}
	reason := v.text("reason", in.Reason, true, maxNote)
	if v.errs != nil {
		return Decided{}, jinguan.Invalid(v.errs)
	}
	s.record.Lock()
	defer s.record.Unlock()
	now, today := s.now(), s.today()
	r, err := s.store.UpdateRepair(ctx, id, func(r *Repair) error {
		switch {
		case r.Status != RepairPending:
			return jinguan.Errorf(jinguan.ETRANSITION, "该申请已审核", "the application was decided already")
		case r.AppliedBy == p.User:
			return jinguan.Errorf(jinguan.EFORBIDDEN, "申请人不得审核本人提交的申请", "the applicant may not decide the application")
		}
		after, _ := s.book.Assess(r.SCC, today)
		if approve {
			c := &checker{}
			c.repairable(after, r.Grounds, today, true)
			if c.errs != nil {
				return jinguan.Invalid(c.errs)
			}
			after, _ = s.book.assessWith(r.SCC, today, r.Grounds)
			r.Status = RepairApproved
		} else {
			r.Status = RepairRejected
		}
		at := now.UTC()
		r.DecidedAt, r.DecidedBy, r.Decision, r.GradeAfter = &at, p.User, reason, &after.Grade
		return nil
	})
	if err != nil {
		return Decided{}, err
	}
	cs := []GradeChange{}
	if approve {
		for _, g := range r.Grounds {
			s.book.AddRepair(r.SCC, g.Rule, g.Event, today)
		}
		changed, err := s.book.Reassess(ctx, []string{r.SCC}, today, now, CauseRepair, p.User, s.store)
		if err != nil {
			return Decided{}, err
		}
		cs = append(cs, changed...)
	}
	return Decided{Repair: r, GradeChanges: cs}, nil
}

// Repairs lists applications: a declarant its own, officers those of
// their area.
func (s *Service) Repairs(ctx context.Context, p auth.Principal, f RepairFilter) ([]Repair, error) {
	if !slicesContains(readers, p.Role) {
		return nil, forbidden()
	}
	a, ok := area(p)
	switch {
	case !ok:
		if f.SCC != "" && f.SCC != p.Enterprise {
			return []Repair{}, nil
		}
		f.SCC = p.Enterprise
	default:
		f.Area = a
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 200
	}
	return s.store.Repairs(ctx, f)
}

// Repair returns one application the caller may see.
func (s *Service) Repair(ctx context.Context, p auth.Principal, id int64) (Repair, error) {
	r, err := s.store.Repair(ctx, id)
	if err != nil {
		return r, err
	}
	if _, err := s.visible(ctx, p, r.SCC); err != nil {
		if jinguan.ErrorCode(err) == jinguan.ENOTFOUND {
			return Repair{}, jinguan.NotFound("信用修复申请", "repair application")
		}
		return Repair{}, err
	}
	return r, nil
}
