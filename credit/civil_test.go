package credit

import (
	"testing"
	"time"
)

func TestCivilMatchesTime(t *testing.T) {
	for day := int32(-800); day < 40000; day += 7 {
		d := Date(day)
		tm := d.Time()
		y, m, dd := civil(day)
		if int(y) != tm.Year() || int(m) != int(tm.Month()) || int(dd) != tm.Day() {
			t.Fatalf("civil(%d) = %d-%d-%d, time says %s", day, y, m, dd, tm.Format(time.DateOnly))
		}
		for _, n := range []int{-25, -12, -3, -1, 0, 1, 3, 6, 12, 24} {
			if got, want := Date(addMonths(day, n)), d.AddMonths(n); got != want {
				t.Fatalf("addMonths(%s, %d) = %s, want %s", d, n, got, want)
			}
		}
	}
}
