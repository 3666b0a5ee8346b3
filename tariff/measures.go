package tariff

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jinguan-customs/jinguan/refdata"
)

// Companion files hold the many-per-line data of the schedule
// (docs/tariff-schedule.md). Each is optional; every row is dated.
const (
	FileMFNPartners  = "mfn-partners.csv"
	FileParties      = "preference-parties.csv"
	FileAgreement    = "agreement-rates.csv"
	FileSpecial      = "special-rates.csv"
	FileProvisional  = "provisional-rates.csv"
	FileQuota        = "quota-rates.csv"
	FileRemedies     = "trade-remedies.csv"
	FileConsumption  = "consumption-tax.csv"
	FileLicenceRules = "licence-requirements.csv"
)

// Trade-remedy measures, added on top of the duty.
const (
	AntiDumping    = "anti_dumping"
	Countervailing = "countervailing"
	Safeguard      = "safeguard"
	Retaliatory    = "retaliatory"
)

// Preference kinds in preference-parties.csv.
const (
	KindAgreement = "agreement" // FTA: agreement rate when the item claims it
	KindSpecial   = "special"   // special preferential (特惠) by origin
)

// dated is one version of a companion row, [from, to) in Beijing days.
type dated[T any] struct {
	from, to int32
	line     int
	v        T
}

func (d dated[T]) in(day int32) bool { return d.from <= day && day < d.to }

func current[T any](vs []dated[T], day int32) (T, bool) {
	for i := range vs {
		if vs[i].in(day) {
			return vs[i].v, true
		}
	}
	var zero T
	return zero, false
}

// party makes a country a beneficiary of a scheme.
type party struct{ scheme, kind string }

// schemeRate is an agreement or special preferential rate of a line.
type schemeRate struct {
	scheme string
	rate   Rate
}

// Remedy is a trade-remedy measure on a line for one origin (empty = all
// origins) and optionally one producer (empty = all other producers).
type Remedy struct {
	Measure, Origin, Producer string
	Rate                      Rate
}

// LicenceRule says a line under an HS prefix needs a licence or
// certificate (监管证件) for a direction (I, E or empty for both).
type LicenceRule struct {
	Prefix, IEFlag, Licence string
}

// measures holds what the companion files add, indexed for lookup.
type measures struct {
	mfnPartners map[string][]dated[struct{}] // by country; nil = file not loaded
	parties     map[string][]dated[party]    // by country
	agreement   map[string][]dated[schemeRate]
	special     map[string][]dated[schemeRate]
	provisional map[string][]dated[Rate] // by code_ts, disjoint
	quota       map[string][]dated[Rate]
	consumption map[string][]dated[Rate]
	remedies    map[string][]dated[Remedy]
	licences    map[string][]dated[LicenceRule] // by prefix
}

var reScheme = regexp.MustCompile(`^[A-Z0-9]{1,10}$`)

var remedyMeasures = []string{AntiDumping, Countervailing, Safeguard, Retaliatory}

