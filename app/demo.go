package app

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/demo"
	"github.com/jinguan-customs/jinguan/ecommerce"
)

// SeedDemo stores the demo enterprises and users; running it again
// changes nothing.
func (a *App) SeedDemo(ctx context.Context) ([]demo.User, error) {
	ents := demo.Enterprises()
	sccs := make([]string, len(ents))
	for i, e := range ents {
		if err := a.Enterprises.PutEnterprise(ctx, e); err != nil {
			return nil, err
		}
		sccs[i] = e.SCC
	}
	if err := a.seedEcommerce(ctx); err != nil {
		return nil, err
	}
	if err := a.seedRiskDemo(ctx); err != nil {
		return nil, err
	}
	// Grade every registered enterprise, the e-commerce parties included.
	all, err := a.Enterprises.ListEnterprises(ctx)
	if err != nil {
		return nil, err
	}
	sccs = sccs[:0]
	for _, e := range all {
		sccs = append(sccs, e.SCC)
	}
	if err := a.Credit.Sync(ctx, sccs...); err != nil {
		return nil, err
	}
	for _, g := range append(demo.GuaranteeAccounts(ents), ecommerce.DemoGuaranteeAccounts()...) {
		if _, err := a.Guarantees.Store.GuaranteeAccount(ctx, g.ID); err == nil {
			continue // registered on an earlier run: its balance is live
		}
		if _, err := a.Guarantees.Register(ctx, auth.Principal{User: "demo", Role: auth.RoleAdmin}, g,
			"demo guarantee", time.Now()); err != nil {
			return nil, err
		}
	}
	users := demo.Users(a.secret, ents)
	for _, u := range users {
		err := a.Users.PutUser(ctx, auth.User{Name: u.Name, Role: u.Role, Enterprise: u.Enterprise,
			Office: u.Office, TokenHash: auth.HashToken(u.Token), CreatedAt: time.Now()})
		if err != nil {
			return nil, err
		}
	}
	return users, nil
}

// Generator returns a declaration generator over the demo parties.
func (a *App) Generator(seed uint64) *demo.Generator {
	ents := demo.Enterprises()
	return demo.NewGenerator(seed, a.Catalog, a.Schedule, ents, demo.Users(a.secret, ents))
}

// Traffic drives the demo: declarations submitted at a steady rate, and
// the people behind the counters — inspectors recording results, other
// officers releasing, traders paying — so every state shows up.
type Traffic struct {
	PerSecond float64       // submissions per second
	Handling  time.Duration // how long officers take to act
}

// RunTraffic runs until ctx ends.
func (a *App) RunTraffic(ctx context.Context, t Traffic, users []demo.User) {
	gen := a.Generator(uint64(time.Now().UnixNano()))
	byName := map[string]demo.User{}
	for _, u := range users {
		byName[u.Name] = u
	}
	if err := a.seedTaxHistory(ctx, gen, byName["officer.wang"].Principal(), byName["officer.li"].Principal()); err != nil && ctx.Err() == nil {
		a.Config.Log.Warn("demo history not seeded", "err", err)
	}
	go a.officers(ctx, t.Handling, byName["officer.wang"], byName["officer.li"], users)
	go a.ecommerceTraffic(ctx, time.Duration(float64(2*time.Second)/max(t.PerSecond, 0.1)))
	if t.PerSecond <= 0 {
		return
	}
	tick := time.NewTicker(time.Duration(float64(time.Second) / t.PerSecond))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			body, key, u := gen.Next(now)
			if _, err := a.Declarations.Submit(ctx, u.Principal(), key, body); err != nil && ctx.Err() == nil {
				a.Config.Log.Warn("demo submission refused", "err", err)
			}
		}
	}
}

// officers works the queues, priority-handled traders first: one inspects
// (and audits blue-lane releases), the other releases (选查处分离);
// declarants pay what no guarantee covers.
func (a *App) officers(ctx context.Context, every time.Duration, inspector, releaser demo.User, users []demo.User) {
	if every <= 0 {
		every = 5 * time.Second
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	declarants := map[string]demo.User{}
	for _, u := range users {
		if u.Role == auth.RoleDeclarant {
			declarants[u.Enterprise] = u
		}
	}
	admin := auth.Principal{User: "demo", Role: auth.RoleAdmin}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		a.payDemoStatements(ctx, declarants, time.Now())
		a.payDemoOverdue(ctx, declarants, time.Now())
		a.payDemoUndertakings(ctx, declarants, time.Now())
		a.auditDemoReleases(ctx, inspector, declarants, time.Now(), rng)
		waiting, _, err := a.Declarations.List(ctx, admin, declaration.Filter{Status: []declaration.Status{
			declaration.StatusUnderReview, declaration.StatusUnderInspection, declaration.StatusAssessed,
			declaration.StatusPaid, declaration.StatusGuaranteed}, Order: declaration.OrderPriority, Limit: 50})
		if err != nil {
			continue
		}
		for _, s := range waiting {
			var err error
			switch s.Status {
			case declaration.StatusUnderReview, declaration.StatusUnderInspection:
				in := declaration.ResultInput{Outcome: "no_finding"}
				d, gerr := a.Declarations.Get(ctx, admin, s.ID)
				if gerr != nil {
					continue
				}
				if fs := demo.Check(a.secret, a.Catalog, d, rng); len(fs) > 0 { // the demo's hidden truth (demo/violations.go)
					in = declaration.ResultInput{Outcome: "finding", Findings: fs}
				}
				_, err = a.Declarations.RecordResult(ctx, inspector.Principal(), s.ID, in)
			case declaration.StatusAssessed:
				d, gerr := a.Declarations.Get(ctx, admin, s.ID)
				if gerr != nil || d.Tax == nil {
					continue
				}
				payer, ok := declarants[d.Head.TradeCoScc]
				if !ok { // a first-time importer without an account: its broker pays
					payer = declarants[d.Head.AgentCodeScc]
				}
				err = a.payDemoBill(ctx, payer.Principal(), d, time.Now())
			default:
				_, err = a.Declarations.Release(ctx, releaser.Principal(), s.ID, declaration.ReasonInput{Reason: "demo release"})
			}
			if err != nil && ctx.Err() == nil {
				a.Config.Log.Warn("demo officer action refused", "declaration", s.ID, "err", err)
			}
		}
	}
}
