package tariff

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/refdata"
)

// TaxConfig holds the valuation and rounding settings (domain.md §2).
type TaxConfig struct {
	// DefaultInsurance is applied to (goods + freight) when the price
	// excludes insurance and none is declared: 3‰ [practice].
	DefaultInsurance decimal.Decimal `json:"default_insurance"`
	// DutyDeMinimis: a consignment's duty at or under it is not collected [default 50 CNY].
	DutyDeMinimis decimal.Decimal `json:"duty_de_minimis"`
	// Places each tax is rounded half-up to [default 2 = fen].
	Places int32 `json:"places"`
}

// DefaultTaxConfig returns domain.md's defaults.
func DefaultTaxConfig() TaxConfig {
	return TaxConfig{DefaultInsurance: decimal.RequireFromString("0.003"), DutyDeMinimis: decimal.NewFromInt(50), Places: 2}
}

// ExchangeRates gives CNY per unit of a currency on a date.
type ExchangeRates interface {
	ExchangeRate(currency string, on time.Time) (decimal.Decimal, bool)
}

// BasicTax is the foundation's tax stage: ad valorem duty at the MFN rate
// (general rate for unknown origin) plus VAT, on the CIF value in CNY.
// The tariff module's full rate selection replaces it.
type BasicTax struct {
	Schedule *Schedule
	Rates    ExchangeRates
	Codes    declaration.Codes // transaction terms say what the price includes
	Config   TaxConfig
}

const basicMethod = "basic: ad valorem duty (MFN; general if origin unknown) + VAT on CIF value"

var hundred = decimal.NewFromInt(100)

// Assess implements declaration.TaxStage.
func (t *BasicTax) Assess(_ context.Context, d *declaration.Declaration, at time.Time) (declaration.TaxAssessment, error) {
	ta := declaration.TaxAssessment{Method: basicMethod, AssessedAt: at, Rates: map[string]string{}}
	if d.Head.IEFlag != "I" {
		ta.Method = "basic: exports carry no duty lines in the schedule"
		return ta, nil
	}
	on := d.DeclDate()
	values, err := t.customsValues(d, on, ta.Rates)
	if err != nil {
		return ta, err
	}
	for i, it := range d.Items {
		line, ok := t.Schedule.Line(it.CodeTS, on)
		if !ok {
			return ta, jinguan.Errorf(jinguan.EINVALID, "税则中无商品编号 %s", "no tariff line %s", it.CodeTS)
		}
		rate, rule := line.MFN, "MFN"
		if it.OriginCountry == "" || it.OriginCountry == "ZZZ" {
			rate, rule = line.General, "general (origin unknown)"
		}
		cv := values[i]
		duty := cv.Mul(rate).Div(hundred).Round(t.Config.Places)
		ta.Items = append(ta.Items, declaration.ItemTax{GNo: it.GNo, CodeTS: it.CodeTS, CustomsValue: cv,
			DutyRate: rate, DutyRule: rule, Duty: duty, VATRate: line.VAT})
		ta.Duty = ta.Duty.Add(duty)
	}
	if ta.Duty.LessThanOrEqual(t.Config.DutyDeMinimis) && ta.Duty.IsPositive() {
		ta.DutyWaived = true
	}
	for i := range ta.Items {
		it := &ta.Items[i]
		if ta.DutyWaived {
			it.Duty = decimal.Zero
		}
		it.VAT = it.CustomsValue.Add(it.Duty).Mul(it.VATRate).Div(hundred).Round(t.Config.Places)
		ta.VAT = ta.VAT.Add(it.VAT)
	}
	if ta.DutyWaived {
		ta.Duty = decimal.Zero
	}
	ta.Total = ta.Duty.Add(ta.VAT)
	return ta, nil
}

// customsValues returns each item's CIF value in CNY, rounded to the fen:
// the goods price plus its share (by value) of freight, insurance and
// other costs that the transaction terms leave out.
func (t *BasicTax) customsValues(d *declaration.Declaration, on time.Time, used map[string]string) ([]decimal.Decimal, error) {
	cny := func(amount decimal.Decimal, cur string) (decimal.Decimal, error) {
		r, ok := t.Rates.ExchangeRate(cur, on)
		if !ok {
			return decimal.Zero, jinguan.Errorf(jinguan.EINVALID, "%s 无 %s 的海关汇率", "no customs exchange rate for %s on %s",
				cur, on.Format("2006-01-02"))
		}
		used[cur] = r.String()
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
func (t *BasicTax) charge(c *declaration.Charge, base, grossKg decimal.Decimal,
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
		if total.IsPositive() {
			share = g.Add(extra.Mul(g).Div(total))
		}
		out[i] = share.Round(places)
		sum = sum.Add(out[i])
	}
	return out
}
