package app

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"time"

	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/ecommerce"
)

// openEcommerce starts e-commerce clearance on its store and the receipt
// webhooks.
func (a *App) openEcommerce(ctx context.Context, store ecommerce.Store) (*ecommerce.Service, error) {
	svc, err := ecommerce.Open(ctx, a.Settings.Ecommerce, store, a.Enterprises, a.Catalog, a.Schedule,
		filepath.Join(a.Config.DataDir, "config"), a.secret, a.Config.Log)
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	hooks := a.Settings.Ecommerce.Webhooks
	go func() {
		defer close(done)
		finished := make(chan struct{}, len(hooks))
		for _, h := range hooks {
			p := &ecommerce.Pusher{Hook: h, Store: store, Log: a.Config.Log, Before: svc.DurableBefore}
			go func() { p.Run(pctx); finished <- struct{}{} }()
		}
		for range hooks {
			<-finished
		}
	}()
	a.cbecStop = func() {
		cancel()
		<-done
		svc.Close()
	}
	return svc, nil
}

func (a *App) closeEcommerce() {
	if a.cbecStop != nil {
		a.cbecStop()
	}
}

// seedEcommerce registers the demo e-commerce parties.
func (a *App) seedEcommerce(ctx context.Context) error {
	if a.Ecommerce == nil {
		return nil
	}
	return ecommerce.SeedDemo(ctx, a.Ecommerce, a.Enterprises)
}

// ecommerceTraffic sends a set of order, payment, waybill and list every
// so often (now and then a list ahead of its documents, or a set that
// breaks a rule), and an officer works the held lists.
func (a *App) ecommerceTraffic(ctx context.Context, every time.Duration) {
	if a.Ecommerce == nil || every <= 0 {
		return
	}
	g := ecommerce.NewGenerator(uint64(time.Now().UnixNano()), 5000, time.Now())
	g.ShareMismatch = 0.15
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	platform := auth.Principal{User: "demo.platform", Role: auth.RoleAdmin}
	officer := auth.Principal{User: "officer.wang", Role: auth.RoleOfficer, Office: "2991"}
	tick := time.NewTicker(every)
	defer tick.Stop()
	var held []ecommerce.Doc
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		g.Day = time.Now()
		s := g.Next()
		docs := []ecommerce.Doc{s.Order, s.Payment, s.Waybill, s.List}
		if s.Anomaly == ecommerce.AnomalyNoWaybill {
			docs = []ecommerce.Doc{s.Order, s.Payment, s.List}
		}
		if rng.IntN(5) == 0 { // the list first; its documents come with the next set
			held, docs = docs[:len(docs)-1], docs[len(docs)-1:]
		} else {
			docs, held = append(held, docs...), nil
		}
		if _, err := a.Ecommerce.Submit(ctx, docs); err != nil && ctx.Err() == nil {
			a.Config.Log.Warn("demo e-commerce batch refused", "err", err)
		}
		if n%10 != 9 {
			continue
		}
		rows, err := a.Ecommerce.Lists(ctx, platform, ecommerce.Filter{Status: []ecommerce.Status{ecommerce.StatusManualReview, ecommerce.StatusInspection}, Limit: 20})
		if err != nil {
			continue
		}
		for _, r := range rows {
			action, why := ecommerce.ActionRelease, "查验无异常 / no finding"
			if rng.IntN(8) == 0 {
				action, why = ecommerce.ActionReject, "申报价格与实际不符 / declared price does not match"
			}
			if _, err := a.Ecommerce.Decide(ctx, officer, r.ID, action, why); err != nil && ctx.Err() == nil {
				a.Config.Log.Warn("demo e-commerce decision refused", "list", r.ID, "err", err)
			}
		}
	}
}
