package model

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan/risk/model/gbdt"
)

// synthRecords: importers I0…I49 where every seventh is a fraudster.
func synthRecords(n int, seed uint64, from time.Time) []Record {
	rng := rand.New(rand.NewPCG(seed, 3))
	recs := make([]Record, n)
	for i := range recs {
		imp := rng.IntN(50)
		p := 0.1
		if imp%7 == 0 {
			p = 0.7
		}
		recs[i] = Record{Line: i + 2, ID: fmt.Sprint(i), Date: from.AddDate(0, 0, i%90),
			Office: fmt.Sprint(rng.IntN(4)), Declarant: fmt.Sprint("D", rng.IntN(20)), Importer: fmt.Sprint("I", imp),
			HS6: fmt.Sprintf("%06d", 10000+rng.IntN(30)*100), Origin: []string{"CN", "DE", "US"}[rng.IntN(3)],
			Departure: "CN", TaxType: "A", Extra: []string{"x"}, Quantity: float64(1 + rng.IntN(100)),
			Mass: 1 + rng.Float64()*100, Value: 10 + rng.Float64()*1000, TaxRate: 8, Fraud: rng.Float64() < p}
	}
	return recs
}

var jan = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// Shuffling the labels of the scored period must not change its features.
func TestScoredFeaturesIgnoreTheirLabels(t *testing.T) {
	train := synthRecords(3000, 1, jan)
	scored := synthRecords(500, 2, jan.AddDate(1, 0, 0))
	f, _, err := Fit(train, []string{"lane"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	before := make([][]float64, len(scored))
	for i := range scored {
		before[i] = f.Vector(&scored[i])
	}
	rng := rand.New(rand.NewPCG(9, 9))
	rng.Shuffle(len(scored), func(i, j int) { scored[i].Fraud, scored[j].Fraud = scored[j].Fraud, scored[i].Fraud })
	for i := range scored {
		scored[i].Fraud = !scored[i].Fraud
		if !slices.Equal(before[i], f.Vector(&scored[i])) {
			t.Fatalf("item %d: features changed with its label", i)
		}
	}
}

// A training row's profile must not contain its own label: flipping one
// label changes only the profiles of rows in other folds.
func TestTrainingProfilesAreOutOfFold(t *testing.T) {
	train := synthRecords(2000, 1, jan)
	_, X1, _ := Fit(train, []string{"lane"}, 1)
	train[0].Fraud = !train[0].Fraud
	_, X2, _ := Fit(train, []string{"lane"}, 1)
	if !slices.Equal(X1[0], X2[0]) {
		t.Fatal("row 0's features depend on its own label")
	}
}

func TestProfilesFallBackToPrior(t *testing.T) {
	train := synthRecords(1000, 1, jan)
	f, _, _ := Fit(train, []string{"lane"}, 1)
	r := train[0]
	r.Importer, r.Declarant, r.HS6, r.Office, r.Origin = "new", "new", "999999", "new", "new"
	x := f.Vector(&r)
	names := f.Names()
	for i, n := range names {
		if n == "profile_importer" && x[i] != f.Prior {
			t.Errorf("unseen importer: profile %v, want prior %v", x[i], f.Prior)
		}
		if n == "code_importer" && x[i] != float64(len(f.Codes["importer"])) {
			t.Errorf("unseen importer: code %v, want the reserved %d", x[i], len(f.Codes["importer"]))
		}
	}
}

func TestModelFileIsDeterministic(t *testing.T) {
	train := synthRecords(3000, 1, jan)
	valid := synthRecords(800, 2, jan.AddDate(1, 0, 0))
	m := Mapping{Format: "test", Extra: map[string]string{"lane": "lane"}}
	p := gbdt.DefaultParams()
	p.Rounds, p.RowSample, p.ColSample, p.Seed = 60, 0.8, 0.8, 42
	var files [2][]byte
	for i := range files {
		mod, _, err := Train(train, valid, m, p)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := mod.Write(&b); err != nil {
			t.Fatal(err)
		}
		files[i] = b.Bytes()
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Fatal("same records and seed gave different model files")
	}
	mod, err := Read(bytes.NewReader(files[0]))
	if err != nil {
		t.Fatal(err)
	}
	// A model just read is scored from several goroutines at once (run with -race).
	want := make([]float64, len(valid))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < len(valid); i += 4 {
				want[i] = mod.Score(&valid[i])
			}
		})
	}
	wg.Wait()
	got := mod.ScoreAll(valid)
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("item %d: batch score %v, single %v", i, got[i], want[i])
		}
	}
	if met := Evaluate(got, fraudOf(valid), nil); met.AUC < 0.7 {
		t.Errorf("valid AUC %.3f on an easy synthetic set", met.AUC)
	}
}

