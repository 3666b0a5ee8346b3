package ecommerce

import (
	"strings"
	"testing"
)

// trimCheck agrees with strings.TrimSpace followed by hasControl.
func FuzzTrimCheck(f *testing.F) {
	for _, s := range []string{"", " ", "a", " a", "a ", "\ta\n", "a\x01b", "\x7f", "a\x7f", "\u3000张三\u3000", "张三",
		"1.00\u00a0", "\u0085x", "x\u2028", "a\x00", "\x1fa", "ORD0001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ctrl := trimCheck(s)
		want := strings.TrimSpace(s)
		if got != want || ctrl != hasControl(want) {
			t.Fatalf("trimCheck(%q) = %q, %v; want %q, %v", s, got, ctrl, want, hasControl(want))
		}
	})
}
