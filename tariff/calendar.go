package tariff

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/jinguan-customs/jinguan"
)

// CalendarFile is the working-day calendar in a tariff folder.
const CalendarFile = "calendar.csv"

// Calendar tells working days: Monday to Friday, except the listed
// holidays, plus the listed weekend days worked instead (调休).
type Calendar struct {
	days map[string]bool // date → working day, for the listed dates
}

// Workday reports whether the Beijing date day is a working day.
func (c *Calendar) Workday(day time.Time) bool {
	if w, ok := c.days[day.Format(time.DateOnly)]; ok {
		return w
	}
	wd := day.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// NthWorkday is the n-th working day (n ≥ 1) of the month after the one
// holding t, as a Beijing date YYYY-MM-DD.
func (c *Calendar) NthWorkday(t time.Time, n int) string {
	b := t.In(jinguan.China)
	d := time.Date(b.Year(), b.Month()+1, 1, 0, 0, 0, 0, jinguan.China)
	for {
		if c.Workday(d) {
			if n--; n <= 0 {
				return d.Format(time.DateOnly)
			}
		}
		d = d.AddDate(0, 0, 1)
	}
}

// DueDate is the last day to pay a bill issued at t with days to pay:
// a deadline that falls on a rest day or a public holiday moves to the
// next working day [practice: 海关税款缴纳期限届满日遇休息日或法定节假日顺延].
// A nil calendar counts weekends only.
func (c *Calendar) DueDate(t time.Time, days int) string {
	b := t.In(jinguan.China)
	d := time.Date(b.Year(), b.Month(), b.Day()+days, 0, 0, 0, 0, jinguan.China)
	if c == nil {
		c = &Calendar{}
	}
	for !c.Workday(d) {
		d = d.AddDate(0, 0, 1)
	}
	return d.Format(time.DateOnly)
}

// LoadCalendar reads the calendar CSV (columns date, kind = holiday or
// workday, name). Errors are *refdata.LoadError naming the line.
func LoadCalendar(r io.Reader, name string) (*Calendar, error) {
	p := newParser(r, name, nil)
	if err := p.header([]string{"date", "kind", "name"}); err != nil {
		return nil, err
	}
	c := &Calendar{days: map[string]bool{}}
	for {
		rec, err := p.next()
		if err == io.EOF {
			return c, nil
		}
		if err != nil {
			return nil, err
		}
		date, kind := rec[p.col["date"]], rec[p.col["kind"]]
		if _, err := time.Parse(time.DateOnly, date); err != nil {
			return nil, p.errf("date %q: want YYYY-MM-DD", date)
		}
		if _, dup := c.days[date]; dup {
			return nil, p.errf("date %s listed twice", date)
		}
		switch kind {
		case "holiday":
			c.days[date] = false
		case "workday":
			c.days[date] = true
		default:
			return nil, p.errf("kind %q: want holiday or workday", kind)
		}
	}
}

// CalendarDir reads dir/calendar.csv, or the embedded sample when the
// folder has none (or dir is "").
func CalendarDir(dir string) (*Calendar, error) {
	var fsys fs.FS = sampleFS
	name := "data/" + CalendarFile
	if dir != "" {
		if _, err := os.Stat(filepath.Join(dir, CalendarFile)); err == nil {
			fsys, name = os.DirFS(dir), CalendarFile
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return LoadCalendar(f, name)
}
