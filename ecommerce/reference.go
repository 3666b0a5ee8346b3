package ecommerce

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/refdata"
)

//go:embed data/positive-list.csv
var defaultPositive string

//go:embed data/legacy-codes.csv
var defaultLegacy string

// PositiveList is the list of goods that may be imported as retail
// e-commerce (正面清单), by tariff code or code prefix, dated.
type PositiveList struct {
	entries map[string][]dated // code prefix → versions
}

type dated struct{ from, to int32 }

// Allows reports whether the tariff code is on the list on the day.
func (p *PositiveList) Allows(code string, on time.Time) bool {
	day := refdata.Day(on)
	for n := len(code); n >= 4; n-- {
		for _, d := range p.entries[code[:n]] {
			if d.from <= day && (d.to == 0 || day < d.to) {
				return true
			}
		}
	}
	return false
}

// Legacy maps the numeric customs codes of CEB messages to ISO codes.
type Legacy struct {
	Country, Currency map[string]string
}

// Reference is the e-commerce reference data.
type Reference struct {
	Positive *PositiveList
	Legacy   *Legacy
}

// LoadReference reads the embedded tables, replaced by dir's
// positive-list.csv and legacy-codes.csv where present (dir may be "").
func LoadReference(dir string) (*Reference, error) {
	read := func(name, def string) (io.Reader, string, error) {
		if dir != "" {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err == nil {
				return strings.NewReader(string(b)), filepath.Join(dir, name), nil
			}
			if !os.IsNotExist(err) {
				return nil, "", err
			}
		}
		return strings.NewReader(def), name, nil
	}
	r, name, err := read("positive-list.csv", defaultPositive)
	if err != nil {
		return nil, err
	}
	pos, err := parsePositive(r, name)
	if err != nil {
		return nil, err
	}
	if r, name, err = read("legacy-codes.csv", defaultLegacy); err != nil {
		return nil, err
	}
	leg, err := parseLegacy(r, name)
	if err != nil {
		return nil, err
	}
	return &Reference{Positive: pos, Legacy: leg}, nil
}

func readRows(r io.Reader, name, header string) ([][]string, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != header {
		return nil, fmt.Errorf("%s: header must be %s", name, header)
	}
	return rows[1:], nil
}

func parsePositive(r io.Reader, name string) (*PositiveList, error) {
	rows, err := readRows(r, name, "code,name_zh,valid_from,valid_to,note")
	if err != nil {
		return nil, err
	}
	p := &PositiveList{entries: map[string][]dated{}}
	for i, row := range rows {
		code := row[0]
		if len(code) < 4 || len(code) > 10 || !digits(code) {
			return nil, fmt.Errorf("%s: row %d: code %q must be 4 to 10 digits", name, i+2, code)
		}
		var d dated
		for j, s := range row[2:4] {
			if s == "" {
				continue
			}
			t, err := time.ParseInLocation("2006-01-02", s, jinguan.China)
			if err != nil {
				return nil, fmt.Errorf("%s: row %d: date %q", name, i+2, s)
			}
			if j == 0 {
				d.from = refdata.Day(t)
			} else {
				d.to = refdata.Day(t)
			}
		}
		p.entries[code] = append(p.entries[code], d)
	}
	return p, nil
}

func parseLegacy(r io.Reader, name string) (*Legacy, error) {
	rows, err := readRows(r, name, "table,legacy,iso")
	if err != nil {
		return nil, err
	}
	l := &Legacy{Country: map[string]string{}, Currency: map[string]string{}}
	for i, row := range rows {
		switch row[0] {
		case "country":
			l.Country[row[1]] = row[2]
		case "currency":
			l.Currency[row[1]] = row[2]
		default:
			return nil, fmt.Errorf("%s: row %d: table must be country or currency", name, i+2)
		}
	}
	return l, nil
}
