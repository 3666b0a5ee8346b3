package tariff

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
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

// QuotaCertificate is the licence code (关税配额证明) that puts a
// declaration's quota lines in quota.
const QuotaCertificate = "t"

const assessMethod = "tariff: rates by origin and date (domain.md §2); duty, trade remedies, consumption tax, VAT on the customs value"

var one, hundred = decimal.NewFromInt(1), decimal.NewFromInt(100)

// Assessor is the pipeline's tax stage: customs value, rate selection and
// duty, trade-remedy duties, consumption tax and VAT per item.
type Assessor struct {
	Schedule *Schedule
	Rates    ExchangeRates
	Codes    declaration.Codes
	Config   TaxConfig

	decimalOnly bool // tests: the reference path only
}

// Assess implements declaration.TaxStage.
func (t *Assessor) Assess(_ context.Context, d *declaration.Declaration, at time.Time) (declaration.TaxAssessment, error) {
	return t.assess(d, at, "")
}

// assess computes the taxes; producer names the maker for producer-specific
// trade remedies ("" = all other producers; the declaration has no field).
func (t *Assessor) assess(d *declaration.Declaration, at time.Time, producer string) (declaration.TaxAssessment, error) {
	ta := declaration.TaxAssessment{Method: assessMethod, AssessedAt: at, Rates: map[string]string{}, Schedule: t.Schedule.Version()}
	if d.Head.IEFlag != "I" {
		ta.Method = "tariff: exports carry no duty lines in the schedule"
		return ta, nil
	}
	on := d.DeclDate()
	v := Valuer{Rates: t.Rates, Codes: t.Codes, Config: t.Config}
	// Integers where they fit (fen.go), else decimals.
	fast := !t.decimalOnly && t.Config.Places == 2
	var valueFen []int64
	var values []decimal.Decimal
	var err error
	if fast {
		if valueFen, fast, err = v.valuesFen(d, on, ta.Rates); err != nil {
			return ta, err
		}
	}
	if fast {
		values = make([]decimal.Decimal, len(valueFen))
		for i, f := range valueFen {
			values[i] = fenDec(f)
		}
	} else if values, err = v.customsValues(d, on, ta.Rates); err != nil {
		return ta, err
	}
	rateDay, inQuota := RateDate(d), false
	for _, l := range d.Licences {
		inQuota = inQuota || l.DocuCode == QuotaCertificate
	}
	sels := make([]Selection, len(d.Items))
	for i, it := range d.Items {
		sel, err := t.Schedule.Select(Query{Code: it.CodeTS, Origin: it.OriginCountry, Agreement: it.Agreement,
			Producer: producer, On: rateDay, InQuota: inQuota, Value: values[i], Qty: it.FirstQty})
		if err != nil {
			return ta, err
		}
		sels[i] = sel
	}
	if fast && t.taxesFen(&ta, d, sels, values, valueFen) {
		return ta, nil
	}
	ta.Items = make([]declaration.ItemTax, len(d.Items))
	for i, it := range d.Items {
		ta.Items[i] = itemDuty(sels[i], it.GNo, it.CodeTS, values[i], it.FirstQty, t.Config.Places)
		ta.Duty = plus(ta.Duty, ta.Items[i].Duty)
	}
	if ta.Duty.IsPositive() && ta.Duty.LessThanOrEqual(t.Config.DutyDeMinimis) {
		ta.DutyWaived, ta.Duty = true, decimal.Zero
	}
	for i := range ta.Items {
		x := &ta.Items[i]
		if ta.DutyWaived {
			x.Duty = decimal.Zero
		}
		itemCTVAT(x, sels[i], d.Items[i].FirstQty, t.Config.Places)
		ta.RemedyDuty = plus(ta.RemedyDuty, x.RemedyDuty)
		ta.ConsumptionTax = plus(ta.ConsumptionTax, x.ConsumptionTax)
		ta.VAT = ta.VAT.Add(x.VAT)
	}
	ta.Total = plus(plus(ta.Duty, ta.RemedyDuty), ta.ConsumptionTax).Add(ta.VAT)
	return ta, nil
}

