package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/risk"
)

// RunRiskModels runs the risk model store suite on fresh databases.
func RunRiskModels(t *testing.T, open func(t *testing.T) risk.ModelStore) {
	t.Run("VersionsAndFiles", func(t *testing.T) { testModelVersions(t, open(t)) })
	t.Run("Activation", func(t *testing.T) { testModelActivation(t, open(t)) })
}

var modelDay = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func sampleModel(status risk.ModelStatus, file string) *risk.StoredModel {
	return &risk.StoredModel{Status: status, CreatedAt: modelDay, CreatedBy: "analyst.zhao", Source: "history", Trees: 120,
		TrainFrom: modelDay.AddDate(0, -6, 0), TrainTo: modelDay.AddDate(0, 0, -28), TrainItems: 5000, TrainFindings: 400,
		Latest: &risk.Evaluation{From: modelDay.AddDate(0, 0, -28), To: modelDay, Declarations: 300, Items: 1500, Findings: 90, AUC: 0.81,
			At: []risk.ShareFigures{{Share: 0.05, Checked: 75, Findings: 30, Precision: 0.4, Recall: 0.33}}},
		ReasonZH: "优于启用模型", ReasonEN: "better than the active model", Reference: []float64{0.01, 0.2, 0.9},
		SHA256: "ab12", Size: 1234, File: []byte(file)}
}

func testModelVersions(t *testing.T, s risk.ModelStore) {
	ctx := context.Background()
	if ms, err := s.Models(ctx); err != nil || len(ms) != 0 {
		t.Fatalf("empty store: %v %v", ms, err)
	}
	for i, f := range []string{"file one", "file two"} {
		v, err := s.PutModel(ctx, sampleModel(risk.ModelCandidate, f), risk.ModelEvent{Action: "train", Actor: "analyst.zhao",
			Role: "risk_analyst", At: modelDay.Add(time.Duration(i) * time.Minute), Reason: "weekly"})
		if err != nil || v != i+1 {
			t.Fatalf("put %d: version %d, %v", i, v, err)
		}
	}
	ms, err := s.Models(ctx)
	if err != nil || len(ms) != 2 || ms[0].Version != 2 || ms[1].Version != 1 || ms[0].File != nil {
		t.Fatalf("models %+v %v", ms, err)
	}
	m, err := s.Model(ctx, 1)
	if err != nil || !bytes.Equal(m.File, []byte("file one")) || m.Status != risk.ModelCandidate || !m.CreatedAt.Equal(modelDay) ||
		m.Latest == nil || m.Latest.AUC != 0.81 || len(m.Latest.At) != 1 || m.Latest.At[0].Precision != 0.4 ||
		len(m.Reference) != 3 || m.ReasonEN != "better than the active model" || !m.TrainTo.Equal(modelDay.AddDate(0, 0, -28)) {
		t.Fatalf("model 1: %+v %v", m, err)
	}
	if _, err := s.Model(ctx, 9); err == nil {
		t.Fatal("version 9 found")
	} else {
		wantCode(t, err, jinguan.ENOTFOUND)
	}
	evs, err := s.ModelEvents(ctx, 10)
	if err != nil || len(evs) != 2 || evs[0].Version != 2 || evs[1].Version != 1 || evs[0].Action != "train" ||
		!evs[1].At.Equal(modelDay) || evs[1].Reason != "weekly" {
		t.Fatalf("events %+v %v", evs, err)
	}
}

func testModelActivation(t *testing.T, s risk.ModelStore) {
	ctx := context.Background()
	for range 3 {
		if _, err := s.PutModel(ctx, sampleModel(risk.ModelCandidate, "f"), risk.ModelEvent{Action: "train", Actor: "a", Role: "admin", At: modelDay}); err != nil {
			t.Fatal(err)
		}
	}
	if v, err := s.ActiveModelVersion(ctx); err != nil || v != 0 {
		t.Fatalf("active %d %v", v, err)
	}
	activate := func(v, from int) error {
		return s.ActivateModel(ctx, v, from, risk.ModelEvent{Action: "promote", Actor: "analyst.zhao", Role: "risk_analyst", At: modelDay})
	}
	if err := activate(1, 0); err != nil {
		t.Fatal(err)
	}
	wantCode(t, activate(2, 0), jinguan.ECONFLICT) // someone else activated 1 meanwhile
	if err := activate(2, 1); err != nil {
		t.Fatal(err)
	}
	wantCode(t, activate(9, 2), jinguan.ENOTFOUND)
	if v, _ := s.ActiveModelVersion(ctx); v != 2 {
		t.Fatalf("active v%d after a failed activation, want v2", v)
	}
	ms, _ := s.Models(ctx)
	want := map[int]risk.ModelStatus{1: risk.ModelRetired, 2: risk.ModelActive, 3: risk.ModelCandidate}
	for _, m := range ms {
		if m.Status != want[m.Version] {
			t.Errorf("v%d %s, want %s", m.Version, m.Status, want[m.Version])
		}
	}
	evs, _ := s.ModelEvents(ctx, 2)
	if len(evs) != 2 || evs[0].Version != 2 || evs[0].Action != "promote" || evs[1].Version != 1 {
		t.Fatalf("events %+v", evs)
	}
}
