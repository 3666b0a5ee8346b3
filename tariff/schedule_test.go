package tariff

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/refdata"
)

func sday(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, jinguan.China) }

const schedHead = "# test schedule\ncode_ts,hs6,name_zh,name_en,first_unit,second_unit,mfn_rate,general_rate,vat_rate,valid_from,valid_to\n"

func TestLoadScheduleErrorsNameTheLine(t *testing.T) {
	good := "8471300000,847130,便携式电脑,Portable computers,001,035,0,70,13,2022-01-01,\n"
	tests := []struct {
		name, body string
		line       int
		msg        string
	}{
		{"short code", schedHead + good + "847130000,847130,电脑,PC,001,035,0,70,13,2022-01-01,\n", 4, "want 10 digits"},
		{"letters in code", schedHead + "84713000AB,847130,电脑,PC,001,035,0,70,13,2022-01-01,\n", 3, "want 10 digits"},
		{"hs6 mismatch", schedHead + "8471300000,847141,电脑,PC,001,035,0,70,13,2022-01-01,\n", 3, "not under hs6"},
		{"hs6 not in HS", schedHead + "8471990000,847199,电脑,PC,001,035,0,70,13,2022-01-01,\n", 3, "not an HS subheading"},
		{"unknown first unit", schedHead + good + "8517130000,851713,智能手机,Smartphones,999,035,0,130,13,2022-01-01,\n", 4, "first_unit"},
		{"unknown second unit", schedHead + "8517130000,851713,智能手机,Smartphones,001,KGM,0,130,13,2022-01-01,\n", 3, "second_unit"},
		{"unknown column", strings.Replace(schedHead, "valid_to", "valid_to,quota_rate,remark", 1), 2, "unknown columns quota_rate, remark"},
		{"missing column", strings.Replace(schedHead, ",general_rate", "", 1), 2, `missing column "general_rate"`},
		{"bad rate", schedHead + "8517130000,851713,智能手机,Smartphones,001,035,zero,130,13,2022-01-01,\n", 3, "mfn_rate"},
		{"negative VAT", schedHead + "8517130000,851713,智能手机,Smartphones,001,035,0,130,-13,2022-01-01,\n", 3, "vat_rate"},
		{"bad date", schedHead + "8517130000,851713,智能手机,Smartphones,001,035,0,130,13,2022-1-1,\n", 3, "valid_from"},
		{"no name", schedHead + "8517130000,851713,,Smartphones,001,035,0,130,13,2022-01-01,\n", 3, "name_zh"},
		{"overlap", schedHead + good +
			"8517130000,851713,智能手机,Smartphones,001,035,0,130,13,2022-01-01,2026-01-01\n" +
			"8517130000,851713,智能手机,Smartphones,001,035,0,130,13,2025-01-01,\n", 5, "overlaps the version on line 4"},
		{"field count", schedHead + "8517130000,851713,智能手机,Smartphones,001,035,0,130,13,2022-01-01\n", 3, "number of fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadSchedule(strings.NewReader(tt.body), "test.csv", nil)
			var le *refdata.LoadError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v, want *refdata.LoadError", err)
			}
			if le.File != "test.csv" || le.Line != tt.line || !strings.Contains(le.Msg, tt.msg) {
				t.Fatalf("err = %v, want test.csv:%d …%s…", err, tt.line, tt.msg)
			}
		})
	}
}

func TestScheduleVersions(t *testing.T) {
	body := "\ufeff" + schedHead +
		"2204210000,220421,葡萄酒,Wine,095,035,14,180,13,2022-01-01,2026-01-01\n" +
		"2204210000,220421,葡萄酒,Wine,095,035,12,180,13,2026-01-01,\n" +
		"0402210000,040221,奶粉,Milk powder,035,,10,40,9,2024-01-01,2025-01-01\n"
	s, err := LoadSchedule(strings.NewReader(body), "versions.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, code string
		on         time.Time
		mfn        string // "" = no line
	}{
		{"before", "2204210000", sday(2021, 12, 31), ""},
		{"old version", "2204210000", sday(2025, 12, 31), "14"},
		{"new version on valid_to", "2204210000", sday(2026, 1, 1), "12"},
		{"Beijing date of a UTC instant", "2204210000", time.Date(2025, 12, 31, 17, 0, 0, 0, time.UTC), "12"},
		{"closed line", "0402210000", sday(2025, 1, 1), ""},
		{"closed line inside", "0402210000", sday(2024, 6, 1), "10"},
		{"unknown", "9999999999", sday(2025, 1, 1), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, ok := s.Line(tt.code, tt.on)
			if ok != (tt.mfn != "") || (ok && !l.MFN.AdValorem.Equal(decimal.RequireFromString(tt.mfn))) {
				t.Fatalf("Line = %+v, %v; want MFN %q", l, ok, tt.mfn)
			}
		})
	}
	if s.Len() != 2 {
		t.Fatalf("Len = %d", s.Len())
	}
	if got := s.Lines(sday(2024, 6, 1)); len(got) != 2 || got[0].Code != "0402210000" {
		t.Fatalf("Lines = %+v", got)
	}
	first, second, ok := s.LegalUnits("0402210000", sday(2024, 6, 1))
	if !ok || first != "035" || second != "" {
		t.Fatalf("LegalUnits = %q %q %v", first, second, ok)
	}
}

