package model

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/jinguan-customs/jinguan/risk/model/gbdt"
)

// FormatVersion of the model file; readers refuse others.
const FormatVersion = 1

// Model is a trained risk model: fitted features and the tree ensemble.
type Model struct {
	Version  int            `json:"format_version"`
	Format   string         `json:"format"` // the import mapping it was trained with
	Seed     uint64         `json:"seed"`
	Features *Features      `json:"features"`
	Trees    *gbdt.Ensemble `json:"ensemble"`
}

// TrainReport says how training went.
type TrainReport struct {
	TrainItems, ValidItems int
	Rounds                 int
	ValidAUC               float64
	Elapsed                time.Duration
}

// Train fits features on train and the ensemble on their out-of-fold
// matrix, early-stopping on valid when given. The seed fixes the folds and
// the sampling: the same records and seed give the same model file.
func Train(train, valid []Record, m Mapping, p gbdt.Params) (*Model, TrainReport, error) {
	start := time.Now()
	f, X, err := Fit(train, m.ExtraNames(), p.Seed)
	if err != nil {
		return nil, TrainReport{}, err
	}
	ds := gbdt.Dataset{Features: f.Names(), X: X, Y: labels(train)}
	var vds *gbdt.Dataset
	if len(valid) > 0 {
		vds = &gbdt.Dataset{Features: ds.Features, Y: labels(valid)}
		for i := range valid {
			vds.X = append(vds.X, f.Vector(&valid[i]))
		}
	}
	e, res, err := gbdt.Train(p, ds, vds)
	if err != nil {
		return nil, TrainReport{}, err
	}
	rep := TrainReport{TrainItems: len(train), ValidItems: len(valid), Rounds: res.Rounds, ValidAUC: res.BestAUC, Elapsed: time.Since(start)}
	return &Model{Version: FormatVersion, Format: m.Format, Seed: p.Seed, Features: f, Trees: e}, rep, nil
}

func labels(recs []Record) []float64 {
	y := make([]float64, len(recs))
	for i := range recs {
		if recs[i].Fraud {
			y[i] = 1
		}
	}
	return y
}

// Score is the fraud probability of one item.
func (m *Model) Score(r *Record) float64 { return m.Trees.Predict(m.Features.Vector(r)) }

// ScoreAll scores items in order, in blocks so that trees are walked by
// several items at once.
func (m *Model) ScoreAll(recs []Record) []float64 {
	s := make([]float64, len(recs))
	const block = 256
	w := m.Features.Width()
	buf := make([]float64, block*w)
	X := make([][]float64, 0, block)
	for lo := 0; lo < len(recs); lo += block {
		X = X[:0]
		for i := lo; i < min(lo+block, len(recs)); i++ {
			x := buf[(i-lo)*w : (i-lo+1)*w]
			m.Features.Transform(&recs[i], x)
			X = append(X, x)
		}
		out := s[lo : lo+len(X)]
		m.Trees.Margins(X, out)
		for i, v := range out {
			out[i] = 1 / (1 + math.Exp(-v))
		}
	}
	return s
}

// Write encodes the model file as JSON.
func (m *Model) Write(w io.Writer) error { return json.NewEncoder(w).Encode(m) }

// Read decodes and checks a model file.
func Read(r io.Reader) (*Model, error) {
	var m Model
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return nil, fmt.Errorf("risk model: %w", err)
	}
	if m.Version != FormatVersion {
		return nil, fmt.Errorf("risk model: format version %d, want %d", m.Version, FormatVersion)
	}
	if m.Features == nil || m.Trees == nil {
		return nil, fmt.Errorf("risk model: features or ensemble missing")
	}
	if want := m.Features.Names(); len(want) != len(m.Trees.Features) || len(m.Features.Profiles) != len(profileKeys) {
		return nil, fmt.Errorf("risk model: %d features in the ensemble, this version computes %d", len(m.Trees.Features), len(want))
	}
	if err := m.Trees.Check(); err != nil {
		return nil, err
	}
	return &m, nil
}
