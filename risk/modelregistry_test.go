package risk

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/risk/model/gbdt"
)

// memModels is a ModelStore in memory, for the registry's logic; the
// adapters pass storetest.RunRiskModels.
type memModels struct {
	mu     sync.Mutex
	models []StoredModel
	events []ModelEvent
}

func (s *memModels) PutModel(_ context.Context, m *StoredModel, ev ModelEvent) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *m
	c.Version = len(s.models) + 1
	s.models = append(s.models, c)
	ev.Version = c.Version
	s.events = append(s.events, ev)
	return c.Version, nil
}

func (s *memModels) ActivateModel(_ context.Context, version, from int, ev ModelEvent) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	active := 0
	for _, m := range s.models {
		if m.Status == ModelActive {
			active = m.Version
		}
	}
	if active != from {
		return ModelConflict(from, active)
	}
	if version < 1 || version > len(s.models) {
		return ModelNotFound(version)
	}
	for i := range s.models {
		if s.models[i].Status == ModelActive {
			s.models[i].Status = ModelRetired
		}
	}
	s.models[version-1].Status = ModelActive
	ev.Version = version
	s.events = append(s.events, ev)
	return nil
}

func (s *memModels) Models(context.Context) ([]StoredModel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.models)
	slices.Reverse(out)
	return out, nil
}

func (s *memModels) Model(_ context.Context, v int) (*StoredModel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v < 1 || v > len(s.models) {
		return nil, ModelNotFound(v)
	}
	m := s.models[v-1]
	return &m, nil
}

func (s *memModels) ActiveModelVersion(context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.models {
		if m.Status == ModelActive {
			return m.Version, nil
		}
	}
	return 0, nil
}

func (s *memModels) ModelEvents(_ context.Context, limit int) ([]ModelEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.events)
	slices.Reverse(out)
	return out[:min(limit, len(out))], nil
}

// checkedHistory is a declaration store and its facts: every declaration
// decided, the labelled ones checked with their findings recorded.
type checkedHistory struct {
	decls map[int64]*declaration.Declaration
	facts []Fact
}

func newCheckedHistory(n int, seed uint64, from time.Time, checkedShare int) *checkedHistory {
	ds, labels := modelHistory(n, seed, from)
	h := &checkedHistory{decls: map[int64]*declaration.Declaration{}}
	for i, d := range ds {
		f := Fact{DeclarationID: d.ID, DecidedAt: d.DeclaredAt}
		if i%checkedShare == 0 {
			f.Inspected = true
			d.Inspection = &declaration.InspectionResult{Outcome: "no_finding"}
			for j, found := range labels[i] {
				if found {
					d.Inspection.Outcome = "finding"
					d.Inspection.Findings = append(d.Inspection.Findings, declaration.Finding{GNo: j + 1, Kind: "value"})
				}
			}
		}
		h.decls[d.ID], h.facts = d, append(h.facts, f)
	}
	return h
}

func (h *checkedHistory) Facts(_ context.Context, from, to time.Time) ([]Fact, error) {
	var out []Fact
	for _, f := range h.facts {
		if !f.DecidedAt.Before(from) && f.DecidedAt.Before(to) {
			out = append(out, f)
		}
	}
	return out, nil
}

func (h *checkedHistory) Get(_ context.Context, id int64) (*declaration.Declaration, error) {
	if d, ok := h.decls[id]; ok {
		return d, nil
	}
	return nil, jinguan.NotFound("报关单", "declaration")
}

func TestRetrainPromotesOnlyWhenBetterAndRollsBack(t *testing.T) {
	ctx := context.Background()
	start := day.AddDate(0, 0, -200)
	h := newCheckedHistory(4500, 3, start, 2) // one declaration an hour: ~187 days
	stream, _ := NewModelStream(DefaultModelPolicy(), []byte("k"), usdRates)
	p := gbdt.DefaultParams()
	p.Rounds, p.MinLeafRows = 40, 10
	now := start.Add(4500 * time.Hour)
	reg := &ModelRegistry{Store: &memModels{}, Facts: h, Declarations: h, Stream: stream, Rates: usdRates, Params: p,
		Now: func() time.Time { return now }}
	analyst := auth.Principal{User: "analyst.zhao", Role: auth.RoleRiskAnalyst}
	if _, err := reg.Retrain(ctx, auth.Principal{User: "x", Role: auth.RoleDeclarant}, RetrainOptions{}); err == nil {
		t.Fatal("a declarant retrained the model")
	}
	m1, err := reg.Retrain(ctx, analyst, RetrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m1.Version != 1 || m1.Status != ModelActive || m1.Latest == nil || m1.Latest.AUC < 0.7 || m1.Baseline != nil ||
		!m1.TrainTo.Equal(now.Add(-28*24*time.Hour)) || len(m1.Reference) == 0 || len(m1.Latest.At) != 4 || m1.Latest.At[2].Share != 0.05 || m1.Latest.At[2].Precision <= 0 {
		t.Fatalf("first model %+v", m1)
	}
	if a := stream.Active(); a == nil || a.Version != 1 {
		t.Fatalf("stream on %+v, want v1", a)
	}
	if a := stream.Active(); a.Model.Calibration == nil || a.Model.Calibration.A <= 0 {
		t.Fatalf("the promoted model is not calibrated: %+v", a.Model.Calibration)
	}
	// The same history again gives the same model: not better, so kept out.
	m2, err := reg.Retrain(ctx, analyst, RetrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m2.Status != ModelRejected || m2.Baseline == nil || m2.Baseline.AUC != m2.Latest.AUC || stream.Active().Version != 1 {
		t.Fatalf("second model %+v, stream v%d", m2, stream.Active().Version)
	}
	// An analyst activates it anyway; a rollback brings v1 back.
	if _, err := reg.Activate(ctx, analyst, 2, "try it"); err != nil || stream.Active().Version != 2 {
		t.Fatalf("activate: %v, stream v%d", err, stream.Active().Version)
	}
	back, err := reg.Rollback(ctx, analyst, "false alarms")
	if err != nil || back.Version != 1 || back.Status != ModelActive || stream.Active().Version != 1 {
		t.Fatalf("rollback: %+v %v", back, err)
	}
	_, evs, _ := reg.Models(ctx, analyst)
	var actions []string
	for _, e := range evs {
		actions = append(actions, e.Action)
	}
	if want := []string{"rollback", "activate", "train", "promote", "train"}; !slices.Equal(actions, want) {
		t.Fatalf("audit trail %v, want %v", actions, want)
	}
	if evs[0].Actor != "analyst.zhao" || evs[0].Reason != "false alarms" {
		t.Fatalf("rollback event %+v", evs[0])
	}
	// Too few checks in the latest period: a coded refusal, nothing stored.
	reg.Now = func() time.Time { return now.Add(60 * 24 * time.Hour) }
	if _, err := reg.Retrain(ctx, analyst, RetrainOptions{}); err == nil {
		t.Fatal("trained without a latest period")
	} else if e, ok := err.(*jinguan.Error); !ok || e.Code != jinguan.EINVALID {
		t.Fatalf("error %v", err)
	}
	if ms, _, _ := reg.Models(ctx, analyst); len(ms) != 2 {
		t.Fatalf("%d models stored", len(ms))
	}
}
