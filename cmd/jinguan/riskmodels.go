package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/user"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/jinguan-customs/jinguan/app"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/risk"
	"github.com/jinguan-customs/jinguan/risk/model"
)

// storeFlags name the deployment a model command works on and who acts.
type storeFlags struct {
	cfg app.Config
	by  string
}

func (f *storeFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.cfg.DataDir, "data", "jinguan-data", "data folder")
	cmd.Flags().StringVar(&f.cfg.PostgresDSN, "pg", "", "PostgreSQL DSN instead of SQLite")
	who := "cli"
	if u, err := user.Current(); err == nil {
		who = "cli:" + u.Username
	}
	cmd.Flags().StringVar(&f.by, "by", who, "who acts, for the audit trail")
}

// open opens the deployment; the command line acts as an administrator.
func (f *storeFlags) open(ctx context.Context) (*app.App, auth.Principal, error) {
	a, err := app.Open(ctx, f.cfg)
	return a, auth.Principal{User: f.by, Role: auth.RoleAdmin}, err
}

func riskRetrainCmd() *cobra.Command {
	var (
		sf     storeFlags
		latest float64
		since  string
		minN   int
		reason string
	)
	cmd := &cobra.Command{
		Use:   "retrain",
		Short: "Train on the platform's checked declarations, compare with the active model on the latest period, promote only if better",
		Example: "  jinguan risk model retrain --data jinguan-data\n" +
			"  jinguan risk model retrain --latest-days 14 --since 2026-01-01 --reason \"monthly\"",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := context.Background()
			opt := risk.RetrainOptions{Latest: time.Duration(latest * float64(24*time.Hour)), MinLatest: minN, Reason: reason}
			if since != "" {
				t, err := time.Parse(time.DateOnly, since)
				if err != nil {
					return fmt.Errorf("--since: %w", err)
				}
				opt.Since = t
			}
			a, p, err := sf.open(ctx)
			if err != nil {
				return err
			}
			defer a.Close()
			if err := a.Risk.Projector.Drain(ctx); err != nil { // the latest results become facts first
				return err
			}
			m, err := a.Risk.Models.Retrain(ctx, p, opt)
			if err != nil {
				return err
			}
			printModel(cmd.OutOrStdout(), m)
			return nil
		},
	}
	sf.add(cmd)
	cmd.Flags().Float64Var(&latest, "latest-days", 28, "days of the latest period, kept out of training to compare on (fractions allowed)")
	cmd.Flags().StringVar(&since, "since", "", "read history from this date (YYYY-MM-DD); default all")
	cmd.Flags().IntVar(&minN, "min-latest", 30, "checked declarations the latest period needs")
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the audit trail")
	return cmd
}

func printModel(w io.Writer, m *risk.StoredModel) {
	fmt.Fprintf(w, "risk model v%d: %s, %d trees, trained on %d items (%d with findings) decided %s … %s\n", m.Version, m.Status,
		m.Trees, m.TrainItems, m.TrainFindings, m.TrainFrom.Format(time.DateOnly), m.TrainTo.Format(time.DateOnly))
	for _, e := range []struct {
		name string
		ev   *risk.Evaluation
	}{{"new model", m.Latest}, {"active model", m.Baseline}} {
		if e.ev == nil {
			continue
		}
		fmt.Fprintf(w, "%s on %s … %s: %d declarations, %d items, %d findings, auc %.4f", e.name, e.ev.From.Format(time.DateOnly),
			e.ev.To.Format(time.DateOnly), e.ev.Declarations, e.ev.Items, e.ev.Findings, e.ev.AUC)
		for _, f := range e.ev.At {
			fmt.Fprintf(w, ", precision@%g%%=%.3f", f.Share*100, f.Precision)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, m.ReasonEN)
}

func riskModelsCmd() *cobra.Command {
	var sf storeFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the stored risk models and the latest actions on them",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := context.Background()
			a, p, err := sf.open(ctx)
			if err != nil {
				return err
			}
			defer a.Close()
			ms, evs, err := a.Risk.Models.Models(ctx, p)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "version\tstatus\tcreated\tby\tsource\ttrees\tlatest auc\tactive auc then\treason")
			for _, m := range ms {
				auc, base := "", ""
				if m.Latest != nil {
					auc = fmt.Sprintf("%.4f", m.Latest.AUC)
				}
				if m.Baseline != nil {
					base = fmt.Sprintf("%.4f", m.Baseline.AUC)
				}
				fmt.Fprintf(tw, "v%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", m.Version, m.Status, m.CreatedAt.Format(time.DateTime),
					m.CreatedBy, m.Source, m.Trees, auc, base, m.ReasonEN)
			}
			tw.Flush()
			fmt.Fprintln(cmd.OutOrStdout())
			for _, e := range evs[:min(10, len(evs))] {
				fmt.Fprintf(cmd.OutOrStdout(), "%s  %-8s v%d by %s (%s) %s\n", e.At.Format(time.DateTime), e.Action, e.Version, e.Actor, e.Role, e.Reason)
			}
			return nil
		},
	}
	sf.add(cmd)
	return cmd
}

