package app

import (
	"context"
	"sync"
	"time"

	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/risk"
)

// openRiskModel puts the model's stream into the risk stage, with the
// registry of stored models behind it; the stream starts on the active
// model and follows changes made here, on another node or from the
// command line.
func (a *App) openRiskModel(ctx context.Context, store risk.ModelStore, decls declaration.Store) error {
	s, err := risk.NewModelStream(a.Settings.RiskModel, a.secret, a.Catalog.ExchangeRate)
	if err != nil {
		return err
	}
	a.Risk.Models = &risk.ModelRegistry{Store: store, Facts: a.Risk.Store, Declarations: decls, Stream: s,
		Rates: a.Catalog.ExchangeRate, Log: a.Config.Log}
	a.Risk.Targeting.Model = s
	return a.Risk.Models.Sync(ctx)
}

// runRiskModel polls the active model until the returned function is
// called; it returns once polling has stopped.
func (a *App) runRiskModel() func() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { a.Risk.Models.Run(ctx, 5*time.Second) })
	return func() { cancel(); wg.Wait() }
}