func TestSampleSchedule(t *testing.T) {
	s, err := SampleSchedule(nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() < 300 || s.Len() > 400 {
		t.Errorf("sample has %d lines", s.Len())
	}
	again, _ := SampleSchedule(nil)
	if again != s {
		t.Error("sample not cached")
	}
	on := sday(2026, 11, 22)
	tests := []struct {
		code, first, second, vat string
	}{
		{"8471300000", "001", "035", "13"},
		{"8517130000", "001", "035", "13"},
		{"3304990000", "035", "", "13"},
		{"0402210000", "035", "", "9"},
		{"2204210000", "095", "035", "13"},
		{"6109100000", "011", "035", "13"},
		{"8703236000", "003", "035", "13"},
		{"9503008900", "035", "", "13"},
		{"4011100000", "015", "035", "13"},
		{"1507100000", "035", "", "9"},
		{"4901990000", "035", "132", "9"},
	}
	for _, tt := range tests {
		l, ok := s.Line(tt.code, on)
		if !ok || l.FirstUnit != tt.first || l.SecondUnit != tt.second || l.VAT.String() != tt.vat {
			t.Errorf("%s = %+v, %v", tt.code, l, ok)
		}
	}
	chapters := map[string]bool{}
	for _, l := range s.Lines(on) {
		chapters[l.Code[:2]] = true
		if l.NameZH == "" || l.NameEN == "" {
			t.Errorf("%s lacks a name", l.Code)
		}
	}
	if len(chapters) < 40 {
		t.Errorf("sample spans %d chapters", len(chapters))
	}
}

var lineSink Line

func BenchmarkLine(b *testing.B) {
	s, err := SampleSchedule(nil)
	if err != nil {
		b.Fatal(err)
	}
	on := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		lineSink, _ = s.Line("8471300000", on)
	}
}

func TestCompanionErrorsNameTheLine(t *testing.T) {
	base, err := LoadSchedule(strings.NewReader(testSchedule), "test.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file, body string
		line       int
		msg        string
	}{
		{FileAgreement, "code_ts,agreement,rate,valid_from,valid_to\n0306179000,AG1,4,2020-01-01,\n9999999999,AG1,4,2020-01-01,\n", 3, "no tariff line 9999999999"},
		{FileAgreement, "code_ts,agreement,rate,valid_from,valid_to\n0306179000,ag1,4,2020-01-01,\n", 2, "agreement"},
		{FileProvisional, "code_ts,rate,valid_from,valid_to\n0306179000,3,2020-01-01,\n0306179000,2,2021-01-01,\n", 3, "overlaps the version on line 2"},
		{FileProvisional, "code_ts,rate,valid_from,valid_to\n0306179000,3%,2020-01-01,\n", 2, "rate"},
		{FileConsumption, "code_ts,rate,valid_from,valid_to\n3304990000,100,2020-01-01,\n", 2, "0 to 99"},
		{FileRemedies, "code_ts,measure,origin,producer,rate,valid_from,valid_to\n0306179000,dumping,KOR,,5,2020-01-01,\n", 2, "measure"},
		{FileRemedies, "code_ts,measure,origin,producer,rate,valid_from,valid_to\n0306179000,safeguard,XYZ,,5,2020-01-01,\n", 2, "country"},
		{FileParties, "scheme,kind,country,valid_from,valid_to\nAG1,fta,AUS,2020-01-01,\n", 2, "kind"},
		{FileMFNPartners, "country,valid_from,valid_to\nAUS,2020-01-01,2019-01-01\n", 2, "not after"},
		{FileMFNPartners, "country,valid_from\nAUS,2020-01-01\n", 1, `missing column "valid_to"`},
		{FileLicenceRules, "hs_prefix,ie_flag,licence,valid_from,valid_to\n0201,I,?,2020-01-01,\n", 2, "licence"},
	}
	for _, tt := range tests {
		_, err := base.WithMeasures(fstest.MapFS{tt.file: {Data: []byte(tt.body)}}, nil)
		var le *refdata.LoadError
		if !errors.As(err, &le) || le.File != tt.file || le.Line != tt.line || !strings.Contains(le.Msg, tt.msg) {
			t.Errorf("%s: err = %v, want %s:%d …%s…", tt.file, err, tt.file, tt.line, tt.msg)
		}
	}
}

