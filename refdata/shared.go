package refdata

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jinguan-customs/jinguan"
)

// Parsers for the copied open-data files, which keep their own layout so
// they can be refreshed from upstream unchanged. Their codes carry no
// dates: they are valid from sinceEver, open-ended.

var sinceEver = time.Date(1900, 1, 1, 0, 0, 0, 0, jinguan.China)

func always(line int, e Entry) version {
	e.ValidFrom = sinceEver
	return version{from: Day(sinceEver), to: openDay, line: line, entry: e}
}

// eachRow calls fn for every record after the header.
func eachRow(f *csvFile, fn func(rec []string) error) error {
	for {
		rec, err := f.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// parseHS reads the HS nomenclature: levels 2, 4 and 6. The grand-total
// row (level 5, code TOTAL) is not a code and is skipped.
func parseHS(f *csvFile) ([]version, error) {
	if err := f.need("section", "hscode", "description", "parent", "level"); err != nil {
		return nil, err
	}
	var out []version
	err := eachRow(f, func(rec []string) error {
		code, level := f.get(rec, "hscode"), f.get(rec, "level")
		if code == "TOTAL" {
			return nil
		}
		if (level != "2" && level != "4" && level != "6") || !isDigits(code) || strconv.Itoa(len(code)) != level {
			return f.errf("HS code %q at level %q", code, level)
		}
		parent := f.get(rec, "parent")
		if level == "2" {
			parent = "" // chapters hang under TOTAL, which is not a code
		}
		out = append(out, always(f.line, Entry{Code: code, NameEN: f.get(rec, "description"),
			Attrs: map[string]string{"level": level, "parent": parent, "section": f.get(rec, "section")}}))
		return nil
	})
	return out, err
}

func parseSections(f *csvFile) ([]version, error) {
	if err := f.need("section", "name"); err != nil {
		return nil, err
	}
	var out []version
	err := eachRow(f, func(rec []string) error {
		code := f.get(rec, "section")
		if code == "" {
			return f.errf("empty section")
		}
		out = append(out, always(f.line, Entry{Code: code, NameEN: f.get(rec, "name")}))
		return nil
	})
	return out, err
}

// parseCountries reads the country-codes dataset; the declaration uses the
// alpha-3 code.
func parseCountries(f *csvFile) ([]version, error) {
	const a3, a2, num, cur = "ISO3166-1-Alpha-3", "ISO3166-1-Alpha-2", "ISO3166-1-numeric", "ISO4217-currency_alphabetic_code"
	if err := f.need(a3, a2, num, cur, "official_name_cn", "official_name_en"); err != nil {
		return nil, err
	}
	var out []version
	err := eachRow(f, func(rec []string) error {
		code := f.get(rec, a3)
		if code == "" {
			return nil // entities without an ISO code are not countries of the declaration
		}
		if len(code) != 3 {
			return f.errf("alpha-3 code %q", code)
		}
		en := f.get(rec, "official_name_en")
		if en == "" {
			en = f.get(rec, "CLDR display name")
		}
		attrs := map[string]string{"alpha2": f.get(rec, a2), "numeric": pad3(f.get(rec, num))}
		// Some countries list several currencies ("PAB,USD"): the first is
		// the country's own, the full list stays available.
		if list := f.get(rec, cur); list != "" {
			attrs["currency"], _, _ = strings.Cut(list, ",")
			attrs["currencies"] = list
		}
		out = append(out, always(f.line, Entry{Code: code, NameZH: f.get(rec, "official_name_cn"), NameEN: en, Attrs: attrs}))
		return nil
	})
	return out, err
}

// pad3 writes ISO numeric codes with their leading zeros ("4" → "004").
func pad3(s string) string {
	if isDigits(s) && len(s) < 3 {
		return strings.Repeat("0", 3-len(s)) + s
	}
	return s
}

// parseCurrencies reads ISO 4217, one row per entity using a currency. A
// code in current use anywhere is valid without end; a code only found in
// withdrawn rows is valid until its latest withdrawal month ends. Withdrawn
// rows whose date cannot be read are skipped, so they never count as valid.
func parseCurrencies(f *csvFile) ([]version, error) {
	if err := f.need("Currency", "AlphabeticCode", "NumericCode", "MinorUnit", "WithdrawalDate"); err != nil {
		return nil, err
	}
	byCode := map[string]*version{}
	var order []string
	err := eachRow(f, func(rec []string) error {
		code := f.get(rec, "AlphabeticCode")
		if code == "" {
			return nil // "No universal currency"
		}
		if len(code) != 3 {
			return f.errf("currency code %q", code)
		}
		minor := f.get(rec, "MinorUnit")
		if !isDigits(minor) {
			minor = "" // "-" or N.A.: no minor unit
		}
		v := always(f.line, Entry{Code: code, NameEN: f.get(rec, "Currency"),
			Attrs: map[string]string{"numeric": pad3(f.get(rec, "NumericCode")), "minor_unit": minor}})
		if w := f.get(rec, "WithdrawalDate"); w != "" {
			end, ok := withdrawalEnd(w)
			if !ok {
				return nil
			}
			v.entry.ValidTo, v.to = end, Day(end)
		}
		old, seen := byCode[code]
		switch {
		case !seen:
			order = append(order, code)
			byCode[code] = &v
		case v.to > old.to:
			// The row in use (or withdrawn last) describes the code.
			byCode[code] = &v
		}
		return nil
	})
	out := make([]version, 0, len(order))
	for _, code := range order {
		out = append(out, *byCode[code])
	}
	return out, err
}

// withdrawalEnd reads "2002-03" or "1990-07 to 1990-09" and returns the
// first day after the (last) withdrawal month.
func withdrawalEnd(s string) (time.Time, bool) {
	if _, last, ok := strings.Cut(s, " to "); ok {
		s = last
	}
	t, err := time.ParseInLocation("2006-01", strings.TrimSpace(s), jinguan.China)
	if err != nil {
		return time.Time{}, false
	}
	return t.AddDate(0, 1, 0), true
}
