package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/user"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/jinguan-customs/jinguan/app"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/tariff"
)

// tariffReviewCmd runs a batch re-review (批量复审) on the data folder or
// PostgreSQL, with a progress bar on a terminal.
func tariffReviewCmd() *cobra.Command {
	var (
		cfg                  app.Config
		in                   tariff.ReviewInput
		o                    tariff.ItemOverride
		agreement, actor     string
		withdraw, jsonOutput bool
	)
	cmd := &cobra.Command{
		Use:   "review",
		Short: "Batch re-review (批量复审): re-assess released imports a CEL rule picks, list the differences, raise supplementary and refund bills",
		Example: `  jinguan tariff review --from 2026-11-01 --to 2026-11-30 \
    --rule 'item.code_ts == "8471300000" && item.origin_country == "KOR"' \
    --code-ts 8471410000 --reason "classification ruling 2026-17"          # list the differences
  … --apply                                                               # and raise the bills`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.CodeTS != "" || o.Origin != "" || agreement != "" || withdraw {
				if agreement != "" || withdraw {
					o.Agreement = &agreement
				}
				in.Override = &o
			}
			ctx := context.Background()
			a, err := app.Open(ctx, cfg)
			if err != nil {
				return err
			}
			defer a.Close()
			if actor == "" {
				actor = "cli"
				if u, err := user.Current(); err == nil {
					actor += ":" + u.Username
				}
			}
			var bar *progressbar.ProgressBar
			progress := func(done, total int) {
				if bar == nil {
					bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionShowCount(),
						progressbar.OptionSetDescription("re-assessing"), progressbar.OptionThrottle(100*time.Millisecond),
						progressbar.OptionClearOnFinish())
					if !isTerminal(os.Stderr) {
						bar = progressbar.DefaultSilent(int64(total))
					}
				}
				bar.Set(done)
			}
			rv, err := a.Reviews.Run(ctx, auth.Principal{User: actor, Role: auth.RoleAdmin}, in, progress)
			if bar != nil {
				bar.Finish()
			}
			if err != nil {
				return explain(cmd.ErrOrStderr(), err)
			}
			if jsonOutput {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rv)
			}
			return printReview(cmd.OutOrStdout(), rv)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.DataDir, "data", "jinguan-data", "data folder")
	f.StringVar(&cfg.PostgresDSN, "pg", "", "PostgreSQL DSN instead of SQLite")
	f.StringVar(&actor, "actor", "", "name recorded on the review and its bills (default cli:<login>)")
	f.StringVar(&in.From, "from", "", "first declaration date YYYY-MM-DD")
	f.StringVar(&in.To, "to", "", "last declaration date YYYY-MM-DD, inclusive")
	f.StringVar(&in.Rule, "rule", "", "CEL over decl and item: which items to re-assess")
	f.StringVar(&o.CodeTS, "code-ts", "", "corrected commodity code for the items the rule picks")
	f.StringVar(&o.Origin, "origin", "", "corrected origin country")
	f.StringVar(&agreement, "agreement", "", "corrected agreement claim")
	f.BoolVar(&withdraw, "withdraw-agreement", false, "withdraw the agreement claim of the items the rule picks")
	f.StringVar(&in.Reason, "reason", "", "why (recorded on the review and its bills)")
	f.BoolVar(&in.Apply, "apply", false, "raise the supplementary and refund bills (default: list the differences only)")
	f.BoolVar(&jsonOutput, "json", false, "write the review record as JSON")
	return cmd
}

func printReview(w io.Writer, rv tariff.Review) error {
	mode := "dry run: nothing raised"
	if rv.Apply {
		mode = fmt.Sprintf("%d bills raised", rv.Bills)
	}
	fmt.Fprintf(w, "review %s: %d released imports, %d with items the rule picks, %d differ; %s\n",
		rv.ID, rv.Scanned, rv.Matched, len(rv.Diffs), mode)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "ENTRY\tDECLARED\tITEMS\tBEFORE\tAFTER\tDIFFERENCE\tKIND\tBILL\t")
	for _, d := range rv.Diffs {
		kind := d.Kind
		if d.TimeBarred {
			kind += " (time-barred)"
		}
		if d.Error != "" {
			kind = "error: " + d.Error
		}
		fmt.Fprintf(tw, "%s\t%s\t%v\t%s\t%s\t%s\t%s\t%s\t\n", d.EntryID, d.DeclaredOn, d.Items, d.Before.Total.StringFixed(2),
			d.After.Total.StringFixed(2), d.Difference.Total.StringFixed(2), kind, d.Bill)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "to collect %s, to refund %s\n", rv.Supplementary.StringFixed(2), rv.Refund.StringFixed(2))
	return err
}
