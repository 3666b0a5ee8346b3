package main

import (
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/jinguan-customs/jinguan/refdata"
	"github.com/jinguan-customs/jinguan/risk"
)

// riskTargetUS is the target for one 5-item declaration.
const riskTargetUS = 50.0

func benchRiskCmd() *cobra.Command {
	var (
		profiles, decls int
		dur             time.Duration
		interpret       bool
	)
	cmd := &cobra.Command{
		Use:   "risk",
		Short: "Evaluate N active risk profiles against 5-item declarations on one core",
		Long: "Compiles N synthetic profiles spread over every HS 2022 subheading, 30 origins, 2,000\n" +
			"traders and 40 offices, then matches generated 5-item declarations on one goroutine.\n" +
			"The last line is risk_us_per_declaration=<mean µs per declaration>.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return benchRisk(cmd.OutOrStdout(), profiles, decls, dur, interpret)
		},
	}
	f := cmd.Flags()
	f.IntVar(&profiles, "profiles", 10000, "active profiles")
	f.IntVar(&decls, "declarations", 2000, "distinct generated declarations (cycled)")
	f.DurationVar(&dur, "duration", 5*time.Second, "how long to match")
	f.BoolVar(&interpret, "interpret", false, "run every condition in the CEL interpreter (no native translation), for comparison")
	return cmd
}

func benchRisk(out io.Writer, profiles, decls int, dur time.Duration, interpret bool) error {
	cat, err := refdata.Embedded()
	if err != nil {
		return err
	}
	var hs6 []string
	for _, e := range cat.Entries(refdata.HS, time.Now()) {
		if len(e.Code) == 6 {
			hs6 = append(hs6, e.Code)
		}
	}
	w := risk.NewWorkload(profiles, decls, hs6, 1)
	c, err := risk.NewCompiler()
	if err != nil {
		return err
	}
	bills := map[string]struct{}{}
	for i := 0; i < 50; i++ {
		bills[fmt.Sprintf("COSU%06d", i*997)] = struct{}{}
	}
	c.SetLists(&risk.Lists{Named: map[string]map[string]struct{}{"watch-bills": bills}, RefPrices: map[string]float64{}})
	start := time.Now()
	e, err := c.Engine(w.Profiles)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "compiled %d profiles in %.2fs\n", e.Len(), time.Since(start).Seconds())
	e.InterpretOnly = interpret
	runtime.GC()

	n, hits := 0, 0
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := cpuTime()
	start = time.Now()
	for time.Since(start) < dur {
		for i := 0; i < 100; i++ { // check the clock every 100 declarations
			k := n % len(w.Decls)
			h, err := e.Match(&w.Decls[k], w.Items[k], risk.Where{Channel: "sea"})
			if err != nil {
				return err
			}
			hits += len(h)
			n++
		}
	}
	us := float64(time.Since(start).Microseconds()) / float64(n)
	cpuUS := float64((cpuTime() - cpu0).Microseconds()) / float64(n)
	fmt.Fprintf(out, "declarations=%d (5 items each) evaluations/declaration=%.1f (in CEL %.1f, native %.1f) hits/declaration=%.2f\n",
		n, float64(e.Evaluated)/float64(n), float64(e.Interpreted)/float64(n), float64(e.Evaluated-e.Interpreted)/float64(n),
		float64(hits)/float64(n))
	fmt.Fprintf(out, "cpu_us_per_declaration=%.1f (process CPU time, GC included; wall time below)\n", cpuUS)
	fmt.Fprintf(out, "target %.0f µs per declaration; ratio=%.2f\n", riskTargetUS, us/riskTargetUS)
	fmt.Fprintf(out, "risk_us_per_declaration=%.1f\n", us)
	return nil
}
