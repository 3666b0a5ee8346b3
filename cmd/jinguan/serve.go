package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/jinguan-customs/jinguan/app"
)

func serveCmd() *cobra.Command {
	var (
		cfg      app.Config
		addr     string
		demoMode bool
		rate     float64
		handling time.Duration
		logLevel string
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the API, console and pipeline",
		Example: "  jinguan serve --demo                 # SQLite in ./jinguan-data, demo data and traffic\n" +
			"  jinguan serve --pg postgres://postgres@127.0.0.1:5432/jinguan\n" +
			"  jinguan serve --pg $PG --nats nats://127.0.0.1:4222 --node api      # scaled out: API nodes …\n" +
			"  jinguan serve --pg $PG --nats nats://127.0.0.1:4222 --node worker   # … and pipeline workers",
		RunE: func(cmd *cobra.Command, _ []string) error {
			var level slog.Level
			if err := level.UnmarshalText([]byte(logLevel)); err != nil {
				return fmt.Errorf("--log-level: %w", err)
			}
			cfg.Log = slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			cfg.Demo = demoMode
			a, err := app.Open(ctx, cfg)
			if err != nil {
				return err
			}
			defer a.Close()
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Jinguan 金关 listening on http://%s\n", ln.Addr())
			fmt.Fprintf(out, "  console  http://%s/console/\n  API      http://%s/api/v1/declarations  (OpenAPI: /openapi.json)\n", ln.Addr(), ln.Addr())
			if demoMode {
				users, err := a.SeedDemo(ctx)
				if err != nil {
					return err
				}
				if err := a.SeedDemoCredit(ctx, users); err != nil {
					return err
				}
				fmt.Fprintf(out, "Demo tokens (Authorization: Bearer <token>; also the console login):\n")
				for _, u := range users {
					fmt.Fprintf(out, "  %-14s %-22s %s\n", u.Role, u.Name, u.Token)
				}
				if m, err := a.SeedDemoModel(ctx); err != nil {
					return err
				} else if m != nil {
					fmt.Fprintf(out, "Demo risk model v%d: %s; latest %d days auc %.3f\n", m.Version, m.ReasonEN, demoLatest(m), m.Latest.AUC)
				}
				fmt.Fprintf(out, "Demo traffic: %.1f declarations/s\n", rate)
				go a.RunTraffic(ctx, app.Traffic{PerSecond: rate, Handling: handling}, users)
			}
			return a.Server.ListenAndServe(ctx, ln)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.DataDir, "data", "jinguan-data", "data folder (SQLite database, secrets, overrides)")
	f.StringVar(&cfg.PostgresDSN, "pg", "", "PostgreSQL DSN; when set, PostgreSQL replaces SQLite")
	f.StringVar(&cfg.NATSURL, "nats", "", "NATS JetStream URL: the work queue between API and worker nodes (needs --pg)")
	f.StringVar(&cfg.Node, "node", "all", "this node's part when scaled out: all, api or worker")
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "listen address")
	f.BoolVar(&demoMode, "demo", false, "seed demo enterprises and users and generate traffic")
	f.Float64Var(&rate, "rate", 2, "demo declarations per second")
	f.DurationVar(&handling, "handling", 5*time.Second, "how often demo officers work their queues")
	f.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	return cmd
}
