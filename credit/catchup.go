package credit

import (
	"context"
	"maps"
	"slices"
	"time"
)

// Several nodes of a scale-out share the database, each with its own
// book. CatchUp brings this node's book up to what the others stored:
// their events, registry changes (certifications included) and approved
// repairs, and regrades the enterprises concerned in memory — the node
// that recorded them has stored the results and the grade changes.
//
// Event ids are allocated before commit, so a commit can appear below the
// highest id already seen: every round rereads catchUpMargin ids below it
// and skips the events the book holds.
const catchUpMargin = 10000

// CatchUp reads what other nodes stored since the last round.
func (s *Service) CatchUp(ctx context.Context) error {
	s.record.Lock()
	defer s.record.Unlock()
	now := s.now()
	touched := map[string]bool{}
	var fresh []Event
	high := s.watermark
	if err := s.store.ScanEvents(ctx, max(0, s.watermark-catchUpMargin), func(e *Event) error {
		high = max(high, e.ID)
		s.ensure(ctx, e.SCC)
		if t, ok := s.book.target(e.SCC, e.ID); ok && t.Kind == e.Kind {
			return nil // in the book already
		}
		fresh = append(fresh, *e)
		return nil
	}); err != nil {
		return err
	}
	if err := s.book.Append(fresh); err != nil {
		return err
	}
	for _, e := range fresh {
		touched[e.SCC] = true
	}
	s.watermark = high
	// Registry changes: a minute of overlap covers clocks and commits.
	if err := s.store.ScanSubjects(ctx, s.since.Add(-time.Minute), func(sj Subject) error {
		s.book.SetSubject(sj)
		touched[sj.SCC] = true
		return nil
	}); err != nil {
		return err
	}
	s.since = now
	repairs, err := s.store.Repairs(ctx, RepairFilter{Status: RepairApproved, Limit: -1})
	if err != nil {
		return err
	}
	for _, scc := range s.book.setRepairs(repairs) {
		touched[scc] = true
	}
	if len(touched) > 0 {
		s.book.regrade(slices.Sorted(maps.Keys(touched)), s.today())
	}
	return nil
}

// CatchUpEvery runs CatchUp until ctx ends.
func (s *Service) CatchUpEvery(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.CatchUp(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("credit: catching up with other nodes failed", "err", err)
		}
	}
}

// setRepairs replaces the approved repairs and returns the enterprises
// whose repairs changed.
func (b *Book) setRepairs(rs []Repair) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	next := map[int32][]repairMark{}
	for _, r := range rs {
		x, ok := b.index[r.SCC]
		if !ok || r.DecidedAt == nil {
			continue
		}
		for _, g := range r.Grounds {
			next[x] = append(next[x], repairMark{rule: g.Rule, event: g.Event, on: int32(DateOf(*r.DecidedAt))})
		}
	}
	var changed []string
	for x, marks := range next {
		if !sameMarks(b.repairs[x], marks) {
			changed = append(changed, b.scc[x])
		}
	}
	for x := range b.repairs {
		if _, ok := next[x]; !ok {
			changed = append(changed, b.scc[x])
		}
	}
	b.repairs = next
	return changed
}

func sameMarks(a, b []repairMark) bool {
	if len(a) != len(b) {
		return false
	}
	for _, m := range a {
		if !slices.Contains(b, m) {
			return false
		}
	}
	return true
}

// regrade recomputes grades and scores in memory only and refreshes the
// snapshot the risk stage reads.
func (b *Book) regrade(sccs []string, day Date) {
	var rs []Result
	for _, scc := range sccs {
		if a, ok := b.Assess(scc, day); ok {
			rs = append(rs, Result{SCC: scc, Grade: a.Grade, Score: a.Score, On: day})
		}
	}
	b.remember(rs)
	b.refreshSnapshot()
}