// WithMeasures returns a copy of the schedule with the companion files
// found in fsys (any missing file adds nothing). Rows are checked against
// the schedule's lines and the catalog on their valid_from; errors are
// *refdata.LoadError naming the file and line.
func (s *Schedule) WithMeasures(fsys fs.FS, cat *refdata.Catalog) (*Schedule, error) {
	if cat == nil {
		var err error
		if cat, err = refdata.Embedded(); err != nil {
			return nil, err
		}
	}
	out := *s
	m := &out.m
	l := &loader{fsys: fsys, cat: cat, s: s}
	load(l, FileMFNPartners, []string{"country"}, func(p *parser, get func(string) string, from time.Time) (string, string, error) {
		c := get("country")
		return c, c, l.country(p, c, from)
	}, &m.mfnPartners, func(func(string) string) (struct{}, error) { return struct{}{}, nil })
	load(l, FileParties, []string{"scheme", "kind", "country"}, func(p *parser, get func(string) string, from time.Time) (string, string, error) {
		c, sc, k := get("country"), get("scheme"), get("kind")
		if !reScheme.MatchString(sc) {
			return "", "", p.errf("scheme %q: want 1–10 upper-case letters or digits", sc)
		}
		if k != KindAgreement && k != KindSpecial {
			return "", "", p.errf("kind %q: want agreement or special", k)
		}
		return c, sc + "|" + c, l.country(p, c, from)
	}, &m.parties, func(get func(string) string) (party, error) { return party{get("scheme"), get("kind")}, nil })
	for _, f := range []struct {
		file, col string
		dst       *map[string][]dated[schemeRate]
	}{{FileAgreement, "agreement", &m.agreement}, {FileSpecial, "scheme", &m.special}} {
		file, col, dst := f.file, f.col, f.dst
		load(l, file, []string{"code_ts", col, "rate"}, func(p *parser, get func(string) string, from time.Time) (string, string, error) {
			if !reScheme.MatchString(get(col)) {
				return "", "", p.errf("%s %q: want 1–10 upper-case letters or digits", col, get(col))
			}
			return get("code_ts"), get("code_ts") + "|" + get(col), l.line(p, get("code_ts"), from)
		}, dst, func(get func(string) string) (schemeRate, error) {
			r, err := ParseRate(get("rate"), 1000)
			return schemeRate{get(col), r}, err
		})
	}
	for _, f := range []struct {
		file string
		max  int64
		dst  *map[string][]dated[Rate]
	}{{FileProvisional, 1000, &m.provisional}, {FileQuota, 1000, &m.quota},
		{FileConsumption, 99, &m.consumption}} { // the ad valorem CT base divides by 1 − rate
		file, max, dst := f.file, f.max, f.dst
		load(l, file, []string{"code_ts", "rate"}, func(p *parser, get func(string) string, from time.Time) (string, string, error) {
			return get("code_ts"), get("code_ts"), l.line(p, get("code_ts"), from)
		}, dst, func(get func(string) string) (Rate, error) { return ParseRate(get("rate"), max) })
	}
	load(l, FileRemedies, []string{"code_ts", "measure", "origin", "producer", "rate"}, func(p *parser, get func(string) string, from time.Time) (string, string, error) {
		code, ms, origin := get("code_ts"), get("measure"), get("origin")
		if !isMeasure(ms) {
			return "", "", p.errf("measure %q: want %s", ms, strings.Join(remedyMeasures, ", "))
		}
		if origin != "" {
			if err := l.country(p, origin, from); err != nil {
				return "", "", err
			}
		}
		return code, strings.Join([]string{code, ms, origin, get("producer")}, "|"), l.line(p, code, from)
	}, &m.remedies, func(get func(string) string) (Remedy, error) {
		r, err := ParseRate(get("rate"), 1000)
		return Remedy{get("measure"), get("origin"), get("producer"), r}, err
	})
	load(l, FileLicenceRules, []string{"hs_prefix", "ie_flag", "licence"}, func(p *parser, get func(string) string, from time.Time) (string, string, error) {
		pre, ie, lic := get("hs_prefix"), get("ie_flag"), get("licence")
		if len(pre) < 2 || len(pre) > 10 || !digits(pre) {
			return "", "", p.errf("hs_prefix %q: want 2 to 10 digits", pre)
		}
		if ie != "" && ie != "I" && ie != "E" {
			return "", "", p.errf("ie_flag %q: want I, E or empty", ie)
		}
		if !cat.Has(refdata.LicenceType, lic, from) {
			return "", "", p.errf("licence %q is not a licence type code", lic)
		}
		return pre, strings.Join([]string{pre, ie, lic}, "|"), nil
	}, &m.licences, func(get func(string) string) (LicenceRule, error) {
		return LicenceRule{get("hs_prefix"), get("ie_flag"), get("licence")}, nil
	})
	if l.err != nil {
		return nil, l.err
	}
	return &out, nil
}

