package refdata

import (
	"bufio"
	"cmp"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
)

// LoadError names the file and line of a bad table row.
type LoadError struct {
	File string
	Line int // 0 when the problem is the file as a whole
	Msg  string
}

func (e *LoadError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("refdata: %s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("refdata: %s:%d: %s", e.File, e.Line, e.Msg)
}

// source binds a table to its file. Project-format files are described by
// width and attrs; the copied open-data files keep their own layout and
// have their own parser.
type source struct {
	table, file string
	width       int      // fixed code length, 0 = any
	attrs       []string // attribute columns other packages rely on
	parse       func(f *csvFile) ([]version, error)
}

var sources = []source{
	{table: HS, file: "hs2022-nomenclature.csv", parse: parseHS},
	{table: HSSection, file: "hs2022-sections.csv", parse: parseSections},
	{table: Country, file: "country-codes.csv", parse: parseCountries},
	{table: Currency, file: "currency-codes.csv", parse: parseCurrencies},
	{table: TradeMode, file: "trade-modes.csv", width: 4, attrs: []string{"needs_ledger"}},
	{table: TransportMode, file: "transport-modes.csv", width: 1, attrs: []string{"needs_bill"}},
	{table: TransactionTerm, file: "transaction-terms.csv", width: 1, attrs: []string{"freight_included", "insurance_included"}},
	{table: LevyNature, file: "levy-natures.csv", width: 3},
	{table: ExemptionMethod, file: "exemption-methods.csv", width: 1},
	{table: Unit, file: "units.csv", width: 3},
	{table: CustomsDistrict, file: "customs-districts.csv", width: 4, attrs: []string{"channel", "parent"}},
	{table: WrapType, file: "wrap-types.csv", width: 2},
	{table: LicenceType, file: "licence-types.csv", width: 1},
	{table: DocumentType, file: "document-types.csv", width: 8},
	{table: ExchangeRate, file: "exchange-rates.csv", width: 3, attrs: []string{"rate"}},
}

//go:embed data
var dataFS embed.FS

var embedded = sync.OnceValues(func() (*Catalog, error) {
	sub, err := fs.Sub(dataFS, "data")
	if err != nil {
		return nil, err
	}
	return Load(sub)
})

// Embedded returns the project's own tables, parsed once and shared.
func Embedded() (*Catalog, error) { return embedded() }

// Load reads the table files found in fsys (the layout of refdata/data).
// A table whose file is absent is simply not loaded.
func Load(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{tables: map[string]*table{}}
	if err := c.read(fsys); err != nil {
		return nil, err
	}
	if len(c.tables) == 0 {
		return nil, errors.New("refdata: no table files found")
	}
	return c, nil
}

// Override returns a new catalog in which every table file present in dir
// replaces the table of c; other files are ignored. A missing dir (or "")
// leaves c unchanged, so a deployment may but need not ship tables.
func (c *Catalog) Override(dir string) (*Catalog, error) {
	if dir == "" {
		return c, nil
	}
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("refdata: override %s is not a directory", dir)
	}
	n := &Catalog{tables: maps.Clone(c.tables)}
	if err := n.read(os.DirFS(dir)); err != nil {
		return nil, err
	}
	return n, nil
}

func (c *Catalog) read(fsys fs.FS) error {
	for _, s := range sources {
		f, err := fsys.Open(s.file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		t, err := readTable(s, f)
		f.Close()
		if err != nil {
			return err
		}
		c.tables[s.table] = t
	}
	return nil
}

func readTable(s source, r io.Reader) (*table, error) {
	f, err := openCSV(s.file, r)
	if err != nil {
		return nil, err
	}
	var vs []version
	if s.parse != nil {
		vs, err = s.parse(f)
	} else {
		vs, err = parseProject(f, s)
	}
	if err != nil {
		return nil, err
	}
	return index(s.file, vs)
}

// index groups rows into versions per code and rejects overlapping periods.
func index(file string, vs []version) (*table, error) {
	t := &table{byCode: make(map[string][]version, len(vs))}
	for _, v := range vs {
		t.byCode[v.entry.Code] = append(t.byCode[v.entry.Code], v)
	}
	var err error
	t.codes, err = SortVersions(file, "code", t.byCode, func(v version) Dated { return Dated{v.from, v.to, v.line} })
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Dated is a version's validity in Beijing day numbers, [From, To), and
// the line it was read from.
type Dated struct {
	From, To int32
	Line     int
}

// SortVersions sorts each code's versions by start and rejects
// overlapping periods, reporting the earliest offending line whatever the
// map order; what names a code in the message. It returns the codes sorted.
func SortVersions[V any](file, what string, byCode map[string][]V, dated func(V) Dated) ([]string, error) {
	var first *LoadError
	codes := make([]string, 0, len(byCode))
	for code, list := range byCode {
		slices.SortFunc(list, func(a, b V) int { return cmp.Compare(dated(a).From, dated(b).From) })
		for i := 1; i < len(list); i++ {
			a, b := dated(list[i-1]), dated(list[i])
			if b.From >= a.To {
				continue
			}
			if a.Line > b.Line {
				a, b = b, a
			}
			if first == nil || b.Line < first.Line {
				first = &LoadError{File: file, Line: b.Line,
					Msg: fmt.Sprintf("%s %s: period overlaps the version on line %d", what, code, a.Line)}
			}
		}
		codes = append(codes, code)
	}
	if first != nil {
		return nil, first
	}
	slices.Sort(codes)
	return codes, nil
}

// csvFile reads records and knows the line of the last one.
type csvFile struct {
	name string
	r    *csv.Reader
	head []string
	col  map[string]int
	line int
}

func openCSV(name string, r io.Reader) (*csvFile, error) {
	cr := csv.NewReader(skipBOM(r))
	cr.Comment = '#'
	f := &csvFile{name: name, r: cr, col: map[string]int{}}
	head, err := f.next()
	if err == io.EOF {
		return nil, &LoadError{File: name, Msg: "no header"}
	}
	if err != nil {
		return nil, err
	}
	for i, h := range head {
		if h == "" {
			return nil, f.errf("empty column name in position %d", i+1)
		}
		if _, dup := f.col[h]; dup {
			return nil, f.errf("duplicate column %q", h)
		}
		f.col[h] = i
		f.head = append(f.head, h)
	}
	return f, nil
}

// skipBOM drops a UTF-8 byte-order mark, which spreadsheet exports put
// before the first comment or header.
func skipBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3)
	}
	return br
}

