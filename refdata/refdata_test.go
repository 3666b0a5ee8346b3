package refdata

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, jinguan.China) }

func embeddedCatalog(t testing.TB) *Catalog {
	t.Helper()
	c, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestVersionsSwitchOnBeijingDate(t *testing.T) {
	c, err := loadOne("trade-modes.csv", tradeHead+
		"0110,一般贸易,General trade (old),2020-01-01,2026-01-01,0\n"+
		"0110,一般贸易,General trade,2026-01-01,,0\n"+
		"9710,跨境电商B2B直接出口,B2B direct export,2020-07-01,2025-07-01,0\n")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, code string
		on         time.Time
		wantEN     string // "" = not valid
	}{
		{"before first version", "0110", day(2019, 12, 31), ""},
		{"first day, inclusive", "0110", day(2020, 1, 1), "General trade (old)"},
		{"last day of old", "0110", day(2025, 12, 31), "General trade (old)"},
		{"valid_to exclusive", "0110", day(2026, 1, 1), "General trade"},
		{"open end", "0110", day(2099, 1, 1), "General trade"},
		{"UTC evening is Beijing next day", "0110", time.Date(2025, 12, 31, 16, 30, 0, 0, time.UTC), "General trade"},
		{"UTC afternoon still old", "0110", time.Date(2025, 12, 31, 15, 59, 0, 0, time.UTC), "General trade (old)"},
		{"closed code inside", "9710", day(2025, 6, 30), "B2B direct export"},
		{"closed code after", "9710", day(2025, 7, 1), ""},
		{"unknown code", "1234", day(2025, 1, 1), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := c.Lookup(TradeMode, tt.code, tt.on)
			if ok != (tt.wantEN != "") || e.NameEN != tt.wantEN {
				t.Fatalf("Lookup = %q, %v; want %q", e.NameEN, ok, tt.wantEN)
			}
			if c.Has(TradeMode, tt.code, tt.on) != ok {
				t.Fatal("Has disagrees with Lookup")
			}
		})
	}
	if e, _ := c.Lookup(TradeMode, "0110", day(2021, 1, 1)); !e.ValidTo.Equal(day(2026, 1, 1)) || !e.ValidFrom.Equal(day(2020, 1, 1)) {
		t.Fatalf("period = %v … %v", e.ValidFrom, e.ValidTo)
	}
	if got := c.Entries(TradeMode, day(2025, 7, 1)); len(got) != 1 || got[0].Code != "0110" {
		t.Fatalf("Entries = %+v", got)
	}
	if c.Has("no_such_table", "0110", day(2025, 1, 1)) {
		t.Fatal("unknown table answered")
	}
}

func TestEmbeddedTables(t *testing.T) {
	c := embeddedCatalog(t)
	on := day(2026, 11, 22)
	count := func(table string, pred func(Entry) bool) int {
		n := 0
		for _, e := range c.Entries(table, on) {
			if pred == nil || pred(e) {
				n++
			}
		}
		return n
	}
	hs6 := count(HS, func(e Entry) bool { return e.Attr("level") == "6" })
	tests := []struct {
		table    string
		got      int
		min, max int
	}{
		{"hs6", hs6, 5500, 5700},
		{HS, count(HS, nil), 6900, 7000},
		{HSSection, count(HSSection, nil), 21, 21},
		{Country, count(Country, nil), 240, 260},
		{Currency, count(Currency, nil), 150, 185},
		{TradeMode, count(TradeMode, nil), 60, 100},
		{TransportMode, count(TransportMode, nil), 18, 18},
		{TransactionTerm, count(TransactionTerm, nil), 7, 7},
		{LevyNature, count(LevyNature, nil), 14, 60},
		{ExemptionMethod, count(ExemptionMethod, nil), 9, 9},
		{Unit, count(Unit, nil), 100, 130},
		{CustomsDistrict, count(CustomsDistrict, nil), 30, 60},
		{WrapType, count(WrapType, nil), 14, 14},
		{LicenceType, count(LicenceType, nil), 20, 60},
		{DocumentType, count(DocumentType, nil), 4, 40},
		{ExchangeRate, count(ExchangeRate, nil), 14, 14},
	}
	for _, tt := range tests {
		if tt.got < tt.min || tt.got > tt.max {
			t.Errorf("%s: %d entries, want %d…%d", tt.table, tt.got, tt.min, tt.max)
		}
	}
	if n := len(c.Tables()); n != 15 {
		t.Errorf("Tables = %v", c.Tables())
	}

	attrs := []struct{ table, code, attr, want string }{
		{HS, "847130", "level", "6"},
		{HS, "847130", "parent", "8471"},
		{HS, "847130", "section", "XVI"},
		{HS, "84", "parent", ""},
		{Country, "CHN", "alpha2", "CN"},
		{Country, "CHN", "numeric", "156"},
		{Country, "CHN", "currency", "CNY"},
		{Country, "AFG", "numeric", "004"},
		{Country, "PAN", "currency", "PAB"},
		{Currency, "USD", "numeric", "840"},
		{Currency, "JPY", "minor_unit", "0"},
		{TradeMode, "0615", "needs_ledger", "1"},
		{TradeMode, "0110", "needs_ledger", "0"},
		{TransportMode, "5", "needs_bill", "1"},
		{TransportMode, "7", "needs_bill", "0"},
		{TransactionTerm, "3", "freight_included", "0"},
		{TransactionTerm, "2", "freight_included", "1"},
		{TransactionTerm, "2", "insurance_included", "0"},
		{CustomsDistrict, "2233", "channel", "air"},
		{CustomsDistrict, "2233", "parent", "2200"},
		{CustomsDistrict, "5300", "parent", "5300"},
	}
	for _, a := range attrs {
		if got := c.Attr(a.table, a.code, a.attr, on); got != a.want {
			t.Errorf("%s %s %s = %q, want %q", a.table, a.code, a.attr, got, a.want)
		}
	}
	if e, _ := c.Lookup(Country, "CHN", on); e.NameZH != "中国" || e.NameEN != "China" {
		t.Errorf("CHN = %+v", e)
	}
	if e, _ := c.Lookup(Unit, "035", on); e.NameZH != "千克" {
		t.Errorf("unit 035 = %+v", e)
	}
	// Withdrawn currencies stay valid only before their withdrawal.
	if c.Has(Currency, "DEM", on) || !c.Has(Currency, "DEM", day(1995, 1, 1)) {
		t.Error("DEM validity")
	}
	// A code withdrawn for one entity but in use elsewhere stays valid.
	if !c.Has(Currency, "EUR", on) {
		t.Error("EUR not valid")
	}
}

