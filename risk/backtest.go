package risk

import (
	"context"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
)

// DeclarationSource reads stored declarations (declaration.Store does).
type DeclarationSource interface {
	List(ctx context.Context, f declaration.Filter) ([]declaration.Summary, string, error)
	Get(ctx context.Context, id int64) (*declaration.Declaration, error)
}

// MaxBacktestDays and MaxBacktestDeclarations bound one backtest.
const (
	MaxBacktestDays         = 365
	MaxBacktestDeclarations = 200_000
)

// BacktestResult is what a profile would have done to the declarations
// of a period, judged by the checks that were actually made.
type BacktestResult struct {
	ProfileID    string    `json:"profile_id"`
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
	Declarations int       `json:"declarations"` // assessed declarations in the period
	Truncated    bool      `json:"truncated"`    // more than MaxBacktestDeclarations: the oldest were left out
	Matched      int       `json:"matched"`      // declarations it matched
	// Counts: Selections are the declarations its percentage would have
	// selected; Inspections those of them with a known outcome; Hits
	// those whose check found something where the profile looked.
	Counts
	Matches []BacktestMatch `json:"matches"`
}

// BacktestMatch is one matched declaration.
type BacktestMatch struct {
	DeclarationID int64             `json:"declaration_id"`
	EntryID       string            `json:"entry_id"`
	Item          int               `json:"item"`
	Selected      bool              `json:"selected"`
	Inspected     bool              `json:"inspected"`
	Hit           bool              `json:"hit"`
	Revenue       decimal.Decimal   `json:"revenue"`
	Values        map[string]string `json:"values,omitempty"`
}

// Backtest runs a profile, whatever its status, against the declarations
// of the last days through the live path: the same inputs (grades,
// history, lists and reference prices as they are now), matching and
// selection draws, in declaration order, with counters of unselected
// matches starting from zero. A declaration whose lane was decided is
// counted; its recorded check is the outcome.
func (s *Service) Backtest(ctx context.Context, p auth.Principal, prof Profile, days int, now time.Time) (BacktestResult, error) {
	if err := allowed(p, profileWriters); err != nil {
		return BacktestResult{}, err
	}
	prof.Status = Active
	if prof.Version == 0 {
		prof.Version = 1
	}
	errs := s.Registry.Check(&prof)
	if days < 1 || days > MaxBacktestDays {
		errs = append(errs, fieldErr("/days", "out_of_range", "回测天数应在 1 到 365 之间", "days must be in [1, 365]"))
	}
	if len(errs) > 0 {
		return BacktestResult{}, jinguan.Invalid(errs)
	}
	e, err := s.Registry.Compiler.Engine([]Profile{prof})
	if err != nil {
		return BacktestResult{}, err
	}
	res := BacktestResult{ProfileID: prof.ID, From: now.AddDate(0, 0, -days), To: now}
	ids, truncated, err := s.periodIDs(ctx, res.From, res.To)
	if err != nil {
		return res, err
	}
	res.Truncated = truncated
	var st streaks
	for _, id := range ids {
		d, err := s.Declarations.Get(ctx, id)
		if err != nil {
			return res, err
		}
		if d.Risk == nil {
			continue
		}
		res.Declarations++
		decl, items, err := s.Targeting.inputs(ctx, d)
		if err != nil {
			return res, err
		}
		hits, err := e.Match(&decl, items, s.Targeting.where(decl.Office, decl.Date))
		if err != nil || len(hits) == 0 {
			if err != nil {
				return res, err
			}
			continue
		}
		var rd declaration.RiskDecision
		s.Targeting.target(&rd, d.ID, hits, &st)
		res.Matched++
		m := backtestMatch(d, rd.Hits)
		if m.Selected {
			res.Counts.add(m.Inspected, m.Hit, m.Inspected && recordedCheck(d).Seized, m.Revenue)
		}
		res.Matches = append(res.Matches, m)
	}
	res.Counts.finish()
	return res, nil
}

// recordedCheck is the check that judges a profile's selection, as in
// effectiveness (profileCheck): the review or inspection, else the audit.
func recordedCheck(d *declaration.Declaration) *declaration.InspectionResult {
	if d.Inspection != nil {
		return d.Inspection
	}
	return d.Audit
}

// backtestMatch judges a declaration's hits of one profile by its check.
func backtestMatch(d *declaration.Declaration, hits []declaration.ProfileHit) BacktestMatch {
	c := recordedCheck(d)
	m := BacktestMatch{DeclarationID: d.ID, EntryID: d.EntryID, Item: hits[0].Item, Values: hits[0].Values,
		Inspected: c != nil}
	items := map[int]bool{}
	for _, h := range hits {
		m.Selected = m.Selected || h.Selected
		items[h.Item] = true
	}
	if c != nil {
		for _, f := range c.Findings {
			if items[0] || items[f.GNo] {
				m.Hit = true
				m.Revenue = m.Revenue.Add(f.AdditionalDuty)
			}
		}
	}
	return m
}

// periodIDs lists the declarations submitted in [from, to), oldest
// first; beyond MaxBacktestDeclarations the oldest are left out.
func (s *Service) periodIDs(ctx context.Context, from, to time.Time) ([]int64, bool, error) {
	var ids []int64
	f := declaration.Filter{From: from, To: to, Limit: declaration.MaxLimit}
	for {
		rows, next, err := s.Declarations.List(ctx, f) // newest first
		if err != nil {
			return nil, false, err
		}
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		if next == "" {
			break
		}
		if len(ids) >= MaxBacktestDeclarations {
			slices.Sort(ids)
			return ids[len(ids)-MaxBacktestDeclarations:], true, nil
		}
		f.Cursor = next
	}
	slices.Sort(ids)
	return ids, false, nil
}
