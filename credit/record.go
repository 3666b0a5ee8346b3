package credit

import (
	"context"
	"strconv"
	"strings"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
)

// Recorded is what storing events did.
type Recorded struct {
	Events       []Event       `json:"events"`
	GradeChanges []GradeChange `json:"grade_changes"`
}

// RecordEvent stores one event (an EventInput body).
func (s *Service) RecordEvent(ctx context.Context, p auth.Principal, body []byte) (Recorded, error) {
	in, errs := DecodeEvent(body)
	if errs != nil {
		return Recorded{}, jinguan.Invalid(errs)
	}
	return s.record1(ctx, p, []EventInput{in}, "")
}

// ImportEvents stores a batch ({"events": [...]}): all of them, or none
// when any is invalid.
func (s *Service) ImportEvents(ctx context.Context, p auth.Principal, body []byte) (Recorded, error) {
	b, errs := DecodeBatch(body)
	if errs != nil {
		return Recorded{}, jinguan.Invalid(errs)
	}
	switch {
	case len(b.Events) == 0:
		return Recorded{}, jinguan.Invalid([]jinguan.FieldError{{Pointer: "/events", Code: "required",
			MessageZH: "至少一个事件", MessageEN: "at least one event"}})
	case len(b.Events) > MaxBatch:
		return Recorded{}, jinguan.Invalid([]jinguan.FieldError{{Pointer: "/events", Code: "too_many",
			MessageZH: "每批最多 " + strconv.Itoa(MaxBatch) + " 个事件", MessageEN: "at most " + strconv.Itoa(MaxBatch) + " events a batch"}})
	}
	return s.record1(ctx, p, b.Events, "/events")
}

func (s *Service) record1(ctx context.Context, p auth.Principal, ins []EventInput, prefix string) (Recorded, error) {
	if !slicesContains(recorders, p.Role) {
		return Recorded{}, forbidden()
	}
	s.record.Lock()
	defer s.record.Unlock()
	for i := range ins {
		s.ensure(ctx, strings.TrimSpace(ins[i].SCC))
	}
	now := s.now()
	es, errs := validate(ins, prefix, s.book, s.today())
	if errs == nil {
		errs = s.outsideArea(ctx, p, es, prefix)
	}
	if errs != nil {
		return Recorded{}, jinguan.Invalid(errs)
	}
	stamp(es, p.User, now)
	stored, err := s.store.AppendEvents(ctx, es)
	if err != nil {
		return Recorded{}, err
	}
	if err := s.book.Append(stored); err != nil {
		return Recorded{}, err
	}
	sccs := make([]string, len(stored))
	for i := range stored {
		sccs[i] = stored[i].SCC
	}
	cs, err := s.book.Reassess(ctx, sccs, s.today(), now, CauseEvent, p.User, s.store)
	if err != nil {
		return Recorded{}, err
	}
	if cs == nil {
		cs = []GradeChange{}
	}
	return Recorded{Events: stored, GradeChanges: cs}, nil
}

// outsideArea reports events about enterprises outside a credit officer's
// area.
func (s *Service) outsideArea(ctx context.Context, p auth.Principal, es []Event, prefix string) []jinguan.FieldError {
	a, _ := area(p)
	if a == "" {
		return nil
	}
	customs := map[string]string{}
	var errs []jinguan.FieldError
	for i, e := range es {
		c, ok := customs[e.SCC]
		if !ok {
			ent, err := s.ents.Enterprise(ctx, e.SCC)
			if err == nil {
				c = ent.Customs
			}
			customs[e.SCC] = c
		}
		if !strings.HasPrefix(c, a) {
			ptr := prefix + "/scc"
			if prefix != "" {
				ptr = prefix + "/" + strconv.Itoa(i) + "/scc"
			}
			errs = append(errs, jinguan.FieldError{Pointer: ptr, Code: "outside_area",
				MessageZH: "该企业不在您的管辖范围内", MessageEN: "the enterprise is outside your office's area"})
		}
	}
	return errs
}

// Events returns an enterprise's credit events, oldest first.
func (s *Service) Events(ctx context.Context, p auth.Principal, scc string) ([]Event, error) {
	if _, err := s.visible(ctx, p, scc); err != nil {
		return nil, err
	}
	return s.store.Events(ctx, scc)
}

// Assess explains an enterprise's grade and score on a day (0: today).
func (s *Service) Assess(ctx context.Context, p auth.Principal, scc string, on Date) (*Assessment, error) {
	if _, err := s.visible(ctx, p, scc); err != nil {
		return nil, err
	}
	if on == 0 {
		on = s.today()
	}
	s.ensure(ctx, scc)
	a, ok := s.book.Assess(scc, on)
	if !ok {
		return nil, notFoundEnterprise()
	}
	return a, nil
}

// GradeChanges returns the audit trail of an enterprise's grade, newest
// first.
func (s *Service) GradeChanges(ctx context.Context, p auth.Principal, scc string) ([]GradeChange, error) {
	if _, err := s.visible(ctx, p, scc); err != nil {
		return nil, err
	}
	return s.store.GradeChanges(ctx, scc, 200)
}