func TestExchangeRate(t *testing.T) {
	c := embeddedCatalog(t)
	tests := []struct {
		cur  string
		on   time.Time
		want string // "" = no rate
	}{
		{"CNY", day(1990, 1, 1), "1"},
		{"USD", day(2026, 11, 15), "7.1"},
		{"USD", day(2025, 1, 1), "7.1884"},
		{"USD", day(2024, 12, 31), ""},
		{"XXX", day(2026, 1, 1), ""},
	}
	for _, tt := range tests {
		got, ok := c.ExchangeRate(tt.cur, tt.on)
		if ok != (tt.want != "") || (ok && !got.Equal(decimal.RequireFromString(tt.want))) {
			t.Errorf("ExchangeRate(%s, %s) = %s, %v; want %q", tt.cur, tt.on.Format(time.DateOnly), got, ok, tt.want)
		}
	}
	jpy, ok := c.ExchangeRate("JPY", day(2026, 6, 1))
	if !ok || jpy.GreaterThan(decimal.RequireFromString("0.1")) || !jpy.IsPositive() {
		t.Errorf("JPY = %s: want CNY per one yen", jpy)
	}
	for _, cur := range []string{"USD", "EUR", "JPY", "HKD", "GBP", "KRW", "AUD", "CAD", "CHF", "SGD", "NZD", "THB", "MYR", "RUB"} {
		for m := time.January; m <= time.December; m++ {
			if _, ok := c.ExchangeRate(cur, day(2025, m, 10)); !ok {
				t.Errorf("no %s rate in 2025-%02d", cur, m)
			}
		}
	}
}

func TestOverride(t *testing.T) {
	base := embeddedCatalog(t)
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("customs-districts.csv", "code,name_zh,name_en,valid_from,valid_to,channel,parent\n"+
		"5316,大鹏海关,Dapeng Customs,2020-01-01,,sea,5300\n")
	write("README.txt", "not a table")
	on := day(2026, 1, 1)

	c, err := base.Override(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Has(CustomsDistrict, "5316", on) || c.Has(CustomsDistrict, "2200", on) {
		t.Error("district table not replaced")
	}
	if !c.Has(TradeMode, "0110", on) || c.Has(CustomsDistrict, "5316", on) == base.Has(CustomsDistrict, "5316", on) {
		t.Error("override leaked into the base or lost other tables")
	}

	same, err := base.Override(filepath.Join(dir, "missing"))
	if err != nil || same != base {
		t.Fatalf("missing dir: %v, same=%v", err, same == base)
	}

	write("units.csv", "code,name_zh,name_en,valid_from,valid_to\n001,台,set,2020-01-01,\n001,台,set,2021-01-01,\n")
	if _, err := base.Override(dir); err == nil {
		t.Fatal("broken override accepted")
	}
}

var sink Entry

func BenchmarkLookup(b *testing.B) {
	c := embeddedCatalog(b)
	on := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		sink, _ = c.Lookup(HS, "847130", on)
		sink, _ = c.Lookup(TradeMode, "0110", on)
	}
}

func BenchmarkExchangeRate(b *testing.B) {
	c := embeddedCatalog(b)
	on := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	var d decimal.Decimal
	for b.Loop() {
		d, _ = c.ExchangeRate("USD", on)
	}
	_ = d
}
