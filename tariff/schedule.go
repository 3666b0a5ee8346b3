package tariff

import (
	"bufio"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/refdata"
)

// Line is one version of a national tariff line (税则号列).
type Line struct {
	Code, HS6, NameZH, NameEN string
	FirstUnit, SecondUnit     string          // legal units, customs unit codes; SecondUnit may be ""
	MFN, General              Rate            // duty rates; ad valorem, specific or compound
	VAT                       decimal.Decimal // percent
	ValidFrom, ValidTo        time.Time       // ValidTo zero = open
}

// Schedule is the national tariff schedule: 10-digit lines under HS6, each
// with dated versions. It is immutable and safe for concurrent use.
type Schedule struct {
	byCode  map[string][]lineVersion // versions sorted by from, disjoint
	codes   []string                 // sorted
	m       measures                 // companion files
	version string                   // digest of the files (versions.go)
}

type lineVersion struct {
	from, to int32 // Beijing day numbers, [from, to)
	line     int
	l        Line
}

const openDay = math.MaxInt32

// Columns of the schedule CSV, all required.
var scheduleColumns = []string{"code_ts", "hs6", "name_zh", "name_en", "first_unit", "second_unit",
	"mfn_rate", "general_rate", "vat_rate", "valid_from", "valid_to"}

//go:embed data
var sampleFS embed.FS

var (
	sampleMu    sync.Mutex
	sampleCache = map[*refdata.Catalog]*Schedule{}
)

// SampleSchedule returns the embedded sample schedule with its companion
// files (illustrative rates, not the official schedule), checked against cat; nil cat means
// refdata.Embedded(). Results are cached per catalog.
func SampleSchedule(cat *refdata.Catalog) (*Schedule, error) {
	if cat == nil {
		var err error
		if cat, err = refdata.Embedded(); err != nil {
			return nil, err
		}
	}
	sampleMu.Lock()
	defer sampleMu.Unlock()
	if s := sampleCache[cat]; s != nil {
		return s, nil
	}
	data, err := fs.Sub(sampleFS, "data")
	if err != nil {
		return nil, err
	}
	f, err := data.Open("sample-schedule.csv")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := LoadSchedule(f, "sample-schedule.csv", cat)
	if err != nil {
		return nil, err
	}
	if s, err = s.WithMeasures(data, cat); err != nil {
		return nil, err
	}
	if s.version, err = digest(data, "sample-schedule.csv"); err != nil {
		return nil, err
	}
	sampleCache[cat] = s
	return s, nil
}

// LoadSchedule reads a schedule CSV (docs/tariff-schedule.md). HS6 codes
// and units are checked against cat on each line's valid_from; nil cat
// means refdata.Embedded(). Errors are *refdata.LoadError naming the line.
func LoadSchedule(r io.Reader, name string, cat *refdata.Catalog) (*Schedule, error) {
	if cat == nil {
		var err error
		if cat, err = refdata.Embedded(); err != nil {
			return nil, err
		}
	}
	p := newParser(r, name, cat)
	if err := p.header(scheduleColumns); err != nil {
		return nil, err
	}
	s := &Schedule{byCode: map[string][]lineVersion{}}
	for {
		rec, err := p.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		v, err := p.row(rec)
		if err != nil {
			return nil, err
		}
		s.byCode[v.l.Code] = append(s.byCode[v.l.Code], v)
	}
	if err := s.index(name); err != nil {
		return nil, err
	}
	return s, nil
}

// index sorts versions and rejects overlapping periods.
func (s *Schedule) index(name string) (err error) {
	s.codes, err = refdata.SortVersions(name, "tariff line", s.byCode,
		func(v lineVersion) refdata.Dated { return refdata.Dated{From: v.from, To: v.to, Line: v.line} })
	return err
}

func newParser(r io.Reader, name string, cat *refdata.Catalog) *parser {
	p := &parser{name: name, r: csv.NewReader(skipBOM(r)), cat: cat}
	p.r.Comment = '#'
	return p
}

type parser struct {
	name string
	r    *csv.Reader
	cat  *refdata.Catalog
	col  map[string]int
	line int
}

