package credit

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/enterprise"
)

// Service is the credit module's entry point: the enterprise registry,
// credit events, certification decisions, repairs, assessments and the
// daily run. It keeps the Book current with every change it stores.
type Service struct {
	book      *Book
	store     Store
	ents      enterprise.Store
	validator *enterprise.Validator
	log       *slog.Logger
	now       func() time.Time

	// record serialises validation and storage of events, certification
	// decisions and repair decisions: two settlements of one tax must not
	// both pass validation.
	record sync.Mutex

	// What CatchUp has seen of other nodes' work; guarded by record.
	watermark int64     // highest event id in the book
	since     time.Time // registry changes read up to here
}

// Deps are the service's collaborators.
type Deps struct {
	Store       Store
	Enterprises enterprise.Store
	Validator   *enterprise.Validator
	Log         *slog.Logger
	Clock       func() time.Time // nil: time.Now
}

// NewService builds the service on an empty book; call Load before use.
func NewService(cfg Config, d Deps) (*Service, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	s := &Service{book: NewBook(cfg), store: d.Store, ents: d.Enterprises, validator: d.Validator, log: d.Log, now: d.Clock}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.validator == nil {
		s.validator = &enterprise.Validator{}
	}
	return s, nil
}

// Book is the in-memory record the risk stage reads.
func (s *Service) Book() *Book { return s.book }

// Config is the configuration in force.
func (s *Service) Config() Config { return s.book.eng.cfg }

// Load reads the registry, the events, the approved repairs and the last
// results into the book.
func (s *Service) Load(ctx context.Context) error {
	start := time.Now()
	l := s.book.Loader()
	s.since = s.now()
	if err := s.store.ScanSubjects(ctx, time.Time{}, func(sj Subject) error {
		l.Subject(sj)
		return nil
	}); err != nil {
		return fmt.Errorf("credit: load enterprises: %w", err)
	}
	events := 0
	if err := s.store.ScanEvents(ctx, 0, func(e *Event) error {
		events++
		s.watermark = max(s.watermark, e.ID)
		return l.Event(e)
	}); err != nil {
		return fmt.Errorf("credit: load events: %w", err)
	}
	l.Finish()
	repairs, err := s.store.Repairs(ctx, RepairFilter{Status: RepairApproved, Limit: -1})
	if err != nil {
		return fmt.Errorf("credit: load repairs: %w", err)
	}
	for _, r := range repairs {
		for _, g := range r.Grounds {
			s.book.AddRepair(r.SCC, g.Rule, g.Event, DateOf(*r.DecidedAt))
		}
	}
	if err := s.store.ScanResults(ctx, func(r Result) error {
		s.book.SetResult(r.SCC, r.Grade, r.Score)
		return nil
	}); err != nil {
		return fmt.Errorf("credit: load results: %w", err)
	}
	s.book.refreshSnapshot()
	s.log.Info("credit record loaded", "enterprises", s.book.Len(), "events", events, "repairs", len(repairs),
		"ms", time.Since(start).Milliseconds())
	return nil
}

// Run is the daily job: last month's activity rolled up from the
// declarations (once), then every enterprise graded and scored as of today.
func (s *Service) Run(ctx context.Context, progress func(done int)) (RunStats, error) {
	if err := s.rollupDue(ctx, s.now()); err != nil {
		return RunStats{}, err
	}
	st, err := s.book.Run(ctx, s.today(), s.store, RunOptions{Progress: progress, Clock: s.now})
	if err == nil {
		s.log.Info("credit daily run", "enterprises", st.Enterprises, "results", st.Results, "grade_changes", st.GradeChanges,
			"ms", st.Total.Milliseconds())
	}
	return st, err
}

// Daily runs the job every day shortly after midnight in Beijing until
// ctx ends.
func (s *Service) Daily(ctx context.Context, at time.Duration) {
	for {
		now := s.now().In(jinguan.China)
		next := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, jinguan.China).Add(at)
		if !next.After(now) {
			next = next.AddDate(0, 0, 1)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(next.Sub(now)):
		}
		if _, err := s.Run(ctx, nil); err != nil && ctx.Err() == nil {
			s.log.Error("credit daily run failed", "err", err)
		}
	}
}

func (s *Service) today() Date { return DateOf(s.now()) }

// Who may do what. Officers and credit officers act within the area of
// their office (declaration.OfficeArea); risk analysts and administrators
// see every enterprise.
var (
	readers   = []auth.Role{auth.RoleDeclarant, auth.RoleOfficer, auth.RoleRiskAnalyst, auth.RoleCreditOfficer, auth.RoleAdmin}
	recorders = []auth.Role{auth.RoleCreditOfficer, auth.RoleAdmin}
)

func forbidden() error {
	return jinguan.Errorf(jinguan.EFORBIDDEN, "当前角色无权执行该操作", "your role may not do this")
}

func notFoundEnterprise() error { return jinguan.NotFound("企业", "enterprise") }

// area is the customs-district prefix a principal covers; ok false for a
// declarant, who sees only its own enterprise.
func area(p auth.Principal) (string, bool) {
	switch p.Role {
	case auth.RoleOfficer, auth.RoleCreditOfficer:
		return declaration.OfficeArea(p.Office), true
	case auth.RoleRiskAnalyst, auth.RoleAdmin:
		return "", true
	}
	return "", false
}

// sees reports whether p may see enterprise e at all.
func sees(p auth.Principal, e *enterprise.Enterprise) bool {
	if p.Role == auth.RoleDeclarant {
		return p.Enterprise != "" && p.Enterprise == e.SCC
	}
	a, ok := area(p)
	return ok && slices.Contains(readers, p.Role) && strings.HasPrefix(e.Customs, a)
}

// seesPersonal: the enterprise itself, its credit officers and
// administrators need the people's details; other officers do not.
func seesPersonal(p auth.Principal, e *enterprise.Enterprise) bool {
	switch p.Role {
	case auth.RoleDeclarant, auth.RoleCreditOfficer, auth.RoleAdmin:
		return sees(p, e)
	}
	return false
}

// visible loads an enterprise p may see; others are not found.
func (s *Service) visible(ctx context.Context, p auth.Principal, scc string) (enterprise.Enterprise, error) {
	if !slices.Contains(readers, p.Role) {
		return enterprise.Enterprise{}, forbidden()
	}
	e, err := s.ents.Enterprise(ctx, scc)
	if err != nil {
		return e, err
	}
	if !sees(p, &e) {
		return enterprise.Enterprise{}, notFoundEnterprise()
	}
	return e, nil
}

// managed loads an enterprise p may change: a credit officer of its area
// or an administrator.
func (s *Service) managed(ctx context.Context, p auth.Principal, scc string) (enterprise.Enterprise, error) {
	if !slices.Contains(recorders, p.Role) {
		return enterprise.Enterprise{}, forbidden()
	}
	return s.visible(ctx, p, scc)
}

func slicesContains[S ~[]E, E comparable](s S, v E) bool { return slices.Contains(s, v) }
