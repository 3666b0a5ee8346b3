package credit

import (
	"context"
	"time"
	"unicode/utf8"
)

// ClearanceEvent is a declaration event the credit record follows: an
// inspection or post-clearance audit (稽查) result, a rejection (退单) or
// an amendment (修改).
type ClearanceEvent struct {
	DeclarationID int64
	Seq           int
	Action        string // record_result, record_audit, reject, amend
	Reason        string // the result's outcome, or the officer's reason
	At            time.Time
	EntryID       string
	Trader        string // domestic consignee/consignor
	Agent         string // declaring agent
}

// ClearanceSource is what the store offers to follow clearance: take up
// to limit pending declaration events, turn them into credit events with
// fn, store those and forget the declaration events, in one transaction.
type ClearanceSource interface {
	FollowClearance(ctx context.Context, limit int, fn func([]ClearanceEvent) []Event) ([]Event, int, error)
}

// fromClearance maps declaration events to credit events: a finding of
// an inspection or of a post-clearance audit counts against the trader
// (the same kind: a finding is a finding, whenever customs made it), a
// rejection or an amendment against whoever
// declared (the agent, or the trader when the agent is not registered).
// Traders the registry does not know are passed over.
func (b *Book) fromClearance(ces []ClearanceEvent, at time.Time) []Event {
	var out []Event
	for _, c := range ces {
		e := Event{On: DateOf(c.At), Source: "通关系统", Reference: c.EntryID, RecordedAt: at.UTC(), RecordedBy: "system"}
		if e.Reference == "" {
			e.Reference = "declaration " + itoa(c.DeclarationID)
		}
		switch c.Action {
		case "record_result":
			if c.Reason != "finding" {
				continue
			}
			e.SCC, e.Kind, e.Source = c.Trader, KindInspectionFinding, "查验系统"
		case "record_audit":
			if c.Reason != "finding" {
				continue
			}
			e.SCC, e.Kind, e.Source, e.Note = c.Trader, KindInspectionFinding, "稽查系统", "放行后稽查发现 post-clearance audit finding"
		case "reject":
			e.SCC, e.Kind, e.Note = c.Agent, KindRejection, clip(c.Reason, maxNote)
		case "amend":
			e.SCC, e.Kind = c.Agent, KindCorrection
		default:
			continue
		}
		if e.SCC == "" || !b.known(e.SCC) {
			e.SCC = c.Trader // an agent outside the registry: the trader answers for it
		}
		if b.known(e.SCC) {
			out = append(out, e)
		}
	}
	return out
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

func itoa(n int64) string {
	var b [20]byte
	i := len(b)
	for n >= 10 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	i--
	b[i] = byte('0' + n)
	return string(b[i:])
}

// FollowClearance turns pending declaration events into credit events
// and grades the enterprises concerned; it returns how many declaration
// events it took.
func (s *Service) FollowClearance(ctx context.Context, src ClearanceSource) (int, error) {
	now := s.now()
	s.record.Lock()
	defer s.record.Unlock()
	stored, n, err := src.FollowClearance(ctx, 500, func(ces []ClearanceEvent) []Event {
		for _, c := range ces {
			s.ensure(ctx, c.Trader)
			s.ensure(ctx, c.Agent)
		}
		return s.book.fromClearance(ces, now)
	})
	if err != nil || len(stored) == 0 {
		return n, err
	}
	if err := s.book.Append(stored); err != nil {
		return n, err
	}
	sccs := make([]string, len(stored))
	for i := range stored {
		sccs[i] = stored[i].SCC
	}
	_, err = s.book.Reassess(ctx, sccs, s.today(), now, CauseEvent, "system", s.store)
	return n, err
}

// Follow keeps following clearance until ctx ends.
func (s *Service) Follow(ctx context.Context, src ClearanceSource, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for ctx.Err() == nil {
			n, err := s.FollowClearance(ctx, src)
			if err != nil {
				if ctx.Err() == nil {
					s.log.Error("credit: following clearance failed", "err", err)
				}
				break
			}
			if n == 0 {
				break
			}
		}
	}
}