func (p *parser) errf(format string, args ...any) error {
	return &refdata.LoadError{File: p.name, Line: p.line, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) next() ([]string, error) {
	rec, err := p.r.Read()
	var pe *csv.ParseError
	switch {
	case err == io.EOF:
		return nil, err
	case errors.As(err, &pe):
		return nil, &refdata.LoadError{File: p.name, Line: pe.Line, Msg: pe.Err.Error()}
	case err != nil:
		return nil, err
	}
	p.line, _ = p.r.FieldPos(0)
	for i := range rec {
		rec[i] = strings.TrimSpace(rec[i])
	}
	return rec, nil
}

// header maps columns by name: unknown and missing columns are errors, so
// a misspelt column never silently drops a rate.
func (p *parser) header(columns []string) error {
	head, err := p.next()
	if err == io.EOF {
		return &refdata.LoadError{File: p.name, Msg: "no header"}
	}
	if err != nil {
		return err
	}
	p.col = map[string]int{}
	var unknown []string
	for i, h := range head {
		if _, dup := p.col[h]; dup {
			return p.errf("duplicate column %q", h)
		}
		if !slices.Contains(columns, h) {
			unknown = append(unknown, h)
		}
		p.col[h] = i
	}
	if len(unknown) > 0 {
		return p.errf("unknown columns %s", strings.Join(unknown, ", "))
	}
	for _, c := range columns {
		if _, ok := p.col[c]; !ok {
			return p.errf("missing column %q", c)
		}
	}
	return nil
}

func (p *parser) row(rec []string) (lineVersion, error) {
	get := func(c string) string { return rec[p.col[c]] }
	l := Line{Code: get("code_ts"), HS6: get("hs6"), NameZH: get("name_zh"), NameEN: get("name_en"),
		FirstUnit: get("first_unit"), SecondUnit: get("second_unit")}
	v := lineVersion{line: p.line, to: openDay}
	if len(l.Code) != 10 || !digits(l.Code) {
		return v, p.errf("code_ts %q: want 10 digits", l.Code)
	}
	if l.HS6 != l.Code[:6] {
		return v, p.errf("code_ts %s is not under hs6 %q", l.Code, l.HS6)
	}
	if l.NameZH == "" {
		return v, p.errf("tariff line %s has no name_zh", l.Code)
	}
	from, to, err := p.period(get("valid_from"), get("valid_to"))
	if err != nil {
		return v, err
	}
	l.ValidFrom, v.from = from, dayOf(from)
	if !to.IsZero() {
		l.ValidTo, v.to = to, dayOf(to)
	}
	if p.cat.Attr(refdata.HS, l.HS6, "level", from) != "6" {
		return v, p.errf("hs6 %s is not an HS subheading", l.HS6)
	}
	if !p.cat.Has(refdata.Unit, l.FirstUnit, from) {
		return v, p.errf("first_unit %q is not a unit code", l.FirstUnit)
	}
	if l.SecondUnit != "" && !p.cat.Has(refdata.Unit, l.SecondUnit, from) {
		return v, p.errf("second_unit %q is not a unit code", l.SecondUnit)
	}
	if l.MFN, err = ParseRate(get("mfn_rate"), 1000); err != nil {
		return v, p.errf("mfn_rate %v", err)
	}
	if l.General, err = ParseRate(get("general_rate"), 1000); err != nil {
		return v, p.errf("general_rate %v", err)
	}
	vat, err := decimal.NewFromString(get("vat_rate"))
	if err != nil || vat.IsNegative() || vat.GreaterThan(hundred) {
		return v, p.errf("vat_rate %q: want a percentage from 0 to 100", get("vat_rate"))
	}
	l.VAT = vat
	v.l = l
	return v, nil
}

// period parses valid_from and valid_to (zero time when open).
func (p *parser) period(fromS, toS string) (from, to time.Time, err error) {
	from, err = time.ParseInLocation(time.DateOnly, fromS, jinguan.China)
	if err != nil {
		return from, to, p.errf("valid_from %q: want YYYY-MM-DD", fromS)
	}
	if toS != "" {
		if to, err = time.ParseInLocation(time.DateOnly, toS, jinguan.China); err != nil {
			return from, to, p.errf("valid_to %q: want YYYY-MM-DD or empty", toS)
		}
		if !to.After(from) {
			return from, to, p.errf("valid_to %s is not after valid_from %s", toS, fromS)
		}
	}
	return from, to, nil
}

// skipBOM drops a UTF-8 byte-order mark left by spreadsheet exports.
func skipBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3)
	}
	return br
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// dayOf is the Beijing day number of t.
func dayOf(t time.Time) int32 { return refdata.Day(t) }

func (s *Schedule) find(code string, on time.Time) *lineVersion {
	vs := s.byCode[code]
	if len(vs) == 0 {
		return nil
	}
	d := dayOf(on)
	for i := len(vs) - 1; i >= 0; i-- { // few versions per line: scan from the newest
		if vs[i].from <= d {
			if d < vs[i].to {
				return &vs[i]
			}
			return nil
		}
	}
	return nil
}

// Line returns the version of a 10-digit line valid on the Beijing date of on.
func (s *Schedule) Line(code string, on time.Time) (Line, bool) {
	if v := s.find(code, on); v != nil {
		return v.l, true
	}
	return Line{}, false
}

// LegalUnits returns the line's first and second legal units (second may
// be "").
func (s *Schedule) LegalUnits(code string, on time.Time) (first, second string, ok bool) {
	if v := s.find(code, on); v != nil {
		return v.l.FirstUnit, v.l.SecondUnit, true
	}
	return "", "", false
}

// Lines lists the lines valid on the date, sorted by code.
func (s *Schedule) Lines(on time.Time) []Line {
	out := make([]Line, 0, len(s.codes))
	for _, c := range s.codes {
		if v := s.find(c, on); v != nil {
			out = append(out, v.l)
		}
	}
	return out
}

// Len is the number of distinct tariff lines, whatever their dates.
func (s *Schedule) Len() int { return len(s.codes) }
