package u128

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// Every operation against math/big.
func TestAgainstBig(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for range 100_000 {
		a, b := r.Uint64()>>r.IntN(64), r.Uint64()>>r.IntN(64)
		x := Mul64(a, b)
		want := new(big.Int).Mul(new(big.Int).SetUint64(a), new(big.Int).SetUint64(b))
		if got := toBig(x); got.Cmp(want) != 0 {
			t.Fatalf("%d×%d = %v, want %v", a, b, got, want)
		}
		d := r.Uint64()>>r.IntN(63) | 1
		if q, ok := x.QuoHalfUp(d); ok {
			n := new(big.Int).Lsh(want, 1)
			n.Add(n, new(big.Int).SetUint64(d))
			if w := n.Quo(n, new(big.Int).SetUint64(2*d)); toBig(q).Cmp(w) != 0 {
				t.Fatalf("%d×%d/%d = %v, want %v", a, b, d, toBig(q), w)
			}
		}
		q, rem := x.Quo(d)
		back := new(big.Int).Mul(toBig(q), new(big.Int).SetUint64(d))
		if back.Add(back, new(big.Int).SetUint64(rem)).Cmp(want) != 0 || rem >= d {
			t.Fatalf("%v / %d: %v r %d", want, d, toBig(q), rem)
		}
		e := r.IntN(40)
		if q, ok := x.DivPow10HalfUp(e); ok {
			p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(e)), nil)
			n := new(big.Int).Lsh(want, 1)
			n.Add(n, p)
			if w := n.Quo(n, p.Lsh(p, 1)).Uint64(); w != q {
				t.Fatalf("%d×%d/10^%d = %d, want %d", a, b, e, q, w)
			}
		}
		m := r.Uint64()
		if y, ok := x.Mul(m); ok {
			if toBig(y).Cmp(new(big.Int).Mul(want, new(big.Int).SetUint64(m))) != 0 {
				t.Fatalf("%v × %d = %v", want, m, toBig(y))
			}
		} else if new(big.Int).Mul(want, new(big.Int).SetUint64(m)).BitLen() <= 128 {
			t.Fatalf("%v × %d reported as overflow", want, m)
		}
		if c := x.Cmp(Mul64(b, a)); c != 0 {
			t.Fatalf("Cmp of equal values: %d", c)
		}
	}
}

func toBig(x Uint) *big.Int {
	v := new(big.Int).SetUint64(x.Hi)
	v.Lsh(v, 64)
	return v.Or(v, new(big.Int).SetUint64(x.Lo))
}
