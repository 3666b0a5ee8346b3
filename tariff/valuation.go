package tariff

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/refdata"
)

// Valuer computes customs values (计税价格) in CNY: CIF, adding what the
// transaction terms leave out, converted at the dated customs rate.
type Valuer struct {
	Rates  ExchangeRates
	Codes  declaration.Codes // transaction terms say what the price includes
	Config TaxConfig
}

// customsValues returns each item's CIF value in CNY, rounded to the fen:
// the goods price plus its share (by value) of freight, insurance and
// other costs that the transaction terms leave out.
func (t *Valuer) customsValues(d *declaration.Declaration, on time.Time, used map[string]string) ([]decimal.Decimal, error) {
	cny := func(amount decimal.Decimal, cur string) (decimal.Decimal, error) {
		r, ok := t.Rates.ExchangeRate(cur, on)
		if !ok {
			return decimal.Zero, jinguan.Errorf(jinguan.EINVALID, "%s 无 %s 的海关汇率", "no customs exchange rate for %s on %s",
				cur, on.Format("2006-01-02"))
		}
		if _, seen := used[cur]; !seen {
			used[cur] = r.String()
		}
		if cur == "CNY" {
			return amount, nil
		}
		return amount.Mul(r), nil
	}
	goods := make([]decimal.Decimal, len(d.Items))
	var total decimal.Decimal
	for i, it := range d.Items {
		v, err := cny(it.DeclTotal, it.TradeCurr)
		if err != nil {
			return nil, err
		}
		goods[i], total = v, total.Add(v)
	}
	h := d.Head
	freightIn := t.Codes.Attr(refdata.TransactionTerm, h.TransMode, "freight_included", on) == "1"
	insurIn := t.Codes.Attr(refdata.TransactionTerm, h.TransMode, "insurance_included", on) == "1"
	var extra decimal.Decimal
	freight := decimal.Zero
	if !freightIn && h.Fee != nil {
		f, err := t.charge(h.Fee, total, h.GrossWet, cny)
		if err != nil {
			return nil, err
		}
		freight = f
	}
	extra = extra.Add(freight)
	if !insurIn {
		ins := total.Add(freight).Mul(t.Config.DefaultInsurance)
		if h.Insur != nil {
			var err error
			if ins, err = t.charge(h.Insur, total.Add(freight), h.GrossWet, cny); err != nil {
				return nil, err
			}
		}
		extra = extra.Add(ins)
	}
	if h.Other != nil {
		o, err := t.charge(h.Other, total, h.GrossWet, cny)
		if err != nil {
			return nil, err
		}
		extra = extra.Add(o)
	}
	return allocate(goods, total, extra, t.Config.Places), nil
}

// charge converts a freight/insurance/other entry to CNY. A rate applies to
// base; a unit price is per tonne of gross weight; a total is as declared.
func (t *Valuer) charge(c *declaration.Charge, base, grossKg decimal.Decimal,
	cny func(decimal.Decimal, string) (decimal.Decimal, error)) (decimal.Decimal, error) {
	switch c.Mark {
	case "1":
		return base.Mul(c.Rate).Div(hundred), nil
	case "2":
		return cny(c.Rate.Mul(grossKg).Div(decimal.NewFromInt(1000)), c.Currency)
	default:
		return cny(c.Rate, c.Currency)
	}
}

// allocate spreads extra over the items by value and rounds each value;
// the last item takes the rounding remainder so the parts add up.
func allocate(goods []decimal.Decimal, total, extra decimal.Decimal, places int32) []decimal.Decimal {
	out := make([]decimal.Decimal, len(goods))
	whole := total.Add(extra).Round(places)
	var sum decimal.Decimal
	for i, g := range goods {
		if i == len(goods)-1 {
			out[i] = whole.Sub(sum)
			break
		}
		share := g
		if total.IsPositive() && !extra.IsZero() {
			share = g.Add(extra.Mul(g).Div(total))
		}
		out[i] = share.Round(places)
		sum = sum.Add(out[i])
	}
	return out
}
