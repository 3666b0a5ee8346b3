package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/jinguan-customs/jinguan/risk/model"
	"github.com/jinguan-customs/jinguan/risk/model/gbdt"
)

func riskCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "risk", Short: "Risk management tools"}
	m := &cobra.Command{Use: "model", Short: "Train and evaluate the risk-prediction model on labelled history"}
	m.AddCommand(riskTrainCmd(), riskEvaluateCmd(), riskRetrainCmd(), riskModelsCmd(), riskRollbackCmd(), riskActivateCmd(), riskImportCmd())
	cmd.AddCommand(m, riskProfilesCmd())
	return cmd
}

// importSource names a labelled CSV and how to read it.
type importSource struct {
	format, mapping string
	strict          bool
}

func (s *importSource) flags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&s.format, "format", "kcs", "built-in column mapping: kcs or jinguan")
	cmd.Flags().StringVar(&s.mapping, "mapping", "", "column-mapping file (JSON or CSV) instead of --format")
	cmd.Flags().BoolVar(&s.strict, "strict", false, "stop when any row is rejected instead of skipping it")
}

func (s *importSource) load() (model.Mapping, error) {
	if s.mapping == "" {
		return model.BuiltinMapping(s.format)
	}
	b, err := os.ReadFile(s.mapping)
	if err != nil {
		return model.Mapping{}, err
	}
	return model.ParseMapping(b, s.mapping)
}

// read imports a file, listing rejected lines on errOut.
func (s *importSource) read(path string, m model.Mapping, errOut io.Writer) ([]model.Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, bad, err := model.Import(f, m)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, b := range bad {
		fmt.Fprintf(errOut, "%s:%d: rejected: %v\n", path, b.Line, b.Err)
	}
	if len(bad) > 0 && s.strict {
		return nil, fmt.Errorf("%s: %d rows rejected (--strict)", path, len(bad))
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s: no valid rows", path)
	}
	if len(bad) > 0 {
		fmt.Fprintf(errOut, "%s: imported %d rows, rejected %d\n", path, len(recs), len(bad))
	}
	return recs, nil
}

func riskTrainCmd() *cobra.Command {
	var (
		src              importSource
		data, valid, out string
		holdout          float64
		p                = gbdt.DefaultParams()
	)
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Train a risk model on labelled declaration items",
		Example: "  jinguan risk model train --format kcs --data train.csv --out model.json\n" +
			"  jinguan risk model train --format kcs --data train.csv --holdout-tail 0.2 --rounds 400 --out model.json",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if data == "" || out == "" {
				return fmt.Errorf("--data and --out are required")
			}
			m, err := src.load()
			if err != nil {
				return err
			}
			stderr := cmd.ErrOrStderr()
			train, err := src.read(data, m, stderr)
			if err != nil {
				return err
			}
			if holdout > 0 && valid != "" {
				return fmt.Errorf("--holdout-tail and --valid exclude each other: the held-out tail is the validation")
			}
			var va []model.Record
			if valid != "" {
				if va, err = src.read(valid, m, stderr); err != nil {
					return err
				}
			}
			if f, ok := stderr.(*os.File); ok && isTerminal(f) {
				bar := progressbar.NewOptions(p.Rounds, progressbar.OptionSetWriter(f),
					progressbar.OptionSetDescription("boosting"), progressbar.OptionClearOnFinish())
				p.Progress = func(round int, auc float64) {
					bar.Describe(fmt.Sprintf("boosting, valid auc %.4f", auc))
					bar.Set(round)
				}
				defer bar.Finish()
			}
			var mod *model.Model
			var rep model.TrainReport
			if holdout > 0 {
				mod, rep, err = model.TrainHoldout(train, holdout, m, p)
			} else {
				mod, rep, err = model.Train(train, va, m, p)
			}
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := mod.Write(&buf); err != nil {
				return err
			}
			if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "trained on %d items: %d trees, %s → %s\n", rep.TrainItems, rep.Rounds, rep.Elapsed.Round(time.Millisecond), out)
			if rep.ValidItems > 0 {
				fmt.Fprintf(w, "valid: %d items, auc %.4f\n", rep.ValidItems, rep.ValidAUC)
			}
			if rep.HoldoutItems > 0 {
				fmt.Fprintf(w, "held-out tail: %d items chose %d rounds (auc %.4f); calibration a=%.4f b=%.4f\n",
					rep.HoldoutItems, rep.Rounds, rep.HoldoutAUC, mod.Calibration.A, mod.Calibration.B)
			}
			return nil
		},
	}
	src.flags(cmd)
	f := cmd.Flags()
	f.StringVar(&data, "data", "", "training CSV (required)")
	f.StringVar(&valid, "valid", "", "CSV of a later period whose AUC is reported; it stops training only with --early-stop")
	f.Float64Var(&holdout, "holdout-tail", 0, "choose the round count (at most --rounds) and the calibration on this latest share of --data, then refit on all of it")
	f.StringVar(&out, "out", "", "model file to write (required)")
	f.Uint64Var(&p.Seed, "seed", p.Seed, "seed of folds and sampling")
	f.IntVar(&p.Rounds, "rounds", p.Rounds, "boosting rounds at most")
	f.Float64Var(&p.LearningRate, "learning-rate", p.LearningRate, "shrinkage")
	f.IntVar(&p.MaxLeaves, "leaves", p.MaxLeaves, "leaves per tree at most")
	f.IntVar(&p.MaxDepth, "depth", p.MaxDepth, "tree depth at most (0: unlimited)")
	f.IntVar(&p.MinLeafRows, "min-leaf", p.MinLeafRows, "rows per leaf at least")
	f.Float64Var(&p.MinChildWeight, "min-child-weight", p.MinChildWeight, "hessian per leaf at least")
	f.Float64Var(&p.Lambda, "lambda", p.Lambda, "L2 penalty on leaf values")
	f.Float64Var(&p.RowSample, "row-sample", p.RowSample, "share of rows per tree")
	f.Float64Var(&p.ColSample, "col-sample", p.ColSample, "share of features per tree")
	f.IntVar(&p.EarlyStop, "early-stop", p.EarlyStop, "rounds without better validation AUC before stopping at the best (0: run all --rounds)")
	return cmd
}

