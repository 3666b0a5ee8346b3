// Package refdata holds the customs code tables (trade modes, units,
// countries, HS nomenclature …) with their effective dates, loaded from CSV
// and looked up in memory.
//
// Every row is valid from valid_from (inclusive) to valid_to (exclusive);
// several rows for one code are its versions. Dates are Beijing dates: a
// lookup at any instant uses that instant's date in jinguan.China.
package refdata

import (
	"math"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// Table names.
const (
	HS              = "hs"               // HS 2022 chapters, headings, subheadings
	HSSection       = "hs_section"       // HS sections I … XXI
	Country         = "country"          // ISO 3166 alpha-3
	Currency        = "currency"         // ISO 4217 alphabetic
	TradeMode       = "trade_mode"       // 监管方式
	TransportMode   = "transport_mode"   // 运输方式
	TransactionTerm = "transaction_term" // 成交方式
	LevyNature      = "levy_nature"      // 征免性质
	ExemptionMethod = "exemption_method" // 征免方式
	Unit            = "unit"             // 计量单位
	CustomsDistrict = "customs_district" // 关区代码
	WrapType        = "wrap_type"        // 包装种类
	LicenceType     = "licence_type"     // 监管证件代码
	DocumentType    = "document_type"    // 随附单据代码
	ExchangeRate    = "exchange_rate"    // 海关汇率, CNY per unit
)

// Entry is one version of a code.
type Entry struct {
	Code, NameZH, NameEN string
	ValidFrom, ValidTo   time.Time // ValidTo zero = open
	// Attrs holds the table's extra columns. It is shared with the catalog:
	// read it, never write it.
	Attrs map[string]string
}

// Attr returns an attribute, "" when absent.
func (e Entry) Attr(name string) string { return e.Attrs[name] }

// Catalog is an immutable set of tables, safe for concurrent use.
type Catalog struct {
	tables map[string]*table
}

// table indexes the versions of each code.
type table struct {
	byCode map[string][]version // versions sorted by from, disjoint
	codes  []string             // sorted, for Entries
}

// version is one row; from/to are day numbers so a lookup compares ints.
type version struct {
	from, to int32 // [from, to); to = openDay when open
	line     int
	rate     decimal.Decimal // exchange-rate table only
	entry    Entry
}

const openDay = math.MaxInt32

var one = decimal.NewFromInt(1)

// Day is the Beijing day number of t, the unit of every validity period
// (Dated). China has a fixed offset, so the date is a floor division and
// needs no time.Date call.
func Day(t time.Time) int32 {
	s := t.Unix() + 8*3600
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return int32(d)
}

func (c *Catalog) find(tbl, code string, on time.Time) *version {
	t := c.tables[tbl]
	if t == nil {
		return nil
	}
	vs := t.byCode[code]
	if len(vs) == 0 {
		return nil
	}
	d := Day(on)
	// Last version starting on or before d; binary search because
	// exchange rates carry one version per month.
	lo, hi := 0, len(vs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if vs[m].from <= d {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 || d >= vs[lo-1].to {
		return nil
	}
	return &vs[lo-1]
}

// Lookup returns the version of code valid on the Beijing date of on.
func (c *Catalog) Lookup(table, code string, on time.Time) (Entry, bool) {
	if v := c.find(table, code, on); v != nil {
		return v.entry, true
	}
	return Entry{}, false
}

// Has reports whether code is valid on the date.
func (c *Catalog) Has(table, code string, on time.Time) bool {
	return c.find(table, code, on) != nil
}

// Attr returns an attribute of the version valid on the date, "" when the
// code or the attribute is absent.
func (c *Catalog) Attr(table, code, attr string, on time.Time) string {
	if v := c.find(table, code, on); v != nil {
		return v.entry.Attrs[attr]
	}
	return ""
}

// Entries lists the codes valid on the date, sorted by code.
func (c *Catalog) Entries(table string, on time.Time) []Entry {
	t := c.tables[table]
	if t == nil {
		return nil
	}
	out := make([]Entry, 0, len(t.codes))
	for _, code := range t.codes {
		if v := c.find(table, code, on); v != nil {
			out = append(out, v.entry)
		}
	}
	return out
}

// Tables lists the loaded table names, sorted.
func (c *Catalog) Tables() []string {
	out := make([]string, 0, len(c.tables))
	for name := range c.tables {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// ExchangeRate returns the customs rate in CNY per one unit of currency on
// the date; CNY is always 1.
func (c *Catalog) ExchangeRate(currency string, on time.Time) (decimal.Decimal, bool) {
	if currency == "CNY" {
		return one, true
	}
	if v := c.find(ExchangeRate, currency, on); v != nil {
		return v.rate, true
	}
	return decimal.Decimal{}, false
}
