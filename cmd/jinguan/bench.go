package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/jinguan-customs/jinguan/app"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
)

func benchCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "bench", Short: "Measure throughput against the targets"}
	cmd.AddCommand(benchDeclarationsCmd(), benchRiskCmd(), benchCreditCmd(), benchEcommerceCmd())
	return cmd
}

// anchorDeclarations is VISION's goal for declarations end to end.
const anchorDeclarations = 5000

func benchDeclarationsCmd() *cobra.Command {
	var (
		n, clients int
		rate       float64
		dir, pg    string
		keep       bool
		profile    string
		withModel  bool
	)
	cmd := &cobra.Command{
		Use:   "declarations",
		Short: "Submit N synthetic declarations through the HTTP API and wait for the pipeline",
		Long: "Starts an embedded server (SQLite in a temporary folder unless --data or --pg), submits N\n" +
			"generated declarations (5 items on average) from concurrent clients over loopback HTTP, and\n" +
			"waits until the pipeline has assessed every one. The last line is\n" +
			"declarations_per_s=<end-to-end rate> p99_ms=<99th percentile submit latency>.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if n < 1 || clients < 1 {
				return fmt.Errorf("--n and --clients must be positive")
			}
			if dir == "" {
				tmp, err := os.MkdirTemp("", "jinguan-bench-")
				if err != nil {
					return err
				}
				dir = tmp
				if !keep {
					defer os.RemoveAll(tmp)
				}
			}
			stop, err := recordTo(profile, pprof.StartCPUProfile, pprof.StopCPUProfile)
			if err != nil {
				return err
			}
			defer stop()
			return benchDeclarations(cmd.Context(), cmd.OutOrStdout(), app.Config{DataDir: dir, PostgresDSN: pg}, n, clients, rate, withModel)
		},
	}
	f := cmd.Flags()
	f.IntVar(&n, "n", 20000, "declarations to submit")
	f.IntVar(&clients, "clients", 64, "concurrent HTTP clients")
	f.Float64Var(&rate, "rate", 0, "offered load in declarations/s (open loop; 0 = as fast as the clients go)")
	f.StringVar(&dir, "data", "", "data folder (default: a fresh temporary folder)")
	f.StringVar(&pg, "pg", "", "PostgreSQL DSN instead of SQLite")
	f.BoolVar(&keep, "keep", false, "keep the temporary data folder")
	f.StringVar(&profile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	f.BoolVar(&withModel, "risk-model", false, "score every declaration with the demo's risk model too (trained before the clock starts)")
	return cmd
}

