package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/jinguan-customs/jinguan/app"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/ecommerce"
	"github.com/jinguan-customs/jinguan/enterprise"
	"github.com/jinguan-customs/jinguan/refdata"
	"github.com/jinguan-customs/jinguan/sqlite"
	"github.com/jinguan-customs/jinguan/tariff"
)

// anchorLists is the national import platform's peak review rate
// (41,900 lists a minute).
const anchorLists = 700

func benchEcommerceCmd() *cobra.Command {
	var (
		n, clients, batch, maxBatch, intakeCPUs int
		wire                                    string
		rec                                     recordings
		keep                                    bool
	)
	cmd := &cobra.Command{
		Use:   "ecommerce",
		Short: "Push N synthetic e-commerce lists with their orders, payments and waybills through intake",
		Long: "Generates N sets of order, payment, waybill and inventory list (with mismatches, missing waybills,\n" +
			"over-quota buyers and lists that arrive before their documents), then submits them from concurrent\n" +
			"clients in batches through the service's intake on SQLite in a temporary folder: matching, checks,\n" +
			"quota, tax, risk and a durable (fsynced) commit before each answer. --wire xml or json encodes each\n" +
			"batch and decodes it again as the API would. A run of a second or more also prints the lists answered in\n" +
			"each whole second (min, median, max). The last line is lists_per_s=<rate> anchor_ratio=<rate/700>.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if n < 1 || clients < 1 || batch < 1 {
				return fmt.Errorf("--lists, --clients and --batch must be positive")
			}
			dir, err := os.MkdirTemp("", "jinguan-bench-cbec-")
			if err != nil {
				return err
			}
			if !keep {
				defer os.RemoveAll(dir)
			}
			return benchEcommerce(cmd.Context(), cmd.OutOrStdout(), dir, n, clients, batch, maxBatch, intakeCPUs, wire, rec)
		},
	}
	f := cmd.Flags()
	f.IntVar(&n, "lists", 100000, "inventory lists to submit (each with its order, payment and waybill)")
	f.IntVar(&clients, "clients", 8, "concurrent submitters")
	f.IntVar(&batch, "batch", 512, "documents per request")
	f.IntVar(&maxBatch, "max-batch", ecommerce.DefaultConfig().MaxBatch, "documents per commit at most (ecommerce.max_batch; not with --wire http, which reads config.json)")
	f.IntVar(&intakeCPUs, "intake-cpus", 0, "requests checked and batches decided at once (ecommerce.intake_cpus; 0: the CPUs less one; not with --wire http)")
	f.StringVar(&wire, "wire", "none", "xml or json: encode requests and decode them again in the clients; http: post XML to the API of the whole program; none: documents held in their stored form, decoded by the clients as the store decodes them")
	f.StringVar(&rec.cpu, "cpuprofile", "", "write a CPU profile of the submission phase to this file")
	f.StringVar(&rec.heap, "memprofile", "", "write a heap profile at the end of the submission phase to this file: what is live, by where it was allocated")
	f.StringVar(&rec.trace, "trace", "", "write a Go execution trace of the submission phase to this file (go tool trace)")
	f.BoolVar(&keep, "keep", false, "keep the temporary data folder")
	return cmd
}

