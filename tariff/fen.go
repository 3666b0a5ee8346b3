package tariff

import (
	"math/bits"

	"github.com/shopspring/decimal"
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
	c u128
	s int
}

type u128 struct{ hi, lo uint64 }

// pow10u are the powers of ten that fit 64 bits.
var pow10u = func() (p [20]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return
}()

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
		hi, lo := bits.Mul64(c, pow10u[e])
		return wide{u128{hi, lo}, 0}, true
	}
	if -e > 36 {
		return wide{}, false
	}
	return wide{u128{0, c}, -e}, true
}

func fen(f int64) wide { return wide{u128{0, uint64(f)}, 2} }

// mulSmall is x × m, false on overflow.
func (x u128) mulSmall(m uint64) (u128, bool) {
	hi1, lo := bits.Mul64(x.lo, m)
	hi2, mid := bits.Mul64(x.hi, m)
	hi, carry := bits.Add64(hi1, mid, 0)
	return u128{hi, lo}, hi2 == 0 && carry == 0
}

func (x u128) isZero() bool { return x.hi == 0 && x.lo == 0 }

func (x u128) add(y u128) (u128, bool) {
	lo, c := bits.Add64(x.lo, y.lo, 0)
	hi, c2 := bits.Add64(x.hi, y.hi, c)
	return u128{hi, lo}, c2 == 0
}

// divSmall is x / d and its remainder.
func (x u128) divSmall(d uint64) (u128, uint64) {
	qhi, r := x.hi/d, x.hi%d
	qlo, r := bits.Div64(r, x.lo, d)
	return u128{qhi, qlo}, r
}

// scaleUp multiplies x by 10^n.
func (x u128) scaleUp(n int) (u128, bool) {
	ok := true
	for n > 0 && ok {
		k := min(n, 19)
		x, ok = x.mulSmall(pow10u[k])
		n -= k
	}
	return x, ok
}

// at is w with scale s, which must not be below w's.
func (w wide) at(s int) (wide, bool) {
	c, ok := w.c.scaleUp(s - w.s)
	return wide{c, s}, ok && s <= 38
}

func addW(a, b wide) (wide, bool) {
	s := max(a.s, b.s)
	a, ok1 := a.at(s)
	b, ok2 := b.at(s)
	c, ok3 := a.c.add(b.c)
	return wide{c, s}, ok1 && ok2 && ok3
}

func mulW(a, b wide) (wide, bool) {
	if a.c.hi != 0 && b.c.hi != 0 {
		return wide{}, false
	}
	if a.c.hi != 0 {
		a, b = b, a
	}
	c, ok := b.c.mulSmall(a.c.lo)
	return wide{c, a.s + b.s}, ok && a.s+b.s <= 38
}

// round is w rounded half up to places, as decimal's Round: truncate to
// places+1, add five, truncate.
func (w wide) round(places int) (wide, bool) {
	if w.s <= places {
		return w.at(places)
	}
	c := w.c
	for n := w.s - places - 1; n > 0; {
		k := min(n, 19)
		c, _ = c.divSmall(pow10u[k])
		n -= k
	}
	c, r := c.divSmall(10)
	if r >= 5 {
		c, _ = c.add(u128{0, 1})
	}
	return wide{c, places}, true
}

// div is a / b rounded half up at decimal.DivisionPrecision places, as
// decimal's Div, with trailing zeros dropped; false when b is zero or does
// not fit 64 bits.
func div(a, b wide) (wide, bool) {
	p := int(decimal.DivisionPrecision)
	if b.c.hi != 0 || b.c.lo == 0 || p > 38 {
		return wide{}, false
	}
	// a/b at p places is a.c × 10^m / b.c.
	m := p + b.s - a.s
	var q u128
	var up bool
	if m >= 0 {
		n, ok := a.c.scaleUp(m)
		if !ok {
			return wide{}, false
		}
		var r uint64
		q, r = n.divSmall(b.c.lo)
		up = r >= b.c.lo-r
	} else {
		// a.c / (10^k × b.c) in two floor divisions; the remainder of the
		// whole division is r2 × 10^k + r1.
		k := -m
		if k > 19 {
			return wide{}, false
		}
		q1, r1 := a.c.divSmall(pow10u[k])
		var r2 uint64
		q, r2 = q1.divSmall(b.c.lo)
		rem, ok1 := u128{0, r2}.mulSmall(pow10u[k])
		rem, ok2 := rem.add(u128{0, r1})
		d, ok3 := u128{0, b.c.lo}.mulSmall(pow10u[k])
		if !(ok1 && ok2 && ok3) || rem.hi>>63 != 0 {
			return wide{}, false
		}
		rem2 := u128{rem.hi<<1 | rem.lo>>63, rem.lo << 1}
		up = rem2.cmp(d) >= 0
	}
	if up {
		q, _ = q.add(u128{0, 1})
	}
	w := wide{q, p}
	for w.s > 0 {
		t, r := w.c.divSmall(10)
		if r != 0 {
			break
		}
		w = wide{t, w.s - 1}
	}
	return w, true
}

func (x u128) cmp(y u128) int {
	switch {
	case x.hi != y.hi:
		if x.hi < y.hi {
			return -1
		}
		return 1
	case x.lo < y.lo:
		return -1
	case x.lo > y.lo:
		return 1
	}
	return 0
}

// fenOf is w, already at two places, as fen.
func (w wide) fenOf() (int64, bool) {
	if w.s != 2 || w.c.hi != 0 || w.c.lo > 1<<62 {
		return 0, false
	}
	return int64(w.c.lo), true
}

// roundFen is w rounded half up to fen.
func roundFen(w wide, ok bool) (int64, bool) {
	if !ok {
		return 0, false
	}
	r, _ := w.round(2)
	return r.fenOf()
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
	one, _ := wide{u128{0, 1}, 0}.at(r.s)
	if r.c.hi != 0 || one.c.hi != 0 || r.c.lo >= one.c.lo {
		return 0, false
	}
	rest := wide{u128{0, one.c.lo - r.c.lo}, r.s}
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
