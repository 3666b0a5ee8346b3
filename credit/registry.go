package credit

import (
	"context"
	"strings"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/enterprise"
)

// EnterpriseView is an enterprise with its credit standing, as the API
// and the console show it. Personal data is left out for callers who do
// not need it.
type EnterpriseView struct {
	enterprise.Enterprise
	Grade  Grade `json:"grade"`
	Score  int   `json:"score"`
	Scored bool  `json:"scored"` // false until the first run after registration
}

func (s *Service) view(p auth.Principal, e enterprise.Enterprise) EnterpriseView {
	if !seesPersonal(p, &e) {
		e = e.Redacted()
	}
	v := EnterpriseView{Enterprise: e}
	v.Grade, v.Score, v.Scored = s.book.Current(e.SCC)
	return v
}

// Register adds an enterprise to the registry. ECONFLICT when its code is
// registered already.
func (s *Service) Register(ctx context.Context, p auth.Principal, body []byte) (EnterpriseView, error) {
	return s.putEnterprise(ctx, p, "", body)
}

// Update replaces an enterprise's registration data; its guarantee and
// AEO certificate are kept (other decisions set them).
func (s *Service) Update(ctx context.Context, p auth.Principal, scc string, body []byte) (EnterpriseView, error) {
	return s.putEnterprise(ctx, p, scc, body)
}

func (s *Service) putEnterprise(ctx context.Context, p auth.Principal, scc string, body []byte) (EnterpriseView, error) {
	var in enterprise.Input
	if errs := declaration.DecodeStrict(body, &in); errs != nil {
		return EnterpriseView{}, jinguan.Invalid(errs)
	}
	s.record.Lock()
	defer s.record.Unlock()
	var prev enterprise.Enterprise
	if scc != "" { // an update
		var err error
		if prev, err = s.managed(ctx, p, scc); err != nil {
			return EnterpriseView{}, err
		}
		if in.SCC == "" {
			in.SCC = scc
		}
	} else if !slicesContains(recorders, p.Role) {
		return EnterpriseView{}, forbidden()
	}
	now := s.now()
	e, errs := s.validator.Validate(&in, now)
	if scc != "" && in.SCC != scc {
		errs = append(errs, jinguan.FieldError{Pointer: "/scc", Code: "mismatch",
			MessageZH: "统一社会信用代码不可更改", MessageEN: "the credit code cannot be changed"})
	}
	if a, _ := area(p); len(errs) == 0 && !strings.HasPrefix(e.Customs, a) {
		errs = append(errs, jinguan.FieldError{Pointer: "/customs", Code: "outside_area",
			MessageZH: "该关区不在您的管辖范围内", MessageEN: "this district is outside your office's area"})
	}
	if len(errs) > 0 {
		return EnterpriseView{}, jinguan.Invalid(errs)
	}
	if scc == "" {
		if _, err := s.ents.Enterprise(ctx, e.SCC); err == nil {
			return EnterpriseView{}, jinguan.Errorf(jinguan.ECONFLICT, "该企业已注册", "the enterprise is registered already")
		} else if jinguan.ErrorCode(err) != jinguan.ENOTFOUND {
			return EnterpriseView{}, err
		}
	} else {
		e.Guarantee, e.AEO = prev.Guarantee, prev.AEO
	}
	e.UpdatedAt, e.UpdatedBy = now.UTC(), p.User
	change := RegistryChange{SCC: e.SCC, At: now.UTC(), By: p.User, Action: "update", Changes: diff(&prev, &e)}
	if scc == "" {
		change.Action = "register"
	}
	if err := s.ents.PutEnterprise(ctx, e); err != nil {
		return EnterpriseView{}, err
	}
	if err := s.store.AppendRegistryChange(ctx, &change); err != nil {
		return EnterpriseView{}, err
	}
	s.book.SetSubject(SubjectOf(e.SCC, e.Roles, e.RegisteredAt, e.AEO))
	if _, err := s.book.Reassess(ctx, []string{e.SCC}, s.today(), now, CauseRegistration, p.User, s.store); err != nil {
		return EnterpriseView{}, err
	}
	return s.view(p, e), nil
}

// Enterprise returns one enterprise the caller may see.
func (s *Service) Enterprise(ctx context.Context, p auth.Principal, scc string) (EnterpriseView, error) {
	e, err := s.visible(ctx, p, scc)
	if err != nil {
		return EnterpriseView{}, err
	}
	return s.view(p, e), nil
}

