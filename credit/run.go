package credit

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Result is an enterprise's stored grade and score, written when either
// changes.
type Result struct {
	SCC   string `json:"scc"`
	Grade Grade  `json:"grade"`
	Score int    `json:"score"`
	On    Date   `json:"on"` // the day they were computed
}

// GradeChange is the audit record of a grade moving, with the grounds in
// force at the change.
type GradeChange struct {
	ID      int64     `json:"id"`
	SCC     string    `json:"scc"`
	From    Grade     `json:"from"`
	To      Grade     `json:"to"`
	On      Date      `json:"on"`
	At      time.Time `json:"at"`
	Cause   string    `json:"cause"` // daily_run, event, certification, repair, registration
	By      string    `json:"by"`    // the user whose action caused it, or "system"
	Score   int       `json:"score"`
	Grounds []Ground  `json:"grounds"`
}

// Causes of a grade change.
const (
	CauseDailyRun      = "daily_run"
	CauseEvent         = "event"
	CauseCertification = "certification"
	CauseRepair        = "repair"
	CauseRegistration  = "registration"
)

// Sink stores results and grade changes in bulk.
type Sink interface {
	PutResults(ctx context.Context, rs []Result) error
	AppendGradeChanges(ctx context.Context, cs []GradeChange) error
}

// RunOptions tune a run.
type RunOptions struct {
	Workers  int              // default GOMAXPROCS
	Chunk    int              // enterprises per unit of work, default 4096
	Flush    int              // results per bulk write, default 16384
	Progress func(done int)   // called as chunks finish, from several goroutines
	Clock    func() time.Time // stamps grade changes; default time.Now
}

// RunStats says what a run did and where the time went.
type RunStats struct {
	Enterprises  int           `json:"enterprises"`
	Events       int           `json:"events"`
	Results      int           `json:"results_written"`
	GradeChanges int           `json:"grade_changes"`
	Grades       map[Grade]int `json:"grades"`
	Compact      time.Duration `json:"compact_ns"`
	Total        time.Duration `json:"total_ns"`
	WriteWait    time.Duration `json:"write_ns"` // time spent in the sink
}

// Run grades and scores every enterprise as of day and stores what
// changed. Workers take chunks of enterprises; a writer goroutine stores
// their changed results in bulk while they go on computing.
func (b *Book) Run(ctx context.Context, day Date, sink Sink, opt RunOptions) (RunStats, error) {
	start := time.Now()
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.Chunk <= 0 {
		opt.Chunk = 4096
	}
	if opt.Flush <= 0 {
		opt.Flush = 16384
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	b.mu.Lock()
	b.compact()
	n := len(b.scc)
	st := RunStats{Enterprises: n, Events: b.seg.ev.len(), Grades: map[Grade]int{}}
	b.mu.Unlock()
	st.Compact = time.Since(start)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type batch struct {
		rs []Result
		cs []GradeChange
	}
	out := make(chan batch, opt.Workers*2)
	var werr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the writer
		defer wg.Done()
		var rs []Result
		var cs []GradeChange
		flush := func() {
			if werr != nil || len(rs) == 0 && len(cs) == 0 {
				return
			}
			t := time.Now()
			// In code order the store's index takes the rows as appends.
			slices.SortFunc(rs, func(a, b Result) int { return strings.Compare(a.SCC, b.SCC) })
			// The audit trail first: if the results were stored and the
			// changes lost, the next run would see no change to record.
			if werr = sink.AppendGradeChanges(ctx, cs); werr == nil {
				werr = sink.PutResults(ctx, rs)
			}
			st.WriteWait += time.Since(t)
			if werr != nil {
				cancel()
				return
			}
			st.Results += len(rs)
			st.GradeChanges += len(cs)
			b.remember(rs)
			rs, cs = rs[:0], cs[:0]
		}
		for bt := range out {
			rs, cs = append(rs, bt.rs...), append(cs, bt.cs...)
			if len(rs) >= opt.Flush {
				flush()
			}
		}
		flush()
	}()

	var next, done atomic.Int64
	counts := make([][numGrades]int, opt.Workers)
	var cwg sync.WaitGroup
	at := opt.Clock()
	for w := 0; w < opt.Workers; w++ {
		cwg.Add(1)
		go func(w int) {
			defer cwg.Done()
			var sc scratch
			var buf cols
			for ctx.Err() == nil {
				lo := int(next.Add(int64(opt.Chunk))) - opt.Chunk
				if lo >= n {
					return
				}
				hi := min(lo+opt.Chunk, n)
				var bt batch
				b.mu.RLock()
				for x := int32(lo); x < int32(hi); x++ {
					sj := b.subj[x]
					sj.repairs = b.repairs[x]
					ev := b.view(x, &buf)
					g, s := b.eng.assess(&sj, &ev, int32(day), &sc, nil)
					counts[w][g]++
					if b.scored[x] && g == b.grade[x] && int32(s) == b.score[x] {
						continue
					}
					bt.rs = append(bt.rs, Result{SCC: b.scc[x], Grade: g, Score: s, On: day})
					if g != b.grade[x] { // an unscored enterprise was regular
						ex := &Assessment{}
						b.eng.assess(&sj, &ev, int32(day), &sc, ex)
						bt.cs = append(bt.cs, GradeChange{SCC: b.scc[x], From: b.grade[x], To: g, On: day, At: at,
							Cause: CauseDailyRun, By: "system", Score: s, Grounds: activeGrounds(ex.Grounds)})
					}
				}
				b.mu.RUnlock()
				if len(bt.rs) > 0 {
					select {
					case out <- bt:
					case <-ctx.Done():
					}
				}
				d := done.Add(int64(hi - lo))
				if opt.Progress != nil {
					opt.Progress(int(d))
				}
			}
		}(w)
	}
	cwg.Wait()
	close(out)
	wg.Wait()
	for _, c := range counts {
		for g, k := range c {
			if k > 0 {
				st.Grades[Grade(g)] += k
			}
		}
	}
	b.refreshSnapshot()
	st.Total = time.Since(start)
	if werr != nil {
		return st, werr
	}
	return st, ctx.Err()
}

