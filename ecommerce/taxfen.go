package ecommerce

import (
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/refdata"
	"github.com/jinguan-customs/jinguan/tariff"
	"github.com/jinguan-customs/jinguan/u128"
)

// The tax of a list in integers, for the common case: a list in CNY
// within the order limit (the preferential channel), whose lines have
// ad-valorem rates only. It gives exactly what the decimal path (Assess,
// tariff.RetailImportTax) gives, digit for digit; taxfen_test.go compares
// the two on random lists. Anything else — another currency, a value too
// long, a specific rate, another channel — is left to the decimal path.
//
// Why it is exact. Amounts are integers of 10⁻⁵ CNY (elements have at most
// 5 places) or of fen; rates integers over a power of ten. Every product
// is exact; a rounding to fen is half up, as decimal's Round on
// non-negative values. Two steps divide:
//
//   - a line's share of freight and insurance, extra × total / sum, which
//     the decimal path rounds to 16 places and then to fen. In lowest terms
//     the quotient is P/Q with Q dividing sum × 10⁵; a fen boundary it is
//     not on is at least 1/(200Q) away, more than the 0.5 × 10⁻¹⁶ of the
//     first rounding when Q < 10¹⁴, so both roundings agree when sum × 10⁵
//     < 10¹⁴ (a sum under 10,000 CNY); a quotient on a boundary has three
//     places and the first rounding leaves it alone;
//   - the consumption tax base value / (1 − r), which the decimal path
//     rounds to decimal.DivisionPrecision places and goes on with: here
//     that rounded quotient is computed exactly (half up, as DivRound)
//     and used the same way.

// fenRates is a line's VAT and ad-valorem consumption tax as integers:
// percent = n / 10^e. ok is false when the rates have another form.
type fenRates struct {
	ok        bool
	vat, ct   int64
	vatE, ctE int
	hasCT     bool
}

func newFenRates(ri tariff.RetailItem) fenRates {
	f := fenRates{}
	var ok bool
	if f.vat, f.vatE, ok = decimalInt(ri.VAT); !ok {
		return f
	}
	if c := ri.CT; c != nil {
		if !c.Specific.IsZero() {
			return f
		}
		if !c.AdValorem.IsZero() {
			if f.ct, f.ctE, ok = decimalInt(c.AdValorem); !ok || f.ct >= pow10(f.ctE+2) {
				return f
			}
			f.hasCT = true
		}
	}
	f.ok = true
	return f
}

// decimalInt is d as n / 10^e with small n and e.
func decimalInt(d decimal.Decimal) (int64, int, bool) {
	if d.Sign() < 0 || !d.Coefficient().IsInt64() {
		return 0, 0, false
	}
	n, e := d.CoefficientInt64(), -int(d.Exponent())
	for ; e < 0; e++ {
		if n > 1<<40 {
			return 0, 0, false
		}
		n *= 10
	}
	return n, e, e <= 6 && n < 1<<40
}

// pow10 is 10^e as an int64.
func pow10(e int) int64 { return int64(u128.Pow10[e]) }

// retailFen is the retail configuration as integers.
type retailFen struct {
	ok              bool
	share           int64 // share = share / 10^shareE
	shareE          int
	txnFen, yearFen int64
}

func newRetailFen(c tariff.RetailConfig) retailFen {
	r := retailFen{}
	var ok1, ok2, ok3 bool
	r.share, r.shareE, ok1 = decimalInt(c.Share)
	r.txnFen, ok2 = exactFen(c.TransactionLimit)
	r.yearFen, ok3 = exactFen(c.AnnualLimit)
	r.ok = ok1 && ok2 && ok3 && c.Places == 2 && decimal.DivisionPrecision >= 2 && decimal.DivisionPrecision <= 20
	return r
}

func exactFen(d decimal.Decimal) (int64, bool) {
	n, e, ok := decimalInt(d)
	if !ok || e > 2 {
		return 0, false
	}
	return n * pow10(2-e), true
}

// cachedRate is a line's rates from the schedule in both forms.
type cachedRate struct {
	item tariff.RetailItem
	fen  fenRates
}

// rate is the cached rates of a line's code and origin on a day; false
// when the schedule has no such line.
func (t *Taxer) rate(gcode, origin string, on time.Time) (*cachedRate, bool) {
	k := rateKey{gcode, origin, refdata.Day(on)}
	if c, ok := t.cache.Load(k); ok {
		return c.(*cachedRate), true
	}
	ri, err := t.Schedule.RetailItemFor(gcode, origin, on, decimal.Zero, decimal.Zero)
	if err != nil {
		return nil, false
	}
	c := &cachedRate{item: ri, fen: newFenRates(ri)}
	t.cache.Store(k, c)
	return c, true
}

