// Package u128 is unsigned 128-bit arithmetic for exact money sums: the
// tax stages compute in integers what the decimal path computes, and a
// product of an amount and a rate, scaled to a division's precision, needs
// more than 64 bits. Every operation reports overflow instead of wrapping.
package u128

import "math/bits"

// Uint is Hi·2⁶⁴ + Lo.
type Uint struct{ Hi, Lo uint64 }

// Pow10 are the powers of ten that fit 64 bits.
var Pow10 = func() (p [20]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return
}()

// From is x.
func From(x uint64) Uint { return Uint{0, x} }

// Mul64 is a × b, which always fits.
func Mul64(a, b uint64) Uint {
	hi, lo := bits.Mul64(a, b)
	return Uint{hi, lo}
}

// IsZero says x is 0.
func (x Uint) IsZero() bool { return x.Hi == 0 && x.Lo == 0 }

// Mul is x × m; false on overflow.
func (x Uint) Mul(m uint64) (Uint, bool) {
	hh, hl := bits.Mul64(x.Hi, m)
	lh, ll := bits.Mul64(x.Lo, m)
	hi, c := bits.Add64(hl, lh, 0)
	return Uint{hi, ll}, hh == 0 && c == 0
}

// Add is x + y; false on overflow.
func (x Uint) Add(y Uint) (Uint, bool) {
	lo, c := bits.Add64(x.Lo, y.Lo, 0)
	hi, c2 := bits.Add64(x.Hi, y.Hi, c)
	return Uint{hi, lo}, c2 == 0
}

// MulPow10 is x × 10^e; false on overflow.
func (x Uint) MulPow10(e int) (Uint, bool) {
	ok := true
	for ; e > 0 && ok; e -= 18 {
		x, ok = x.Mul(Pow10[min(e, 18)])
	}
	return x, ok
}

// Quo is x / d rounded down, and the remainder.
func (x Uint) Quo(d uint64) (Uint, uint64) {
	hq, hr := x.Hi/d, x.Hi%d
	lq, r := bits.Div64(hr, x.Lo, d)
	return Uint{hq, lq}, r
}

// QuoHalfUp is x / d rounded half up; false when d is 0 or above 2⁶³.
func (x Uint) QuoHalfUp(d uint64) (Uint, bool) {
	if d == 0 || d >= 1<<63 {
		return Uint{}, false
	}
	q, r := x.Quo(d)
	if r >= d-r {
		return q.Add(From(1))
	}
	return q, true
}

// DivPow10HalfUp is x / 10^e rounded half up (x × 10^-e for e < 0); false
// when the result does not fit 64 bits.
func (x Uint) DivPow10HalfUp(e int) (uint64, bool) {
	if e <= 0 {
		x, ok := x.MulPow10(-e)
		return x.Lo, ok && x.Hi == 0
	}
	// Down to one digit more, then that digit decides:
	// floor(floor(a / x) / y) = floor(a / xy).
	for e--; e > 0; e -= 18 {
		x, _ = x.Quo(Pow10[min(e, 18)])
	}
	x, r := x.Quo(10)
	if r >= 5 {
		x, _ = x.Add(From(1))
	}
	return x.Lo, x.Hi == 0
}

// Cmp is -1, 0 or 1 as x is below, equal to or above y.
func (x Uint) Cmp(y Uint) int {
	switch {
	case x.Hi != y.Hi:
		if x.Hi < y.Hi {
			return -1
		}
		return 1
	case x.Lo < y.Lo:
		return -1
	case x.Lo > y.Lo:
		return 1
	}
	return 0
}
