package tariff

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/refdata"
	"github.com/jinguan-customs/jinguan/u128"
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
		r, err := t.rate(cur, on, used)
		if err != nil || cur == "CNY" {
			return amount, err
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

// rate is the customs exchange rate of cur on the day, recorded in used.
func (t *Valuer) rate(cur string, on time.Time, used map[string]string) (decimal.Decimal, error) {
	r, ok := t.Rates.ExchangeRate(cur, on)
	if !ok {
		return decimal.Zero, jinguan.Errorf(jinguan.EINVALID, "%s 无 %s 的海关汇率", "no customs exchange rate for %s on %s",
			cur, on.Format("2006-01-02"))
	}
	if _, seen := used[cur]; !seen {
		used[cur] = r.String()
	}
	return r, nil
}

// valuesFen is customsValues in integers (fen.go): each item's value in
// fen, or false when something does not fit and the decimal path must
// value the declaration. Rates are looked up and recorded in the same
// order.
func (t *Valuer) valuesFen(d *declaration.Declaration, on time.Time, used map[string]string) ([]int64, bool, error) {
	cny := func(amount wide, cur string) (wide, bool, error) {
		r, err := t.rate(cur, on, used)
		if err != nil || cur == "CNY" {
			return amount, true, err
		}
		rw, ok1 := fromDec(r)
		v, ok2 := mulW(amount, rw)
		return v, ok1 && ok2, nil
	}
	ok := true
	add := func(a, b wide) wide {
		s, o := addW(a, b)
		ok = ok && o
		return s
	}
	charge := func(c *declaration.Charge, base wide, gross decimal.Decimal) (wide, error) {
		rate, o := fromDec(c.Rate)
		ok = ok && o
		switch c.Mark {
		case "1":
			x, o1 := mulW(base, rate)
			x, o2 := div(x, wide{u128.From(100), 0})
			ok = ok && o1 && o2
			return x, nil
		case "2":
			g, o1 := fromDec(gross)
			x, o2 := mulW(rate, g)
			x, o3 := div(x, wide{u128.From(1000), 0})
			ok = ok && o1 && o2 && o3
			x, o, err := cny(x, c.Currency)
			ok = ok && o
			return x, err
		default:
			x, o, err := cny(rate, c.Currency)
			ok = ok && o
			return x, err
		}
	}
	goods := make([]wide, len(d.Items))
	var total wide
	for i, it := range d.Items {
		a, o := fromDec(it.DeclTotal)
		v, o2, err := cny(a, it.TradeCurr)
		if err != nil {
			return nil, false, err
		}
		ok = ok && o && o2
		goods[i], total = v, add(total, v)
	}
	h := d.Head
	freightIn := t.Codes.Attr(refdata.TransactionTerm, h.TransMode, "freight_included", on) == "1"
	insurIn := t.Codes.Attr(refdata.TransactionTerm, h.TransMode, "insurance_included", on) == "1"
	var extra, freight wide
	var err error
	if !freightIn && h.Fee != nil {
		if freight, err = charge(h.Fee, total, h.GrossWet); err != nil {
			return nil, false, err
		}
	}
	extra = add(extra, freight)
	if !insurIn {
		base := add(total, freight)
		di, o := fromDec(t.Config.DefaultInsurance)
		ins, o2 := mulW(base, di)
		ok = ok && o && o2
		if h.Insur != nil {
			if ins, err = charge(h.Insur, base, h.GrossWet); err != nil {
				return nil, false, err
			}
		}
		extra = add(extra, ins)
	}
	if h.Other != nil {
		o, err := charge(h.Other, total, h.GrossWet)
		if err != nil {
			return nil, false, err
		}
		extra = add(extra, o)
	}
	if !ok {
		return nil, false, nil
	}
	out, ok := allocateFen(goods, total, extra)
	return out, ok, nil
}

// allocateFen is allocate in integers, to fen.
func allocateFen(goods []wide, total, extra wide) ([]int64, bool) {
	out := make([]int64, len(goods))
	if len(goods) == 0 {
		return out, true
	}
	whole, ok := roundFen(addW(total, extra))
	var sum int64
	spread := !total.c.IsZero() && !extra.c.IsZero()
	for i, g := range goods {
		if i == len(goods)-1 {
			out[i] = whole - sum
			break
		}
		share := g
		if spread {
			x, o1 := mulW(extra, g)
			q, o2 := div(x, total)
			var o3 bool
			share, o3 = addW(g, q)
			ok = ok && o1 && o2 && o3
		}
		var o bool
		out[i], o = roundFen(share, true)
		ok = ok && o
		sum += out[i]
	}
	return out, ok && out[len(out)-1] >= 0
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
