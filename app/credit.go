package app

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/jinguan-customs/jinguan/credit"
	"github.com/jinguan-customs/jinguan/enterprise"
	"github.com/jinguan-customs/jinguan/risk"
	"github.com/jinguan-customs/jinguan/tariff"
)

// The risk stage asks the credit book for the grade of every trader and
// agent; the book answers from an in-memory snapshot.
var _ risk.CreditSource = (*credit.Book)(nil)

// creditTerms gives billing a trader's guarantee requirement and whether
// it may pay monthly, from the same snapshot: the grade's measures.
type creditTerms struct{ book *credit.Book }

func (c creditTerms) Terms(_ context.Context, scc string, _ time.Time) (tariff.Terms, error) {
	g, m := c.book.Lookup(scc)
	return tariff.Terms{Grade: g.Code(), Guarantee: m.Guarantee, Consolidated: m.ConsolidatedPayment}, nil
}

// openCredit builds the credit service and loads the credit record into
// memory.
func (a *App) openCredit(ctx context.Context, store credit.Store) (*credit.Service, error) {
	svc, err := credit.NewService(a.Settings.Credit, credit.Deps{Store: store, Enterprises: a.Enterprises,
		Validator: &enterprise.Validator{Catalog: a.Catalog}, Log: a.Config.Log})
	if err != nil {
		return nil, err
	}
	return svc, svc.Load(ctx)
}

// runCredit follows clearance (inspection findings, rejections and
// amendments become credit events), starts the daily run when configured
// and, on PostgreSQL, catches up with what other nodes record; the
// returned function stops them.
func (a *App) runCredit(store credit.ClearanceSource) func() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); a.Credit.Follow(ctx, store, time.Second) }()
	if at, _ := a.Settings.Credit.DailyAt(); at >= 0 && a.Config.Node != "api" {
		wg.Add(1)
		go func() { defer wg.Done(); a.Credit.Daily(ctx, at) }()
	}
	if a.Config.PostgresDSN != "" { // other nodes may record credit too
		wg.Add(1)
		go func() { defer wg.Done(); a.Credit.CatchUpEvery(ctx, 10*time.Second) }()
	}
	return func() { cancel(); wg.Wait() }
}

// creditMeasuresForRisk makes the credit module's measures the risk
// stage's settings — the random stream's multiplier, inspection floor and
// document-review share, and priority handling — unless config.json sets
// risk.credit itself: one place configures what a grade does at the border.
func creditMeasuresForRisk(s *Settings, raw []byte) {
	var probe struct {
		Risk struct {
			Credit json.RawMessage `json:"credit"`
		} `json:"risk"`
	}
	if raw != nil && json.Unmarshal(raw, &probe) == nil && probe.Risk.Credit != nil {
		return
	}
	m := map[string]risk.CreditMeasure{}
	for g, x := range s.Credit.Measures {
		share := x.DocumentReviewShare
		m[g.Code()] = risk.CreditMeasure{Multiplier: x.RandomMultiplier, Floor: x.MinInspectionRate,
			DocumentReview: &share, Priority: x.Priority}
	}
	s.Risk.Credit = m
}
