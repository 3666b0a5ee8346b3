package app

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/demo"
	"github.com/jinguan-customs/jinguan/tariff"
)

// The demo's taxes over time: a fresh demo starts with six weeks of
// back-dated declarations, so that bills fall due, some are paid late with
// the late fee, consolidated months have statements, and the re-review has
// released imports to work on. Traders pay by habit (demo.PaysLate).

// historyDays and historyCount shape the back-dated weeks.
const (
	historyDays  = 42
	historyCount = 120
)

// seedTaxHistory submits back-dated declarations when the store holds
// none yet, with the inspections, guarantees and releases of those days;
// it needs the inline pipeline, else it does nothing. Bills left unpaid
// are paid by the traffic's payers, late ones with the fee.
func (a *App) seedTaxHistory(ctx context.Context, gen *demo.Generator, inspector, releaser auth.Principal) error {
	if !a.Settings.Pipeline.Inline {
		return nil
	}
	counts, err := a.Declarations.Counts(ctx)
	if err != nil {
		return err
	}
	for _, n := range counts {
		if n > 0 {
			return nil // not a fresh demo: its history is real by now
		}
	}
	now := time.Now()
	rng := rand.New(rand.NewPCG(uint64(now.UnixNano()), 13))
	for i := range historyCount {
		// Working hours of past days, oldest first.
		day := now.AddDate(0, 0, -historyDays+i*historyDays/historyCount).In(jinguan.China)
		at := time.Date(day.Year(), day.Month(), day.Day(), 9+rng.IntN(8), rng.IntN(60), rng.IntN(60), 0, jinguan.China)
		if at.After(now) {
			break
		}
		f, u := gen.Form(at)
		body, err := json.Marshal(f)
		if err != nil {
			return err
		}
		sub, err := a.Declarations.Submit(declaration.AsOf(ctx, at), u.Principal(), fmt.Sprintf("history-%d-%d", now.Unix(), i), body)
		if err != nil {
			a.Config.Log.Warn("demo history declaration refused", "err", err)
			continue
		}
		a.historyOfficers(ctx, sub.Declaration, at, now, inspector, releaser, rng)
		if i%10 == 9 {
			a.CatchUpRisk(ctx)
		}
	}
	return nil
}

// CatchUpRisk brings the risk facts and the party history up to date at
// once, so that history loaded in a burst is judged with what came before
// it (a trader is first-time only for its first declarations).
func (a *App) CatchUpRisk(ctx context.Context) {
	if a.Risk == nil {
		return
	}
	if err := a.Risk.Projector.Drain(ctx); err != nil {
		a.Config.Log.Warn("risk facts catch-up failed", "err", err)
		return
	}
	if err := a.Risk.History.Reload(ctx); err != nil {
		a.Config.Log.Warn("party history reload failed", "err", err)
	}
}

// historyOfficers works a back-dated declaration as the officers did then:
// the review or inspection a day or two later, the release once the taxes
// are paid or guaranteed; a blue-lane release's audit some days later.
func (a *App) historyOfficers(ctx context.Context, d *declaration.Declaration, at, now time.Time, inspector, releaser auth.Principal, rng *rand.Rand) {
	if d.Status == declaration.StatusReleased && d.Lane == declaration.LaneBlue {
		a.historyAudit(ctx, d, now, inspector, rng)
		return
	}
	if d.Status != declaration.StatusUnderReview && d.Status != declaration.StatusUnderInspection {
		return
	}
	at = at.Add(time.Duration(20+rng.IntN(28)) * time.Hour)
	if at.After(now) {
		return // still with the officers
	}
	in := declaration.ResultInput{Outcome: "no_finding"}
	if fs := demo.Check(a.secret, a.Catalog, d, rng); len(fs) > 0 {
		in = declaration.ResultInput{Outcome: "finding", Findings: fs}
	}
	r, err := a.Declarations.RecordResult(declaration.AsOf(ctx, at), inspector, d.ID, in)
	if err != nil {
		a.Config.Log.Warn("demo history inspection refused", "declaration", d.ID, "err", err)
		return
	}
	if r.Status == declaration.StatusPaid || r.Status == declaration.StatusGuaranteed {
		_, err = a.Declarations.Release(declaration.AsOf(ctx, at.Add(time.Hour)), releaser, d.ID, declaration.ReasonInput{Reason: "demo release"})
	}
	if err != nil {
		a.Config.Log.Warn("demo history release refused", "declaration", d.ID, "err", err)
	}
}

