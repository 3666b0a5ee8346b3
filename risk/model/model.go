package model

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/jinguan-customs/jinguan/risk/model/gbdt"
)

// FormatVersion of the model file; readers refuse others.
const FormatVersion = 1

// Model is a trained risk model: fitted features and the tree ensemble.
type Model struct {
	Version     int            `json:"format_version"`
	Format      string         `json:"format"` // the import mapping it was trained with
	Seed        uint64         `json:"seed"`
	Features    *Features      `json:"features"`
	Trees       *gbdt.Ensemble `json:"ensemble"`
	Calibration *Platt         `json:"calibration,omitempty"` // nil: the ensemble's own probability

	once sync.Once // builds the scorer on first use; scoring may then run concurrently
	sc   *scorer

	explainOnce sync.Once
	ex          *explainer
}

// TrainReport says how training went.
type TrainReport struct {
	TrainItems, ValidItems int
	Rounds                 int
	ValidAUC               float64 // of the kept trees on valid; NaN without
	HoldoutItems           int     // latest training items that chose the round count (TrainHoldout)
	HoldoutAUC             float64 // best AUC on them; NaN without
	Elapsed                time.Duration
}

// Train fits features on train and the ensemble on their out-of-fold
// matrix. valid, a later period, is watched: its AUC is reported, and it
// chooses where to stop only when p.EarlyStop > 0 — which makes figures
// on valid optimistic. The seed fixes the folds and the sampling: the same
// records and seed give the same model file.
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
	rep := TrainReport{TrainItems: len(train), ValidItems: len(valid), Rounds: res.Rounds, ValidAUC: res.BestAUC,
		HoldoutAUC: math.NaN(), Elapsed: time.Since(start)}
	return &Model{Version: FormatVersion, Format: m.Format, Seed: p.Seed, Features: f, Trees: e}, rep, nil
}

// TrainHoldout never looks at a later period: it holds out the latest
// share of the training period (by date), trains on the rest with early
// stopping on it (patience p.EarlyStop, 50 when 0) to choose the round
// count, fits the Platt calibration on the held-out scores, then refits on
// the whole period with that many rounds.
func TrainHoldout(train []Record, share float64, m Mapping, p gbdt.Params) (*Model, TrainReport, error) {
	start := time.Now()
	head, tail, err := SplitByDate(train, share)
	if err != nil {
		return nil, TrainReport{}, err
	}
	if p.EarlyStop <= 0 {
		p.EarlyStop = 50
	}
	first, rep, err := Train(head, tail, m, p)
	if err != nil {
		return nil, TrainReport{}, err
	}
	cal := FitPlatt(first.Margins(tail), labels(tail))
	p.Rounds, p.EarlyStop = rep.Rounds, 0
	mod, _, err := Train(train, nil, m, p)
	if err != nil {
		return nil, TrainReport{}, err
	}
	mod.Calibration = &cal
	return mod, TrainReport{TrainItems: len(train), Rounds: rep.Rounds, ValidAUC: math.NaN(),
		HoldoutItems: len(tail), HoldoutAUC: rep.ValidAUC, Elapsed: time.Since(start)}, nil
}

// SplitByDate puts the latest share of records (whole days) in tail, the
// rest in head, each in input order.
func SplitByDate(recs []Record, share float64) (head, tail []Record, err error) {
	if share <= 0 || share >= 1 {
		return nil, nil, fmt.Errorf("held-out share %v: want a number between 0 and 1", share)
	}
	dates := make([]time.Time, len(recs))
	for i := range recs {
		dates[i] = recs[i].Date
	}
	slices.SortFunc(dates, func(a, b time.Time) int { return a.Compare(b) })
	cut := dates[min(len(dates)-1, int(float64(len(dates))*(1-share)))]
	cut = time.Date(cut.Year(), cut.Month(), cut.Day(), 0, 0, 0, 0, cut.Location())
	for i := range recs {
		if recs[i].Date.Before(cut) {
			head = append(head, recs[i])
		} else {
			tail = append(tail, recs[i])
		}
	}
	if len(head) == 0 || len(tail) == 0 {
		return nil, nil, fmt.Errorf("held-out share %v: the records span too few days to split", share)
	}
	return head, tail, nil
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

func (m *Model) scorer() *scorer {
	m.once.Do(func() { m.sc = newScorer(m.Features, m.Trees) })
	return m.sc
}

// Score is the fraud probability of one item.
func (m *Model) Score(r *Record) float64 {
	var xb [gbdt.RowBytes]uint8
	var out [1]float64
	m.scorer().bins(r, &xb)
	m.Trees.MarginsBinned(xb[:], out[:])
	return m.probability(out[0])
}

func (m *Model) probability(margin float64) float64 {
	if m.Calibration != nil {
		return m.Calibration.Apply(margin)
	}
	return sigmoid(margin)
}

// Margins are the ensemble's raw scores (log-odds) of the records.
func (m *Model) Margins(recs []Record) []float64 {
	s := make([]float64, len(recs))
	m.margins(recs, s)
	return s
}

// ScoreAll scores items in order, in blocks so that each tree is walked by
// many items while it sits in cache.
func (m *Model) ScoreAll(recs []Record) []float64 {
	s := make([]float64, len(recs))
	m.margins(recs, s)
	for i, v := range s {
		s[i] = m.probability(v)
	}
	return s
}

func (m *Model) margins(recs []Record, s []float64) {
	const block = 64
	sc := m.scorer()
	xb := make([]uint8, min(block, len(recs))*gbdt.RowBytes)
	for lo := 0; lo < len(recs); lo += block {
		hi := min(lo+block, len(recs))
		for i := lo; i < hi; i++ {
			sc.bins(&recs[i], (*[gbdt.RowBytes]uint8)(xb[(i-lo)*gbdt.RowBytes:]))
		}
		m.Trees.MarginsBinned(xb[:(hi-lo)*gbdt.RowBytes], s[lo:hi])
	}
}

func sigmoid(v float64) float64 { return 1 / (1 + math.Exp(-v)) }

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
