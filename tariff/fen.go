package tariff

import (
	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/u128"
)

// The tax stage in integers, for the common case: non-negative amounts
// and rates short enough that every intermediate value fits 128 bits.
// Each step computes exactly the value the decimal path computes — the
// products exactly, a division rounded half up at decimal.DivisionPrecision
// places as decimal's Div does, a rounding to places half up as its Round
// does on non-negative values — so the results are equal digit for digit;
// fen_test.go compares the two on random declarations. Anything that does
// not fit falls back to the decimal path. shopspring/decimal allocates a
// big.Int for every operation, which was half of the stage's time.

// wide is the non-negative number c × 10^-s.
type wide struct {
	c u128.Uint
	s int
}

// fromDec is d as a wide; false when negative or too long.
func fromDec(d decimal.Decimal) (wide, bool) {
	if d.Sign() < 0 || d.NumDigits() > 18 {
		return wide{}, false
	}
	c, e := uint64(d.CoefficientInt64()), int(d.Exponent())
	if e > 0 {
		if e > 18 {
			return wide{}, false
		}
		return wide{u128.Mul64(c, u128.Pow10[e]), 0}, true
	}
	if -e > 36 {
		return wide{}, false
	}
	return wide{u128.From(c), -e}, true
}

func fen(f int64) wide { return wide{u128.From(uint64(f)), 2} }

// at is w with scale s, which must not be below w's.
func (w wide) at(s int) (wide, bool) {
	c, ok := w.c.MulPow10(s - w.s)
	return wide{c, s}, ok && s <= 38
}

func addW(a, b wide) (wide, bool) {
	s := max(a.s, b.s)
	a, ok1 := a.at(s)
	b, ok2 := b.at(s)
	c, ok3 := a.c.Add(b.c)
	return wide{c, s}, ok1 && ok2 && ok3
}

func mulW(a, b wide) (wide, bool) {
	if a.c.Hi != 0 && b.c.Hi != 0 {
		return wide{}, false
	}
	if a.c.Hi != 0 {
		a, b = b, a
	}
	c, ok := b.c.Mul(a.c.Lo)
	return wide{c, a.s + b.s}, ok && a.s+b.s <= 38
}

// div is a / b rounded half up at decimal.DivisionPrecision places, as
// decimal's Div, with trailing zeros dropped; false when it does not fit.
func div(a, b wide) (wide, bool) {
	p := int(decimal.DivisionPrecision)
	if b.c.Hi != 0 || b.c.Lo == 0 || p > 38 {
		return wide{}, false
	}
	// a/b at p places is a.c × 10^m / b.c, or a.c / (b.c × 10^-m).
	n, d, ok := a.c, b.c.Lo, true
	if m := p + b.s - a.s; m >= 0 {
		n, ok = n.MulPow10(m)
	} else {
		var dd u128.Uint
		dd, ok = u128.From(d).MulPow10(-m)
		d, ok = dd.Lo, ok && dd.Hi == 0
	}
	if !ok {
		return wide{}, false
	}
	q, ok := n.QuoHalfUp(d)
	w := wide{q, p}
	for ok && w.s > 0 {
		t, r := w.c.Quo(10)
		if r != 0 {
			break
		}
		w = wide{t, w.s - 1}
	}
	return w, ok
}

// roundFen is w rounded half up to fen, as decimal's Round(2).
func roundFen(w wide, ok bool) (int64, bool) {
	if !ok {
		return 0, false
	}
	f, ok := w.c.DivPow10HalfUp(w.s - 2)
	return int64(f), ok && f <= 1<<62
}

func fenDec(f int64) decimal.Decimal { return decimal.New(f, -2) }

// percent is a rate in percent as a fraction.
func percent(d decimal.Decimal) (wide, bool) {
	w, ok := fromDec(d)
	w.s += 2
	return w, ok && w.s <= 38
}

// amountFen is a rate's amount on value (fen) and qty, rounded to fen, as
// Rate.amount followed by Round(2).
func amountFen(r Rate, value int64, qty decimal.Decimal) (int64, bool) {
	adv, ok1 := percent(r.AdValorem)
	a, ok2 := mulW(fen(value), adv)
	if !(ok1 && ok2) {
		return 0, false
	}
	if !r.Specific.IsZero() {
		q, ok3 := fromDec(qty)
		sp, ok4 := fromDec(r.Specific)
		qs, ok5 := mulW(q, sp)
		var ok6 bool
		a, ok6 = addW(a, qs)
		if !(ok3 && ok4 && ok5 && ok6) {
			return 0, false
		}
	}
	return roundFen(a, true)
}

// ctFen is consumptionTax(ct, base, qty) rounded to fen.
func ctFen(ct Rate, base int64, qty decimal.Decimal) (int64, bool) {
	q, ok1 := fromDec(qty)
	sp, ok2 := fromDec(ct.Specific)
	spec, ok3 := mulW(q, sp)
	if !(ok1 && ok2 && ok3) {
		return 0, false
	}
	if ct.AdValorem.IsZero() {
		return roundFen(spec, true)
	}
	r, ok := percent(ct.AdValorem)
	if !ok {
		return 0, false
	}
	// 1 − r, at r's scale.
	one, _ := wide{u128.From(1), 0}.at(r.s)
	if r.c.Hi != 0 || one.c.Hi != 0 || r.c.Lo >= one.c.Lo {
		return 0, false
	}
	rest := wide{u128.From(one.c.Lo - r.c.Lo), r.s}
	x, ok1 := addW(fen(base), spec)
	qt, ok2 := div(x, rest)
	t, ok3 := mulW(qt, r)
	t, ok4 := addW(t, spec)
	if !(ok1 && ok2 && ok3 && ok4) {
		return 0, false
	}
	return roundFen(t, true)
}

// vatFen is (base + ct) × vat% rounded to fen.
func vatFen(base, ct int64, vat decimal.Decimal) (int64, bool) {
	v, ok := percent(vat)
	if !ok {
		return 0, false
	}
	return roundFen(mulW(fen(base+ct), v))
}
