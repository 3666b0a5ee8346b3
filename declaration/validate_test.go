package declaration

import (
	"encoding/json"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/refdata"
)

// lines stands in for the tariff schedule: legal units by commodity code.
type lines map[string][2]string

func (l lines) LegalUnits(code string, _ time.Time) (string, string, bool) {
	u, ok := l[code]
	return u[0], u[1], ok
}

var testLines = lines{"8471300000": {"001", "035"}, "3304990000": {"035", ""}}

var testAt = time.Date(2026, 11, 20, 10, 0, 0, 0, jinguan.China)

func testValidator(t testing.TB) *Validator {
	cat, err := refdata.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return &Validator{Codes: cat, Tariff: testLines, Rules: DefaultRules()}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// validForm is an FOB import of laptops and cosmetics by sea.
func validForm() *Form {
	two := dec("120.5")
	return &Form{
		Head: Head{
			CustomMaster: "2200", IEPort: "2248", IEFlag: "I", IEDate: "2026-11-15",
			TradeCoScc: "91350100M000100Y43", TradeName: "上海东方电子进出口有限公司",
			AgentCodeScc: "91110000600037341L", AgentName: "北京京关报关有限公司",
			TradeMode: "0110", CutMode: "101", TrafMode: "2", TrafName: "COSCO ARIES", VoyageNo: "012E",
			BillNo: "COSU6012345678", TransMode: "3",
			Fee:           &Charge{Mark: "3", Rate: dec("500"), Currency: "USD"},
			Insur:         &Charge{Mark: "1", Rate: dec("0.3")},
			TradeAreaCode: "USA", TradeCountry: "USA", PackNo: 10, WrapType: "22",
			GrossWet: dec("130.5"), NetWt: dec("121.0"),
		},
		Items: []Item{
			{GNo: 1, CodeTS: "8471300000", GName: "笔记本电脑", GModel: "0|0|14英寸|X1", GQty: dec("10"), GUnit: "001",
				FirstQty: dec("10"), FirstUnit: "001", SecondQty: &two, SecondUnit: "035",
				DeclPrice: dec("999.50"), DeclTotal: dec("9995.00"), TradeCurr: "USD",
				OriginCountry: "USA", DestinationCountry: "CHN", DutyMode: "1"},
			{GNo: 2, CodeTS: "3304990000", GName: "护肤品", GModel: "0|0|面霜|50ml", GQty: dec("0.5"), GUnit: "035",
				FirstQty: dec("0.5"), FirstUnit: "035", DeclPrice: dec("10"), DeclTotal: dec("5"), TradeCurr: "USD",
				OriginCountry: "USA", DestinationCountry: "CHN", DutyMode: "1"},
		},
		Containers: []Container{{ContainerID: "CSQU3054383", GoodsNo: []int{1, 2}}},
	}
}

func TestValidFormPasses(t *testing.T) {
	if errs := testValidator(t).Validate(validForm(), testAt); len(errs) > 0 {
		t.Fatalf("valid form rejected: %+v", errs)
	}
}

// TestTenMistakes: ten distinct mistakes give ten coded errors at once.
func TestTenMistakes(t *testing.T) {
	f := validForm()
	f.Head.TradeCoScc = "91350100M000100Y44"    // 1 wrong check character
	f.Head.TradeMode = "9999"                   // 2 unknown trade mode
	f.Head.NetWt = dec("140")                   // 3 net > gross
	f.Head.Fee = nil                            // 4 FOB without freight
	f.Items[0].DeclTotal = dec("9000")          // 5 total ≠ qty × price
	f.Items[0].FirstUnit = "007"                // 6 legal unit mismatch
	f.Items[1].OriginCountry = "XXX"            // 7 unknown country
	f.Items[1].TradeCurr = ""                   // 8 missing currency
	f.Containers[0].ContainerID = "CSQU3054384" // 9 container check digit
	f.Head.BillNo = ""                          // 10 waterway without bill of lading
	errs := testValidator(t).Validate(f, testAt)
	want := []string{
		"/containers/0/container_id container_check",
		"/head/bill_no bill_required",
		"/head/fee freight_required",
		"/head/net_wt net_exceeds_gross",
		"/head/trade_co_scc uscc_check",
		"/head/trade_mode unknown_code",
		"/items/0/decl_total total_mismatch",
		"/items/0/first_unit legal_unit_mismatch",
		"/items/1/origin_country unknown_code",
		"/items/1/trade_curr required",
	}
	var got []string
	for _, e := range errs {
		got = append(got, e.Pointer+" "+e.Code)
		if e.MessageZH == "" || e.MessageEN == "" {
			t.Errorf("%s %s lacks a message", e.Pointer, e.Code)
		}
	}
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Fatalf("errors\n got  %q\n want %q", got, want)
	}
}

