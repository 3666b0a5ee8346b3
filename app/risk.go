package app

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/demo"
	"github.com/jinguan-customs/jinguan/refdata"
	"github.com/jinguan-customs/jinguan/risk"
)

// openRisk builds lane selection: the random stream's rates from
// <DataDir>/config, and the profile registry in the store, seeded on first
// start from config/profiles.json and watch-lists.json (or the demo set).
// The engine reloads when profiles change here, on another node or from
// the command line; the facts follow the declaration events.
func (a *App) openRisk(ctx context.Context, store risk.Store, decls risk.DeclarationSource) (*risk.Service, error) {
	if err := a.Settings.Risk.Check(); err != nil {
		return nil, err
	}
	dir := filepath.Join(a.Config.DataDir, "config")
	rules, err := risk.DefaultRules(dir)
	if err != nil {
		return nil, err
	}
	sel, err := risk.NewSelectivity(rules, a.secret)
	if err != nil {
		return nil, err
	}
	c, err := risk.NewCompiler()
	if err != nil {
		return nil, err
	}
	profiles, lists, err := risk.LoadConfig(dir, a.Config.Demo, c)
	if err != nil {
		return nil, err
	}
	reg := &risk.Registry{Store: store, Compiler: c}
	if _, err := risk.Seed(ctx, reg, profiles, lists, time.Date(2020, 1, 1, 0, 0, 0, 0, jinguan.China)); err != nil {
		return nil, err
	}
	empty, err := c.Engine(nil)
	if err != nil {
		return nil, err
	}
	where := func(office string, on time.Time) risk.Where {
		e, _ := a.Catalog.Lookup(refdata.CustomsDistrict, office, on)
		return risk.Where{Channel: e.Attr("channel"), Parent: e.Attr("parent")}
	}
	if a.Config.Demo && len(a.Settings.Risk.Capacity) == 0 {
		a.Settings.Risk.Capacity = demoCapacity
	}
	t := risk.NewTargeting(sel, empty, a.secret, a.Catalog.ExchangeRate, where)
	t.Settings = a.Settings.Risk
	now := time.Now()
	today, err := store.Facts(ctx, now.Add(-24*time.Hour), now.Add(time.Hour))
	if err != nil {
		return nil, err
	}
	t.Quota = risk.NewQuota(today, now)
	s := &risk.Service{Registry: reg, Targeting: t, Store: store, Settings: a.Settings.Risk, Declarations: decls,
		Watcher: &risk.Watcher{Store: store, Compiler: c, Targeting: t, Log: a.Config.Log},
		History: &risk.History{Store: store, Window: time.Duration(a.Settings.Risk.HistoryDays) * 24 * time.Hour}}
	if err := s.Watcher.Reload(ctx); err != nil {
		return nil, err
	}
	reg.Changed = s.Watcher.Reload
	t.History = s.History
	s.Projector = &risk.Projector{Store: store, Log: a.Config.Log, After: func(ctx context.Context) {
		if err := s.History.Refresh(ctx); err != nil {
			a.Config.Log.Error("party history refresh failed", "err", err)
		}
	}}
	if err := s.History.Reload(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// runRisk keeps the engine and the facts current until the returned
// function is called; it returns once they have stopped.
func (a *App) runRisk() func() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a.Risk.Watcher.Run(ctx, 5*time.Second) }()
	go func() { defer wg.Done(); a.Risk.Projector.Run(ctx, time.Second) }()
	return func() { cancel(); wg.Wait() }
}

// demoCapacity gives the demo's import offices checks to spare, so the
// top-up stream shows: at the demo's 2 declarations a second each office
// sees some 4,000 imports a day.
var demoCapacity = []risk.Capacity{{Office: "*", Direction: "I", Red: 300, Yellow: 300, TopUp: 0.04}}

// seedRiskDemo publishes the demo's reference prices (its market blurred,
// see demo/violations.go) and its watch-listed traders, unless the
// registry already has them.
func (a *App) seedRiskDemo(ctx context.Context) error {
	reg := a.Risk.Registry
	ls, err := reg.Store.WatchLists(ctx)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(ls, func(l risk.WatchList) bool { return l.Name == "watch-traders" }) {
		l := risk.WatchList{Name: "watch-traders", Kind: "enterprise", Values: demo.WatchedTraders(),
			Description: "情报线索 2026-017：两家企业屡有低报价格 / lead 2026-017: two traders with repeated undervaluation"}
		if _, err := reg.PutList(ctx, risk.System, l); err != nil {
			return err
		}
	}
	ps, err := reg.Store.RefPrices(ctx)
	if err != nil || len(ps) > 0 {
		return err
	}
	from := time.Date(2020, 1, 1, 0, 0, 0, 0, jinguan.China)
	return reg.PutRefPrices(ctx, risk.System, demo.RefPrices(a.Schedule.Lines(time.Now()), from))
}
