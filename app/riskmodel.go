package app

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/demo"
	"github.com/jinguan-customs/jinguan/risk"
	"github.com/jinguan-customs/jinguan/risk/model"
	"github.com/jinguan-customs/jinguan/risk/model/gbdt"
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
	// A model that cannot be loaded must not stop clearance: the other
	// streams go on, the error is logged, and the poller keeps trying.
	if err := a.Risk.Models.Sync(ctx); err != nil {
		a.Config.Log.Error("risk model not loaded; declarations are assessed without it", "err", err)
	}
	return nil
}

// runRiskModel polls the active model until the returned function is
// called; it returns once polling has stopped.
func (a *App) runRiskModel() func() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { a.Risk.Models.Run(ctx, 5*time.Second) })
	return func() { cancel(); wg.Wait() }
}

// Demo history for the demo's first model: declarations from the demo
// generator over the last days, labelled by the demo's hidden truth.
const (
	demoHistory     = 4000
	demoHistoryDays = 120
	demoLatestDays  = 20 // kept out of training to measure the model on
)

// SeedDemoModel gives the demo an active risk model when it has none. It
// is trained at start, in about a second, on a synthetic history: the
// demo generator's declarations (seed 1) over the last 120 days, each item
// labelled by demo.Check — the planted violations and a background draw on
// demo.FindingChance, the same truth the demo's inspectors follow; the last
// 20 days are kept out of training, calibrate the scores and measure the
// model. Training at start rather than shipping a model file
// keeps the model in step with the generator, the features and the file
// format, and keeps a binary out of the repository; the same code and
// day give the same model. It is stored and audited like any version, so
// retraining, rollback and drift work on it.
func (a *App) SeedDemoModel(ctx context.Context) (*risk.StoredModel, error) {
	reg := a.Risk.Models
	if v, err := reg.Store.ActiveModelVersion(ctx); err != nil || v > 0 {
		return nil, err
	}
	now := time.Now()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, jinguan.China)
	from, cut := day.AddDate(0, 0, -demoHistoryDays), day.AddDate(0, 0, -demoLatestDays)
	gen := a.Generator(1)
	rng := rand.New(rand.NewPCG(1, 0x64656d6f))
	var train []model.Record
	var latest [][]model.Record
	findings := 0
	for i := range demoHistory {
		at := from.Add(time.Duration(i) * (day.Sub(from) / demoHistory))
		f, _ := gen.Form(at)
		d := &declaration.Declaration{ID: int64(i + 1), EntryID: fmt.Sprintf("DEMO%014d", i+1), DeclaredAt: at, Form: f}
		recs := risk.ModelRecords(d, a.Catalog.ExchangeRate)
		found := map[int]bool{}
		for _, x := range demo.Check(a.secret, a.Catalog, d, rng) { // what the demo's inspectors would find
			found[x.GNo] = true
		}
		for j := range recs {
			recs[j].Fraud = found[d.Items[j].GNo]
		}
		if at.Before(cut) {
			for _, r := range recs {
				if r.Fraud {
					findings++
				}
			}
			train = append(train, recs...)
		} else {
			latest = append(latest, recs)
		}
	}
	mapping, err := model.BuiltinMapping(risk.ModelFormat)
	if err != nil {
		return nil, err
	}
	p := gbdt.DefaultParams()
	p.Rounds = 80
	m, _, err := model.Train(train, nil, mapping, p)
	if err != nil {
		return nil, err
	}
	var held []model.Record
	for _, items := range latest {
		held = append(held, items...)
	}
	risk.CalibrateOn(m, held)
	sm := risk.StoredModel{Source: "demo", TrainFrom: from, TrainTo: cut, TrainItems: len(train), TrainFindings: findings,
		Latest:    risk.Evaluate(m, latest, cut, day, risk.EvaluationShares(reg.Stream.Policy().Capacity)),
		Reference: risk.ReferenceScores(m, latest),
		ReasonZH:  fmt.Sprintf("演示启动时在合成历史上训练（生成器种子 1，%d 票，%d 天）", demoHistory, demoHistoryDays),
		ReasonEN:  fmt.Sprintf("trained at demo start on a synthetic history (generator seed 1, %d declarations over %d days)", demoHistory, demoHistoryDays)}
	return reg.Install(ctx, auth.Principal{User: "demo", Role: auth.RoleAdmin}, m, sm, true)
}