func benchDeclarations(ctx context.Context, out io.Writer, cfg app.Config, n, clients int, offered float64, withModel bool) error {
	if ctx == nil {
		ctx = context.Background()
	}
	cfg.Demo = true // the demo's profiles run as they would in production
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.SeedDemo(ctx); err != nil {
		return err
	}
	if withModel {
		if _, err := a.SeedDemoModel(ctx); err != nil {
			return err
		}
	}
	// Warm up: a history of declarations before the clock starts, so that
	// profiles reading a trader's past (first-time importers, repeated
	// findings) see a running system rather than an empty one.
	warm := a.Generator(7)
	for i := range min(2000, n/5) {
		body, key, u := warm.Next(time.Now())
		if _, err := a.Declarations.Submit(ctx, u.Principal(), "warm-"+key, body); err != nil {
			return fmt.Errorf("warm-up declaration %d: %w", i, err)
		}
	}
	a.CatchUpRisk(ctx)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	sctx, stopServer := context.WithCancel(ctx)
	defer stopServer()
	go a.Server.ListenAndServe(sctx, ln)

	// Generate first so that the clock measures the server, not the generator.
	type req struct {
		body       []byte
		key, token string
	}
	gen := a.Generator(42)
	reqs := make([]req, n)
	now := time.Now()
	for i := range reqs {
		body, key, u := gen.Next(now)
		reqs[i] = req{body, key, u.Token}
	}
	url := "http://" + ln.Addr().String() + "/api/v1/declarations"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	bar := progressbar.NewOptions(n, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionSetDescription("submitting"),
		progressbar.OptionShowCount(), progressbar.OptionThrottle(200*time.Millisecond))
	if !isTerminal(os.Stderr) {
		bar = progressbar.DefaultSilent(int64(n))
	}
	before, err := a.Declarations.Counts(ctx)
	if err != nil {
		return err
	}
	commitsBefore, opsBefore := batchStats(a)

	lat := make([]time.Duration, n)
	var next, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				t0 := time.Now()
				if offered > 0 { // open loop: latency counts from the scheduled time
					t0 = start.Add(time.Duration(float64(i) / offered * float64(time.Second)))
					time.Sleep(time.Until(t0))
				}
				hr, _ := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(reqs[i].body))
				hr.Header.Set("Authorization", "Bearer "+reqs[i].token)
				hr.Header.Set("Idempotency-Key", reqs[i].key)
				hr.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(hr)
				if err == nil {
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusCreated {
						err = fmt.Errorf("status %d: %.300s", resp.StatusCode, body)
					}
				}
				lat[i] = time.Since(t0)
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
				bar.Add(1)
			}
		}()
	}
	wg.Wait()
	submitted := time.Since(start)
	bar.Finish()
	fmt.Fprintln(os.Stderr)

	// Wait for the pipeline: nothing of ours left in submitted.
	for {
		counts, err := a.Declarations.Counts(ctx)
		if err != nil {
			return err
		}
		if counts[declaration.StatusSubmitted]+counts[declaration.StatusAmended] <=
			before[declaration.StatusSubmitted]+before[declaration.StatusAmended] {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	total := time.Since(start)
	counts, _ := a.Declarations.Counts(ctx)

	var lane []time.Duration
	if !a.Settings.Pipeline.Inline {
		lane = laneLatencies(ctx, a)
	}
	ok := n - int(failed.Load())
	slices.Sort(lat)
	p := func(q float64) float64 { return float64(lat[int(q*float64(n-1))].Microseconds()) / 1000 }
	rate := float64(ok) / total.Seconds()
	fmt.Fprintf(out, "submitted %d declarations from %d clients in %.2fs (%.0f/s acknowledged), pipeline done at %.2fs\n",
		n, clients, submitted.Seconds(), float64(ok)/submitted.Seconds(), total.Seconds())
	fmt.Fprintf(out, "latency ms: p50=%.2f p90=%.2f p99=%.2f max=%.2f; failed=%d\n", p(0.5), p(0.9), p(0.99), p(1), failed.Load())
	if v := firstErr.Load(); v != nil {
		fmt.Fprintf(out, "first failure: %s\n", v)
	}
	run := map[declaration.Status]int{}
	for st, c := range counts {
		if d := c - before[st]; d != 0 {
			run[st] = d
		}
	}
	fmt.Fprintf(out, "statuses of this run (change per status): %v\n", run)
	if n, sum := batchStats(a); n > commitsBefore {
		fmt.Fprintf(out, "commits=%d ops_per_commit=%.1f\n", n-commitsBefore, (sum-opsBefore)/float64(n-commitsBefore))
	}
	if a.Settings.Pipeline.Inline {
		fmt.Fprintln(out, "submit→lane: the lane is decided in the acknowledged commit, so it equals the submit latency above")
	} else if len(lane) > 0 {
		q := func(x float64) float64 { return float64(lane[int(x*float64(len(lane)-1))].Microseconds()) / 1000 }
		fmt.Fprintf(out, "submit→lane ms (server clock, declared_at→risk.decided_at): p50=%.2f p99=%.2f max=%.2f\n",
			q(0.5), q(0.99), q(1))
	}
	fmt.Fprintf(out, "anchor: VISION goal %d declarations/s; ratio=%.3f\n", anchorDeclarations, rate/anchorDeclarations)
	fmt.Fprintf(out, "declarations_per_s=%.0f p99_ms=%.2f\n", rate, p(0.99))
	if failed.Load() > 0 {
		return fmt.Errorf("%d submissions failed", failed.Load())
	}
	return nil
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// batchStats reads the commit batch histogram: number of commits and ops.
func batchStats(a *app.App) (uint64, float64) {
	mfs, err := a.Registry.Gather()
	if err != nil {
		return 0, 0
	}
	for _, mf := range mfs {
		if mf.GetName() == "jinguan_commit_batch_size" && len(mf.GetMetric()) > 0 {
			h := mf.GetMetric()[0].GetHistogram()
			return h.GetSampleCount(), h.GetSampleSum()
		}
	}
	return 0, 0
}

// laneLatencies reads every declaration's time from submission to lane
// decision, both stamped by the server, sorted.
func laneLatencies(ctx context.Context, a *app.App) []time.Duration {
	admin := auth.Principal{User: "bench", Role: auth.RoleAdmin}
	var out []time.Duration
	for cursor := ""; ; {
		rows, next, err := a.Declarations.List(ctx, admin, declaration.Filter{Limit: 500, Cursor: cursor})
		if err != nil {
			return nil
		}
		for _, r := range rows {
			d, err := a.Declarations.Get(ctx, admin, r.ID)
			if err == nil && d.Risk != nil {
				out = append(out, d.Risk.DecidedAt.Sub(d.DeclaredAt))
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	slices.Sort(out)
	return out
}

// recordTo starts writing a CPU profile or an execution trace to path
// ("" for none); the function it returns ends it.
func recordTo(path string, start func(io.Writer) error, stop func()) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := start(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { stop(); f.Close() }, nil
}