// taxesFen is the duties and taxes of assess in integers; false (and ta
// unchanged) when something does not fit.
func (t *Assessor) taxesFen(ta *declaration.TaxAssessment, d *declaration.Declaration, sels []Selection,
	values []decimal.Decimal, valueFen []int64) bool {
	items := make([]declaration.ItemTax, len(d.Items))
	duty := make([]int64, len(items))
	remedy := make([]int64, len(items))
	var dutySum, remedySum, ctSum, vatSum int64
	for i, it := range d.Items {
		x := itemRates(sels[i], it.GNo, it.CodeTS, values[i])
		var ok bool
		if duty[i], ok = amountFen(sels[i].Duty, valueFen[i], it.FirstQty); !ok {
			return false
		}
		for _, r := range sels[i].Remedies {
			amt, ok := amountFen(r.Rate, valueFen[i], it.FirstQty)
			if !ok {
				return false
			}
			x.Remedies = append(x.Remedies, declaration.RemedyDuty{Measure: r.Measure, Rate: r.Rate.AdValorem,
				Specific: r.Rate.Specific, Amount: fenDec(amt)})
			remedy[i] += amt
		}
		dutySum += duty[i]
		items[i] = x
	}
	waived := dutySum > 0 && fenDec(dutySum).LessThanOrEqual(t.Config.DutyDeMinimis)
	if waived {
		dutySum = 0
	}
	for i := range items {
		x := &items[i]
		if waived {
			duty[i] = 0
		}
		base := valueFen[i] + duty[i] + remedy[i]
		var ct int64
		if c := sels[i].Consumption; c != nil {
			var ok bool
			if ct, ok = ctFen(*c, base, d.Items[i].FirstQty); !ok {
				return false
			}
			x.CTRate, x.CTSpecific, x.ConsumptionTax = c.AdValorem, c.Specific, fenDec(ct)
		}
		vat, ok := vatFen(base, ct, x.VATRate)
		if !ok {
			return false
		}
		x.Duty, x.RemedyDuty, x.VAT = fenDec(duty[i]), fenDec(remedy[i]), fenDec(vat)
		remedySum, ctSum, vatSum = remedySum+remedy[i], ctSum+ct, vatSum+vat
	}
	ta.Items, ta.DutyWaived = items, waived
	ta.Duty, ta.RemedyDuty, ta.ConsumptionTax, ta.VAT = fenDec(dutySum), fenDec(remedySum), fenDec(ctSum), fenDec(vatSum)
	ta.Total = fenDec(dutySum + remedySum + ctSum + vatSum)
	return true
}

// RateDate is the day whose rates apply: the declaration date, or the
// transport's arrival when goods were declared before it (domain.md §2).
func RateDate(d *declaration.Declaration) time.Time {
	on := d.DeclDate()
	if d.Head.IEDate != "" {
		if arr, err := time.ParseInLocation(time.DateOnly, d.Head.IEDate, jinguan.China); err == nil && arr.After(on) {
			return arr
		}
	}
	return on
}

// itemDuty fills the item's rates, duty and trade-remedy duties.
func itemDuty(sel Selection, gno int, code string, value, qty decimal.Decimal, places int32) declaration.ItemTax {
	x := itemRates(sel, gno, code, value)
	x.Duty = sel.Duty.amount(value, qty).Round(places)
	for _, r := range sel.Remedies {
		amt := r.Rate.amount(value, qty).Round(places)
		x.Remedies = append(x.Remedies, declaration.RemedyDuty{Measure: r.Measure, Rate: r.Rate.AdValorem,
			Specific: r.Rate.Specific, Amount: amt})
		x.RemedyDuty = x.RemedyDuty.Add(amt)
	}
	return x
}

// itemRates is the item's line with the rates and rules that apply.
func itemRates(sel Selection, gno int, code string, value decimal.Decimal) declaration.ItemTax {
	return declaration.ItemTax{GNo: gno, CodeTS: code, CustomsValue: value,
		DutyCategory: sel.Category, Scheme: sel.Scheme, DutyKind: sel.Duty.Kind(),
		DutyRate: sel.Duty.AdValorem, DutySpecific: sel.Duty.Specific,
		DutyRuleCode: sel.Rule.Code, DutyRuleZH: sel.Rule.ZH, DutyRule: sel.Rule.EN, VATRate: sel.Line.VAT}
}

// itemCTVAT adds consumption tax and VAT. Trade-remedy duties count as
// duty in both bases; a waived duty does not.
func itemCTVAT(x *declaration.ItemTax, sel Selection, qty decimal.Decimal, places int32) {
	base := plus(plus(x.CustomsValue, x.Duty), x.RemedyDuty)
	if ct := sel.Consumption; ct != nil {
		x.CTRate, x.CTSpecific = ct.AdValorem, ct.Specific
		x.ConsumptionTax = consumptionTax(*ct, base, qty).Round(places)
	}
	x.VAT = plus(base, x.ConsumptionTax).Mul(x.VATRate.Shift(-2)).Round(places)
}

// consumptionTax on a value that already includes duty: the composite
// base (value + qty × specific) / (1 − rate) times the rate, plus
// qty × specific. Specific alone reduces to qty × specific.
func consumptionTax(ct Rate, value, qty decimal.Decimal) decimal.Decimal {
	spec := qty.Mul(ct.Specific)
	if ct.AdValorem.IsZero() {
		return spec
	}
	r := ct.AdValorem.Shift(-2)
	return value.Add(spec).Div(one.Sub(r)).Mul(r).Add(spec)
}

// plus is a + b without the allocation when b is zero, the common case
// for remedies and consumption tax.
func plus(a, b decimal.Decimal) decimal.Decimal {
	if b.IsZero() {
		return a
	}
	return a.Add(b)
}
