package credit

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/jinguan-customs/jinguan"
)

// Book holds every enterprise's credit record in memory: its subject
// (registration, broker role, certification), its events as columnar
// arrays and its last grade and score. It is loaded once from the store
// and then kept current by the service, so neither the daily run nor a
// lookup queries the database.
//
// Events recorded since the arrays were built wait in a small per-
// enterprise delta; the daily run folds them in (compact).
type Book struct {
	mu      sync.RWMutex
	index   map[string]int32
	scc     []string
	subj    []subject
	repairs map[int32][]repairMark
	seg     segment
	delta   map[int32][]row
	grade   []Grade // last stored result
	score   []int32
	scored  []bool // has a stored result
	eng     *engine
	snap    atomic.Pointer[snapshot]
}

// segment is the events of enterprises [0, len(off)-1) in CSR form:
// enterprise i's events are ev[off[i]:off[i+1]], in date order.
type segment struct {
	off []int32
	ev  cols
}

// NewBook returns an empty book grading under cfg, which must have
// passed Check.
func NewBook(cfg Config) *Book {
	b := &Book{index: map[string]int32{}, repairs: map[int32][]repairMark{}, delta: map[int32][]row{},
		seg: segment{off: []int32{0}}, eng: newEngine(cfg)}
	b.snap.Store(&snapshot{grades: map[string]Grade{}, measures: cfg.Measures})
	return b
}

// Config is the configuration the book grades under.
func (b *Book) Config() Config { return b.eng.cfg }

// Subject is what grading needs from the enterprise registry.
type Subject struct {
	SCC        string
	Registered Date
	Broker     bool
	CertLevel  string // "", "general" or "advanced"
	CertFrom   Date
	CertTo     Date // 0: open
}

// Len is the number of enterprises.
func (b *Book) Len() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.scc)
}

// SetSubject adds an enterprise or updates its registration facts.
func (b *Book) SetSubject(s Subject) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.setSubject(s)
}

func (b *Book) setSubject(s Subject) int32 {
	i, ok := b.index[s.SCC]
	if !ok {
		i = int32(len(b.scc))
		b.index[s.SCC] = i
		b.scc = append(b.scc, s.SCC)
		b.subj = append(b.subj, subject{})
		b.grade = append(b.grade, GradeRegular)
		b.score = append(b.score, 0)
		b.scored = append(b.scored, false)
	}
	sj := subject{registered: int32(s.Registered), broker: s.Broker}
	switch s.CertLevel {
	case "advanced":
		sj.cert = certification{level: certAdvanced, from: int32(s.CertFrom), to: int32(s.CertTo)}
	case "general":
		sj.cert = certification{level: certGeneral, from: int32(s.CertFrom), to: int32(s.CertTo)}
	}
	b.subj[i] = sj
	return i
}

// SetResult records a stored result, as loaded at start-up.
func (b *Book) SetResult(scc string, g Grade, score int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if i, ok := b.index[scc]; ok {
		b.grade[i], b.score[i], b.scored[i] = g, int32(score), true
	}
}

// AddRepair records an approved repair of one ground.
func (b *Book) AddRepair(scc, rule string, event int64, on Date) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if i, ok := b.index[scc]; ok {
		b.repairs[i] = append(b.repairs[i], repairMark{rule: rule, event: event, on: int32(on)})
	}
}

// Append adds stored events (with their ids) to the delta.
func (b *Book) Append(es []Event) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := range es {
		x, ok := b.index[es[i].SCC]
		if !ok {
			return jinguan.NotFound("企业", "enterprise")
		}
		b.delta[x] = append(b.delta[x], rowOf(&es[i]))
	}
	return nil
}

// Known reports whether the enterprise is in the book.
func (b *Book) Known(scc string) bool { return b.known(scc) }

// known implements registry.
func (b *Book) known(scc string) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	_, ok := b.index[scc]
	return ok
}

// target implements registry: the event as links left it.
func (b *Book) target(scc string, id int64) (target, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	x, ok := b.index[scc]
	if !ok {
		return target{}, false
	}
	var buf cols
	ev := b.view(x, &buf)
	var sc scratch
	sc.resolve(&ev)
	for i, v := range ev.id {
		if v != id {
			continue
		}
		t := target{Kind: Kinds[ev.kind[i]], On: Date(ev.on[i]), Dead: sc.dead[i], Settled: sc.settled[i] != 0}
		// a list entry is delisted when a live delisting refers to it
		for j := range ev.id {
			if ev.kind[j] == kDelisting && !sc.dead[j] && ev.ref[j] == id {
				t.Delisted = true
			}
		}
		return t, true
	}
	return target{}, false
}

// view returns enterprise x's events in date order: the segment's arrays
// when nothing is pending, else a merged copy built in buf (never in the
// segment's arrays). The caller holds the lock.
func (b *Book) view(x int32, buf *cols) cols {
	var base cols
	if int(x)+1 < len(b.seg.off) {
		base = b.seg.ev.slice(b.seg.off[x], b.seg.off[x+1])
	}
	d := b.delta[x]
	if len(d) == 0 {
		return base
	}
	buf.reset()
	rows := make([]row, 0, base.len()+len(d))
	for i := 0; i < base.len(); i++ {
		rows = append(rows, base.row(i))
	}
	rows = append(rows, d...)
	slices.SortFunc(rows, lessRow)
	for _, r := range rows {
		buf.push(r)
	}
	return *buf
}

