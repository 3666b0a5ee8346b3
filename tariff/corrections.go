package tariff

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
)

// Supplementary and refund bills (补税, 退税): after release, a correction
// is a new bill linked to the original, never an edit of it.

// billFigures is what a bill adds to the taxes assessed: a supplementary
// bill its differences, a refund its (negative) differences.
func billFigures(b Bill) TaxFigures {
	f := TaxFigures{b.Duty, b.RemedyDuty, b.ConsumptionTax, b.VAT, b.Amount}
	if b.Kind == BillRefund {
		f.Total = b.Amount.Neg()
	}
	return f
}

// corrected is the declaration's assessment with the corrections of its
// re-reviews so far (cancelled ones excluded). An audit's supplementary
// bill is not one: it collects what the declared form hid, which taxing
// the form again cannot see, so a re-review must not refund it.
func corrected(d *declaration.Declaration, bills []Bill) TaxFigures {
	f := figures(d.Tax)
	for _, b := range bills {
		if b.Kind != BillOriginal && b.Status != BillCancelled && b.Review != "" {
			f = f.add(billFigures(b))
		}
	}
	return f
}

// assessedWithCorrections reads the declaration's bills and sums.
func (b *Billing) assessedWithCorrections(ctx context.Context, d *declaration.Declaration) (TaxFigures, error) {
	rows, _, err := b.Store.Bills(ctx, BillFilter{Declaration: d.ID, Limit: 1000})
	if err != nil {
		return TaxFigures{}, err
	}
	return corrected(d, rows), nil
}

// raise issues the supplementary or refund bill of a re-review difference
// in a transaction of its own. The difference is taken again against the
// bills as they stand in the transaction, so a repeated run raises only
// what is still missing; diff is updated to what was raised.
func (b *Billing) raise(ctx context.Context, p auth.Principal, d *declaration.Declaration, diff *ReviewDiff, rv *Review) error {
	return b.Store.InBillTx(ctx, func(tx BillTx) error {
		bills, err := tx.DeclarationBills(ctx, d.ID)
		if err != nil {
			return err
		}
		diff.Before = corrected(d, bills)
		diff.Difference = diff.After.sub(diff.Before)
		kind := BillSupplementary
		switch diff.Difference.Total.Sign() {
		case 0:
			diff.Kind = ""
			return nil
		case -1:
			kind = BillRefund
		}
		at := b.now()
		bill := b.correction(d, bills, kind, diff.Difference, at, rv.Reason)
		bill.Review = rv.ID
		diff.Kind, diff.Bill = kind, bill.No
		rv.Bills++
		return b.write(ctx, tx, bill, true, b.event(bill, "issue", actor(p), at, rv.Reason,
			map[string]any{"review": rv.ID, "amount": bill.Amount, "before": diff.Before.Total, "after": diff.After.Total}))
	})
}

// correction is the next supplementary or refund bill of d, carrying the
// differences f and linked to its original bill.
func (b *Billing) correction(d *declaration.Declaration, bills []Bill, kind string, f TaxFigures, at time.Time, reason string) *Bill {
	n, original := 1, ""
	for _, x := range bills {
		if x.Kind == kind {
			n++
		}
		if x.Kind == BillOriginal && x.Status != BillCancelled {
			original = x.No
		}
	}
	bill := &Bill{No: BillNumber(d.EntryID, kind, n), Kind: kind, Original: original, DeclarationID: d.ID,
		EntryID: d.EntryID, TradeCoScc: d.Head.TradeCoScc, TradeName: d.Head.TradeName, AgentCodeScc: d.Head.AgentCodeScc,
		Customs: d.Head.CustomMaster, Duty: f.Duty, RemedyDuty: f.RemedyDuty, ConsumptionTax: f.ConsumptionTax,
		VAT: f.VAT, Amount: f.Total.Abs(), IssuedAt: at, Status: BillUnpaid, Reason: reason}
	bill.DueDate = b.Calendar.DueDate(at, b.Config.DueDays)
	if kind == BillRefund {
		bill.Status, bill.DueDate = BillRefundDue, day(at)
	}
	return bill
}

// Supplement implements declaration.Billing: the supplementary bill of
// the additional duty a post-clearance audit found, as duty, committed
// with the audit. Past the recovery period nothing is raised.
func (b *Billing) Supplement(ctx context.Context, tx declaration.Tx, d *declaration.Declaration, duty decimal.Decimal, by declaration.Actor, at time.Time, reason string) (string, error) {
	if d.DeclaredAt.Before(b.Config.recoveryCutoff(at)) {
		return "", nil
	}
	btx, err := billTx(tx)
	if err != nil {
		return "", err
	}
	bills, err := btx.DeclarationBills(ctx, d.ID)
	if err != nil {
		return "", err
	}
	bill := b.correction(d, bills, BillSupplementary, TaxFigures{Duty: duty, RemedyDuty: decimal.Zero,
		ConsumptionTax: decimal.Zero, VAT: decimal.Zero, Total: duty}, at, reason)
	return bill.No, b.write(ctx, btx, bill, true, b.event(bill, "issue", by, at, reason,
		map[string]any{"audit": true, "amount": bill.Amount}))
}

// recoveryCutoff is the earliest declaration date a supplementary bill may
// still be raised for.
func (c BillConfig) recoveryCutoff(now time.Time) time.Time {
	return now.AddDate(-c.RecoveryYears, 0, 0)
}
