package model

import (
	"errors"
	"math"
	"slices"
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

func TestImportProjectExport(t *testing.T) {
	m, err := BuiltinMapping("jinguan")
	if err != nil {
		t.Fatal(err)
	}
	csv := "entry_id,g_no,declared_at,custom_master,ie_port,agent_code_scc,trade_co_scc,owner_code_scc,trade_mode,traf_mode,trans_mode,trade_country,code_ts,origin_country,g_qty,net_wt,decl_total,trade_curr,value_cny,duty_mode,duty_rate,lane,revenue,finding\n" +
		"220120261000000001,1,2026-03-01T09:30:00+08:00,2201,2201,91310115MA1FL0000X,91310000MA1K00001A,,0110,2,1,USA,8471300000,USA,10,12.5,8000.00,USD,56800.00,1,0,red,1200.50,1\n" +
		"220120261000000002,1,2026-03-02,2201,2201,91310115MA1FL0000X,91310000MA1K00001A,,0110,2,1,DEU,8703239000,DEU,1,1500,30000,EUR,234000,1,15,green,,0\n" +
		"220120261000000003,1,2026-03-02,2201,2201,A,B,,0110,2,1,DEU,8703239000,DEU,one,1500,30000,EUR,234000,1,15,green,,0\n"
	recs, bad, err := Import(strings.NewReader(csv), m)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || len(bad) != 1 || bad[0].Line != 4 {
		t.Fatalf("%d records, rejected %v", len(recs), bad)
	}
	r := recs[0]
	if r.HS6 != "847130" || r.Office != "2201" || r.Quantity != 10 || r.Value != 56800 || r.Revenue != 1200.5 || !r.Fraud || r.Date.Day() != 1 ||
		!math.IsNaN(r.TaxRate) {
		t.Fatalf("%+v", r)
	}
	if len(r.Extra) != 6 || r.Extra[m.index("trade_curr")] != "USD" || r.Seller != "" {
		t.Fatalf("extras %v", r.Extra)
	}
	if !math.IsNaN(recs[1].Revenue) {
		t.Fatal("an empty revenue must be absent, not zero")
	}
}

func (m Mapping) index(extra string) int { return slices.Index(m.ExtraNames(), extra) }
