package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/credit"
)

func creditCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "credit", Short: "Enterprise credit: the daily run, event imports, assessments"}
	cmd.AddCommand(creditRunCmd(), creditImportCmd(), creditShowCmd(), creditGradesCmd())
	return cmd
}

func creditRunCmd() *cobra.Command {
	var sf storeFlags
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Grade and score every enterprise as of today and store what changed (the daily run)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, _, err := sf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			n := a.Credit.Book().Len()
			bar := progressbar.NewOptions(n, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionShowCount(),
				progressbar.OptionSetDescription("grading"), progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish())
			if !isTerminal(os.Stderr) {
				bar = progressbar.DefaultSilent(int64(n))
			}
			st, err := a.Credit.Run(cmd.Context(), func(done int) { bar.Set(done) })
			bar.Finish()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%d enterprises, %d events graded in %.2fs; %d results and %d grade changes stored\n",
				st.Enterprises, st.Events, st.Total.Seconds(), st.Results, st.GradeChanges)
			for _, g := range a.Credit.Config().Model.Grades() {
				fmt.Fprintf(out, "%-20s %d\n", g, st.Grades[g])
			}
			return nil
		},
	}
	sf.add(cmd)
	return cmd
}

func creditImportCmd() *cobra.Command {
	var (
		sf    storeFlags
		batch int
	)
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Import credit events from a JSON Lines file (one event a line, - for stdin)",
		Long: "Each line is an event as POST /api/v1/credit/events takes it. Lines are stored in batches of\n" +
			"--batch (at most 10,000): a batch is stored whole or not at all, and an invalid line stops the\n" +
			"import with its line number, JSON pointer, code and message. Batches before it stay stored.",
		Example: `  jinguan credit import penalties.jsonl
  {"scc":"91310115MA1H5N9X7A","kind":"penalty","on":"2026-02-10","source":"处罚系统","amount":"250000","intentional":true}`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if batch < 1 || batch > credit.MaxBatch {
				return fmt.Errorf("--batch: 1 to %d", credit.MaxBatch)
			}
			in := io.Reader(os.Stdin)
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				in = f
			}
			a, p, err := sf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			return importEvents(cmd.Context(), cmd.OutOrStdout(), a.Credit, p, in, batch)
		},
	}
	sf.add(cmd)
	cmd.Flags().IntVar(&batch, "batch", credit.MaxBatch, "events per atomic batch")
	return cmd
}

func importEvents(ctx context.Context, out io.Writer, svc *credit.Service, p auth.Principal, in io.Reader, batch int) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var lines []int
	var events []json.RawMessage
	stored, changes, line := 0, 0, 0
	flush := func() error {
		if len(events) == 0 {
			return nil
		}
		body, _ := json.Marshal(map[string]any{"events": events})
		rec, err := svc.ImportEvents(ctx, p, body)
		if err != nil {
			return lineErrors(err, lines)
		}
		stored += len(rec.Events)
		changes += len(rec.GradeChanges)
		lines, events = lines[:0], events[:0]
		return nil
	}
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if _, errs := credit.DecodeEvent([]byte(text)); errs != nil {
			return lineErrors(jinguan.Invalid(errs), []int{line})
		}
		lines, events = append(lines, line), append(events, json.RawMessage(text))
		if len(events) == batch {
			if err := flush(); err != nil {
				fmt.Fprintf(out, "stored %d events before the failing batch\n", stored)
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if err := flush(); err != nil {
		fmt.Fprintf(out, "stored %d events before the failing batch\n", stored)
		return err
	}
	fmt.Fprintf(out, "stored %d events; %d grade changes\n", stored, changes)
	return nil
}

// lineErrors rewrites /events/<i>/... pointers as line numbers.
func lineErrors(err error, lines []int) error {
	e := jinguan.AsError(err)
	if len(e.Fields) == 0 {
		return err
	}
	var b strings.Builder
	b.WriteString(e.MessageEN)
	for _, f := range e.Fields {
		ptr, n := f.Pointer, 0
		if rest, ok := strings.CutPrefix(ptr, "/events/"); ok {
			idx, tail, _ := strings.Cut(rest, "/")
			var i int
			if _, err := fmt.Sscan(idx, &i); err == nil && i < len(lines) {
				n, ptr = lines[i], "/"+tail
			}
		} else if len(lines) == 1 {
			n = lines[0]
		}
		fmt.Fprintf(&b, "\n  line %d %s: %s (%s; %s)", n, ptr, f.Code, f.MessageEN, f.MessageZH)
	}
	return fmt.Errorf("%s", b.String())
}

func creditShowCmd() *cobra.Command {
	var (
		sf storeFlags
		on string
	)
	cmd := &cobra.Command{
		Use:   "show SCC",
		Short: "Explain an enterprise's grade and score: every ground and every point with its events",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var day credit.Date
			if on != "" {
				var ok bool
				if day, ok = credit.ParseDate(on); !ok {
					return fmt.Errorf("--on: YYYY-MM-DD")
				}
			}
			a, p, err := sf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			x, err := a.Credit.Assess(cmd.Context(), p, args[0], day)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%s on %s (%s model): %s %s, score %d\n", x.SCC, x.On, x.Model, x.Grade.NameZH(), x.Grade, x.Score)
			w := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
			for _, l := range x.Lines {
				fmt.Fprintf(w, "  %+d\t%s\t%s\tevents %v\n", l.Points, l.Term, l.TextEN, l.Events)
			}
			w.Flush()
			for _, g := range x.Grounds {
				state := "ended"
				if g.Active {
					state = "IN FORCE"
				}
				fmt.Fprintf(out, "  ground %s (%s) from %s: %s, event %d, %s\n", g.Rule, state, g.From, g.Grade, g.Event, g.TextEN)
			}
			m := x.Measures
			fmt.Fprintf(out, "  measures: random ×%.2f, inspection floor %.0f%%, document review ×%.2f, guarantee %s, priority %v, two-step %v, consolidated payment %v\n",
				m.RandomMultiplier, 100*m.MinInspectionRate, m.DocumentReviewShare, m.Guarantee, m.Priority, m.TwoStep, m.ConsolidatedPayment)
			return nil
		},
	}
	sf.add(cmd)
	cmd.Flags().StringVar(&on, "on", "", "date YYYY-MM-DD (default today)")
	return cmd
}

func creditGradesCmd() *cobra.Command {
	var sf storeFlags
	cmd := &cobra.Command{
		Use:   "grades",
		Short: "The grade model in force: enterprises per grade and each grade's measures",
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, _, err := sf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			c := a.Credit.Config()
			counts := a.Credit.Book().GradeCounts()
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			fmt.Fprintf(w, "grade (%s model)\tenterprises\trandom ×\tinspection floor\tguarantee\ttwo-step\tconsolidated\n", c.Model)
			for _, g := range c.Model.Grades() {
				m := c.Measures[g]
				fmt.Fprintf(w, "%s %s\t%d\t%.2f\t%.0f%%\t%s\t%v\t%v\n", g, g.NameZH(), counts[g], m.RandomMultiplier,
					100*m.MinInspectionRate, m.Guarantee, m.TwoStep, m.ConsolidatedPayment)
			}
			return w.Flush()
		},
	}
	sf.add(cmd)
	return cmd
}
