package credit

import (
	"context"
	"sync"
	"testing"
)

// memSink keeps what a run stores.
type memSink struct {
	mu      sync.Mutex
	results map[string]Result
	changes []GradeChange
	puts    int
}

func (m *memSink) PutResults(_ context.Context, rs []Result) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.results == nil {
		m.results = map[string]Result{}
	}
	for _, r := range rs {
		m.results[r.SCC] = r
	}
	m.puts++
	return nil
}

func (m *memSink) AppendGradeChanges(_ context.Context, cs []GradeChange) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.changes = append(m.changes, cs...)
	return nil
}

func syntheticBook(t testing.TB, n int, today Date) *Book {
	b := NewBook(DefaultConfig())
	l := b.Loader()
	var err error
	Synthetic(n, 1, today, l.Subject, func(e *Event) {
		if err == nil {
			err = l.Event(e)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	l.Finish()
	return b
}

func TestRunMatchesAssess(t *testing.T) {
	today := day("2026-06-30")
	b := syntheticBook(t, 20000, today)
	sink := &memSink{}
	var progress int
	var mu sync.Mutex
	st, err := b.Run(context.Background(), today, sink, RunOptions{Workers: 3, Chunk: 700, Flush: 1000, Progress: func(d int) {
		mu.Lock()
		progress = max(progress, d)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Enterprises != 20000 || st.Results != 20000 || len(sink.results) != 20000 || progress != 20000 || sink.puts < 2 {
		t.Fatalf("stats %+v, stored %d, progress %d, puts %d", st, len(sink.results), progress, sink.puts)
	}
	// Every stored result is what the explained assessment says, and every
	// grade that is not regular has an audit record with its grounds.
	changed := map[string]GradeChange{}
	for _, c := range sink.changes {
		changed[c.SCC] = c
	}
	for scc, r := range sink.results {
		a, _ := b.Assess(scc, today)
		if a.Grade != r.Grade || a.Score != r.Score {
			t.Fatalf("%s: run %s/%d, assess %s/%d", scc, r.Grade, r.Score, a.Grade, a.Score)
		}
		checkAddsUp(t, a, DefaultConfig().Score.Base)
		c, ok := changed[scc]
		if (r.Grade != GradeRegular) != ok || ok && (c.To != r.Grade || c.From != GradeRegular) {
			t.Fatalf("%s: grade %s, change %+v", scc, r.Grade, c)
		}
		if r.Grade >= GradeDishonest && len(c.Grounds) == 0 {
			t.Fatalf("%s: dishonest without grounds", scc)
		}
		if g, _ := b.Lookup(scc); g != r.Grade {
			t.Fatalf("%s: snapshot says %s", scc, g)
		}
	}
	for _, g := range DefaultConfig().Model.Grades() {
		if st.Grades[g] == 0 {
			t.Errorf("no enterprise graded %s: %v", g, st.Grades)
		}
	}

	// The next day only what changed is written.
	sink2 := &memSink{}
	st, err = b.Run(context.Background(), today+1, sink2, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Results >= 2000 || st.Results != len(sink2.results) {
		t.Errorf("second day wrote %d results", st.Results)
	}
	// An event arriving between runs is folded into the next one.
	scc := b.scc[5]
	if err := b.Append([]Event{{ID: 1 << 30, SCC: scc, Kind: KindSmuggling, On: today, Source: "test", Criminal: true}}); err != nil {
		t.Fatal(err)
	}
	cs, err := b.Reassess(context.Background(), []string{scc}, today+1, today.Time(), CauseEvent, "officer.test", sink2)
	if err != nil || len(cs) != 1 || cs[0].To != GradeSeriouslyDishonest || cs[0].By != "officer.test" {
		t.Fatalf("reassess: %+v %v", cs, err)
	}
	if g, m := b.Lookup(scc); g != GradeSeriouslyDishonest || m.MinInspectionRate < 0.8 {
		t.Errorf("snapshot after the event: %s %+v", g, m)
	}
	if _, err := b.Run(context.Background(), today+2, sink2, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if a, _ := b.Assess(scc, today+2); a.Grade != GradeSeriouslyDishonest {
		t.Errorf("after compaction: %s", a.Grade)
	}
}

func BenchmarkRun(b *testing.B) {
	today := day("2026-06-30")
	book := syntheticBook(b, 100000, today)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		book.mu.Lock()
		clear(book.scored)
		book.mu.Unlock()
		if _, err := book.Run(context.Background(), today, &memSink{}, RunOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "enterprises/s")
}
