package risk

import (
	"context"
	"time"

	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
)

// Service is the risk module as the API and the command line see it: the
// registry, the running targeting, and the facts behind effectiveness,
// history, explanations and backtests.
type Service struct {
	Registry     *Registry
	Targeting    *Targeting
	Watcher      *Watcher
	Store        Store
	Projector    *Projector
	History      *History
	Settings     Settings
	Declarations DeclarationSource
	Models       *ModelRegistry // the risk model's versions (modelregistry.go)
}

// Effectiveness measures the streams and profiles over [from, to) in
// hourly or daily buckets, flagging profiles over the review window
// that ends at to.
func (s *Service) Effectiveness(ctx context.Context, p auth.Principal, from, to time.Time, bucket time.Duration) (Effectiveness, error) {
	if err := allowed(p, profileReaders); err != nil {
		return Effectiveness{}, err
	}
	if err := checkPeriod(from, to); err != nil {
		return Effectiveness{}, err
	}
	facts, err := s.Store.Facts(ctx, minTime(from, to.AddDate(0, 0, -s.Settings.Review.Days)), to)
	if err != nil {
		return Effectiveness{}, err
	}
	profiles, err := s.Store.Profiles(ctx, false)
	if err != nil {
		return Effectiveness{}, err
	}
	return Measure(facts, from, to, bucket, profiles, s.Settings.Review), nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// checkPeriod refuses an empty or reversed period, or one over two years.
func checkPeriod(from, to time.Time) error {
	if !to.After(from) || to.Sub(from) > 2*366*24*time.Hour {
		return invalid(fieldErr("/from", "period", "时间段无效：起始须早于截止，且不超过两年",
			"the period must start before it ends and last at most two years"))
	}
	return nil
}

// ExplainedHit is a profile hit with the profile version that made it.
type ExplainedHit struct {
	declaration.ProfileHit
	Profile *Profile `json:"profile,omitempty"` // nil if the version is no longer stored
}

// Explanation answers "why was this declaration selected": the decision
// with the random draw and rates, each profile hit with its profile's
// rationale, condition and instruction, the re-routings, and the check.
type Explanation struct {
	DeclarationID int64                         `json:"declaration_id"`
	EntryID       string                        `json:"entry_id"`
	Status        declaration.Status            `json:"status"`
	Lane          declaration.Lane              `json:"lane"`
	Decision      *declaration.RiskDecision     `json:"decision"`
	Hits          []ExplainedHit                `json:"hits"`
	Inspection    *declaration.InspectionResult `json:"inspection,omitempty"`
	Audit         *declaration.InspectionResult `json:"audit,omitempty"` // post-clearance
}

// Explain builds the "why selected" view of a declaration for officers
// and analysts: the targeting logic is not shown to declarants.
func (s *Service) Explain(ctx context.Context, p auth.Principal, id int64) (Explanation, error) {
	if err := allowed(p, profileReaders); err != nil {
		return Explanation{}, err
	}
	d, err := s.Declarations.Get(ctx, id)
	if err != nil {
		return Explanation{}, err
	}
	x := Explanation{DeclarationID: d.ID, EntryID: d.EntryID, Status: d.Status, Lane: d.Lane, Decision: d.Risk,
		Inspection: d.Inspection, Audit: d.Audit, Hits: []ExplainedHit{}}
	if d.Risk == nil {
		return x, nil
	}
	versions := map[string][]Profile{}
	for _, h := range d.Risk.Hits {
		if _, ok := versions[h.ProfileID]; !ok {
			versions[h.ProfileID], _ = s.Store.ProfileVersions(ctx, h.ProfileID)
		}
		eh := ExplainedHit{ProfileHit: h}
		for i := range versions[h.ProfileID] {
			if v := &versions[h.ProfileID][i]; v.Version == h.Version {
				eh.Profile = v
			}
		}
		x.Hits = append(x.Hits, eh)
	}
	return x, nil
}
