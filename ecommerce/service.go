package ecommerce

import (
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/tariff"
)

// Config tunes the clearance; defaults from domain.md.
type Config struct {
	MatchWait       Duration        `json:"match_wait"`       // a list waits this long for its documents [24h]
	WeightTolerance decimal.Decimal `json:"weight_tolerance"` // waybill weight vs gross weight, share [0.1]
	MaxBatch        int             `json:"max_batch"`        // documents per commit [4096]
	// IntakeCPUs is how many goroutines may check requests and decide
	// batches at once [0: the CPUs Go uses, less the one an embedded
	// store's single writer needs]. That writer is the narrowest stage and
	// Go's scheduler has no priorities: capped, the intake leaves it a core.
	IntakeCPUs int                 `json:"intake_cpus"`
	Retail     tariff.RetailConfig `json:"retail"`
	Webhooks   []Webhook           `json:"webhooks"` // subscribers to the list receipts
	// RandomRed and RandomYellow are the shares of lists the random stream
	// sends to inspection and to review whatever the profiles say [0.002, 0.01].
	RandomRed    float64 `json:"random_red"`
	RandomYellow float64 `json:"random_yellow"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{MatchWait: Duration(24 * time.Hour), WeightTolerance: decimal.RequireFromString("0.1"),
		MaxBatch: 4096, Retail: tariff.DefaultRetailConfig(), RandomRed: 0.002, RandomYellow: 0.01}
}

// Deps are the service's collaborators.
type Deps struct {
	Store     Store
	Parties   *Parties
	Taxer     *Taxer
	Risk      *Risk
	Reference *Reference
	Now       func() time.Time
	Log       *slog.Logger
}

// Service takes documents, matches and decides lists. One engine
// goroutine owns the match state and writes batches: while one batch is
// committed the next requests queue up (group commit), and every answer
// waits until its batch is durable.
type Service struct {
	cfg  Config
	deps Deps
	reqs chan *request
	stop chan struct{}
	wg   sync.WaitGroup
	mu   sync.RWMutex
	shut bool

	tol      tolerance     // cfg.WeightTolerance
	limitFen int64         // cfg.Retail.AnnualLimit
	cpu      chan struct{} // a token per intake CPU (cfg.IntakeCPUs)

	// engine state, touched only by the engine goroutine
	st state

	batches, docs, writeNanos atomic.Int64 // commits, documents, time in Apply: for metrics

	// With a SyncLater store, receipts committed but not yet synced are
	// held back from the receipt log's readers: unsynced holds, in commit
	// order, the first sequence number each unsynced batch may have
	// written (after a restart the first batch holds back everything until
	// its sync, a few milliseconds).
	seqMu    sync.Mutex
	unsynced []int64
	lastSeq  int64 // the largest receipt sequence number written so far
}

// DurableBefore is the receipt sequence number from which receipts may not
// be on the disk yet: readers of the log (the API, webhooks) stop before
// it. math.MaxInt64 when everything committed is durable.
func (s *Service) DurableBefore() int64 {
	s.seqMu.Lock()
	defer s.seqMu.Unlock()
	if len(s.unsynced) == 0 {
		return math.MaxInt64
	}
	return s.unsynced[0]
}

// Stats returns the commits made, the documents they carried and the
// time spent writing.
func (s *Service) Stats() (batches, docs int64, writing time.Duration) {
	return s.batches.Load(), s.docs.Load(), time.Duration(s.writeNanos.Load())
}

type request struct {
	items []*item
	done  chan struct{}
	err   error
}

// NewService rebuilds the match state from the store and starts the engine.
func NewService(ctx context.Context, cfg Config, d Deps) (*Service, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 4096
	}
	cfg.IntakeCPUs = intakeCPUs(cfg.IntakeCPUs, d.Store, runtime.GOMAXPROCS(0))
	s := &Service{cfg: cfg, deps: d, reqs: make(chan *request, 1024), stop: make(chan struct{}), tol: newTolerance(cfg.WeightTolerance),
		limitFen: toFen(cfg.Retail.AnnualLimit), cpu: make(chan struct{}, cfg.IntakeCPUs)}
	regs, err := d.Store.Registrations(ctx)
	if err != nil {
		return nil, err
	}
	d.Parties.SetRegistrations(regs)
	if err := s.rebuild(ctx); err != nil {
		return nil, err
	}
	s.wg.Add(1)
	go s.run()
	return s, nil
}

// intakeCPUs is the configured number, or by default the CPUs less the
// one a store that writes in this process (SQLite) needs for its writer.
func intakeCPUs(configured int, st Store, cpus int) int {
	if configured > 0 {
		return configured
	}
	if _, ok := st.(SyncLater); ok {
		return max(1, cpus-1)
	}
	return cpus
}

// Close stops taking documents and waits for the engine to finish.
func (s *Service) Close() {
	s.mu.Lock()
	if s.shut {
		s.mu.Unlock()
		return
	}
	s.shut = true
	s.mu.Unlock()
	close(s.stop)
	s.wg.Wait()
}

// Submit takes a batch of decoded documents and returns one receipt per
// document, in order, once everything accepted is durable. Each document
// is accepted or refused whole.
func (s *Service) Submit(ctx context.Context, docs []Doc) ([]Receipt, error) {
	now := s.deps.Now()
	items := make([]*item, len(docs))
	select { // one of the intake's CPUs (IntakeCPUs)
	case s.cpu <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	for i := range docs {
		items[i] = s.prepare(ctx, &docs[i], now)
	}
	<-s.cpu
	r := &request{items: items, done: make(chan struct{})}
	s.mu.RLock()
	if s.shut {
		s.mu.RUnlock()
		return nil, errShutdown
	}
	s.reqs <- r
	s.mu.RUnlock()
	<-r.done
	if r.err != nil {
		return nil, r.err
	}
	out := make([]Receipt, len(items))
	for i, it := range items {
		out[i] = it.receipt
	}
	return out, nil
}

var errShutdown = jinguan.Errorf(jinguan.EUNAVAIL, "系统正在停止", "the service is shutting down")

// flight is a decided batch on its way through the writer.
type flight struct {
	batch []*request
	items []*item
	units []*Unit
	err   error
}

// run is the engine: it decides a batch while the writer commits the
// previous one, so deciding and the disk overlap. At most two batches are
// in flight (three when the store syncs apart from committing: one being
// written, one or more syncing); meanwhile requests queue up and form the
// next batch.
func (s *Service) run() {
	defer s.wg.Done()
	toWriter, fromWriter := make(chan *flight, 1), make(chan *flight, 4)
	limit := 2
	if sl, ok := s.deps.Store.(SyncLater); ok {
		limit = 3
		toSync := make(chan *flight, 4)
		go s.write(toWriter, toSync, func(ctx context.Context, units []*Unit) error {
			// Held back from before the commit: its receipts come after lastSeq.
			s.seqMu.Lock()
			s.unsynced = append(s.unsynced, s.lastSeq+1)
			s.seqMu.Unlock()
			err := sl.ApplyNoSync(ctx, units)
			s.seqMu.Lock()
			for _, u := range units {
				for _, r := range u.Receipts {
					s.lastSeq = max(s.lastSeq, r.Seq)
				}
			}
			s.seqMu.Unlock()
			return err
		})
		go s.sync(toSync, fromWriter, sl)
	} else {
		go s.write(toWriter, fromWriter, s.deps.Store.Apply)
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	inflight := 0
	stopping, stop := false, s.stop
	for {
		reqs := s.reqs
		if inflight >= limit {
			reqs = nil
		}
		var batch []*request
		select {
		case r := <-reqs:
			batch = append(batch, r)
		case f := <-fromWriter:
			inflight--
			s.finish(f)
			continue
		case <-tick.C:
			if inflight == 0 {
				inflight++
				toWriter <- s.decideBatch(nil)
			}
			continue
		case <-stop:
			stopping = true
		}
		if stopping && batch == nil {
			// Drain what is queued, then wait for the writer.
			for {
				select {
				case r := <-s.reqs:
					batch = append(batch, r)
					continue
				default:
				}
				break
			}
			if len(batch) > 0 {
				toWriter <- s.decideBatch(batch)
				inflight++
			}
			close(toWriter)
			for f := range fromWriter {
				s.finish(f)
			}
			return
		}
		n := len(batch[0].items)
	fill:
		for n < s.cfg.MaxBatch {
			select {
			case r := <-s.reqs:
				batch = append(batch, r)
				n += len(r.items)
			default:
				break fill
			}
		}
		inflight++
		toWriter <- s.decideBatch(batch)
	}
}

// write commits the flights in order.
func (s *Service) write(in <-chan *flight, out chan<- *flight, apply func(context.Context, []*Unit) error) {
	for f := range in {
		if len(f.units) > 0 {
			t := time.Now()
			f.err = apply(context.Background(), f.units)
			s.writeNanos.Add(int64(time.Since(t)))
			s.batches.Add(1)
			s.docs.Add(int64(len(f.items)))
		}
		out <- f
	}
	close(out)
}

// sync makes committed flights durable before they are answered; the
// flights that queued up while the disk synced share the next sync.
func (s *Service) sync(in <-chan *flight, out chan<- *flight, sl SyncLater) {
	defer close(out)
	var seen, released int // flights held back in unsynced, and released from it
	for f := range in {
		group := []*flight{f}
	more:
		for {
			select {
			case g, ok := <-in:
				if !ok {
					break more
				}
				group = append(group, g)
			default:
				break more
			}
		}
		var err error
		applied, synced := 0, false
		for _, g := range group {
			if len(g.units) > 0 {
				applied++ // went through the writer's apply, which held it back
			}
		}
		seen += applied
		for _, g := range group {
			if g.err == nil && len(g.units) > 0 {
				err, synced = sl.Sync(context.Background()), true
				break
			}
		}
		// Without a sync (nothing of the group committed) only the group's
		// own entries go, and only if no older commit awaits a sync.
		if (synced && err == nil) || (!synced && seen-released == applied) {
			// Everything committed so far is on the disk, an earlier
			// group whose sync failed included.
			s.seqMu.Lock()
			s.unsynced = s.unsynced[seen-released:]
			s.seqMu.Unlock()
			released = seen
		}
		if err != nil {
			// Committed but perhaps not on the disk: not acknowledged.
			s.deps.Log.Error("ecommerce sync failed", "err", err)
		}
		for _, g := range group {
			if g.err == nil && len(g.units) > 0 && err != nil {
				g.err = errNotDurable
			}
			out <- g
		}
	}
}

var errNotDurable = jinguan.Errorf(jinguan.EINTERNAL, "数据未能写入磁盘", "the batch could not be made durable")

// decideBatch runs the batch through the match state and builds its units.
func (s *Service) decideBatch(batch []*request) *flight {
	s.cpu <- struct{}{} // shared with the requests' checks (IntakeCPUs)
	defer func() { <-s.cpu }()
	ctx := context.Background()
	now := s.deps.Now()
	f := &flight{batch: batch}
	for _, r := range batch {
		f.items = append(f.items, r.items...)
	}
	s.fetch(ctx, f.items)
	for _, it := range f.items {
		if u := s.handle(ctx, it, now); u != nil {
			it.unit = u
			f.units = append(f.units, u)
		}
	}
	f.units = append(f.units, s.expire(ctx, now)...)
	s.st.settle(false)
	for _, u := range f.units {
		u.encodeReceipts()
	}
	return f
}

// finish settles a written batch on the engine goroutine: state changes
// of refused units are undone, and the requests are answered.
func (s *Service) finish(f *flight) {
	if f.err != nil {
		s.deps.Log.Error("ecommerce batch failed", "err", f.err, "units", len(f.units))
		for _, u := range f.units {
			if u.revert != nil {
				u.Refused = "failed"
				u.revert()
			}
		}
		if err := s.rebuild(context.Background()); err != nil {
			s.deps.Log.Error("ecommerce state rebuild failed", "err", err)
		}
	}
	for _, u := range f.units {
		switch {
		case f.err != nil:
		case u.Refused != "" && u.revert != nil:
			u.revert()
		case u.Refused == "" && u.after != nil:
			u.after()
		}
	}
	s.st.settle(true)
	for _, it := range f.items {
		if it.unit != nil && it.unit.List != nil && it.receipt.Type == ReceiptInventory {
			it.receipt.ListID = it.unit.List.ID
		}
	}
	for _, r := range f.batch {
		r.err = f.err
		close(r.done)
	}
}

// ListDoc is what a stored list holds beside its summary columns: the
// list as declared and the decision with its reasons.
type ListDoc struct {
	Inventory *Inventory `json:"inventory,omitempty"`
	Reasons   []Reason   `json:"reasons,omitempty"`
	Tax       *TaxBill   `json:"tax,omitempty"`
	Lane      string     `json:"lane,omitempty"`
	LaneWhy   string     `json:"lane_why,omitempty"`
	Hits      []Hit      `json:"hits,omitempty"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
}

func toFen(d decimal.Decimal) int64 { return d.Round(2).Shift(2).IntPart() }

func fromFen(f int64) decimal.Decimal { return decimal.New(f, -2) }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own types, which always marshal
	}
	return b
}

type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	*d = Duration(v)
	return err
}
