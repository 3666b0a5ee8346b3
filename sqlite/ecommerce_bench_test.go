package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan/ecommerce"
	"github.com/jinguan-customs/jinguan/enterprise"
	"github.com/jinguan-customs/jinguan/refdata"
	"github.com/jinguan-customs/jinguan/sqlite"
	"github.com/jinguan-customs/jinguan/tariff"
)

// BenchmarkEcommerceWriter times the store's part of e-commerce clearance
// alone: the batches the engine decides for synthetic traffic (as in
// bench ecommerce: a tenth of the lists ahead of their documents, 5 %
// breaking a rule, heavy buyers over their quota) are recorded first,
// then written into a fresh database, one durable commit each.
//
//	go test ./sqlite -run '^$' -bench EcommerceWriter -benchtime 3x
//
// cpu-µs/list is the process's CPU time per list while writing.
func BenchmarkEcommerceWriter(b *testing.B) {
	for _, docs := range []int{4096, 16384} {
		b.Run(fmt.Sprintf("docs-per-commit=%d", docs), func(b *testing.B) { benchWriter(b, docs) })
	}
}

func benchWriter(b *testing.B, maxBatch int) {
	const lists = 20000
	ctx := context.Background()
	var cpu time.Duration
	var commits int
	for range b.N {
		b.StopTimer()
		batches := recordBatches(b, lists, maxBatch)
		commits += len(batches)
		db := openEcommerce(b, filepath.Join(b.TempDir(), "replay.db"))
		store := db.Ecommerce()
		runtime.GC()
		b.StartTimer()
		c := processCPU()
		for _, units := range batches {
			if err := store.Apply(ctx, units); err != nil {
				b.Fatal(err)
			}
		}
		cpu += processCPU() - c
		b.StopTimer()
		db.Close()
	}
	b.ReportMetric(float64(cpu.Microseconds())/float64(lists*b.N), "cpu-µs/list")
	b.ReportMetric(float64(lists*b.N)/b.Elapsed().Seconds(), "lists/s")
	b.ReportMetric(float64(lists*b.N)/float64(commits), "lists/commit")
}

// recorder keeps the batches instead of writing them: the engine sees an
// empty store that accepts everything.
type recorder struct {
	ecommerce.Store
	mu      sync.Mutex
	batches [][]*ecommerce.Unit
}

func (r *recorder) Apply(_ context.Context, units []*ecommerce.Unit) error {
	time.Sleep(20 * time.Millisecond) // as long as a commit: the next batch fills up meanwhile
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches = append(r.batches, units)
	return nil
}

func (r *recorder) Docs(context.Context, []string) (map[string]ecommerce.DocRow, error) {
	return map[string]ecommerce.DocRow{}, nil
}

func recordBatches(b *testing.B, lists, maxBatch int) [][]*ecommerce.Unit {
	ctx := context.Background()
	db := openEcommerce(b, filepath.Join(b.TempDir(), "record.db"))
	defer db.Close()
	cat, err := refdata.Embedded()
	if err != nil {
		b.Fatal(err)
	}
	sched, err := tariff.SampleSchedule(cat)
	if err != nil {
		b.Fatal(err)
	}
	rec := &recorder{Store: db.Ecommerce()}
	cfg := ecommerce.DefaultConfig()
	cfg.MaxBatch = maxBatch
	svc, err := ecommerce.Open(ctx, cfg, rec, db.Enterprises(), cat, sched, "", []byte("bench key"), nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := ecommerce.SeedDemo(ctx, svc, db.Enterprises()); err != nil {
		b.Fatal(err)
	}
	g := ecommerce.NewGenerator(42, lists, ecommerce.DemoDay)
	var docs, late []ecommerce.Doc
	for i := range lists {
		s := g.Next()
		set := []ecommerce.Doc{s.Order, s.Payment, s.Waybill}
		if s.Anomaly == ecommerce.AnomalyNoWaybill {
			set = set[:2]
		}
		if i%10 == 0 {
			docs, late = append(docs, s.List), append(late, set...)
		} else {
			docs = append(append(docs, set...), s.List)
		}
		if len(late) > 64 {
			docs, late = append(docs, late...), late[:0]
		}
	}
	docs = append(docs, late...)
	// 32 clients of 512 documents, as in bench ecommerce.
	var wg sync.WaitGroup
	next := make(chan []ecommerce.Doc)
	for range 32 {
		wg.Go(func() {
			for r := range next {
				if _, err := svc.Submit(ctx, r); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for i := 0; i < len(docs); i += 512 {
		next <- docs[i:min(i+512, len(docs))]
	}
	close(next)
	wg.Wait()
	svc.Close()
	return rec.batches
}

// openEcommerce opens a database with the demo parties and guarantee.
func openEcommerce(b *testing.B, path string) *sqlite.DB {
	ctx := context.Background()
	db, err := sqlite.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	ents, regs := ecommerce.DemoParties()
	for _, e := range ents {
		if err := db.Enterprises().PutEnterprise(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
	for _, r := range regs {
		if err := db.Ecommerce().PutRegistration(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	for _, a := range ecommerce.DemoGuaranteeAccounts() {
		if _, err := db.Guarantees().PutGuaranteeAccount(ctx, a, enterprise.GuaranteeEvent{Actor: "bench", Role: "admin", At: time.Now()}); err != nil {
			b.Fatal(err)
		}
	}
	return db
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