func activeGrounds(gs []Ground) []Ground {
	out := gs[:0]
	for _, g := range gs {
		if g.Active {
			out = append(out, g)
		}
	}
	return out
}

// remember notes stored results as the book's last results.
func (b *Book) remember(rs []Result) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range rs {
		if x, ok := b.index[r.SCC]; ok {
			b.grade[x], b.score[x], b.scored[x] = r.Grade, int32(r.Score), true
		}
	}
}

// Assess explains one enterprise's grade and score on day.
func (b *Book) Assess(scc string, day Date) (*Assessment, bool) {
	return b.assessWith(scc, day, nil)
}

// assessWith assesses as if the extra repairs were approved: what a
// repair decision would do, before it is stored.
func (b *Book) assessWith(scc string, day Date, extra []GroundRef) (*Assessment, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	x, ok := b.index[scc]
	if !ok {
		return nil, false
	}
	var sc scratch
	var buf cols
	sj := b.subj[x]
	sj.repairs = b.repairs[x]
	if len(extra) > 0 {
		sj.repairs = slices.Clone(sj.repairs)
		for _, g := range extra {
			sj.repairs = append(sj.repairs, repairMark{rule: g.Rule, event: g.Event, on: int32(day)})
		}
	}
	ev := b.view(x, &buf)
	a := &Assessment{SCC: scc, On: day, Model: b.eng.cfg.Model}
	a.Grade, a.Score = b.eng.assess(&sj, &ev, int32(day), &sc, a)
	a.Measures = b.eng.cfg.Measures[a.Grade]
	if a.Lines == nil {
		a.Lines = []ScoreLine{}
	}
	if a.Grounds == nil {
		a.Grounds = []Ground{}
	}
	return a, true
}

// Reassess grades the named enterprises now (after an event, a
// certification or a repair) and stores what changed, attributing grade
// changes to cause and by.
func (b *Book) Reassess(ctx context.Context, sccs []string, day Date, at time.Time, cause, by string, sink Sink) ([]GradeChange, error) {
	var rs []Result
	var cs []GradeChange
	seen := map[string]bool{}
	for _, scc := range sccs {
		if seen[scc] {
			continue
		}
		seen[scc] = true
		a, ok := b.Assess(scc, day)
		if !ok {
			continue
		}
		b.mu.RLock()
		x := b.index[scc]
		prev, prevScore, scored := b.grade[x], b.score[x], b.scored[x]
		b.mu.RUnlock()
		if scored && prev == a.Grade && prevScore == int32(a.Score) {
			continue
		}
		rs = append(rs, Result{SCC: scc, Grade: a.Grade, Score: a.Score, On: day})
		if prev != a.Grade {
			cs = append(cs, GradeChange{SCC: scc, From: prev, To: a.Grade, On: day, At: at.UTC(), Cause: cause, By: by,
				Score: a.Score, Grounds: activeGrounds(a.Grounds)})
		}
	}
	if len(rs) == 0 {
		return nil, nil
	}
	if err := sink.AppendGradeChanges(ctx, cs); err != nil {
		return nil, err
	}
	if err := sink.PutResults(ctx, rs); err != nil {
		return nil, err
	}
	b.remember(rs)
	if len(cs) > 0 {
		b.refreshSnapshot()
	}
	return cs, nil
}
