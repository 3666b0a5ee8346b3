package risk

import (
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan/refdata"
)

func hs6Codes(t testing.TB) []string {
	cat, err := refdata.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range cat.Entries(refdata.HS, time.Now()) {
		if len(e.Code) == 6 {
			out = append(out, e.Code)
		}
	}
	return out
}

// BenchmarkMatch10k: 10,000 active profiles against 5-item declarations
// (target ≤ 50 µs per declaration on one core).
func BenchmarkMatch10k(b *testing.B) {
	w := NewWorkload(10_000, 1000, hs6Codes(b), 1)
	e, err := compiler(b).Engine(w.Profiles)
	if err != nil {
		b.Fatal(err)
	}
	hits := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % len(w.Decls)
		h, err := e.Match(&w.Decls[k], w.Items[k], Where{Channel: "sea"})
		if err != nil {
			b.Fatal(err)
		}
		hits += len(h)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/decl")
	b.ReportMetric(float64(hits)/float64(b.N), "hits/decl")
	b.ReportMetric(float64(e.Evaluated)/float64(b.N), "evals/decl")
}
