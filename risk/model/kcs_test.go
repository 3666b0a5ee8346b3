package model

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan/risk/model/gbdt"
)

// kcsDir is the benchmark data beside the checkout; tests skip without it.
var kcsDir = filepath.Join("..", "..", "..", "shared", "data", "kcs-declarations")

func loadKCS(t testing.TB, name string) []Record {
	path := filepath.Join(kcsDir, name)
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("KCS data not present: %v", err)
	}
	defer f.Close()
	m, err := BuiltinMapping("kcs")
	if err != nil {
		t.Fatal(err)
	}
	recs, bad, err := Import(f, m)
	if err != nil || len(bad) > 0 {
		t.Fatalf("%s: %v, %d rejected", path, err, len(bad))
	}
	return recs
}

// TestKCSTrainValid trains on the KCS train period with the defaults and
// scores the valid period, which chooses nothing: the bar, reached
// by scikit-learn's HistGradientBoosting with risk profiles on this
// protocol, must hold (the model is deterministic, so this is a regression
// guard, not a noisy check).
func TestKCSTrainValid(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	train, valid := loadKCS(t, "train.csv"), loadKCS(t, "valid.csv")
	m, _ := BuiltinMapping("kcs")
	start := time.Now()
	mod, rep, err := Train(train, nil, m, gbdt.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	met := Evaluate(mod.ScoreAll(valid), fraudOf(valid), nil)
	t.Logf("%d trees in %s: %s", rep.Rounds, time.Since(start).Round(time.Millisecond), met.Summary())
	if p5, p10 := met.AtPercent(5).Precision, met.AtPercent(10).Precision; p5 < 0.933 || p10 < 0.808 {
		t.Errorf("precision@5%% %.3f, @10%% %.3f: below 0.933 / 0.808", p5, p10)
	}
}

func fraudOf(recs []Record) []bool {
	f := make([]bool, len(recs))
	for i := range recs {
		f[i] = recs[i].Fraud
	}
	return f
}
