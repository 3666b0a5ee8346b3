// Package model is the risk-prediction model: historical import of labelled
// declaration items, features fitted on a training period, a gradient-boosted
// tree ensemble (package gbdt) and evaluation as in the customs benchmarks.
package model

import (
	"bytes"
	"embed"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Record is one labelled declaration item from history.
type Record struct {
	Line                            int // line in the source file
	ID                              string
	Date                            time.Time
	Office, Declarant, Importer     string
	Seller, Courier                 string
	HS6, Origin, Departure, TaxType string
	Extra                           []string // the mapping's extra columns, in name order
	Quantity, Mass, Value, TaxRate  float64  // NaN when absent
	Revenue                         float64  // NaN when absent
	Fraud                           bool
}

// Mapping names the source column of each model field.
type Mapping struct {
	Format     string            `json:"format"`
	DateLayout string            `json:"date_layout"`
	Fields     map[string]string `json:"fields"`
	Extra      map[string]string `json:"extra"`
}

var knownFields = []string{"id", "date", "office", "declarant", "importer", "seller", "courier", "hs",
	"origin", "departure", "quantity", "mass", "value", "tax_rate", "tax_type", "revenue", "fraud"}

var requiredFields = []string{"date", "hs", "value", "fraud"}

//go:embed mappings/*.json
var mappingFiles embed.FS

// BuiltinMapping returns a shipped mapping: "kcs" or "jinguan".
func BuiltinMapping(format string) (Mapping, error) {
	b, err := mappingFiles.ReadFile("mappings/" + format + ".json")
	if err != nil {
		return Mapping{}, fmt.Errorf("no built-in mapping for format %q (kcs, jinguan)", format)
	}
	return ParseMapping(b, format+".json")
}

// ParseMapping reads a mapping as JSON, or as CSV rows "field,column" when
// the text does not start with '{'. Unknown fields are an error.
func ParseMapping(b []byte, name string) (Mapping, error) {
	m := Mapping{Fields: map[string]string{}, Extra: map[string]string{}}
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(t))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&m); err != nil {
			return m, fmt.Errorf("mapping %s: %w", name, err)
		}
	} else {
		cr := csv.NewReader(bytes.NewReader(b))
		cr.Comment = '#'
		cr.FieldsPerRecord = 2
		rows, err := cr.ReadAll()
		if err != nil {
			return m, fmt.Errorf("mapping %s: %w", name, err)
		}
		for i, r := range rows {
			k, col := strings.TrimSpace(r[0]), strings.TrimSpace(r[1])
			switch {
			case i == 0 && k == "field":
			case k == "format":
				m.Format = col
			case k == "date_layout":
				m.DateLayout = col
			case strings.HasPrefix(k, "extra:"):
				m.Extra[strings.TrimPrefix(k, "extra:")] = col
			default:
				m.Fields[k] = col
			}
		}
	}
	if m.DateLayout == "" {
		m.DateLayout = time.DateOnly
	}
	for k := range m.Fields {
		if !slices.Contains(knownFields, k) {
			return m, fmt.Errorf("mapping %s: unknown field %q (known: %s)", name, k, strings.Join(knownFields, ", "))
		}
	}
	for _, k := range requiredFields {
		if m.Fields[k] == "" {
			return m, fmt.Errorf("mapping %s: field %q is required", name, k)
		}
	}
	return m, nil
}

// ExtraNames are the extra categorical columns in the order of Record.Extra.
func (m Mapping) ExtraNames() []string {
	names := make([]string, 0, len(m.Extra))
	for k := range m.Extra {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// RowError is a rejected line of the source file.
type RowError struct {
	Line int
	Err  error
}

func (e RowError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// ErrMissingColumn means the header lacks a mapped column: nothing is imported.
var ErrMissingColumn = errors.New("missing column")

// Import reads every row it can. Rows that cannot be read are returned as
// RowErrors with their line numbers; a header without a mapped column, or an
// unreadable file, stops the import with an error.
func Import(r io.Reader, m Mapping) ([]Record, []RowError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("header: %w", err)
	}
	index := map[string]int{}
	for i, h := range head {
		index[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	col := map[string]int{}
	for k, c := range m.Fields {
		i, ok := index[c]
		if !ok {
			return nil, nil, fmt.Errorf("%w %q (field %s)", ErrMissingColumn, c, k)
		}
		col[k] = i
	}
	extra := m.ExtraNames()
	extraCol := make([]int, len(extra))
	for j, k := range extra {
		i, ok := index[m.Extra[k]]
		if !ok {
			return nil, nil, fmt.Errorf("%w %q (extra %s)", ErrMissingColumn, m.Extra[k], k)
		}
		extraCol[j] = i
	}
	var recs []Record
	var bad []RowError
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad = append(bad, RowError{Line: pe.StartLine, Err: pe.Err})
				continue
			}
			return recs, bad, err
		}
		line, _ := cr.FieldPos(0)
		if len(row) != len(head) {
			bad = append(bad, RowError{line, fmt.Errorf("%d columns, header has %d", len(row), len(head))})
			continue
		}
		rec, err := parseRow(row, col, extraCol, m.DateLayout)
		if err != nil {
			bad = append(bad, RowError{line, err})
			continue
		}
		rec.Line = line
		recs = append(recs, rec)
	}
	return recs, bad, nil
}

func parseRow(row []string, col map[string]int, extraCol []int, layout string) (Record, error) {
	get := func(k string) string {
		if i, ok := col[k]; ok {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	num := func(k string, required bool) (float64, error) {
		s := get(k)
		if s == "" {
			if required {
				return 0, fmt.Errorf("%s: empty", k)
			}
			return math.NaN(), nil
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			return 0, fmt.Errorf("%s: %q is not a number", k, s)
		}
		return v, nil
	}
	rec := Record{ID: get("id"), Office: get("office"), Declarant: get("declarant"), Importer: get("importer"),
		Seller: get("seller"), Courier: get("courier"), Origin: get("origin"), Departure: get("departure"),
		TaxType: get("tax_type")}
	var err error
	d := get("date")
	if rec.Date, err = time.Parse(layout, d); err != nil {
		if rec.Date, err = time.Parse(time.RFC3339, d); err != nil {
			return rec, fmt.Errorf("date: %q is not a %s date", d, layout)
		}
	}
	hs := strings.ReplaceAll(get("hs"), ".", "")
	if len(hs) < 6 {
		hs = strings.Repeat("0", 6-len(hs)) + hs // leading zeros lost by spreadsheets
	}
	rec.HS6 = hs[:6]
	for _, c := range rec.HS6 {
		if c < '0' || c > '9' {
			return rec, fmt.Errorf("hs: %q is not an HS code", get("hs"))
		}
	}
	for _, f := range []struct {
		k   string
		dst *float64
		req bool
	}{{"quantity", &rec.Quantity, false}, {"mass", &rec.Mass, false}, {"value", &rec.Value, true},
		{"tax_rate", &rec.TaxRate, false}, {"revenue", &rec.Revenue, false}} {
		if *f.dst, err = num(f.k, f.req); err != nil {
			return rec, err
		}
	}
	switch get("fraud") {
	case "0":
	case "1":
		rec.Fraud = true
	default:
		return rec, fmt.Errorf("fraud: %q is not 0 or 1", get("fraud"))
	}
	for _, i := range extraCol {
		rec.Extra = append(rec.Extra, strings.TrimSpace(row[i]))
	}
	return rec, nil
}
