package credit

import (
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/refdata"
)

// Date is a Beijing calendar day as a day number (refdata.Day): credit
// rules count days and months, never hours. The zero Date is "not set".
type Date int32

// DateOf is the Beijing date of t.
func DateOf(t time.Time) Date { return Date(refdata.Day(t)) }

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, bool) {
	t, err := time.ParseInLocation(time.DateOnly, s, jinguan.China)
	if err != nil {
		return 0, false
	}
	return DateOf(t), true
}

// Time is midnight of the day in Beijing.
func (d Date) Time() time.Time {
	return time.Unix(int64(d)*86400-8*3600, 0).In(jinguan.China)
}

func (d Date) String() string {
	if d == 0 {
		return ""
	}
	return d.Time().Format(time.DateOnly)
}

// AddMonths moves by calendar months; the 31st plus one month is the
// last day of the next month's overflow as time.AddDate does (31 Jan + 1
// month = 3 Mar), which is how "within N months" is counted here.
func (d Date) AddMonths(n int) Date { return DateOf(d.Time().AddDate(0, n, 0)) }

// Year is the calendar year.
func (d Date) Year() int { return d.Time().Year() }

// MarshalText writes YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD; "" is the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = 0
		return nil
	}
	v, ok := ParseDate(string(b))
	if !ok {
		return jinguan.Errorf(jinguan.EINVALID, "日期格式应为 YYYY-MM-DD", "a date must be YYYY-MM-DD")
	}
	*d = v
	return nil
}

// yearStart is 1 January of year y.
func yearStart(y int) Date { return DateOf(time.Date(y, 1, 1, 0, 0, 0, 0, jinguan.China)) }
