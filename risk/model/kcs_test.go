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

// TestKCSTrainValid trains on the KCS train period and reports train→valid
// figures. It only checks that the model is far better than chance.
func TestKCSTrainValid(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	train, valid := loadKCS(t, "train.csv"), loadKCS(t, "valid.csv")
	m, _ := BuiltinMapping("kcs")
	p := gbdt.DefaultParams()
	start := time.Now()
	mod, rep, err := Train(train, valid, m, p)
	if err != nil {
		t.Fatal(err)
	}
	met := Evaluate(mod.ScoreAll(valid), fraudOf(valid), nil)
	t.Logf("%d trees in %s: %s", rep.Rounds, time.Since(start).Round(time.Millisecond), met.Summary())
	if met.AUC < 0.75 {
		t.Errorf("valid AUC %.3f", met.AUC)
	}
}

func fraudOf(recs []Record) []bool {
	f := make([]bool, len(recs))
	for i := range recs {
		f[i] = recs[i].Fraud
	}
	return f
}