func isMeasure(m string) bool {
	for _, x := range remedyMeasures {
		if x == m {
			return true
		}
	}
	return false
}

// loader keeps the first error so the file list reads as a sequence.
type loader struct {
	fsys fs.FS
	cat  *refdata.Catalog
	s    *Schedule
	err  error
}

func (l *loader) country(p *parser, c string, on time.Time) error {
	if !l.cat.Has(refdata.Country, c, on) {
		return p.errf("country %q is not an ISO 3166 alpha-3 code", c)
	}
	return nil
}

func (l *loader) line(p *parser, code string, on time.Time) error {
	if l.s.find(code, on) == nil {
		return p.errf("no tariff line %s valid on %s", code, on.Format(time.DateOnly))
	}
	return nil
}

// load reads one companion file into dst (by index key), rejecting
// overlapping periods among rows of the same unique key.
func load[T any](l *loader, file string, cols []string,
	keys func(p *parser, get func(string) string, from time.Time) (index, unique string, err error),
	dst *map[string][]dated[T], value func(get func(string) string) (T, error)) {
	if l.err != nil {
		return
	}
	f, err := l.fsys.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return
	} else if err != nil {
		l.err = err
		return
	}
	defer f.Close()
	l.err = readCompanion(l, f, file, append(cols, "valid_from", "valid_to"), keys, dst, value)
}

func readCompanion[T any](l *loader, r io.Reader, file string, cols []string,
	keys func(p *parser, get func(string) string, from time.Time) (string, string, error),
	dst *map[string][]dated[T], value func(get func(string) string) (T, error)) error {
	p := newParser(r, file, l.cat)
	if err := p.header(cols); err != nil {
		return err
	}
	byUnique := map[string][]dated[T]{}
	index := map[string]string{}
	for {
		rec, err := p.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		get := func(c string) string { return rec[p.col[c]] }
		from, to, err := p.period(get("valid_from"), get("valid_to"))
		if err != nil {
			return err
		}
		idx, uniq, err := keys(p, get, from)
		if err != nil {
			return err
		}
		v, err := value(get)
		if err != nil {
			return p.errf("rate %v", err)
		}
		d := dated[T]{from: dayOf(from), to: openDay, line: p.line, v: v}
		if !to.IsZero() {
			d.to = dayOf(to)
		}
		byUnique[uniq] = append(byUnique[uniq], d)
		index[uniq] = idx
	}
	if _, err := refdata.SortVersions(file, "row", byUnique,
		func(d dated[T]) refdata.Dated { return refdata.Dated{From: d.from, To: d.to, Line: d.line} }); err != nil {
		return err
	}
	*dst = map[string][]dated[T]{}
	for u, vs := range byUnique {
		(*dst)[index[u]] = append((*dst)[index[u]], vs...)
	}
	for _, vs := range *dst { // file order, so results do not depend on map order
		slices.SortFunc(vs, func(a, b dated[T]) int { return a.line - b.line })
	}
	return nil
}

// ScheduleFile is the schedule's name in a tariff folder.
const ScheduleFile = "tariff-schedule.csv"

// LoadDir reads a tariff folder: dir/tariff-schedule.csv and whichever
// companion files it holds. An empty dir, or one without a schedule, gives
// the embedded sample.
func LoadDir(dir string, cat *refdata.Catalog) (*Schedule, error) {
	if dir == "" {
		return SampleSchedule(cat)
	}
	f, err := os.Open(filepath.Join(dir, ScheduleFile))
	if errors.Is(err, os.ErrNotExist) {
		return SampleSchedule(cat)
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := LoadSchedule(f, f.Name(), cat)
	if err != nil {
		return nil, err
	}
	if s, err = s.WithMeasures(os.DirFS(dir), cat); err != nil {
		return nil, err
	}
	s.version, err = digest(os.DirFS(dir), ScheduleFile)
	return s, err
}
