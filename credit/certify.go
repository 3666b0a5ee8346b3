package credit

import (
	"context"
	"regexp"
	"strings"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/enterprise"
)

// CertifyInput is a certification decision as an officer records it.
type CertifyInput struct {
	Action    string `json:"action"`               // "grant" or "revoke"
	Level     string `json:"level,omitempty"`      // grants: "advanced" or "general"
	Number    string `json:"number,omitempty"`     // grants: the certificate number
	ValidFrom string `json:"valid_from,omitempty"` // YYYY-MM-DD, default today; for a revocation the day it ends
	ValidTo   string `json:"valid_to,omitempty"`   // grants: expiry, none for open
	Reference string `json:"reference"`            // the decision document
	Reason    string `json:"reason"`
}

// Certified is what a certification decision did.
type Certified struct {
	Certification Certification `json:"certification"`
	GradeChanges  []GradeChange `json:"grade_changes"`
}

var reCertNumber = regexp.MustCompile(`^[A-Z0-9-]{4,40}$`)

// Certify records an AEO certification decision for an enterprise. A
// grant is refused while a dishonest ground is in force; the grade
// follows the decision at once.
func (s *Service) Certify(ctx context.Context, p auth.Principal, scc string, body []byte) (Certified, error) {
	var in CertifyInput
	if errs := declaration.DecodeStrict(body, &in); errs != nil {
		return Certified{}, jinguan.Invalid(errs)
	}
	s.record.Lock()
	defer s.record.Unlock()
	e, err := s.managed(ctx, p, scc)
	if err != nil {
		return Certified{}, err
	}
	now, today := s.now(), s.today()
	c := Certification{SCC: scc, Action: in.Action, Level: in.Level, Number: strings.ToUpper(strings.TrimSpace(in.Number)),
		DecidedBy: p.User, DecidedAt: now.UTC()}
	v := &checker{}
	c.Reference = v.text("reference", in.Reference, true, maxText)
	c.Reason = v.text("reason", in.Reason, true, maxNote)
	c.ValidFrom = today
	if in.ValidFrom != "" {
		c.ValidFrom = v.date("valid_from", in.ValidFrom, true, 0)
	}
	switch in.Action {
	case "grant":
		switch {
		case in.Level != enterprise.AEOAdvanced && in.Level != enterprise.AEOGeneral:
			v.add("level", "unknown_level", "认证等级应为 advanced 或 general", "level is advanced or general")
		case in.Level == enterprise.AEOGeneral && !s.Config().Model.Has(GradeCertified):
			v.add("level", "level_not_in_model", "现行信用等级模式没有一般认证", "the grade model in force has no general certification")
		}
		if !reCertNumber.MatchString(c.Number) {
			v.add("number", "number_format", "证书编号应为 4–40 位大写字母、数字或连字符", "a certificate number is 4–40 capital letters, digits or hyphens")
		}
		if in.ValidTo != "" {
			c.ValidTo = v.date("valid_to", in.ValidTo, true, 0)
			if c.ValidTo != 0 && c.ValidTo <= c.ValidFrom {
				v.add("valid_to", "until_before_on", "有效期截止日应晚于起始日", "the expiry must be after the start")
			}
		}
		if a, ok := s.book.Assess(scc, today); ok && v.errs == nil {
			for _, g := range a.Grounds {
				if g.Active {
					v.add("action", "dishonest_grounds", "企业存在未消除的失信情形，不予认证："+g.TextZH,
						"a dishonest ground is in force, certification is refused: "+g.TextEN)
					break
				}
			}
		}
	case "revoke":
		c.Level, c.Number = "", ""
		if e.AEO == nil || (e.AEO.ValidTo != nil && DateOf(*e.AEO.ValidTo) <= today) {
			v.add("action", "no_certificate", "企业没有有效的认证证书", "the enterprise holds no certificate in force")
		} else {
			c.Level, c.Number = e.AEO.Level, e.AEO.Number
		}
		if in.ValidTo != "" {
			v.add("valid_to", "not_allowed", "撤销决定不应有截止日期", "a revocation has no expiry")
		}
	default:
		v.add("action", "unknown_action", "应为 grant 或 revoke", "grant or revoke")
	}
	if v.errs != nil {
		return Certified{}, jinguan.Invalid(v.errs)
	}
	if err := s.store.Certify(ctx, &c); err != nil {
		return Certified{}, err
	}
	e.AEO = c.Certificate(e.AEO)
	s.book.SetSubject(SubjectOf(e.SCC, e.Roles, e.RegisteredAt, e.AEO))
	cs, err := s.book.Reassess(ctx, []string{scc}, today, now, CauseCertification, p.User, s.store)
	if err != nil {
		return Certified{}, err
	}
	if cs == nil {
		cs = []GradeChange{}
	}
	return Certified{Certification: c, GradeChanges: cs}, nil
}

// Certifications lists an enterprise's certification decisions.
func (s *Service) Certifications(ctx context.Context, p auth.Principal, scc string) ([]Certification, error) {
	if _, err := s.visible(ctx, p, scc); err != nil {
		return nil, err
	}
	return s.store.Certifications(ctx, scc)
}