func TestRules(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Form)
		want   string // "pointer code"
	}{
		{"processing trade needs ledger", func(f *Form) { f.Head.TradeMode = "0615" }, "/head/manual_no ledger_required"},
		{"ledger needs item numbers", func(f *Form) { f.Head.ManualNo = "C22001234567" }, "/items/0/contr_item contr_item_required"},
		{"C&F needs insurance", func(f *Form) { f.Head.TransMode = "2"; f.Head.Insur = nil }, "/head/insur insurance_required"},
		{"export CIF needs freight to deduct", func(f *Form) {
			f.Head.IEFlag, f.Head.IEDate, f.Head.TransMode, f.Head.Fee = "E", "", "1", nil
		}, "/head/fee freight_required"},
		{"export declared too late", func(f *Form) { f.Head.IEFlag, f.Head.IEDate = "E", "2026-11-20" }, "/head/ie_date export_too_late"},
		{"import abandoned", func(f *Form) { f.Head.IEDate = "2026-07-01" }, "/head/ie_date import_abandoned"},
		{"import needs arrival date", func(f *Form) { f.Head.IEDate = "" }, "/head/ie_date required"},
		{"second unit required", func(f *Form) { f.Items[0].SecondUnit, f.Items[0].SecondQty = "", nil }, "/items/0/second_unit second_unit_required"},
		{"second unit not allowed", func(f *Form) { f.Items[1].SecondUnit = "035" }, "/items/1/second_unit second_unit_not_allowed"},
		{"unknown tariff line", func(f *Form) { f.Items[1].CodeTS = "3304990001" }, "/items/1/code_ts unknown_tariff_line"},
		{"item numbering", func(f *Form) { f.Items[1].GNo = 3 }, "/items/1/g_no item_number"},
		{"too many decimals", func(f *Form) { f.Items[1].DeclTotal = dec("5.001") }, "/items/1/decl_total too_many_decimals"},
		{"container refers to missing item", func(f *Form) { f.Containers[0].GoodsNo = []int{3} }, "/containers/0/goods_no/0 unknown_item"},
		{"rate mark with currency", func(f *Form) { f.Head.Insur.Currency = "USD" }, "/head/insur/currency currency_with_rate"},
		{"insurance per unit", func(f *Form) { f.Head.Insur = &Charge{Mark: "2", Rate: dec("1"), Currency: "USD"} }, "/head/insur/mark one_of"},
		{"uscc format", func(f *Form) { f.Head.AgentCodeScc = "123" }, "/head/agent_code_scc format"},
		{"reference valid on date", func(f *Form) { f.Items[0].TradeCurr = "DEM" }, "/items/0/trade_curr unknown_code"},
	}
	v := testValidator(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := validForm()
			c.mutate(f)
			errs := v.Validate(f, testAt)
			var got []string
			for _, e := range errs {
				got = append(got, e.Pointer+" "+e.Code)
			}
			if !slices.Contains(got, c.want) {
				t.Fatalf("want %q among %q", c.want, got)
			}
		})
	}
	t.Run("too many items", func(t *testing.T) {
		f := validForm()
		for len(f.Items) < 51 {
			it := f.Items[1]
			it.GNo = len(f.Items) + 1
			f.Items = append(f.Items, it)
		}
		f.Containers = nil
		errs := v.Validate(f, testAt)
		if len(errs) != 1 || errs[0].Code != "too_many_items" {
			t.Fatalf("got %+v", errs)
		}
	})
}

func TestLateDays(t *testing.T) {
	r := DefaultRules()
	h := &Head{IEFlag: "I", IEDate: "2026-11-01"}
	if got := r.LateDays(h, testAt); got != 5 { // 19 days after arrival, 14 allowed
		t.Fatalf("LateDays = %d, want 5", got)
	}
	h.IEDate = "2026-11-10"
	if got := r.LateDays(h, testAt); got != 0 {
		t.Fatalf("LateDays = %d, want 0", got)
	}
}

func TestDecodeReportsEveryTypeError(t *testing.T) {
	body := `{"head":{"pack_no":"ten","gross_wet":"heavy","colour":"red"},"items":[{"g_no":1},{"g_no":1.5,"g_qty":true}],"extra":1}`
	_, errs := DecodeForm([]byte(body))
	var got []string
	for _, e := range errs {
		got = append(got, e.Pointer+" "+e.Code)
	}
	want := []string{"/extra unknown_field", "/head/colour unknown_field", "/head/gross_wet not_a_number",
		"/head/pack_no type", "/items/1/g_no type", "/items/1/g_qty not_a_number"}
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	for _, bad := range []string{``, `[]`, `{"head":`, `{} {}`, ` "x"`, `{"items":[{"g_qty":"1e99999"}]}`} {
		if _, errs := DecodeForm([]byte(bad)); len(errs) == 0 {
			t.Errorf("DecodeForm(%q) accepted", bad)
		}
	}
}

func TestHugeNumbersRefused(t *testing.T) {
	f := validForm()
	f.Items[0].GQty = dec("1e400")
	f.Head.GrossWet = dec("1e16")
	var got []string
	for _, e := range testValidator(t).Validate(f, testAt) {
		got = append(got, e.Pointer+" "+e.Code)
	}
	for _, want := range []string{"/items/0/g_qty too_large", "/head/gross_wet too_large"} {
		if !slices.Contains(got, want) {
			t.Errorf("want %q among %q", want, got)
		}
	}
}

func TestDecodeRoundTrip(t *testing.T) {
	b, err := json.Marshal(validForm())
	if err != nil {
		t.Fatal(err)
	}
	f, errs := DecodeForm(b)
	if errs != nil {
		t.Fatalf("%+v", errs)
	}
	if !f.Items[0].DeclTotal.Equal(dec("9995")) || f.Items[0].SecondQty == nil {
		t.Fatalf("round trip lost data: %+v", f.Items[0])
	}
}

// FuzzValidate: no input panics the decoder or the validator.
func FuzzValidate(f *testing.F) {
	b, _ := json.Marshal(validForm())
	f.Add(b)
	f.Add([]byte(`{"head":{"ie_flag":"E","trans_mode":"1","fee":{"mark":"2","rate":"1e-9"}},"items":[{"g_no":1,"decl_total":"0"}]}`))
	f.Add([]byte(`{"items":[{"second_qty":null,"g_qty":"99999999999999999999"}],"containers":[{"goods_no":[0,-1]}]}`))
	v := testValidator(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		form, errs := DecodeForm(body)
		if errs != nil {
			return
		}
		v.Validate(form, testAt)
		v.Rules.LateDays(&form.Head, testAt)
	})
}
