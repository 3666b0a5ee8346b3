package tariff

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Rate is a duty or consumption-tax rate: ad valorem (percent of value),
// specific (CNY per first legal unit) or compound (both, added).
//
// Text form, used in every schedule file: "10" is 10 %, "1.3/u" is
// 1.3 CNY per first legal unit, "5+2/u" is compound.
type Rate struct {
	AdValorem decimal.Decimal // percent
	Specific  decimal.Decimal // CNY per unit of the line's first legal unit
}

// Rate kinds (duty types).
const (
	AdValorem = "ad_valorem"
	Specific  = "specific"
	Compound  = "compound"
)

// Kind names the duty type.
func (r Rate) Kind() string {
	switch {
	case r.Specific.IsZero():
		return AdValorem
	case r.AdValorem.IsZero():
		return Specific
	default:
		return Compound
	}
}

func (r Rate) String() string {
	switch r.Kind() {
	case AdValorem:
		return r.AdValorem.String()
	case Specific:
		return r.Specific.String() + "/u"
	default:
		return r.AdValorem.String() + "+" + r.Specific.String() + "/u"
	}
}

// ParseRate reads the text form; the ad valorem part must lie in
// [0, maxPct] and the specific part must not be negative.
func ParseRate(s string, maxPct int64) (Rate, error) {
	var r Rate
	adv, spec, compound := strings.Cut(s, "+")
	if !compound {
		adv, spec = s, ""
		if strings.HasSuffix(s, "/u") {
			adv, spec = "", s
		}
	}
	if s == "" || (compound && (adv == "" || spec == "")) {
		return r, fmt.Errorf("%q: want a percentage, an amount per unit like 1.3/u, or both like 5+2/u", s)
	}
	if adv != "" {
		d, err := decimal.NewFromString(adv)
		if err != nil || d.IsNegative() || d.GreaterThan(decimal.NewFromInt(maxPct)) {
			return r, fmt.Errorf("%q: want a percentage from 0 to %d, an amount per unit like 1.3/u, or both like 5+2/u", s, maxPct)
		}
		r.AdValorem = d
	}
	if spec != "" {
		amt, ok := strings.CutSuffix(spec, "/u")
		d, err := decimal.NewFromString(amt)
		if !ok || err != nil || d.IsNegative() {
			return r, fmt.Errorf("%q: want an amount per first legal unit like 1.3/u", s)
		}
		r.Specific = d
	}
	return r, nil
}

// amount is the unrounded tax: value × percent + quantity × specific.
func (r Rate) amount(value, qty decimal.Decimal) decimal.Decimal {
	a := value.Mul(r.AdValorem.Shift(-2))
	if !r.Specific.IsZero() {
		a = a.Add(qty.Mul(r.Specific))
	}
	return a
}
