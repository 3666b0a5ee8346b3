package tariff

import (
	"context"
	"time"

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
// bills so far (cancelled ones excluded).
func corrected(d *declaration.Declaration, bills []Bill) TaxFigures {
	f := figures(d.Tax)
	for _, b := range bills {
		if b.Kind != BillOriginal && b.Status != BillCancelled {
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
		kind, n := BillSupplementary, 1
		switch diff.Difference.Total.Sign() {
		case 0:
			diff.Kind = ""
			return nil
		case -1:
			kind = BillRefund
		}
		original := ""
		for _, x := range bills {
			if x.Kind == kind {
				n++
			}
			if x.Kind == BillOriginal && x.Status != BillCancelled {
				original = x.No
			}
		}
		at := b.now()
		dd := diff.Difference
		bill := &Bill{No: BillNumber(d.EntryID, kind, n), Kind: kind, Original: original, DeclarationID: d.ID,
			EntryID: d.EntryID, TradeCoScc: d.Head.TradeCoScc, TradeName: d.Head.TradeName, AgentCodeScc: d.Head.AgentCodeScc,
			Customs: d.Head.CustomMaster, Duty: dd.Duty, RemedyDuty: dd.RemedyDuty, ConsumptionTax: dd.ConsumptionTax,
			VAT: dd.VAT, Amount: dd.Total.Abs(), IssuedAt: at, Status: BillUnpaid, Reason: rv.Reason, Review: rv.ID}
		bill.DueDate = day(at.AddDate(0, 0, b.Config.DueDays))
		if kind == BillRefund {
			bill.Status, bill.DueDate = BillRefundDue, day(at)
		}
		diff.Kind, diff.Bill = kind, bill.No
		rv.Bills++
		return b.write(ctx, tx, bill, true, b.event(bill, "issue", actor(p), at, rv.Reason,
			map[string]any{"review": rv.ID, "amount": bill.Amount, "before": diff.Before.Total, "after": diff.After.Total}))
	})
}

// recoveryCutoff is the earliest declaration date a supplementary bill may
// still be raised for.
func (c BillConfig) recoveryCutoff(now time.Time) time.Time {
	return now.AddDate(-c.RecoveryYears, 0, 0)
}
