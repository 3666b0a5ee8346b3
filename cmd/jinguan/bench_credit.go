package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/jinguan-customs/jinguan/credit"
	"github.com/jinguan-customs/jinguan/postgres"
	"github.com/jinguan-customs/jinguan/sqlite"
)

// anchorCredit is VISION's goal: every enterprise scored daily in ≤ 10 s.
const anchorCreditSeconds = 10.0

func benchCreditCmd() *cobra.Command {
	var (
		n, workers, days, flush int
		seed                    uint64
		dir, pg, profile        string
	)
	cmd := &cobra.Command{
		Use:   "credit",
		Short: "Grade and score N synthetic enterprises as the daily run does, storing the results",
		Long: "Generates N enterprises with about three years of credit events each (the national\n" +
			"population is 1.09 million), loads them into the in-memory book, then runs the daily job:\n" +
			"dishonest rules, grade and points score for every enterprise on all cores, and every\n" +
			"changed result and grade change written in bulk to a fresh SQLite file (or --pg).\n" +
			"The first day writes every enterprise's result; with --days > 1 the following days write\n" +
			"only what changed. The last line is enterprises_per_s=<rate> total_s=<seconds> of the\n" +
			"first (full) day.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if n < 1 || days < 1 {
				return fmt.Errorf("--enterprises and --days must be positive")
			}
			if dir == "" && pg == "" {
				tmp, err := os.MkdirTemp("", "jinguan-bench-credit-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(tmp)
				dir = tmp
			}
			var sink credit.Sink
			if pg != "" {
				db, err := postgres.Open(cmd.Context(), pg)
				if err != nil {
					return err
				}
				defer db.Close()
				sink = db.Credit()
			} else {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					return err
				}
				db, err := sqlite.Open(filepath.Join(dir, "jinguan.db"))
				if err != nil {
					return err
				}
				defer db.Close()
				sink = db.Credit()
			}
			stop, err := recordTo(profile, pprof.StartCPUProfile, pprof.StopCPUProfile)
			if err != nil {
				return err
			}
			defer stop()
			return benchCredit(cmd.Context(), cmd.OutOrStdout(), sink, n, seed, days, credit.RunOptions{Workers: workers, Flush: flush})
		},
	}
	f := cmd.Flags()
	f.IntVar(&n, "enterprises", 1090000, "enterprises to grade")
	f.Uint64Var(&seed, "seed", 1, "generator seed")
	f.IntVar(&days, "days", 1, "consecutive daily runs")
	f.IntVar(&workers, "workers", 0, "grading goroutines (default GOMAXPROCS)")
	f.IntVar(&flush, "flush", 0, "results per bulk write (default 16384)")
	f.StringVar(&dir, "data", "", "folder for the SQLite file (default a temporary folder, removed afterwards)")
	f.StringVar(&pg, "pg", "", "PostgreSQL DSN: store the results there instead")
	f.StringVar(&profile, "cpuprofile", "", "write a CPU profile of the runs")
	return cmd
}

func benchCredit(ctx context.Context, out io.Writer, sink credit.Sink, n int, seed uint64, days int, opt credit.RunOptions) error {
	today := credit.DateOf(time.Now())
	book := credit.NewBook(credit.DefaultConfig())
	t0 := time.Now()
	l := book.Loader()
	var events int
	var lerr error
	credit.Synthetic(n, seed, today, l.Subject, func(e *credit.Event) {
		events++
		if lerr == nil {
			lerr = l.Event(e)
		}
	})
	if lerr != nil {
		return lerr
	}
	l.Finish()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(out, "generated and loaded %d enterprises with %d events in %.2fs (heap %.0f MB)\n",
		n, events, time.Since(t0).Seconds(), float64(ms.HeapAlloc)/(1<<20))

	var first credit.RunStats
	for d := 0; d < days; d++ {
		bar := progressbar.NewOptions(n, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionShowCount(),
			progressbar.OptionSetDescription(fmt.Sprintf("grading %s", today+credit.Date(d))),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		if !isTerminal(os.Stderr) {
			bar = progressbar.DefaultSilent(int64(n))
		}
		opt.Progress = func(done int) { bar.Set(done) }
		st, err := book.Run(ctx, today+credit.Date(d), sink, opt)
		bar.Finish()
		if err != nil {
			return err
		}
		if d == 0 {
			first = st
		}
		fmt.Fprintf(out, "day %s: %d enterprises, %d events in %.2fs (compact %.2fs, sink %.2fs); %d results and %d grade changes written\n",
			today+credit.Date(d), st.Enterprises, st.Events, st.Total.Seconds(), st.Compact.Seconds(), st.WriteWait.Seconds(),
			st.Results, st.GradeChanges)
		fmt.Fprintf(out, "  grades:")
		for _, g := range credit.DefaultConfig().Model.Grades() {
			fmt.Fprintf(out, " %s=%d", g, st.Grades[g])
		}
		fmt.Fprintln(out)
	}
	secs := first.Total.Seconds()
	fmt.Fprintf(out, "anchor: VISION goal %d enterprises in %.0f s; ratio=%.3f\n", 1090000, anchorCreditSeconds,
		(float64(first.Enterprises)/secs)/(1090000/anchorCreditSeconds))
	fmt.Fprintf(out, "enterprises_per_s=%.0f total_s=%.2f\n", float64(first.Enterprises)/secs, secs)
	return nil
}
