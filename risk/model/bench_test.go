package model

import (
	"testing"

	"github.com/jinguan-customs/jinguan/risk/model/gbdt"
)

// BenchmarkTrainKCS trains on the KCS train period with the benchmark
// settings and a fixed 400 rounds (no early stopping).
func BenchmarkTrainKCS(b *testing.B) {
	train := loadKCS(b, "train.csv")
	m, _ := BuiltinMapping("kcs")
	p := gbdt.DefaultParams()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := Train(train, nil, m, p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(train)*b.N)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkScoreKCS scores valid items one at a time, features included.
func BenchmarkScoreKCS(b *testing.B) {
	train, valid := loadKCS(b, "train.csv"), loadKCS(b, "valid.csv")
	m, _ := BuiltinMapping("kcs")
	p := gbdt.DefaultParams()
	p.EarlyStop = 0
	mod, _, err := Train(train, nil, m, p)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	n := 0
	for b.Loop() {
		mod.Score(&valid[n%len(valid)])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkScoreSynthetic needs no data files: 400 trees of 63 leaves.
func BenchmarkScoreSynthetic(b *testing.B) {
	train := synthRecords(20000, 1, jan)
	m := Mapping{Format: "test", Extra: map[string]string{"lane": "lane"}}
	p := gbdt.DefaultParams()
	p.EarlyStop, p.MinLeafRows = 0, 5
	mod, _, err := Train(train, nil, m, p)
	if err != nil {
		b.Fatal(err)
	}
	scored := synthRecords(5000, 2, jan.AddDate(1, 0, 0))
	b.ResetTimer()
	n := 0
	for b.Loop() {
		mod.Score(&scored[n%len(scored)])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkScoreBatchKCS scores the valid period in one call, features included.
func BenchmarkScoreBatchKCS(b *testing.B) {
	train, valid := loadKCS(b, "train.csv"), loadKCS(b, "valid.csv")
	m, _ := BuiltinMapping("kcs")
	p := gbdt.DefaultParams()
	p.EarlyStop = 0
	mod, _, err := Train(train, nil, m, p)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		mod.ScoreAll(valid)
	}
	b.ReportMetric(float64(len(valid)*b.N)/b.Elapsed().Seconds(), "items/s")
}