func TestParseRate(t *testing.T) {
	for in, want := range map[string]string{"10": "ad_valorem 10", "1.3/u": "specific 1.3/u", "5+2/u": "compound 5+2/u", "0": "ad_valorem 0"} {
		r, err := ParseRate(in, 1000)
		if err != nil || r.Kind()+" "+r.String() != want {
			t.Errorf("%s: %v %v", in, r, err)
		}
	}
	for _, in := range []string{"", "abc", "-1", "1001", "+2/u", "5+", "5+2", "2/kg", "5+-2/u"} {
		if _, err := ParseRate(in, 1000); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

// The sample shows every rate kind and rule on some line.
func TestSampleMeasures(t *testing.T) {
	s, err := SampleSchedule(nil)
	if err != nil {
		t.Fatal(err)
	}
	on := sday(2026, 11, 20)
	tests := []struct {
		code, origin, agreement string
		quota                   bool
		rule, rate              string
	}{
		{"0201300000", "AUS", "CNAU", false, "agreement", "2.4"},
		{"0402210000", "NZL", "RCEP", false, "agreement_provisional_lower", "8"},
		{"0402210000", "NZL", "CNNZ", false, "agreement_lower_than_provisional", "0"},
		{"8507600000", "KOR", "RCEP", false, "mfn_below_agreement", "8"},
		{"0306179000", "LAO", "", false, "special_lower_than_provisional", "0"},
		{"6110200000", "BGD", "", false, "special_provisional_lower", "3"},
		{"6109100000", "ETH", "", false, "special", "0"},
		{"9018121000", "USA", "", false, "mfn_provisional", "2"},
		{"8471300000", "PRK", "", false, "general", "70"},
		{"8471300000", "", "", false, "general_unknown_origin", "70"},
		{"8471300000", "CHN", "", false, "mfn_chinese_origin", "0"},
		{"1001990000", "USA", "", true, "quota", "1"},
		{"3102100000", "USA", "", true, "quota_provisional_lower", "1"},
		{"0207141100", "USA", "", false, "mfn_provisional", "0.9/u"},
		{"0207142200", "BRA", "", false, "mfn", "0.7/u"},
		{"8525892000", "JPN", "", false, "mfn", "3+200/u"},
	}
	for _, tt := range tests {
		sel, err := s.Select(Query{Code: tt.code, Origin: tt.origin, Agreement: tt.agreement, InQuota: tt.quota, On: on,
			Value: decimal.NewFromInt(10000), Qty: decimal.NewFromInt(100)})
		if err != nil || sel.Rule.Code != tt.rule || sel.Duty.String() != tt.rate {
			t.Errorf("%s %s %s: %s %s %v, want %s %s", tt.code, tt.origin, tt.agreement, sel.Rule.Code, sel.Duty, err, tt.rule, tt.rate)
		}
	}
	for code, want := range map[string]string{"2208300000": "20+1/u", "2710122000": "2.11/u", "3304990000": "15"} {
		if sel, _ := s.Select(Query{Code: code, Origin: "USA", On: on}); sel.Consumption == nil || sel.Consumption.String() != want {
			t.Errorf("%s consumption tax %v, want %s", code, sel.Consumption, want)
		}
	}
	if sel, _ := s.Select(Query{Code: "7219340000", Origin: "IDN", On: on}); len(sel.Remedies) != 1 || sel.Remedies[0].Rate.String() != "20.2" {
		t.Errorf("stainless steel remedies %+v", sel.Remedies)
	}
}

// LoadDir reads a deployment's tariff folder with its companion files, and
// falls back to the sample without one.
func TestLoadDir(t *testing.T) {
	cat, err := refdata.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if s, err := LoadDir(t.TempDir(), cat); err != nil || s.Len() < 300 {
		t.Fatalf("empty folder: %v, sample expected", err)
	}
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(ScheduleFile, "code_ts,hs6,name_zh,name_en,first_unit,second_unit,mfn_rate,general_rate,vat_rate,valid_from,valid_to\n"+
		"8471300000,847130,便携式计算机,Portable computers,001,035,10,70,13,2020-01-01,\n")
	write(FileProvisional, "code_ts,rate,valid_from,valid_to\n8471300000,3,2026-01-01,2027-01-01\n")
	s, err := LoadDir(dir, cat)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := s.Select(Query{Code: "8471300000", Origin: "USA", On: time.Date(2026, 6, 1, 0, 0, 0, 0, jinguan.China)})
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 1 || sel.Duty.String() != "3" {
		t.Fatalf("lines %d, duty %s (%s): the provisional rate from the folder was not applied", s.Len(), sel.Duty, sel.Rule.Code)
	}
}