func riskEvaluateCmd() *cobra.Command {
	var (
		src             importSource
		data, modelPath string
	)
	cmd := &cobra.Command{
		Use:     "evaluate",
		Short:   "Score a labelled period and report Precision@n%, Recall@n% and AUC",
		Example: "  jinguan risk model evaluate --format kcs --model model.json --data valid.csv",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if data == "" || modelPath == "" {
				return fmt.Errorf("--data and --model are required")
			}
			mf, err := os.Open(modelPath)
			if err != nil {
				return err
			}
			mod, err := model.Read(mf)
			mf.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", modelPath, err)
			}
			m, err := src.load()
			if err != nil {
				return err
			}
			recs, err := src.read(data, m, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if len(recs[0].Extra) != len(mod.Features.Extra) {
				return fmt.Errorf("the model was trained with format %q; these rows have other columns", mod.Format)
			}
			mod.Score(&recs[0]) // builds the lookup tables: not part of the rate
			start := time.Now()
			scores := mod.ScoreAll(recs)
			el := time.Since(start)
			fraud := make([]bool, len(recs))
			revenue := make([]float64, len(recs))
			hasRevenue := false
			for i := range recs {
				fraud[i], revenue[i] = recs[i].Fraud, recs[i].Revenue
				hasRevenue = hasRevenue || !math.IsNaN(revenue[i])
			}
			if !hasRevenue {
				revenue = nil
			}
			met := model.Evaluate(scores, fraud, revenue)
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "items %d, frauds %d, scored in %s (%.0f items/s)\n", met.Items, met.Frauds,
				el.Round(time.Microsecond), float64(len(recs))/el.Seconds())
			for _, a := range met.At {
				fmt.Fprintf(w, "top %2d%%: inspected %5d, hits %5d, precision %.3f, recall %.3f", a.Percent, a.Inspected, a.Hits, a.Precision, a.Recall)
				if revenue != nil {
					fmt.Fprintf(w, ", revenue %.3f", a.Revenue)
				}
				fmt.Fprintln(w)
			}
			fmt.Fprintln(w, met.Summary())
			return nil
		},
	}
	src.flags(cmd)
	cmd.Flags().StringVar(&data, "data", "", "labelled CSV of the scored period (required)")
	cmd.Flags().StringVar(&modelPath, "model", "", "model file (required)")
	return cmd
}
