package ecommerce

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// The per-list stages outside the store, one synthetic set (order,
// payment, waybill, list) per operation:
//
//	go test ./ecommerce -run '^$' -bench ListStages -benchmem
//
// check and stored run on the request goroutines, the rest on the engine.
// The store's part is measured by the sqlite package's BenchmarkEcommerce.
func BenchmarkListStages(b *testing.B) {
	const n = 4096
	g := NewGenerator(7, n, DemoDay)
	sets := make([]Set, n)
	for i := range sets {
		sets[i] = g.Next()
	}
	docs := func(s *Set) []*Doc { return []*Doc{&s.Order, &s.Payment, &s.Waybill, &s.List} }
	cpuPerOp(b, "check", func(b *testing.B) {
		i := 0
		for b.Loop() {
			for _, d := range docs(&sets[i%n]) {
				CheckDoc(d)
			}
			i++
		}
	})
	cpuPerOp(b, "stored", func(b *testing.B) {
		i := 0
		for b.Loop() {
			for _, d := range docs(&sets[i%n]) {
				EncodeStored(d)
			}
			i++
		}
	})
	tx := testTaxer(b)
	on := DemoDay
	cpuPerOp(b, "tax", func(b *testing.B) {
		i := 0
		for b.Loop() {
			tx.Assess(sets[i%n].List.Inventory, on)
			i++
		}
	})
	s := stageService(b, tx)
	cpuPerOp(b, "decide", func(b *testing.B) {
		// The engine's part of a set arriving whole: the three documents
		// enter the match state and the list is decided in memory.
		i := 0
		for b.Loop() {
			set := &sets[i%n]
			i++
			for _, d := range docs(set) {
				it := s.prepare(context.Background(), d, on)
				if u := s.handle(context.Background(), it, on); u != nil && u.List != nil {
					s.st.waiting = map[string]*waitingList{} // keep the state small: nothing is written
				}
			}
			s.st.orders, s.st.payments, s.st.waybills = map[string]*Order{}, map[string]*Payment{}, map[string]*Waybill{}
			for s.st.aged.len() > 0 {
				s.st.aged.pop()
			}
			clear(s.st.heldKeys)
		}
	})
	cpuPerOp(b, "list-stored", func(b *testing.B) {
		bill, _ := tx.Assess(sets[0].List.Inventory, on)
		at := on.UTC()
		d := ListDoc{Inventory: sets[0].List.Inventory, Tax: &bill, Lane: LaneGreen, LaneWhy: "no profile selected it", DecidedAt: &at}
		for b.Loop() {
			encodeList(&d)
		}
	})
}

// stageService is a service without a store or engine goroutine: the
// parties are registered and known, so decide runs every check.
func stageService(b testing.TB, tx *Taxer) *Service {
	ref, err := LoadReference("")
	if err != nil {
		b.Fatal(err)
	}
	rk, err := NewRisk(nil, []byte("bench key"))
	if err != nil {
		b.Fatal(err)
	}
	_, regs := DemoParties()
	p := &Parties{TTL: time.Hour, ents: map[string]cachedEnt{}}
	p.SetRegistrations(regs)
	for _, r := range regs {
		p.ents[r.SCC] = cachedEnt{ok: true, expires: time.Now().Add(24 * time.Hour)}
	}
	s := &Service{cfg: DefaultConfig(), tol: newTolerance(DefaultConfig().WeightTolerance),
		limitFen: toFen(DefaultConfig().Retail.AnnualLimit), deps: Deps{Parties: p, Taxer: tx, Risk: rk, Reference: ref, Now: time.Now}}
	s.st = state{orders: map[string]*Order{}, payments: map[string]*Payment{}, waybills: map[string]*Waybill{},
		waiting: map[string]*waitingList{}, byDoc: map[string]string{}}
	return s
}

// cpuPerOp runs the stage and reports the process's CPU time per
// operation beside the wall time: on a shared machine the wall time
// follows the neighbours' load.
func cpuPerOp(b *testing.B, name string, stage func(b *testing.B)) {
	b.Run(name, func(b *testing.B) {
		b.ReportAllocs()
		cpu := processCPU()
		stage(b)
		if cpu = processCPU() - cpu; cpu > 0 {
			b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
		}
	})
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