func riskRollbackCmd() *cobra.Command {
	var (
		sf     storeFlags
		reason string
	)
	cmd := &cobra.Command{
		Use:   "rollback",
		Short: "Make the previously active risk model the active one again",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := context.Background()
			a, p, err := sf.open(ctx)
			if err != nil {
				return err
			}
			defer a.Close()
			m, err := a.Risk.Models.Rollback(ctx, p, reason)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "risk model v%d is active again\n", m.Version)
			return nil
		},
	}
	sf.add(cmd)
	cmd.Flags().StringVar(&reason, "reason", "", "why (required)")
	cmd.MarkFlagRequired("reason")
	return cmd
}

func riskActivateCmd() *cobra.Command {
	var (
		sf      storeFlags
		version int
		reason  string
	)
	cmd := &cobra.Command{
		Use:   "activate",
		Short: "Make a stored risk model version the active one",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := context.Background()
			a, p, err := sf.open(ctx)
			if err != nil {
				return err
			}
			defer a.Close()
			m, err := a.Risk.Models.Activate(ctx, p, version, reason)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "risk model v%d is active\n", m.Version)
			return nil
		},
	}
	sf.add(cmd)
	cmd.Flags().IntVar(&version, "version", 0, "version to activate (required)")
	cmd.Flags().StringVar(&reason, "reason", "", "why (required)")
	cmd.MarkFlagRequired("version")
	cmd.MarkFlagRequired("reason")
	return cmd
}

func riskImportCmd() *cobra.Command {
	var (
		sf       storeFlags
		path     string
		activate bool
		reason   string
	)
	cmd := &cobra.Command{
		Use:     "import",
		Short:   "Store a model file trained on the project's export format (train --format jinguan) as a new version",
		Example: "  jinguan risk model train --format jinguan --data export.csv --out model.json\n  jinguan risk model import --model model.json --reason \"trained on the 2025 export\"",
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			mod, err := model.Read(f)
			f.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			ctx := context.Background()
			a, p, err := sf.open(ctx)
			if err != nil {
				return err
			}
			defer a.Close()
			m, err := a.Risk.Models.Install(ctx, p, mod, risk.StoredModel{Source: "file", ReasonZH: reason, ReasonEN: reason}, activate)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "stored as risk model v%d (%s)\n", m.Version, m.Status)
			return nil
		},
	}
	sf.add(cmd)
	cmd.Flags().StringVar(&path, "model", "", "model file (required)")
	cmd.Flags().BoolVar(&activate, "activate", false, "make it the active model at once")
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the audit trail")
	cmd.MarkFlagRequired("model")
	return cmd
}

func demoLatest(m *risk.StoredModel) int { return int(m.Latest.To.Sub(m.Latest.From).Hours() / 24) }
