package tariff

import (
	"time"

	"github.com/shopspring/decimal"
)

// Cross-border e-commerce retail import tax (跨境电商零售进口, domain.md §2,
// Caiguanshui 2016 No.18 and 2018 No.49). Pure functions: the caller keeps
// the buyer's running annual total.

// RetailConfig holds the limits; defaults from domain.md.
type RetailConfig struct {
	TransactionLimit decimal.Decimal `json:"transaction_limit"` // CNY per order [5,000]
	AnnualLimit      decimal.Decimal `json:"annual_limit"`      // CNY per buyer per calendar year [26,000]
	Share            decimal.Decimal `json:"share"`             // part of VAT and CT levied within limits [0.7]
	ReturnDays       int             `json:"return_days"`       // returns within this many days of release restore tax [30]
	Places           int32           `json:"places"`            // rounding, half-up [2]
}

// DefaultRetailConfig returns domain.md's limits.
func DefaultRetailConfig() RetailConfig {
	return RetailConfig{TransactionLimit: decimal.NewFromInt(5000), AnnualLimit: decimal.NewFromInt(26000),
		Share: decimal.RequireFromString("0.7"), ReturnDays: 30, Places: 2}
}

// RetailItem is one goods line of an order. Value is the actual
// transaction price in CNY including its freight and insurance.
type RetailItem struct {
	Value decimal.Decimal
	Qty   decimal.Decimal // first legal quantity, for specific rates
	Duty  Rate            // statutory duty rate, used only when taxed in full
	CT    *Rate           // nil: no consumption tax
	VAT   decimal.Decimal // percent
}

// RetailOrder is one order of one buyer. Indivisible marks a single
// article that cannot be split into several orders.
type RetailOrder struct {
	Items        []RetailItem
	Indivisible  bool
	AnnualBefore decimal.Decimal // buyer's counted total this calendar year before the order
}

// Retail channels.
const (
	RetailPreferential = "cbec_preferential" // within limits: no duty, 70 % of VAT and CT
	RetailFullTax      = "cbec_full_tax"     // single indivisible article over the order limit
	RetailGeneralTrade = "general_trade"     // outside the CBEC channel
)

// RetailTax is the outcome for an order.
type RetailTax struct {
	Channel      string
	Rule         Rule
	Value        decimal.Decimal // order value
	Duty, CT     decimal.Decimal
	VAT, Total   decimal.Decimal
	Counted      decimal.Decimal // added to the buyer's annual total
	AnnualAfter  decimal.Decimal
	CombinedRate decimal.Decimal // (CT + VAT)/(1 − CT) × share of a one-item order, percent; zero otherwise
	Lines        []RetailLine    // per item, in order: its part of Duty, CT and VAT (they add up to them)
}

// RetailLine is one item's rounded duty, consumption tax and VAT.
type RetailLine struct{ Duty, CT, VAT decimal.Decimal }

var (
	RuleRetailWithin   = Rule{"cbec_within_limits", "单次交易限值和年度限值以内，关税税率为0%，进口环节增值税、消费税按法定应纳税额的70%征收", "within the order and annual limits: duty 0 %, VAT and consumption tax at 70 % of the statutory amount"}
	RuleRetailFull     = Rule{"cbec_single_item_full", "完税价格超过单次交易限值但在年度限值以内的单件不可分割商品，按货物税率全额征收，计入年度交易总额", "single indivisible article over the order limit within the annual limit: taxed in full at the goods rates, counted toward the annual total"}
	RuleRetailOverYear = Rule{"cbec_over_annual_limit", "超过年度交易限值，按一般贸易管理", "over the annual limit: handled as general trade"}
	RuleRetailOverTxn  = Rule{"cbec_over_order_limit", "超过单次交易限值且非单件不可分割商品，按一般贸易管理", "over the order limit and not a single indivisible article: handled as general trade"}
)

