package model

import (
	"runtime"
	"sync"
	"testing"

	"github.com/jinguan-customs/jinguan/risk/model/gbdt"
)

// BenchmarkTrainKCS trains on the KCS train period with the default
// settings (a fixed round count, features included).
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

var kcs struct {
	once  sync.Once
	model *Model
	err   error
}

// trainedKCS trains the default model once for all scoring benchmarks.
func trainedKCS(b *testing.B) (*Model, []Record) {
	train, valid := loadKCS(b, "train.csv"), loadKCS(b, "valid.csv")
	kcs.once.Do(func() {
		m, _ := BuiltinMapping("kcs")
		kcs.model, _, kcs.err = Train(train, nil, m, gbdt.DefaultParams())
	})
	if kcs.err != nil {
		b.Fatal(kcs.err)
	}
	return kcs.model, valid
}

// BenchmarkScoreKCS scores valid items one at a time, features included.
func BenchmarkScoreKCS(b *testing.B) {
	mod, valid := trainedKCS(b)
	n := 0
	cpu := startCPU()
	for b.Loop() {
		mod.Score(&valid[n%len(valid)])
		n++
	}
	reportItems(b, n, cpu)
}

// BenchmarkScoreBatchKCS scores the valid period in one call, features included.
func BenchmarkScoreBatchKCS(b *testing.B) {
	mod, valid := trainedKCS(b)
	cpu := startCPU()
	for b.Loop() {
		mod.ScoreAll(valid)
	}
	reportItems(b, len(valid)*b.N, cpu)
}

// BenchmarkScoreSynthetic needs no data files.
func BenchmarkScoreSynthetic(b *testing.B) {
	train := synthRecords(20000, 1, jan)
	m := Mapping{Format: "test", Extra: map[string]string{"lane": "lane"}}
	p := gbdt.DefaultParams()
	p.MinLeafRows = 5
	mod, _, err := Train(train, nil, m, p)
	if err != nil {
		b.Fatal(err)
	}
	scored := synthRecords(5000, 2, jan.AddDate(1, 0, 0))
	cpu := startCPU()
	for b.Loop() {
		mod.ScoreAll(scored)
	}
	reportItems(b, len(scored)*b.N, cpu)
}

// startCPU pins the benchmark to its thread and reads the thread's CPU
// time: on a shared machine, wall time also counts the waits for a core.
func startCPU() float64 {
	runtime.LockOSThread()
	return threadCPU()
}

func reportItems(b *testing.B, n int, cpu0 float64) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "items/s")
	if cpu := threadCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(n)/cpu, "items/cpu-s")
	}
	runtime.UnlockOSThread()
}
