package refdata

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

func loadOne(file, body string) (*Catalog, error) {
	return Load(fstest.MapFS{file: {Data: []byte(body)}})
}

const tradeHead = "# sample\ncode,name_zh,name_en,valid_from,valid_to,needs_ledger\n"

func TestLoadErrorsNameFileAndLine(t *testing.T) {
	tests := []struct {
		name, file, body string
		line             int
		msg              string
	}{
		{"overlap", "trade-modes.csv", tradeHead +
			"0110,一般贸易,General trade,2020-01-01,2026-01-01,0\n" +
			"0214,来料加工,Processing,2020-01-01,,1\n" +
			"0110,一般贸易,General trade,2025-06-01,,0\n", 5, "overlaps the version on line 3"},
		{"overlap open-ended first", "trade-modes.csv", tradeHead +
			"0110,一般贸易,General trade,2020-01-01,,0\n" +
			"0110,一般贸易,General trade,2026-01-01,,0\n", 4, "overlaps"},
		{"bad valid_from", "trade-modes.csv", tradeHead +
			"0110,一般贸易,General trade,2020-01-01,,0\n" +
			"0214,来料加工,Processing,2020/01/01,,1\n", 4, "valid_from"},
		{"bad valid_to", "trade-modes.csv", tradeHead +
			"0110,一般贸易,General trade,2020-01-01,2020-13-01,0\n", 3, "valid_to"},
		{"empty period", "trade-modes.csv", tradeHead +
			"0110,一般贸易,General trade,2020-01-01,2020-01-01,0\n", 3, "not after"},
		{"bare quote", "trade-modes.csv", tradeHead +
			"0110,一般贸易,General trade,2020-01-01,,0\n" +
			"0214,来料\"加工,Processing,2020-01-01,,1\n", 4, "quote"},
		{"field count", "trade-modes.csv", tradeHead +
			"0110,一般贸易,General trade,2020-01-01,,0,extra\n", 3, "number of fields"},
		{"code width", "trade-modes.csv", tradeHead +
			"110,一般贸易,General trade,2020-01-01,,0\n", 3, "want 4 characters"},
		{"empty code", "units.csv", "code,name_zh,name_en,valid_from,valid_to\n" +
			",台,set,2020-01-01,\n", 2, "empty code"},
		{"no name", "units.csv", "code,name_zh,name_en,valid_from,valid_to\n" +
			"001,,,2020-01-01,\n", 2, "no name"},
		{"missing base column", "units.csv", "code,name_zh,name_en,valid_from\n", 1, `missing column "valid_to"`},
		{"missing attribute column", "trade-modes.csv", "code,name_zh,name_en,valid_from,valid_to\n", 1, `"needs_ledger"`},
		{"duplicate column", "units.csv", "code,name_zh,name_en,valid_from,valid_to,code\n", 1, "duplicate"},
		{"bad rate", "exchange-rates.csv", "code,name_zh,name_en,valid_from,valid_to,rate\n" +
			"USD,美元,US dollar,2026-01-01,,7.1\nEUR,欧元,Euro,2026-01-01,,-1\n", 3, "rate"},
		{"bad HS level", "hs2022-nomenclature.csv", "section,hscode,description,parent,level\n" +
			"I,01,Animals,TOTAL,2\nI,0101,Horses,01,6\n", 3, "HS code"},
		{"country missing column", "country-codes.csv", "ISO3166-1-Alpha-3,official_name_en\n", 1, "missing column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadOne(tt.file, tt.body)
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v, want *LoadError", err)
			}
			if le.File != tt.file || le.Line != tt.line || !strings.Contains(le.Msg, tt.msg) {
				t.Fatalf("err = %v, want %s:%d …%s…", err, tt.file, tt.line, tt.msg)
			}
			if !strings.Contains(err.Error(), tt.file) {
				t.Fatalf("message %q does not name the file", err)
			}
		})
	}
}

func TestLoadAcceptsCommentsAndAttributes(t *testing.T) {
	c, err := loadOne("wrap-types.csv", "\ufeff# SAMPLE\ncode,name_zh,name_en,valid_from,valid_to,colour\n"+
		"# block one\n22, 纸箱 ,Carton,2020-01-01,,brown\n# block two\n99,其他包装,Other,2020-01-01,,\n")
	if err != nil {
		t.Fatal(err)
	}
	e, ok := c.Lookup(WrapType, "22", day(2025, 1, 1))
	if !ok || e.NameZH != "纸箱" || e.Attr("colour") != "brown" {
		t.Fatalf("Lookup = %+v, %v", e, ok)
	}
	if got := c.Attr(WrapType, "99", "colour", day(2025, 1, 1)); got != "" {
		t.Fatalf("empty attribute = %q", got)
	}
	if got := c.Tables(); len(got) != 1 || got[0] != WrapType {
		t.Fatalf("Tables = %v", got)
	}
}

func TestLoadEmptyFS(t *testing.T) {
	if _, err := Load(fstest.MapFS{}); err == nil {
		t.Fatal("Load of an empty folder succeeded")
	}
}

func FuzzProjectTable(f *testing.F) {
	f.Add(tradeHead + "0110,一般贸易,General trade,2020-01-01,,0\n")
	f.Add(tradeHead + "0110,a,b,2020-01-01,2021-01-01,0\n0110,a,b,2021-01-01,,1\n")
	f.Add("code,name_zh,name_en,valid_from,valid_to,needs_ledger\n\"0110\n")
	f.Fuzz(func(t *testing.T, body string) {
		c, err := loadOne("trade-modes.csv", body)
		if err != nil {
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("error %v is not a *LoadError", err)
			}
			return
		}
		for _, e := range c.Entries(TradeMode, day(2025, 1, 1)) {
			if !c.Has(TradeMode, e.Code, day(2025, 1, 1)) {
				t.Fatalf("listed code %q not found", e.Code)
			}
		}
	})
}
