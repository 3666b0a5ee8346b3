package model

import (
	"errors"
	"strings"
	"testing"
)

const kcsHead = "Declaration ID,Date,Office ID,Process Type,Import Type,Import Use,Payment Type,Mode of Transport,Declarant ID,Importer ID,Seller ID,Courier ID,HS6 Code,Country of Departure,Country of Origin,Tax Rate,Tax Type,Country of Origin Indicator,Net Mass,Item Price,Fraud,Critical Fraud\n"

func TestImportReportsBadRowsWithLines(t *testing.T) {
	m, err := BuiltinMapping("kcs")
	if err != nil {
		t.Fatal(err)
	}
	csv := kcsHead +
		"1,2020-01-01,30,B,11,21,11,10,D1,I1,S1,,440890,BE,BE,0.0,FEU1,G,108.0,372254.4,0,0\n" +
		"2,2020-01-02,30,B,11,21,11,10,D1,I1,S1,,440890,BE,BE,x,FEU1,G,108.0,372254.4,0,0\n" + // tax rate
		"3,2020-01-02,30,B,11,21,11,10,D1,I1,S1,,440890,BE,BE,8,FEU1,G\n" + // short row
		"4,2020-13-02,30,B,11,21,11,10,D1,I1,S1,,440890,BE,BE,8,FEU1,G,1,2,0,0\n" + // date
		"5,2020-01-03,40,B,11,21,11,10,D2,I2,,C1,0101,CN,CN,8,A,Y,11352.0,375751.2,1,2\n"
	recs, bad, err := Import(strings.NewReader(csv), m)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[1].HS6 != "000101" || !recs[1].Fraud || recs[1].Line != 6 {
		t.Fatalf("records %+v", recs)
	}
	var lines []int
	for _, b := range bad {
		lines = append(lines, b.Line)
	}
	if len(lines) != 3 || lines[0] != 3 || lines[1] != 4 || lines[2] != 5 {
		t.Fatalf("rejected lines %v (%v), want 3 4 5", lines, bad)
	}
	if !strings.Contains(bad[0].Error(), "line 3: tax_rate") {
		t.Errorf("message %q", bad[0].Error())
	}
}

func TestImportStopsOnMissingColumn(t *testing.T) {
	m, _ := BuiltinMapping("kcs")
	_, _, err := Import(strings.NewReader("Declaration ID,Date\n1,2020-01-01\n"), m)
	if !errors.Is(err, ErrMissingColumn) {
		t.Fatalf("err %v, want a missing column", err)
	}
}

func TestParseMapping(t *testing.T) {
	if _, err := ParseMapping([]byte(`{"fields":{"date":"d","hs":"h","value":"v","fraud":"f","colour":"c"}}`), "x"); err == nil ||
		!strings.Contains(err.Error(), "unknown field") {
		t.Fatalf("err %v, want unknown field", err)
	}
	m, err := ParseMapping([]byte("field,column\ndate,d\nhs,h\nvalue,v\nfraud,f\nextra:lane,lane\n"), "x.csv")
	if err != nil || m.Fields["hs"] != "h" || m.Extra["lane"] != "lane" {
		t.Fatalf("%+v %v", m, err)
	}
	if _, err := ParseMapping([]byte("field,column\ndate,d\n"), "x.csv"); err == nil {
		t.Fatal("want an error for missing required fields")
	}
	if _, err := BuiltinMapping("jinguan"); err != nil {
		t.Fatal(err)
	}
}

func FuzzImport(f *testing.F) {
	f.Add(kcsHead + "1,2020-01-01,30,B,11,21,11,10,D1,I1,S1,,440890,BE,BE,0.0,FEU1,G,108.0,372254.4,0,0\n")
	f.Add("a,b\n\"x")
	m, _ := BuiltinMapping("kcs")
	f.Fuzz(func(t *testing.T, s string) {
		recs, _, _ := Import(strings.NewReader(s), m)
		for _, r := range recs {
			if len(r.HS6) != 6 {
				t.Fatalf("HS6 %q", r.HS6)
			}
		}
	})
}