// RetailImportTax computes an order's tax and what it adds to the buyer's
// annual total. General-trade orders carry no tax here: they need a goods
// declaration.
func RetailImportTax(cfg RetailConfig, o RetailOrder) RetailTax {
	t := RetailTax{AnnualAfter: o.AnnualBefore}
	for _, it := range o.Items {
		t.Value = t.Value.Add(it.Value)
	}
	withinYear := o.AnnualBefore.Add(t.Value).LessThanOrEqual(cfg.AnnualLimit)
	switch {
	case !withinYear:
		t.Channel, t.Rule = RetailGeneralTrade, RuleRetailOverYear
		return t
	case t.Value.LessThanOrEqual(cfg.TransactionLimit):
		t.Channel, t.Rule = RetailPreferential, RuleRetailWithin
	case len(o.Items) == 1 && o.Indivisible:
		t.Channel, t.Rule = RetailFullTax, RuleRetailFull
	default:
		t.Channel, t.Rule = RetailGeneralTrade, RuleRetailOverTxn
		return t
	}
	share := cfg.Share
	if t.Channel == RetailFullTax {
		share = one
	}
	t.Lines = make([]RetailLine, len(o.Items))
	for i, it := range o.Items {
		duty := decimal.Zero
		if t.Channel == RetailFullTax {
			duty = it.Duty.amount(it.Value, it.Qty).Round(cfg.Places)
		}
		base := it.Value.Add(duty)
		ct := decimal.Zero
		if it.CT != nil {
			ct = consumptionTax(*it.CT, base, it.Qty) // statutory, unrounded
		}
		vat := base.Add(ct).Mul(it.VAT.Shift(-2))
		l := RetailLine{Duty: duty, CT: ct.Mul(share).Round(cfg.Places), VAT: vat.Mul(share).Round(cfg.Places)}
		t.Lines[i] = l
		t.Duty = t.Duty.Add(l.Duty)
		t.CT = t.CT.Add(l.CT)
		t.VAT = t.VAT.Add(l.VAT)
	}
	if len(o.Items) == 1 && t.Channel == RetailPreferential {
		it := o.Items[0]
		r := decimal.Zero
		if it.CT != nil && it.CT.Specific.IsZero() {
			r = it.CT.AdValorem
		}
		t.CombinedRate = r.Add(it.VAT).Div(hundred.Sub(r)).Mul(share).Shift(2).Round(2)
	}
	t.Total = t.Duty.Add(t.CT).Add(t.VAT)
	t.Counted = t.Value
	t.AnnualAfter = o.AnnualBefore.Add(t.Counted)
	return t
}

// RetailReturn is what a return restores: the tax not collected or
// refunded and the amount taken off the buyer's annual total. Returns
// after the window restore nothing.
type RetailReturn struct {
	InWindow      bool
	TaxRestored   decimal.Decimal
	AnnualRestore decimal.Decimal
}

// ReturnRetail applies the return rule to a taxed order released at
// released and returned at returned (Beijing dates compared).
func ReturnRetail(cfg RetailConfig, t RetailTax, released, returned time.Time) RetailReturn {
	days := dayOf(returned) - dayOf(released)
	if t.Channel == RetailGeneralTrade || days < 0 || int(days) > cfg.ReturnDays {
		return RetailReturn{}
	}
	return RetailReturn{InWindow: true, TaxRestored: t.Total, AnnualRestore: t.Counted}
}

// RetailItemFor fills an order line's rates from the schedule: the duty
// rate the origin would get as ordinary goods (used when taxed in full),
// the consumption-tax and VAT rates of the line.
func (s *Schedule) RetailItemFor(code, origin string, on time.Time, value, qty decimal.Decimal) (RetailItem, error) {
	sel, err := s.Select(Query{Code: code, Origin: origin, On: on, Value: value, Qty: qty})
	if err != nil {
		return RetailItem{}, err
	}
	return RetailItem{Value: value, Qty: qty, Duty: sel.Duty, CT: sel.Consumption, VAT: sel.Line.VAT}, nil
}