func benchEcommerce(ctx context.Context, out io.Writer, dir string, n, clients, batch, maxBatch, intakeCPUs int, wire string, rec recordings) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var svc *ecommerce.Service
	var post func(body []byte) ([]ecommerce.Receipt, error)
	if wire == "http" {
		// The whole program: the API with its token check, the XML decoder,
		// the service; the clients post over loopback.
		a, err := app.Open(ctx, app.Config{DataDir: dir})
		if err != nil {
			return err
		}
		defer a.Close()
		users, err := a.SeedDemo(ctx)
		if err != nil {
			return err
		}
		var token string
		for _, u := range users {
			if u.Role == auth.RoleAdmin {
				token = u.Token
			}
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		sctx, stop := context.WithCancel(ctx)
		defer stop()
		go a.Server.ListenAndServe(sctx, ln)
		svc = a.Ecommerce
		url := "http://" + ln.Addr().String() + "/api/v1/ecommerce/messages"
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
		post = func(body []byte) ([]ecommerce.Receipt, error) {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/xml")
			resp, err := client.Do(req)
			if err != nil {
				return nil, err
			}
			defer resp.Body.Close()
			var out struct{ Receipts []ecommerce.Receipt }
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
				return nil, fmt.Errorf("status %d: %v", resp.StatusCode, err)
			}
			return out.Receipts, nil
		}
	} else {
		app.DefaultRuntime().Apply() // as the server runs, app.Open applies it in the other branch
		db, err := sqlite.Open(filepath.Join(dir, "jinguan.db"))
		if err != nil {
			return err
		}
		defer db.Close()
		cat, err := refdata.Embedded()
		if err != nil {
			return err
		}
		sched, err := tariff.SampleSchedule(cat)
		if err != nil {
			return err
		}
		for _, a := range ecommerce.DemoGuaranteeAccounts() {
			// A guarantee sized for the run (1,000 CNY of tax a list at most),
			// as a platform's would be for its peak: the demo's is not.
			a.Amount = decimal.Max(a.Amount, decimal.NewFromInt(int64(n)*1000))
			if _, err := db.Guarantees().PutGuaranteeAccount(ctx, a, enterprise.GuaranteeEvent{Actor: "bench", Role: "admin", At: time.Now()}); err != nil {
				return err
			}
		}
		cfg := ecommerce.DefaultConfig()
		cfg.MaxBatch, cfg.IntakeCPUs = maxBatch, intakeCPUs
		if svc, err = ecommerce.Open(ctx, cfg, db.Ecommerce(), db.Enterprises(), cat, sched, "", []byte("bench key"), nil); err != nil {
			return err
		}
		defer svc.Close()
		if err := ecommerce.SeedDemo(ctx, svc, db.Enterprises()); err != nil {
			return err
		}
	}
	// Generate first; a request mixes documents of many sets, and one set
	// in ten has its list sent ahead of its documents.
	g := ecommerce.NewGenerator(42, n, time.Now())
	docs := make([]ecommerce.Doc, 0, 4*n)
	var late []ecommerce.Doc
	anomalies := map[string]int{}
	for i := 0; i < n; i++ {
		s := g.Next()
		anomalies[s.Anomaly]++
		set := []ecommerce.Doc{s.Order, s.Payment, s.Waybill}
		if s.Anomaly == ecommerce.AnomalyNoWaybill {
			set = set[:2]
		}
		if i%10 == 0 {
			docs = append(docs, s.List)
			late = append(late, set...)
		} else {
			docs = append(docs, set...)
			docs = append(docs, s.List)
		}
		if len(late) > 64 {
			docs, late = append(docs, late...), late[:0]
		}
	}
	docs = append(docs, late...)
	ndocs := len(docs)
	// Each request is held as bytes until it is sent: its documents in
	// their stored form (wire none), or its XML or JSON body. A million
	// sets held as Go structs would give the collector some 200 million
	// pointers to scan in every cycle of the run, a cost no server has.
	bodies := make([][]byte, 0, (len(docs)+batch-1)/batch)
	for i := 0; i < len(docs); i += batch {
		r := docs[i:min(i+batch, len(docs))]
		var b bytes.Buffer
		var err error
		switch wire {
		case "none":
			packDocs(&b, r)
		case "xml", "http":
			err = ecommerce.EncodeXML(&b, r)
		default:
			err = ecommerce.EncodeJSON(&b, r)
		}
		if err != nil {
			return err
		}
		bodies = append(bodies, b.Bytes())
		clear(r)
	}
	docs, late = nil, nil
	stopProfile, err := recordTo(rec.cpu, pprof.StartCPUProfile, pprof.StopCPUProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	stopTrace, err := recordTo(rec.trace, trace.Start, trace.Stop)
	if err != nil {
		return err
	}
	defer stopTrace()
	var (
		mu       sync.Mutex
		statuses = map[outcome]int{}
		next     int
		firstErr error
	)
	// The generator's garbage is collected before the clock starts, as a
	// Go benchmark does; what the clients hold stays live throughout.
	runtime.GC()
	// The generated documents are the clients', not the service's: the
	// service keeps its configured memory limit on top of them, so a long
	// run does not collect ever more often as if the server were full.
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if limit := debug.SetMemoryLimit(-1); limit < math.MaxInt64-int64(ms.HeapAlloc) {
		debug.SetMemoryLimit(limit + int64(ms.HeapAlloc))
	}
	var answered atomic.Int64 // lists answered so far
	stopRates := perSecond(&answered)
	start, cpuStart, stealStart := time.Now(), cpuTime(), stolenTime()
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := map[outcome]int{}
			tally := func(rs []ecommerce.Receipt) {
				k := 0
				for _, x := range rs {
					if x.Type == ecommerce.ReceiptInventory {
						local[outcome{x.Status, x.Code}]++
						k++
					}
				}
				answered.Add(int64(k))
			}
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(bodies) {
					break
				}
				done := func() { bodies[i] = nil }
				if post != nil {
					rs, err := post(bodies[i])
					if err != nil {
						mu.Lock()
						firstErr = err
						mu.Unlock()
						return
					}
					tally(rs)
					done()
					continue
				}
				var r []ecommerce.Doc
				var bad []ecommerce.Receipt
				var err error
				switch wire {
				case "none":
					r, err = unpackDocs(bodies[i])
				case "xml":
					r, bad = ecommerce.DecodeXMLBytes(bodies[i])
				default:
					r, bad = ecommerce.DecodeJSON(bytes.NewReader(bodies[i]))
				}
				if len(bad) > 0 {
					err = errors.New(bad[0].InfoEN)
				}
				if err != nil {
					mu.Lock()
					firstErr = fmt.Errorf("request %d: %w", i, err)
					mu.Unlock()
					return
				}
				rs, err := svc.Submit(ctx, r)
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				tally(rs)
				done()
			}
			mu.Lock()
			for k, v := range local {
				statuses[k] += v
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), cpuTime()-cpuStart
	perSec := stopRates()
	// What the last collection found live, by where it was allocated.
	writeHeap, err := recordTo(rec.heap, pprof.WriteHeapProfile, func() {})
	if err != nil {
		return err
	}
	writeHeap()
	if firstErr != nil {
		return firstErr
	}
	fmt.Fprintf(out, "lists=%d documents=%d requests=%d clients=%d wire=%s elapsed=%s\n", n, ndocs, len(bodies), clients, wire, elapsed.Round(time.Millisecond))
	// On a shared machine the wall-clock rate depends on the neighbours; the
	// process's CPU time says what the work itself costs.
	fmt.Fprintf(out, "cpu=%s lists_per_cpu_s=%.0f", cpu.Round(time.Millisecond), float64(n)/cpu.Seconds())
	if stealStart >= 0 {
		// Time the hypervisor gave this machine's cores to other guests:
		// the wall-clock rate falls with it while the CPU time above does not.
		fmt.Fprintf(out, " host_steal=%s", (stolenTime() - stealStart).Round(10*time.Millisecond))
	}
	fmt.Fprintln(out)
	b, d, w := svc.Stats()
	fmt.Fprintf(out, "commits=%d documents_per_commit=%.0f writing=%s\n", b, float64(d)/float64(max(b, 1)), w.Round(time.Millisecond))
	fmt.Fprintf(out, "generated anomalies: %v\n", anomalies)
	tally := map[string]int{}
	for k, v := range statuses {
		tally[fmt.Sprintf("%d %s", k.status, k.code)] = v
	}
	fmt.Fprintf(out, "list receipts at intake (status code → lists): %v\n", tally)
	if len(perSec) > 0 {
		// Each whole second of the run: "sustained" is the slowest of them.
		fmt.Fprintf(out, "lists_per_second over %d whole seconds: min=%d median=%d max=%d\n", len(perSec), slices.Min(perSec), median(perSec), slices.Max(perSec))
	}
	rate := float64(n) / elapsed.Seconds()
	fmt.Fprintf(out, "lists_per_s=%.0f anchor_ratio=%.2f\n", rate, rate/anchorLists)
	return nil
}