// The held-out tail is the latest days of the training period, and the
// same records and seed give the same calibrated model.
func TestTrainHoldout(t *testing.T) {
	train := synthRecords(4000, 1, jan)
	head, tail, err := SplitByDate(train, 0.25)
	if err != nil {
		t.Fatal(err)
	}
	last := head[0].Date
	for _, r := range head {
		if r.Date.After(last) {
			last = r.Date
		}
	}
	for _, r := range tail {
		if !r.Date.After(last) {
			t.Fatalf("tail item of %s not after the head's last day %s", r.Date, last)
		}
	}
	if len(tail) < 700 || len(tail) > 1300 {
		t.Fatalf("tail of %d items for a share of 0.25 of 4000", len(tail))
	}
	m := Mapping{Format: "test", Extra: map[string]string{"lane": "lane"}}
	p := gbdt.DefaultParams()
	p.Rounds, p.EarlyStop, p.MinLeafRows = 80, 10, 5
	var files [2][]byte
	for i := range files {
		mod, rep, err := TrainHoldout(train, 0.25, m, p)
		if err != nil {
			t.Fatal(err)
		}
		if mod.Calibration == nil || rep.HoldoutItems != len(tail) || rep.Rounds < 1 || rep.Rounds > 80 || len(mod.Trees.Trees) != rep.Rounds {
			t.Fatalf("report %+v, calibration %v", rep, mod.Calibration)
		}
		var b bytes.Buffer
		mod.Write(&b)
		files[i] = b.Bytes()
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Fatal("same records and seed gave different model files")
	}
	if _, _, err := SplitByDate(train[:1], 0.5); err == nil {
		t.Fatal("one day cannot be split")
	}
}

// The scored period cannot reach the model: its labels change neither its
// features (both the vector and the scorer's bins) nor, when it is only
// watched (no early stopping), a single byte of the model trained beside it.
func TestScoredLabelsReachNothing(t *testing.T) {
	train := synthRecords(3000, 1, jan)
	valid := synthRecords(600, 2, jan.AddDate(1, 0, 0))
	m := Mapping{Format: "test", Extra: map[string]string{"lane": "lane"}}
	p := gbdt.DefaultParams()
	p.Rounds, p.MinLeafRows = 30, 5
	mod, _, err := Train(train, valid, m, p)
	if err != nil {
		t.Fatal(err)
	}
	var first bytes.Buffer
	mod.Write(&first)
	bins := func(recs []Record) [][gbdt.RowBytes]uint8 {
		out := make([][gbdt.RowBytes]uint8, len(recs))
		for i := range recs {
			mod.scorer().bins(&recs[i], &out[i])
		}
		return out
	}
	before := bins(valid)
	flipped := slices.Clone(valid)
	for i := range flipped {
		flipped[i].Fraud = !flipped[i].Fraud
	}
	if !slices.Equal(before, bins(flipped)) {
		t.Fatal("the scorer's bins changed with the scored labels")
	}
	again, _, err := Train(train, flipped, m, p)
	if err != nil {
		t.Fatal(err)
	}
	var second bytes.Buffer
	again.Write(&second)
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Fatal("the model file changed with the labels of the period it was only validated on")
	}
}