// payDemoBill is a trader paying an assessed declaration's bill: at once,
// or — for a late payer — only some days after it fell due, with the fee.
func (a *App) payDemoBill(ctx context.Context, payer auth.Principal, d *declaration.Declaration, now time.Time) error {
	if d.Tax == nil || d.Tax.BillNo == "" {
		_, err := a.Declarations.Pay(ctx, payer, d.ID, declaration.PaymentInput{Amount: d.Tax.Total, Reference: "DEMO-" + d.EntryID})
		return err
	}
	b, err := a.Billing.Store.Bill(ctx, d.Tax.BillNo)
	if err != nil {
		return err
	}
	today := now.In(jinguan.China).Format(time.DateOnly)
	if demo.PaysLate(d.Head.TradeCoScc) && today <= lateDay(b.DueDate) {
		return nil // pays after the due date, by habit
	}
	fee, _ := a.Billing.Config.LateFee(b.Amount, b.DueDate, now)
	_, err = a.Billing.PayBill(ctx, payer, b.No, declaration.PaymentInput{Amount: b.Amount.Add(fee), Reference: "DEMO-" + d.EntryID})
	return err
}

// lateDay is the day a late payer waits for: three days past due.
func lateDay(due string) string {
	t, err := time.Parse(time.DateOnly, due)
	if err != nil {
		return due
	}
	return t.AddDate(0, 0, 3).Format(time.DateOnly)
}

// payDemoStatements pays consolidated months that have fallen due: the
// guarantor of each consolidated account pays its statements, late
// payers a few days after the due date.
func (a *App) payDemoStatements(ctx context.Context, payers map[string]demo.User, now time.Time) {
	accounts, err := a.Guarantees.Store.GuaranteeAccounts(ctx, "")
	if err != nil {
		return
	}
	admin := auth.Principal{User: "demo", Role: auth.RoleAdmin}
	today := now.In(jinguan.China).Format(time.DateOnly)
	for _, acct := range accounts {
		u, ok := payers[acct.SCC]
		if !acct.Consolidated || !ok {
			continue
		}
		for m := 1; m <= 3; m++ {
			period := now.In(jinguan.China).AddDate(0, -m, 0).Format("2006-01")
			st, err := a.Billing.Statement(ctx, admin, acct.ID, period)
			if err != nil || len(st.Bills) == 0 || today < st.DueDate ||
				(demo.PaysLate(acct.SCC) && today <= lateDay(st.DueDate)) {
				continue
			}
			if _, err := a.Billing.PayConsolidated(ctx, u.Principal(), acct.ID, tariff.ConsolidatedInput{Period: period,
				Amount: st.Total, Reference: "DEMO-" + acct.ID + "-" + period}); err != nil && ctx.Err() == nil {
				a.Config.Log.Warn("demo consolidated payment refused", "account", acct.ID, "err", err)
			}
		}
	}
}

// payDemoOverdue has late payers pay the bills they have let run past the
// due date, with the fee (supplementary bills included).
func (a *App) payDemoOverdue(ctx context.Context, payers map[string]demo.User, now time.Time) {
	cutoff := now.In(jinguan.China).AddDate(0, 0, -3).Format(time.DateOnly)
	rows, _, err := a.Billing.Store.Bills(ctx, tariff.BillFilter{Status: []string{tariff.BillUnpaid}, DueBefore: cutoff, Limit: 50})
	if err != nil {
		return
	}
	for _, b := range rows {
		u, ok := payers[b.TradeCoScc]
		if !ok {
			u, ok = payers[b.AgentCodeScc]
		}
		if !ok {
			continue
		}
		fee, _ := a.Billing.Config.LateFee(b.Amount, b.DueDate, now)
		if _, err := a.Billing.PayBill(ctx, u.Principal(), b.No, declaration.PaymentInput{Amount: b.Amount.Add(fee),
			Reference: "DEMO-" + b.No}); err != nil && ctx.Err() == nil {
			a.Config.Log.Warn("demo late payment refused", "bill", b.No, "err", err)
		}
	}
}

// payDemoUndertakings has traders pay the bills of goods released on their
// exemption from guarantee (their credit grade's measure) and not on a
// consolidated statement: on the due date, late payers a few days after.
func (a *App) payDemoUndertakings(ctx context.Context, payers map[string]demo.User, now time.Time) {
	today := now.In(jinguan.China).Format(time.DateOnly)
	tomorrow := now.In(jinguan.China).AddDate(0, 0, 1).Format(time.DateOnly)
	rows, _, err := a.Billing.Store.Bills(ctx, tariff.BillFilter{Status: []string{tariff.BillGuaranteed}, DueBefore: tomorrow, Limit: 200})
	if err != nil {
		return
	}
	for _, b := range rows {
		u, ok := payers[b.TradeCoScc]
		if b.Measure != tariff.GuaranteeExempt || b.Period != "" || !ok || (demo.PaysLate(b.TradeCoScc) && today <= lateDay(b.DueDate)) {
			continue
		}
		fee, _ := a.Billing.Config.LateFee(b.Amount, b.DueDate, now)
		if _, err := a.Billing.PayBill(ctx, u.Principal(), b.No, declaration.PaymentInput{Amount: b.Amount.Add(fee),
			Reference: "DEMO-" + b.No}); err != nil && ctx.Err() == nil {
			a.Config.Log.Warn("demo payment of an exempt bill refused", "bill", b.No, "err", err)
		}
	}
}
