package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/app"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/risk"
)

// riskProfilesCmd manages the profile registry in the data folder or
// PostgreSQL directly; a running server picks the changes up by itself.
func riskProfilesCmd() *cobra.Command {
	var (
		cfg   app.Config
		actor string
	)
	cmd := &cobra.Command{Use: "profiles", Short: "List, show, import, export, activate, retire and backtest risk profiles"}
	pf := cmd.PersistentFlags()
	pf.StringVar(&cfg.DataDir, "data", "jinguan-data", "data folder")
	pf.StringVar(&cfg.PostgresDSN, "pg", "", "PostgreSQL DSN instead of SQLite")
	pf.StringVar(&actor, "actor", "", "name recorded in the audit trail (default cli:<login>)")

	// with opens the program, runs fn as the actor and reports coded errors
	// field by field.
	with := func(cmd *cobra.Command, fn func(ctx context.Context, a *app.App, p auth.Principal) error) error {
		ctx := context.Background()
		a, err := app.Open(ctx, cfg)
		if err != nil {
			return err
		}
		defer a.Close()
		name := actor
		if name == "" {
			name = "cli"
			if u, err := user.Current(); err == nil {
				name += ":" + u.Username
			}
		}
		return explain(cmd.ErrOrStderr(), fn(ctx, a, auth.Principal{User: name, Role: auth.RoleAdmin}))
	}
	var status, showFormat, impFormat, expFormat, btFormat, out, reason string
	var version, days int

	list := &cobra.Command{
		Use: "list", Short: "The latest version of every profile and every active version",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return with(cmd, func(ctx context.Context, a *app.App, p auth.Principal) error {
				ps, err := a.Risk.Registry.List(ctx, p, status == "active")
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tVERSION\tSTATUS\tLANE\tPERCENT\tSCOPE\tTITLE")
				for _, x := range ps {
					fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%g\t%s\t%s\n", x.ID, x.Version, x.Status, x.Action.Lane, x.Action.Percent,
						scopeText(x.Scope), x.Title)
				}
				return tw.Flush()
			})
		},
	}
	list.Flags().StringVar(&status, "status", "current", "current or active")

	show := &cobra.Command{
		Use: "show ID", Short: "A profile's versions and audit trail (or one version with --version)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return with(cmd, func(ctx context.Context, a *app.App, p auth.Principal) error {
				if version > 0 {
					x, err := a.Risk.Registry.Get(ctx, p, args[0], version)
					if err != nil {
						return err
					}
					return encode(cmd.OutOrStdout(), showFormat, x)
				}
				vs, evs, err := a.Risk.Registry.History(ctx, p, args[0])
				if err != nil {
					return err
				}
				return encode(cmd.OutOrStdout(), showFormat, map[string]any{"versions": vs, "events": evs})
			})
		},
	}
	show.Flags().IntVar(&version, "version", 0, "one version only")
	show.Flags().StringVar(&showFormat, "format", "yaml", "yaml or json")

	imp := &cobra.Command{
		Use: "import FILE", Short: "Store profiles from a YAML or JSON file, all or none; active ones go into service",
		Long: "The file is a list of profiles, or an object {profiles: [...]}, in YAML or JSON (by extension,\n" +
			"or --format). Each profile becomes a new version of its id with the file's status (default draft).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ps, err := readProfiles(args[0], impFormat)
			if err != nil {
				return err
			}
			return with(cmd, func(ctx context.Context, a *app.App, p auth.Principal) error {
				got, err := a.Risk.Registry.Import(ctx, p, ps)
				if err != nil {
					return err
				}
				for _, x := range got {
					fmt.Fprintf(cmd.OutOrStdout(), "%s v%d %s\n", x.ID, x.Version, x.Status)
				}
				return nil
			})
		},
	}
	imp.Flags().StringVar(&impFormat, "format", "", "yaml or json (default: by the file's extension)")

	exp := &cobra.Command{
		Use: "export", Short: "Write the current (or active) profiles as YAML or JSON, in the import format",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return with(cmd, func(ctx context.Context, a *app.App, p auth.Principal) error {
				ps, err := a.Risk.Registry.List(ctx, p, status == "active")
				if err != nil {
					return err
				}
				w := cmd.OutOrStdout()
				if out != "" {
					f, err := os.Create(out)
					if err != nil {
						return err
					}
					defer f.Close()
					w = f
				}
				return encode(w, expFormat, map[string]any{"profiles": ps})
			})
		},
	}
	exp.Flags().StringVar(&status, "status", "current", "current or active")
	exp.Flags().StringVar(&expFormat, "format", "yaml", "yaml or json")
	exp.Flags().StringVar(&out, "out", "", "file to write (default: standard output)")

	setStatus := func(use, short string, fn func(*risk.Registry) func(context.Context, auth.Principal, string, int, string) (risk.Profile, error)) *cobra.Command {
		c := &cobra.Command{
			Use: use + " ID VERSION", Short: short, Args: cobra.ExactArgs(2),
			RunE: func(cmd *cobra.Command, args []string) error {
				v, err := strconv.Atoi(args[1])
				if err != nil {
					return fmt.Errorf("VERSION: a number")
				}
				return with(cmd, func(ctx context.Context, a *app.App, p auth.Principal) error {
					x, err := fn(a.Risk.Registry)(ctx, p, args[0], v, reason)
					if err == nil {
						fmt.Fprintf(cmd.OutOrStdout(), "%s v%d %s\n", x.ID, x.Version, x.Status)
					}
					return err
				})
			},
		}
		c.Flags().StringVar(&reason, "reason", "", "recorded in the audit trail")
		return c
	}
	activate := setStatus("activate", "Put a draft version into service (the active version of the id is retired)",
		func(r *risk.Registry) func(context.Context, auth.Principal, string, int, string) (risk.Profile, error) {
			return r.Activate
		})
	retire := setStatus("retire", "Take a version out of service for good",
		func(r *risk.Registry) func(context.Context, auth.Principal, string, int, string) (risk.Profile, error) {
			return r.Retire
		})

	backtest := &cobra.Command{
		Use:   "backtest FILE|ID",
		Short: "Run a profile from a file (or a stored one, latest version) against the last N days of declarations",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var prof *risk.Profile
			if _, err := os.Stat(args[0]); err == nil {
				ps, err := readProfiles(args[0], btFormat)
				if err != nil {
					return err
				}
				if len(ps) != 1 {
					return fmt.Errorf("%s: one profile expected, found %d", args[0], len(ps))
				}
				prof = &ps[0]
			}
			return with(cmd, func(ctx context.Context, a *app.App, p auth.Principal) error {
				if prof == nil {
					x, err := a.Risk.Registry.Get(ctx, p, args[0], 0)
					if err != nil {
						return err
					}
					prof = &x
				}
				res, err := a.Risk.Backtest(ctx, p, *prof, days, time.Now())
				if err != nil {
					return err
				}
				printBacktest(cmd.OutOrStdout(), res)
				return nil
			})
		},
	}
	backtest.Flags().IntVar(&days, "days", 30, "how many days back")
	backtest.Flags().StringVar(&btFormat, "format", "", "yaml or json for FILE (default: by extension)")

	cmd.AddCommand(list, show, imp, exp, activate, retire, backtest)
	return cmd
}

