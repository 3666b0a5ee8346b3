// Package app wires the modules into a running program: reference data,
// the store, the pipeline stages, the services and the HTTP server. It is
// plain assignment, shared by `serve`, `bench` and end-to-end tests.
package app

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/credit"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/ecommerce"
	"github.com/jinguan-customs/jinguan/enterprise"
	jhttp "github.com/jinguan-customs/jinguan/http"
	"github.com/jinguan-customs/jinguan/nats"
	"github.com/jinguan-customs/jinguan/postgres"
	"github.com/jinguan-customs/jinguan/refdata"
	"github.com/jinguan-customs/jinguan/risk"
	"github.com/jinguan-customs/jinguan/sqlite"
	"github.com/jinguan-customs/jinguan/tariff"
)

// Config says where data lives; Settings (from <DataDir>/config.json)
// tune the rules.
type Config struct {
	DataDir     string // SQLite file, secrets, optional overrides
	PostgresDSN string // when set, PostgreSQL is the system of record
	Log         *slog.Logger
	Demo        bool // without config/profiles.json, target with the demo profiles
	// NATSURL names the NATS JetStream server that carries declarations
	// between API and worker nodes; it needs PostgreSQL, since the nodes
	// must share the system of record.
	NATSURL string
	Node    string // all (default), api (no pipeline) or worker
}

// Settings are the configurable rules, defaults from domain.md.
type Settings struct {
	Declaration declaration.Rules `json:"declaration"`
	Tax         tariff.TaxConfig  `json:"tax"`
	Billing     tariff.BillConfig `json:"billing"`
	Tariff      struct {
		// AllowRetroactive accepts a tariff folder that changes rates
		// already in force (docs/tariff-schedule.md, "Versions").
		AllowRetroactive bool `json:"allow_retroactive"`
	} `json:"tariff"`
	Pipeline  declaration.Config `json:"pipeline"`
	Risk      risk.Settings      `json:"risk"`
	Ecommerce ecommerce.Config   `json:"ecommerce"`
	RiskModel risk.ModelPolicy   `json:"risk_model"`
	Credit    credit.Config      `json:"credit"`
	Runtime   Runtime            `json:"runtime"`
}

// App is the running program.
type App struct {
	Config       Config
	Settings     Settings
	Catalog      *refdata.Catalog
	Schedule     *tariff.Schedule
	Declarations *declaration.Service
	Users        auth.Store
	Enterprises  enterprise.Store
	Risk         *risk.Service
	Ecommerce    *ecommerce.Service
	Credit       *credit.Service
	Guarantees   *enterprise.Ledger // guarantee accounts: debit and restore for any module
	Billing      *tariff.Billing    // tax bills and their payment
	Reviews      *tariff.Reviewer   // batch re-reviews of released declarations
	Server       *jhttp.Server
	Handler      http.Handler
	Registry     *prometheus.Registry

	secret []byte
	close  func() error
	stop   func() // ends background work and waits for it

	cbecStop func() // ends e-commerce webhooks and the service
}

// Open builds the program on the configured store.
func Open(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "jinguan-data"
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Registry: prometheus.NewRegistry()}
	var err error
	if a.Settings, err = loadSettings(filepath.Join(cfg.DataDir, "config.json")); err != nil {
		return nil, err
	}
	a.Settings.Runtime.Apply()
	if a.secret, err = secret(filepath.Join(cfg.DataDir, "secret")); err != nil {
		return nil, err
	}
	if err := a.loadReference(); err != nil {
		return nil, err
	}
	var decls declaration.Store
	var riskStore risk.Store
	var cbecStore ecommerce.Store
	var modelStore risk.ModelStore
	var creditStore credit.Store
	var guarantees enterprise.GuaranteeStore
	var bills tariff.BillStore
	if cfg.PostgresDSN != "" {
		db, err := postgres.Open(ctx, cfg.PostgresDSN)
		if err != nil {
			return nil, err
		}
		decls, a.Users, a.Enterprises, a.close = db.Declarations(), db.Users(), db.Enterprises(), db.Close
		riskStore, modelStore = db.Risk(), db.RiskModels()
		creditStore = db.Credit()
		guarantees, bills = db.Guarantees(), db.Bills()
		cbecStore = db.Ecommerce()
	} else {
		db, err := sqlite.Open(filepath.Join(cfg.DataDir, "jinguan.db"))
		if err != nil {
			return nil, err
		}
		decls, a.Users, a.Enterprises, a.close = db.Declarations(), db.Users(), db.Enterprises(), db.Close
		riskStore, modelStore = db.Risk(), db.RiskModels()
		creditStore = db.Credit()
		cbecStore = db.Ecommerce()
		guarantees, bills = db.Guarantees(), db.Bills()
	}
	if a.Credit, err = a.openCredit(ctx, creditStore); err != nil {
		return nil, a.fail(err)
	}
	if a.Risk, err = a.openRisk(ctx, riskStore, decls); err != nil {
		return nil, a.fail(err)
	}
	if err := a.openRiskModel(ctx, modelStore, decls); err != nil {
		return nil, a.fail(err)
	}
	a.Risk.Targeting.Credit = a.Credit.Book()
	a.Guarantees = &enterprise.Ledger{Store: guarantees}
	calendar, err := tariff.CalendarDir(filepath.Join(cfg.DataDir, "tariff"))
	if err != nil {
		return nil, a.fail(err)
	}
	if err := a.Settings.Billing.Check(); err != nil {
		return nil, a.fail(err)
	}
	a.Billing = &tariff.Billing{Store: bills, Accounts: guarantees, Config: a.Settings.Billing, Calendar: calendar,
		Credit: creditTerms{a.Credit.Book()}}
	queue, err := a.workQueue(ctx)
	if err != nil {
		return nil, a.fail(err)
	}
	a.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	assessor := &tariff.Assessor{Schedule: a.Schedule, Rates: a.Catalog, Codes: a.Catalog, Config: a.Settings.Tax}
	a.Declarations = declaration.NewService(a.Settings.Pipeline, declaration.Deps{
		Store:     decls,
		Validator: &declaration.Validator{Codes: a.Catalog, Tariff: a.Schedule, Rules: a.Settings.Declaration},
		Risk:      a.Risk.Targeting,
		Tax:       assessor,
		Billing:   a.Billing,
		Queue:     queue,
		Log:       cfg.Log,
		Metrics:   declaration.NewMetrics(a.Registry),
	})
	if a.Ecommerce, err = a.openEcommerce(ctx, cbecStore); err != nil {
		return nil, a.fail(err)
	}
	a.Billing.Declarations = a.Declarations
	a.Reviews = &tariff.Reviewer{Billing: a.Billing, Declarations: a.Declarations, Assessor: assessor, Catalog: a.Catalog}
	a.Server = &jhttp.Server{Declarations: a.Declarations, Credit: a.Credit, Risk: a.Risk, Ecommerce: a.Ecommerce, Billing: a.Billing,
		Guarantees: a.Guarantees, Reviews: a.Reviews, Calculator: &tariff.Calculator{Schedule: a.Schedule, Catalog: a.Catalog, Config: a.Settings.Tax},
		Users: a.Users, Catalog: a.Catalog, Log: cfg.Log, Registry: a.Registry, Secret: a.secret}
	a.Handler = a.Server.Handler()
	stopRisk, stopModel := a.runRisk(), a.runRiskModel()
	stopCredit := a.runCredit(creditStore)
	a.stop = func() { stopCredit(); stopModel(); stopRisk() }
	return a, nil
}

