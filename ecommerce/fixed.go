package ecommerce

import "math/bits"

// Exact integer arithmetic for the amount checks every document goes
// through. Elements are checked decimals with at most 5 places, so a value
// scaled by 10⁵ is an exact integer; with at most 13 whole digits it fits
// an int64 with room for sums. The integer path answers only "equal" or
// "within"; anything else — a value too long for it, an overflow, a
// mismatch — goes to the decimal path, which decides and words the
// problem. fixed_test.go checks the two paths agree.

const fixedScale = 100_000

// fixed5 is s scaled by 10⁵, when s is a non-negative decimal with at most
// 13 whole digits and 5 places.
func fixed5(s string) (int64, bool) {
	var v int64
	i, whole := 0, 0
	for ; i < len(s) && s[i] != '.'; i++ {
		c := s[i]
		if c < '0' || c > '9' || whole == 13 {
			return 0, false
		}
		v = v*10 + int64(c-'0')
		whole++
	}
	if whole == 0 {
		return 0, false
	}
	places := 0
	if i < len(s) {
		i++ // the dot
		if i == len(s) {
			return 0, false
		}
		for ; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' || places == 5 {
				return 0, false
			}
			v = v*10 + int64(c-'0')
			places++
		}
	}
	for ; places < 5; places++ {
		v *= 10
	}
	return v, true
}

// addFixed adds without overflow (both are non-negative).
func addFixed(a, b int64) (int64, bool) {
	s := a + b
	return s, s >= a
}

// fenOf rounds a value scaled by 10⁵ half up to fen.
func fenOf(v int64) int64 { return (v + 500) / 1000 }

// lineFen is qty × price rounded half up to fen, both scaled by 10⁵.
func lineFen(qty, price int64) (int64, bool) {
	hi, lo := bits.Mul64(uint64(qty), uint64(price)) // scaled by 10¹⁰
	lo, c := bits.Add64(lo, 50_000_000, 0)
	hi += c
	if hi >= 100_000_000 {
		return 0, false
	}
	q, _ := bits.Div64(hi, lo, 100_000_000)
	return int64(q), q < 1<<62
}

// sumFixed adds the values of s, each as fixed5.
func sumFixed(n int, value func(int) string) (int64, bool) {
	var sum int64
	for i := 0; i < n; i++ {
		v, ok := fixed5(value(i))
		if !ok {
			return 0, false
		}
		if sum, ok = addFixed(sum, v); !ok {
			return 0, false
		}
	}
	return sum, true
}