// compact folds the delta into a new segment covering every enterprise.
// The caller holds the write lock.
func (b *Book) compact() {
	n := len(b.scc)
	if len(b.delta) == 0 && len(b.seg.off) == n+1 {
		return
	}
	total := b.seg.ev.len()
	for _, d := range b.delta {
		total += len(d)
	}
	next := segment{off: make([]int32, n+1)}
	next.ev.grow(total)
	var buf cols
	for x := int32(0); x < int32(n); x++ {
		ev := b.view(x, &buf)
		appendCols(&next.ev, &ev)
		next.off[x+1] = int32(next.ev.len())
	}
	b.seg, b.delta = next, map[int32][]row{}
}

func appendCols(dst, src *cols) {
	dst.id = append(dst.id, src.id...)
	dst.kind = append(dst.kind, src.kind...)
	dst.flag = append(dst.flag, src.flag...)
	dst.on = append(dst.on, src.on...)
	dst.aux = append(dst.aux, src.aux...)
	dst.aux2 = append(dst.aux2, src.aux2...)
	dst.amount = append(dst.amount, src.amount...)
	dst.ref = append(dst.ref, src.ref...)
}

// Loader builds a book in bulk: subjects first, then events in any order,
// then Finish groups them by enterprise with a counting sort.
type Loader struct {
	b     *Book
	owner []int32
	ev    cols
}

// Loader starts a bulk load into an empty book.
func (b *Book) Loader() *Loader { return &Loader{b: b} }

// Subject adds an enterprise.
func (l *Loader) Subject(s Subject) {
	l.b.mu.Lock()
	l.b.setSubject(s)
	l.b.mu.Unlock()
}

// Event adds a stored event; events of unknown enterprises are an error.
func (l *Loader) Event(e *Event) error {
	x, ok := l.b.index[e.SCC]
	if !ok {
		return jinguan.Errorf(jinguan.EINTERNAL, "信用事件 %d 的企业 %s 未注册", "credit event %d names unregistered enterprise %s", e.ID, e.SCC)
	}
	l.owner = append(l.owner, x)
	l.ev.push(rowOf(e))
	return nil
}

// Row adds an event already in array form (the benchmark's generator).
func (l *Loader) Row(x int32, r row) {
	l.owner = append(l.owner, x)
	l.ev.push(r)
}

// Finish builds the segment.
func (l *Loader) Finish() {
	b := l.b
	n := len(b.scc)
	off := make([]int32, n+1)
	for _, x := range l.owner {
		off[x+1]++
	}
	for i := 0; i < n; i++ {
		off[i+1] += off[i]
	}
	pos := slices.Clone(off[:n])
	var ev cols
	ev.grow(len(l.owner))
	ev.id, ev.kind, ev.flag, ev.on = ev.id[:len(l.owner)], ev.kind[:len(l.owner)], ev.flag[:len(l.owner)], ev.on[:len(l.owner)]
	ev.aux, ev.aux2, ev.amount, ev.ref = ev.aux[:len(l.owner)], ev.aux2[:len(l.owner)], ev.amount[:len(l.owner)], ev.ref[:len(l.owner)]
	for i, x := range l.owner {
		p := pos[x]
		pos[x]++
		ev.id[p], ev.kind[p], ev.flag[p], ev.on[p] = l.ev.id[i], l.ev.kind[i], l.ev.flag[i], l.ev.on[i]
		ev.aux[p], ev.aux2[p], ev.amount[p], ev.ref[p] = l.ev.aux[i], l.ev.aux2[i], l.ev.amount[i], l.ev.ref[i]
	}
	// Each enterprise's few events into date order; usually already so.
	var rows []row
	for x := 0; x < n; x++ {
		lo, hi := off[x], off[x+1]
		sorted := true
		for i := lo + 1; i < hi; i++ {
			if lessRow(ev.row(int(i-1)), ev.row(int(i))) > 0 {
				sorted = false
				break
			}
		}
		if sorted {
			continue
		}
		rows = rows[:0]
		for i := lo; i < hi; i++ {
			rows = append(rows, ev.row(int(i)))
		}
		slices.SortFunc(rows, lessRow)
		for k, r := range rows {
			i := int(lo) + k
			ev.id[i], ev.kind[i], ev.flag[i], ev.on[i], ev.aux[i], ev.aux2[i], ev.amount[i], ev.ref[i] =
				r.id, r.kind, r.flag, r.on, r.aux, r.aux2, r.amount, r.ref
		}
	}
	b.mu.Lock()
	b.seg, b.delta = segment{off: off, ev: ev}, map[int32][]row{}
	b.mu.Unlock()
	l.owner, l.ev = nil, cols{}
}