// next returns the next record with trimmed fields, io.EOF at the end.
func (f *csvFile) next() ([]string, error) {
	rec, err := f.r.Read()
	if err == io.EOF {
		return nil, err
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return nil, &LoadError{File: f.name, Line: pe.Line, Msg: pe.Err.Error()}
	}
	if err != nil {
		return nil, err
	}
	f.line, _ = f.r.FieldPos(0)
	for i := range rec {
		rec[i] = strings.TrimSpace(rec[i])
	}
	return rec, nil
}

func (f *csvFile) errf(format string, args ...any) error {
	return &LoadError{File: f.name, Line: f.line, Msg: fmt.Sprintf(format, args...)}
}

// need checks that the header has the columns.
func (f *csvFile) need(cols ...string) error {
	for _, c := range cols {
		if _, ok := f.col[c]; !ok {
			return f.errf("missing column %q", c)
		}
	}
	return nil
}

// get returns a column of rec, "" when the header lacks it.
func (f *csvFile) get(rec []string, col string) string {
	if i, ok := f.col[col]; ok {
		return rec[i]
	}
	return ""
}

var baseColumns = []string{"code", "name_zh", "name_en", "valid_from", "valid_to"}

// parseProject reads the project format: the base columns, then any
// attribute columns.
func parseProject(f *csvFile, s source) ([]version, error) {
	if err := f.need(baseColumns...); err != nil {
		return nil, err
	}
	if err := f.need(s.attrs...); err != nil {
		return nil, err
	}
	var attrCols []string
	for _, h := range f.head {
		if !slices.Contains(baseColumns, h) {
			attrCols = append(attrCols, h)
		}
	}
	var out []version
	for {
		rec, err := f.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		code := f.get(rec, "code")
		switch {
		case code == "":
			return nil, f.errf("empty code")
		case strings.ContainsAny(code, " \t"):
			return nil, f.errf("code %q contains a space", code)
		case s.width > 0 && len(code) != s.width:
			return nil, f.errf("code %q: want %d characters", code, s.width)
		}
		v := version{line: f.line, entry: Entry{Code: code,
			NameZH: f.get(rec, "name_zh"), NameEN: f.get(rec, "name_en")}}
		if v.entry.NameZH == "" && v.entry.NameEN == "" {
			return nil, f.errf("code %s has no name", code)
		}
		if err := f.period(&v, f.get(rec, "valid_from"), f.get(rec, "valid_to")); err != nil {
			return nil, err
		}
		for _, a := range attrCols {
			if val := f.get(rec, a); val != "" {
				if v.entry.Attrs == nil {
					v.entry.Attrs = make(map[string]string, len(attrCols))
				}
				v.entry.Attrs[a] = val
			}
		}
		if s.table == ExchangeRate {
			r, err := decimal.NewFromString(f.get(rec, "rate"))
			if err != nil || !r.IsPositive() {
				return nil, f.errf("code %s: rate %q is not a positive number", code, f.get(rec, "rate"))
			}
			v.rate = r
		}
		out = append(out, v)
	}
}

// period parses valid_from (required) and valid_to (empty = open).
func (f *csvFile) period(v *version, from, to string) error {
	t, err := time.ParseInLocation(time.DateOnly, from, jinguan.China)
	if err != nil {
		return f.errf("valid_from %q: want YYYY-MM-DD", from)
	}
	v.entry.ValidFrom, v.from, v.to = t, Day(t), openDay
	if to == "" {
		return nil
	}
	u, err := time.ParseInLocation(time.DateOnly, to, jinguan.China)
	if err != nil {
		return f.errf("valid_to %q: want YYYY-MM-DD or empty", to)
	}
	if !u.After(t) {
		return f.errf("valid_to %s is not after valid_from %s", to, from)
	}
	v.entry.ValidTo, v.to = u, Day(u)
	return nil
}