// ListFilter selects enterprises for a list.
type ListFilter struct {
	Grade   string // a grade code, "" any
	Customs string // a district prefix within the caller's area
	Query   string
	Role    string
	Status  string
	After   string
	Limit   int
}

// Enterprises lists what the caller may see: a declarant its own
// enterprise, officers their area, others every enterprise.
func (s *Service) Enterprises(ctx context.Context, p auth.Principal, f ListFilter) ([]EnterpriseView, bool, error) {
	if !slicesContains(readers, p.Role) {
		return nil, false, forbidden()
	}
	ef := enterprise.Filter{Query: f.Query, Role: f.Role, Status: enterprise.Status(f.Status), After: f.After, Limit: f.Limit}
	var errs []jinguan.FieldError
	a, ok := area(p)
	switch {
	case !ok:
		ef.SCCs = []string{p.Enterprise}
	case f.Customs == "":
		ef.Area = a
	case strings.HasPrefix(f.Customs, a): // narrower than the caller's area
		ef.Area = f.Customs
	case strings.HasPrefix(a, f.Customs):
		ef.Area = a
	default:
		errs = append(errs, jinguan.FieldError{Pointer: "/query/customs", Code: "outside_area",
			MessageZH: "该关区不在您的管辖范围内", MessageEN: "this district is outside your office's area"})
	}
	var grade Grade
	if f.Grade != "" {
		var known bool
		if grade, known = ParseGrade(f.Grade); !known || !s.book.eng.cfg.Model.Has(grade) {
			errs = append(errs, jinguan.FieldError{Pointer: "/query/grade", Code: "unknown_grade",
				MessageZH: "未知的信用等级", MessageEN: "unknown credit grade"})
		}
	}
	if f.Status != "" && !slicesContains(enterprise.Statuses, ef.Status) {
		errs = append(errs, jinguan.FieldError{Pointer: "/query/status", Code: "unknown_status",
			MessageZH: "未知的注册状态", MessageEN: "unknown status"})
	}
	if f.Role != "" && !slicesContains(enterprise.Roles, f.Role) {
		errs = append(errs, jinguan.FieldError{Pointer: "/query/role", Code: "unknown_role",
			MessageZH: "未知的企业类别", MessageEN: "unknown role"})
	}
	if len(errs) > 0 {
		return nil, false, jinguan.Invalid(errs)
	}
	if ef.Limit <= 0 || ef.Limit > enterprise.MaxPage {
		ef.Limit = 50
	}
	if f.Grade != "" && grade != GradeRegular {
		// the few enterprises of the grade, intersected with the rest
		with := s.book.WithGrade(grade)
		if ef.SCCs != nil {
			with = intersect(with, ef.SCCs)
		}
		if len(with) == 0 {
			return []EnterpriseView{}, false, nil
		}
		ef.SCCs = with
	}
	want := ef.Limit
	out := []EnterpriseView{}
	for {
		es, more, err := s.ents.FindEnterprises(ctx, ef)
		if err != nil {
			return nil, false, err
		}
		for i, e := range es {
			v := s.view(p, e)
			if f.Grade != "" && v.Grade != grade {
				continue // regular is everyone but the few: skip those and read on
			}
			out = append(out, v)
			if len(out) == want {
				return out, more || i < len(es)-1, nil
			}
		}
		if !more || len(es) == 0 {
			return out, false, nil
		}
		ef.After = es[len(es)-1].SCC
	}
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slicesContains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// Sync takes registry changes made outside the service (seeding, imports,
// other modules) into the book and grades the enterprises concerned.
func (s *Service) Sync(ctx context.Context, sccs ...string) error {
	for _, scc := range sccs {
		e, err := s.ents.Enterprise(ctx, scc)
		if err != nil {
			return err
		}
		s.book.SetSubject(SubjectOf(e.SCC, e.Roles, e.RegisteredAt, e.AEO))
	}
	_, err := s.book.Reassess(ctx, sccs, s.today(), s.now(), CauseRegistration, "system", s.store)
	return err
}

// ensure brings an enterprise registered outside the service into the
// book on first use.
func (s *Service) ensure(ctx context.Context, scc string) {
	if s.book.known(scc) {
		return
	}
	if e, err := s.ents.Enterprise(ctx, scc); err == nil {
		s.book.SetSubject(SubjectOf(e.SCC, e.Roles, e.RegisteredAt, e.AEO))
	}
}