// recordings are the files a run may write of itself.
type recordings struct{ cpu, heap, trace string }

// outcome is a list receipt's status and code, as the clients tally them.
type outcome struct {
	status ecommerce.Status
	code   string
}

// stolenTime is the steal time of all the machine's cores so far (Linux
// /proc/stat, in clock ticks of 10 ms); -1 where there is none.
func stolenTime() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return -1
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal …
	if len(f) < 9 || f[0] != "cpu" {
		return -1
	}
	ticks, err := strconv.ParseInt(f[8], 10, 64)
	if err != nil {
		return -1
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// perSecond samples n every second until stop, which returns how much it
// grew in each whole second.
func perSecond(n *atomic.Int64) (stop func() []int64) {
	var rates []int64
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		last := n.Load()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				v := n.Load()
				rates = append(rates, v-last)
				last = v
			}
		}
	}()
	return func() []int64 {
		close(quit)
		<-done
		return rates
	}
}

func median(v []int64) int64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// packDocs writes documents as one block: per document its kind and the
// length of its stored form, then the form.
func packDocs(b *bytes.Buffer, docs []ecommerce.Doc) {
	for i := range docs {
		d := ecommerce.EncodeStored(&docs[i])
		b.WriteByte(byte(len(docs[i].Kind)))
		b.WriteString(string(docs[i].Kind))
		b.Write(binary.AppendUvarint(b.AvailableBuffer(), uint64(len(d))))
		b.Write(d)
	}
}

// unpackDocs reads what packDocs wrote, as a server decodes a request:
// each document's values share one string, as when read from the store.
func unpackDocs(b []byte) ([]ecommerce.Doc, error) {
	var docs []ecommerce.Doc
	for len(b) > 0 {
		k := ecommerce.Kind(b[1 : 1+b[0]])
		b = b[1+b[0]:]
		n, w := binary.Uvarint(b)
		d, err := ecommerce.DecodeStored(k, b[w:w+int(n)])
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
		b = b[w+int(n):]
	}
	return docs, nil
}
