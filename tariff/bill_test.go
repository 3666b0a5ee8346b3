package tariff

import (
	"strings"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan"
)

func TestLateFee(t *testing.T) {
	c := DefaultBillConfig()
	at := func(s string) time.Time {
		x, err := time.ParseInLocation("2006-01-02 15:04", s, jinguan.China)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	for _, tc := range []struct {
		amount, due, paid, fee string
		days                   int
	}{
		{"10000.00", "2026-03-16", "2026-03-16 23:59", "0", 0}, // on the due day: no fee
		{"10000.00", "2026-03-16", "2026-03-10 09:00", "0", 0}, // early
		{"10000.00", "2026-03-16", "2026-03-17 00:00", "5", 1}, // 10,000 × 0.05 %
		{"10000.00", "2026-03-16", "2026-04-15 16:00", "150", 30},
		{"74773.65", "2026-03-16", "2026-03-19 08:00", "112.16", 3}, // 112.160475 → half-up to the fen
		{"1.01", "2026-03-16", "2026-03-17 08:00", "0", 1},          // 0.000505 rounds to nothing
		{"9.00", "2026-03-16", "2026-03-17 08:00", "0", 1},          // 0.0045 → 0.00
		{"10.00", "2026-03-16", "2026-03-17 08:00", "0.01", 1},      // 0.005 → 0.01 (half-up)
		{"10000.00", "2026-10-31", "2026-11-01 01:00", "5", 1},      // across a month end
	} {
		fee, days := c.LateFee(d(tc.amount), tc.due, at(tc.paid))
		if !fee.Equal(d(tc.fee)) || days != tc.days {
			t.Errorf("%s due %s paid %s: fee %s over %d days, want %s over %d", tc.amount, tc.due, tc.paid, fee, days, tc.fee, tc.days)
		}
	}
	// The rate is configuration.
	c.LateFeeRate = d("0.001")
	if fee, _ := c.LateFee(d("10000"), "2026-03-16", at("2026-03-18 08:00")); !fee.Equal(d("20")) {
		t.Errorf("0.1 %% a day over 2 days: %s", fee)
	}
}

func TestCalendar(t *testing.T) {
	cal, err := CalendarDir("")
	if err != nil {
		t.Fatal(err)
	}
	on := func(s string) time.Time {
		x, _ := time.ParseInLocation(time.DateOnly, s, jinguan.China)
		return x
	}
	for _, tc := range []struct{ in, want string }{
		{"2026-01-20", "2026-02-06"}, // February 2–6 (Monday–Friday)
		{"2026-09-10", "2026-10-13"}, // October 1–7 off; 8, 9, Saturday 10 (worked), 12, 13
		{"2026-01-31", "2026-02-06"},
		{"2025-12-15", "2026-01-08"}, // Jan 1–2 off, Sunday 4 worked: 4, 5, 6, 7, 8
		{"2027-01-10", "2027-02-09"}, // 2027 statutory days only: Feb 1–4, then 5 and 8 are holidays
	} {
		if got := cal.NthWorkday(on(tc.in), 5); got != tc.want {
			t.Errorf("5th working day of the month after %s: %s, want %s", tc.in, got, tc.want)
		}
	}
	// 15 days to pay; a deadline on a rest day or holiday moves on.
	for _, tc := range []struct{ in, want string }{
		{"2026-03-02", "2026-03-17"}, // a Tuesday: as counted
		{"2026-03-06", "2026-03-23"}, // Saturday 21 → Monday 23
		{"2026-09-16", "2026-10-08"}, // October 1 → after the National Day holidays
		{"2026-09-25", "2026-10-10"}, // Saturday 10 October is worked (调休)
	} {
		if got := cal.DueDate(on(tc.in).Add(10*time.Hour), 15); got != tc.want {
			t.Errorf("due date of a bill issued %s: %s, want %s", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"date,kind,name\n2026-13-01,holiday,x\n", "date,kind,name\n2026-01-01,off,x\n",
		"date,kind,name\n2026-01-01,holiday,x\n2026-01-01,workday,y\n", "date,kind\n"} {
		if _, err := LoadCalendar(strings.NewReader(bad), "cal.csv"); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
