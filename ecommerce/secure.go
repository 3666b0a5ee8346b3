package ecommerce

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/enterprise"
)

// Guarantee-based release (担保放行): a list's tax is secured on its
// guarantor's guarantee account inside the batch's own transaction, with
// the enterprise module's Debit. A batch takes one debit per guarantor and
// period for all its lists; only when that does not fit are the lists
// debited one by one, and those that still do not fit are refused. The
// debits of a period are given back when its consolidated payment
// (汇总征税) is recorded, so a cancelled or returned list only lowers the
// period's tax.

// GuaranteeClaim asks Apply to secure a list's tax.
type GuaranteeClaim struct {
	AssureCode string
	SCC        string // the guarantor in the enterprise registry
	Period     string
	Amount     decimal.Decimal
	Ref        string // the list's own debit reference, if it must stand alone
	At         time.Time
}

// GuaranteeRef is a debit taken for e-commerce lists, kept so that the
// period's payment gives it back.
type GuaranteeRef struct {
	AssureCode, Period, Ref string
	AmountFen               int64
}

// SecureBatch debits the guarantees of the units not refused so far.
// refuse must refuse a unit whose tax no guarantee covers, undoing what the
// adapter wrote of it (its quota) and rewriting its list. batch makes the
// references unique (the receipt sequence the batch starts after).
func SecureBatch(ctx context.Context, tx enterprise.GuaranteeTx, units []*Unit, batch int64,
	refuse func(*Unit, string) error) ([]GuaranteeRef, error) {
	type group struct {
		claim GuaranteeClaim
		units []*Unit
		total decimal.Decimal
	}
	var order []string
	groups := map[string]*group{}
	for _, u := range units {
		c := u.Guarantee
		if c == nil || u.Refused != "" {
			continue
		}
		k := c.AssureCode + "|" + c.Period
		g := groups[k]
		if g == nil {
			g = &group{claim: *c}
			groups[k] = g
			order = append(order, k)
		}
		g.units = append(g.units, u)
		g.total = g.total.Add(c.Amount)
	}
	var refs []GuaranteeRef
	for _, k := range order {
		g := groups[k]
		ref := fmt.Sprintf("cbec:%s:%s:%d", g.claim.AssureCode, g.claim.Period, batch)
		_, _, ok, err := enterprise.Debit(ctx, tx, g.claim.SCC, "", g.total, ref, g.claim.At)
		if err != nil {
			return nil, err
		}
		if ok {
			refs = append(refs, GuaranteeRef{g.claim.AssureCode, g.claim.Period, ref, toFen(g.total)})
			continue
		}
		for _, u := range g.units {
			c := u.Guarantee
			_, _, ok, err := enterprise.Debit(ctx, tx, c.SCC, "", c.Amount, "cbec:"+c.Ref, c.At)
			if err != nil {
				return nil, err
			}
			if ok {
				refs = append(refs, GuaranteeRef{c.AssureCode, c.Period, "cbec:" + c.Ref, toFen(c.Amount)})
			} else if err := refuse(u, "guarantee"); err != nil {
				return nil, err
			}
		}
	}
	return refs, nil
}

// ReleaseGuarantees gives back the debits of a paid period.
func ReleaseGuarantees(ctx context.Context, tx enterprise.GuaranteeTx, refs []string, at time.Time) error {
	for _, r := range refs {
		if _, err := enterprise.Restore(ctx, tx, r, at); err != nil {
			return err
		}
	}
	return nil
}