// workQueue connects to NATS JetStream when the deployment is scaled out,
// and sets the pipeline's shape for the node's part.
func (a *App) workQueue(ctx context.Context) (declaration.WorkQueue, error) {
	switch a.Config.Node {
	case "", "all":
	case "api":
		// The stages run on the workers; the API node only stores.
		a.Settings.Pipeline.Worker, a.Settings.Pipeline.Inline = false, false
	case "worker":
		a.Settings.Pipeline.Worker = true
	default:
		return nil, fmt.Errorf("node %q: want all, api or worker", a.Config.Node)
	}
	if a.Config.NATSURL == "" {
		if a.Config.Node == "api" || a.Config.Node == "worker" {
			return nil, fmt.Errorf("node %s needs a NATS server (--nats)", a.Config.Node)
		}
		return nil, nil
	}
	if a.Config.PostgresDSN == "" {
		return nil, errors.New("a NATS work queue needs PostgreSQL (--pg): the nodes share the system of record")
	}
	nc, err := nats.Connect(a.Config.NATSURL, "jinguan-"+a.Config.Node)
	if err != nil {
		return nil, err
	}
	q, err := nats.Open(ctx, nc, nats.Options{})
	if err != nil {
		nc.Close()
		return nil, err
	}
	closeStore := a.close
	a.close = func() error {
		nc.Drain()
		return closeStore()
	}
	return q, nil
}

// loadReference reads the embedded tables, overridden by CSV files in
// <DataDir>/reference, and the tariff schedule with its companion files
// from <DataDir>/tariff, or else the embedded sample.
func (a *App) loadReference() error {
	cat, err := refdata.Embedded()
	if err != nil {
		return err
	}
	if a.Catalog, err = cat.Override(filepath.Join(a.Config.DataDir, "reference")); err != nil {
		return err
	}
	dir := filepath.Join(a.Config.DataDir, "tariff")
	if a.Schedule, err = tariff.LoadDir(dir, a.Catalog); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, tariff.ScheduleFile)); err != nil {
		return nil // the embedded sample: its version is the binary's
	}
	return tariff.Archive(dir, filepath.Join(a.Config.DataDir, "tariff-versions"), a.Schedule.Version(),
		time.Now(), a.Settings.Tariff.AllowRetroactive)
}

func (a *App) fail(err error) error {
	if a.close != nil {
		a.close()
	}
	return err
}

// Close stops the pipeline (committing what is queued) and the store.
func (a *App) Close() error {
	a.stop()
	a.closeEcommerce()
	a.Declarations.Close()
	return a.close()
}

func loadSettings(path string) (Settings, error) {
	s := Settings{Declaration: declaration.DefaultRules(), Tax: tariff.DefaultTaxConfig(), Billing: tariff.DefaultBillConfig(),
		Pipeline: declaration.DefaultConfig(), Risk: risk.DefaultSettings(), Ecommerce: ecommerce.DefaultConfig(),
		RiskModel: risk.DefaultModelPolicy()}
	s.Credit = credit.DefaultConfig()
	s.Runtime = DefaultRuntime()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		creditMeasuresForRisk(&s, nil)
		return s, nil
	} else if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	creditMeasuresForRisk(&s, b)
	return s, nil
}

// secret is the data folder's random key: it seeds lane draws and derives
// demo tokens. It is created once and never changes.
func secret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil && len(b) >= 32 {
		return b, nil
	}
	b = make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return b, os.WriteFile(path, b, 0o600)
}
