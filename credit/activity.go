package credit

import (
	"context"
	"time"
)

// activityOn finds the live activity event of an enterprise for the month
// starting on month.
func (b *Book) activityOn(scc string, month Date) (int64, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	x, ok := b.index[scc]
	if !ok {
		return 0, false
	}
	var buf cols
	ev := b.view(x, &buf)
	var sc scratch
	sc.resolve(&ev)
	for i := range ev.id {
		if ev.kind[i] == kActivity && ev.on[i] == int32(month) && !sc.dead[i] {
			return ev.id[i], true
		}
	}
	return 0, false
}

// monthStart is the first day of the month of d.
func monthStart(d Date) Date {
	y, m, _ := civil(int32(d))
	return Date(daysFromCivil(y, m, 1))
}

// RollupMonth records, once, the month's activity of every registered
// enterprise from the platform's own declarations: how many it declared
// and how many were inspected. Enterprises whose activity for the month
// was imported already keep theirs. It returns how many events it stored.
func (s *Service) RollupMonth(ctx context.Context, month Date) (int, error) {
	month = monthStart(month)
	next := Date(addMonths(int32(month), 1))
	vols, err := s.store.ClearanceVolumes(ctx, month.Time(), next.Time())
	if err != nil {
		return 0, err
	}
	s.record.Lock()
	defer s.record.Unlock()
	now := s.now()
	var es []Event
	for _, v := range vols {
		if !s.book.known(v.SCC) {
			continue
		}
		if _, dup := s.book.activityOn(v.SCC, month); dup {
			continue
		}
		es = append(es, Event{SCC: v.SCC, Kind: KindActivity, On: month, Source: "通关统计", Reference: "金关 " + month.String()[:7],
			Counts: &Counts{Declarations: v.Declarations, Inspections: v.Inspections}, RecordedAt: now.UTC(), RecordedBy: "system"})
	}
	stored, fresh, err := s.store.AppendEventsOnce(ctx, "activity:"+month.String()[:7], es)
	if err != nil || !fresh {
		return 0, err
	}
	return len(stored), s.book.Append(stored)
}

// rollupDue rolls up last month, which the daily run does first; the key
// makes every call after the first a no-op.
func (s *Service) rollupDue(ctx context.Context, now time.Time) error {
	last := Date(addMonths(int32(monthStart(DateOf(now))), -1))
	n, err := s.RollupMonth(ctx, last)
	if n > 0 {
		s.log.Info("credit: monthly activity rolled up", "month", last.String()[:7], "enterprises", n)
	}
	return err
}