// assessFen is Assess's integer path; false leaves the list to the
// decimal path.
func (t *Taxer) assessFen(inv *Inventory, on time.Time, out *TaxBill) bool {
	t.fenOnce.Do(func() { t.fenCfg = newRetailFen(t.Config) })
	cfg := &t.fenCfg
	n := len(inv.Items)
	if !cfg.ok || n == 0 || n > 64 || inv.Head.Currency != "142" {
		return false
	}
	freight, ok1 := fixed5(inv.Head.Freight)
	insured, ok2 := fixed5(inv.Head.InsuredFee)
	if !ok1 || !ok2 {
		return false
	}
	extra := freight + insured
	var totals [64]int64
	var rates [64]*cachedRate
	var sum int64
	for i := range inv.Items {
		it := &inv.Items[i]
		v, ok := fixed5(it.TotalPrice)
		if !ok || v >= 1e14 {
			return false
		}
		totals[i], sum = v, sum+v
		origin, ok := t.Legacy.Country[it.Country]
		if !ok {
			return false
		}
		if rates[i], ok = t.rate(it.Gcode, origin, on); !ok || !rates[i].fen.ok {
			return false
		}
	}
	if sum >= 1e9 { // 10,000 CNY: see the bound above
		return false
	}
	// Each line's value: its total with its share of freight and
	// insurance, in fen; the last line takes what is left.
	var values [64]int64
	var value int64
	left := extra
	for i := range n {
		share := left // all of it when the sum is zero, as the decimal path does
		if i < n-1 && sum > 0 {
			q, ok := u128.Mul64(uint64(extra), uint64(totals[i])).QuoHalfUp(uint64(sum) * 1000)
			if !ok || q.Hi != 0 || q.Lo > 1<<40 {
				return false
			}
			share = int64(q.Lo) * 1000
			left -= share
		}
		v := totals[i] + share
		if v < 0 {
			return false
		}
		values[i] = (v + 500) / 1000
		value += values[i]
	}
	if value > cfg.yearFen || value > cfg.txnFen {
		return false // over a limit: another channel, decided by the decimal path
	}
	bill := *out
	bill.Channel, bill.Rule = tariff.RetailPreferential, tariff.RuleRetailWithin.Code
	bill.RuleZH, bill.RuleEN = tariff.RuleRetailWithin.ZH, tariff.RuleRetailWithin.EN
	bill.Items = make([]TaxItem, n)
	fen := &billFen{items: make([][4]int64, n)}
	var vatSum, ctSum int64
	for i := range n {
		ct, vat, ok := lineTaxFen(values[i], &rates[i].fen, cfg)
		if !ok {
			return false
		}
		vatSum, ctSum = vatSum+vat, ctSum+ct
		it := &inv.Items[i]
		gnum, _ := strconv.Atoi(it.Gnum)
		bill.Items[i] = TaxItem{Gnum: gnum, Gcode: it.Gcode, TaxPrice: decimal.New(values[i], -2), CustomsTax: decimal.Zero,
			ValueAddedTax: decimal.New(vat, -2), ConsumptionTax: decimal.New(ct, -2)}
		fen.items[i] = [4]int64{values[i], 0, vat, ct}
	}
	bill.Value = decimal.New(value, -2)
	bill.CustomsTax, bill.ValueAddedTax, bill.ConsumptionTax = decimal.Zero, decimal.New(vatSum, -2), decimal.New(ctSum, -2)
	bill.Total = decimal.New(vatSum+ctSum, -2)
	fen.sums = [5]int64{0, vatSum, ctSum, vatSum + ctSum, value}
	bill.fen = fen
	*out = bill
	return true
}

// lineTaxFen is a preferential line's consumption tax and VAT in fen, at
// the share: tariff.RetailImportTax's loop with duty zero.
func lineTaxFen(valueFen int64, r *fenRates, cfg *retailFen) (ct, vat int64, ok bool) {
	// base = value + ct, in units of 10^-u CNY.
	u := 2
	base := u128.From(uint64(valueFen))
	if r.hasCT {
		// q = value / (1 − rate) rounded half up to p places: value is
		// valueFen / 10², 1 − rate = (10^(e+2) − ct) / 10^(e+2).
		p := int(decimal.DivisionPrecision)
		num, ok := u128.Mul64(uint64(valueFen), uint64(pow10(r.ctE+2))).MulPow10(p - 2)
		if !ok {
			return 0, 0, false
		}
		q, ok := num.QuoHalfUp(uint64(pow10(r.ctE+2) - r.ct))
		if !ok {
			return 0, 0, false
		}
		// ct = q × rate: q / 10^p × ct / 10^(e+2).
		ctU, ok := q.Mul(uint64(r.ct))
		if !ok {
			return 0, 0, false
		}
		u = p + r.ctE + 2
		if ct, ok = shareFen(ctU, u, cfg); !ok {
			return 0, 0, false
		}
		if base, ok = base.MulPow10(u - 2); !ok {
			return 0, 0, false
		}
		if base, ok = base.Add(ctU); !ok {
			return 0, 0, false
		}
	}
	// vat = base × vat / 10^(e+2), at the share.
	b, ok := base.Mul(uint64(r.vat))
	if !ok {
		return 0, 0, false
	}
	vat, ok = shareFen(b, u+r.vatE+2, cfg)
	return ct, vat, ok
}

// shareFen is x / 10^u CNY times the share, rounded half up to fen.
func shareFen(x u128.Uint, u int, cfg *retailFen) (int64, bool) {
	x, ok := x.Mul(uint64(cfg.share))
	if !ok {
		return 0, false
	}
	q, ok := x.DivPow10HalfUp(u + cfg.shareE - 2)
	return int64(q), ok && q < 1<<62
}
