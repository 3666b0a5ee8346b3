package app

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/demo"
)

// The demo's post-clearance audit (稽查): blue-lane releases wait in the
// audit queue for a while, then the auditor records the planted truth
// (demo.Audit), so the audit stream's effectiveness has live numbers.

// auditDelay is how long a live blue-lane release waits in the queue.
const auditDelay = 2 * time.Minute

// auditResult is what the auditor records of d.
func (a *App) auditResult(d *declaration.Declaration, rng *rand.Rand) declaration.ResultInput {
	if fs := demo.Audit(a.secret, a.Catalog, d, rng); len(fs) > 0 {
		return declaration.ResultInput{Outcome: "finding", Findings: fs, Note: "演示稽查 demo audit"}
	}
	return declaration.ResultInput{Outcome: "no_finding"}
}

// auditDemoReleases audits the blue-lane releases that have waited
// auditDelay; the trader pays a supplementary bill at once, unless it pays
// late by habit (payDemoOverdue pays those).
func (a *App) auditDemoReleases(ctx context.Context, auditor demo.User, payers map[string]demo.User, now time.Time, rng *rand.Rand) {
	admin := auth.Principal{User: "demo", Role: auth.RoleAdmin}
	f := declaration.Filter{Lane: declaration.LaneBlue, Status: []declaration.Status{declaration.StatusReleased}, Limit: 100}
	for {
		rows, next, err := a.Declarations.List(ctx, admin, f)
		if err != nil {
			return
		}
		for _, s := range rows {
			if now.Sub(s.UpdatedAt) < auditDelay {
				continue // newest first: still waiting
			}
			d, err := a.Declarations.Get(ctx, admin, s.ID)
			if err != nil {
				continue
			}
			r, err := a.Declarations.RecordAudit(ctx, auditor.Principal(), d.ID, a.auditResult(d, rng))
			if err != nil {
				if ctx.Err() == nil {
					a.Config.Log.Warn("demo audit refused", "declaration", d.ID, "err", err)
				}
				continue
			}
			a.payAuditBill(ctx, payers, r, now)
		}
		if next == "" || ctx.Err() != nil {
			return
		}
		f.Cursor = next
	}
}

// payAuditBill has the trader (or its broker) pay an audit's bill at once
// unless it pays late by habit.
func (a *App) payAuditBill(ctx context.Context, payers map[string]demo.User, d *declaration.Declaration, now time.Time) {
	if d.Audit == nil || d.Audit.Bill == "" || demo.PaysLate(d.Head.TradeCoScc) {
		return
	}
	u, ok := payers[d.Head.TradeCoScc]
	if !ok {
		u, ok = payers[d.Head.AgentCodeScc]
	}
	if !ok {
		return
	}
	if _, err := a.Billing.PayBill(ctx, u.Principal(), d.Audit.Bill, declaration.PaymentInput{Amount: d.Audit.AdditionalDuty,
		Reference: "DEMO-" + d.Audit.Bill}); err != nil && ctx.Err() == nil {
		a.Config.Log.Warn("demo audit bill payment refused", "bill", d.Audit.Bill, "err", err)
	}
}

// historyAudit audits a back-dated blue-lane release as the auditor did
// then, three to twenty days after release; a later one is left to the
// live queue.
func (a *App) historyAudit(ctx context.Context, d *declaration.Declaration, now time.Time, auditor auth.Principal, rng *rand.Rand) {
	day := d.UpdatedAt.AddDate(0, 0, 3+rng.IntN(18)).In(jinguan.China)
	at := time.Date(day.Year(), day.Month(), day.Day(), 9+rng.IntN(8), rng.IntN(60), 0, 0, jinguan.China)
	if at.After(now) {
		return
	}
	if _, err := a.Declarations.RecordAudit(declaration.AsOf(ctx, at), auditor, d.ID, a.auditResult(d, rng)); err != nil {
		a.Config.Log.Warn("demo history audit refused", "declaration", d.ID, "err", err)
	}
}
