package enterprise

import (
	"strings"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/refdata"
)

func TestValidate(t *testing.T) {
	cat, err := refdata.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	v := &Validator{Catalog: cat}
	on := time.Date(2026, 6, 1, 0, 0, 0, 0, jinguan.China)
	good := `{"scc":"91310115MA1H5N9X7A","name_zh":"上海新锐电子贸易有限公司","roles":["consignee","consignor"],
		"customs":"2200","registered_at":"2019-04-01",
		"legal_rep":{"name":"张伟","id_type":"resident_id","id_number":"11010519491231002x","phone":"+86 21 5555 1234"},
		"contacts":[{"name":"李娜","duty":"关务负责人","email":"li.na@example.cn"}],
		"aeo_partners":[{"country":"sg","code":"SGAEO-001234","name":"Lion Logistics Pte Ltd"}]}`
	cases := []struct {
		body string
		want []string
	}{
		{good, nil},
		{`{"scc":"91310115MA1H5N9X7B","name_zh":"","roles":[],"customs":"9999","registered_at":"2019-02-30"}`,
			[]string{"/name_zh:required", "/scc:scc_check", "/roles:required", "/customs:unknown_district", "/registered_at:date_format"}},
		{`{"scc":"91310115ma1h5n9x7a","name_zh":"x","roles":["broker","broker","importer"],"customs":"2200","registered_at":"2027-01-01","status":"gone"}`,
			[]string{"/scc:scc_format", "/roles/1:duplicate", "/roles/2:unknown_role", "/registered_at:future_date", "/status:unknown_status"}},
		{`{"scc":"91310115MA1H5N9X7A","name_zh":"x","roles":["broker"],"customs":"2200","registered_at":"2019-04-01",
			"legal_rep":{"name":"张伟","id_type":"resident_id","id_number":"110105194912310021","phone":"call me"},
			"contacts":[{"name":"李娜"},{"name":"王","email":"nope"}],
			"aeo_partners":[{"country":"XX","code":"a b"},{"country":"SG","code":"X1"},{"country":"SG","code":"X1"}]}`,
			[]string{"/legal_rep/id_number:id_check", "/legal_rep/phone:phone_format", "/contacts/0:no_channel",
				"/contacts/1/email:email_format", "/aeo_partners/0/country:unknown_country", "/aeo_partners/0/code:aeo_code_format",
				"/aeo_partners/2:duplicate"}},
	}
	for _, c := range cases {
		var in Input
		if errs := declaration.DecodeStrict([]byte(c.body), &in); errs != nil {
			t.Fatalf("%s: %v", c.body, errs)
		}
		e, errs := v.Validate(&in, on)
		var got []string
		for _, x := range errs {
			got = append(got, x.Pointer+":"+x.Code)
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%s\n got %v\nwant %v", c.body, got, c.want)
		}
		if errs == nil {
			if e.Status != StatusActive || e.LegalRep.IDNumber != "11010519491231002X" || e.AEOPartners[0].Country != "SG" ||
				!e.RegisteredAt.Equal(time.Date(2019, 4, 1, 0, 0, 0, 0, jinguan.China)) {
				t.Errorf("converted %+v", e)
			}
			r := e.Redacted()
			if r.LegalRep.Name != "张伟" || r.LegalRep.IDNumber != "" || r.LegalRep.Phone != "" || r.Contacts != nil || e.LegalRep.IDNumber == "" {
				t.Errorf("redacted %+v (original %+v)", r.LegalRep, e.LegalRep)
			}
		}
	}
}

func FuzzValidate(f *testing.F) {
	cat, err := refdata.Embedded()
	if err != nil {
		f.Fatal(err)
	}
	v := &Validator{Catalog: cat}
	on := time.Date(2026, 6, 1, 0, 0, 0, 0, jinguan.China)
	f.Add([]byte(`{"scc":"91310115MA1H5N9X7A","name_zh":"上海","roles":["consignee"],"customs":"2200","registered_at":"2019-04-01",
		"legal_rep":{"name":"张伟","id_type":"resident_id","id_number":"11010519491231002X"},"contacts":[{"name":"李","email":"a@b.cn"}],
		"aeo_partners":[{"country":"SG","code":"X1"}]}`))
	f.Add([]byte(`{"roles":[1,"x"],"legal_rep":{"id_type":"passport","id_number":"\u0000"},"registered_at":"2019-04-01T00:00:00Z"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var in Input
		if errs := declaration.DecodeStrict(body, &in); errs != nil {
			return
		}
		e, errs := v.Validate(&in, on)
		if errs == nil && (e.SCC == "" || e.NameZH == "" || len(e.Roles) == 0 || e.Status == "") {
			t.Fatalf("accepted an incomplete enterprise %+v", e)
		}
		for _, x := range errs {
			if x.Pointer == "" || x.Code == "" || x.MessageZH == "" || x.MessageEN == "" {
				t.Fatalf("uncoded problem %+v", x)
			}
		}
	})
}