func scopeText(s risk.Scope) string {
	switch s.Level {
	case "regional":
		return "regional/" + s.Channel
	case "local":
		return "local/" + s.Office
	}
	return s.Level
}

func printBacktest(w io.Writer, r risk.BacktestResult) {
	fmt.Fprintf(w, "profile %s, %s to %s\n", r.ProfileID, r.From.Format("2006-01-02 15:04"), r.To.Format("2006-01-02 15:04"))
	fmt.Fprintf(w, "declarations=%d matched=%d selected=%d inspected=%d hits=%d hit_rate=%.3f revenue=%s revenue_per_inspection=%s\n",
		r.Declarations, r.Matched, r.Selections, r.Inspections, r.Hits, r.HitRate, r.Revenue.StringFixed(2), r.RevenuePerInspection.StringFixed(2))
	if r.Truncated {
		fmt.Fprintf(w, "(only the latest %d declarations were replayed)\n", risk.MaxBacktestDeclarations)
	}
}

// explain prints a coded error's field problems, one a line.
func explain(w io.Writer, err error) error {
	var e *jinguan.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	for _, f := range e.Fields {
		fmt.Fprintf(w, "%s\t%s\t%s\n", f.Pointer, f.Code, f.MessageEN)
	}
	return err
}

// readProfiles reads a list of profiles, or {profiles: [...]}, from YAML
// or JSON, strictly: an unknown field is an error with its pointer.
func readProfiles(path, format string) ([]risk.Profile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if format == "" {
		format = "json"
		if ext := strings.ToLower(filepath.Ext(path)); ext == ".yaml" || ext == ".yml" {
			format = "yaml"
		}
	}
	var tree any
	switch format {
	case "yaml":
		if err := yaml.Unmarshal(b, &tree); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	case "json":
		if err := json.Unmarshal(b, &tree); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	default:
		return nil, fmt.Errorf("--format: yaml or json")
	}
	if list, ok := tree.([]any); ok {
		tree = map[string]any{"profiles": list}
	}
	j, err := json.Marshal(tree) // YAML timestamps become RFC 3339 strings
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var in struct {
		Profiles []risk.Profile `json:"profiles"`
	}
	if errs := declaration.DecodeStrict(j, &in); errs != nil {
		return nil, explain(os.Stderr, jinguan.Invalid(errs))
	}
	return in.Profiles, nil
}

// encode writes v as indented JSON or as YAML with the JSON field names.
func encode(w io.Writer, format string, v any) error {
	j, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	switch format {
	case "json":
		_, err = w.Write(append(j, '\n'))
		return err
	case "yaml":
		var tree any
		if err := json.Unmarshal(j, &tree); err != nil {
			return err
		}
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(tree); err != nil {
			return err
		}
		_, err = w.Write(buf.Bytes())
		return err
	}
	return fmt.Errorf("--format: yaml or json")
}
