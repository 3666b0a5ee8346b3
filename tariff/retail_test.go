package tariff

import (
	"testing"
	"time"
)

func TestRetailImportTax(t *testing.T) {
	cfg := DefaultRetailConfig()
	ct15 := Rate{AdValorem: d("15")}
	tests := []struct {
		name                       string
		o                          RetailOrder
		channel, rule              string
		duty, ct, vat, after, comb string
	}{
		// domain.md: cosmetics 300 + freight 20, CT 15 %, VAT 13 %.
		{"cosmetics example", RetailOrder{Items: []RetailItem{{Value: d("320"), CT: &ct15, VAT: d("13")}}},
			RetailPreferential, "cbec_within_limits", "0", "39.53", "34.26", "320", "23.06"},
		// domain.md: milk powder 3,000, no CT.
		{"milk powder example", RetailOrder{Items: []RetailItem{{Value: d("3000"), VAT: d("13")}}, AnnualBefore: d("1000")},
			RetailPreferential, "cbec_within_limits", "0", "0", "273.00", "4000", "9.1"},
		{"order at the limit", RetailOrder{Items: []RetailItem{{Value: d("2000"), VAT: d("13")}, {Value: d("3000"), VAT: d("9")}}},
			RetailPreferential, "cbec_within_limits", "0", "0", "371.00", "5000", "0"},
		{"single indivisible article over 5,000: full tax", RetailOrder{Indivisible: true,
			Items: []RetailItem{{Value: d("8000"), Duty: Rate{AdValorem: d("10")}, CT: &ct15, VAT: d("13")}}, AnnualBefore: d("10000")},
			RetailFullTax, "cbec_single_item_full", "800.00", "1552.94", "1345.88", "18000", "0"},
		{"several articles over 5,000", RetailOrder{Items: []RetailItem{{Value: d("3000"), VAT: d("13")}, {Value: d("2500"), VAT: d("13")}}},
			RetailGeneralTrade, "cbec_over_order_limit", "0", "0", "0", "0", "0"},
		{"divisible single line over 5,000", RetailOrder{Items: []RetailItem{{Value: d("6000"), VAT: d("13")}}},
			RetailGeneralTrade, "cbec_over_order_limit", "0", "0", "0", "0", "0"},
		{"over the annual limit", RetailOrder{Items: []RetailItem{{Value: d("1000.01"), VAT: d("13")}}, AnnualBefore: d("25000")},
			RetailGeneralTrade, "cbec_over_annual_limit", "0", "0", "0", "25000", "0"},
		{"up to the annual limit", RetailOrder{Items: []RetailItem{{Value: d("1000"), VAT: d("13")}}, AnnualBefore: d("25000")},
			RetailPreferential, "cbec_within_limits", "0", "0", "91.00", "26000", "9.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RetailImportTax(cfg, tt.o)
			if got.Channel != tt.channel || got.Rule.Code != tt.rule {
				t.Fatalf("channel %s %s, want %s %s", got.Channel, got.Rule.Code, tt.channel, tt.rule)
			}
			for _, c := range []struct{ name, got, want string }{
				{"duty", got.Duty.String(), tt.duty}, {"ct", got.CT.String(), tt.ct}, {"vat", got.VAT.String(), tt.vat},
				{"annual after", got.AnnualAfter.String(), tt.after}, {"combined rate", got.CombinedRate.String(), tt.comb},
			} {
				if !d(c.got).Equal(d(c.want)) {
					t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
				}
			}
			if !got.Total.Equal(got.Duty.Add(got.CT).Add(got.VAT)) {
				t.Errorf("total %s", got.Total)
			}
			// The lines add up to the sums, and each is what the item alone
			// would pay in the same channel.
			if got.Channel == RetailGeneralTrade {
				if got.Lines != nil {
					t.Errorf("lines of a general-trade order: %v", got.Lines)
				}
				return
			}
			var sum RetailLine
			for i, l := range got.Lines {
				sum.Duty, sum.CT, sum.VAT = sum.Duty.Add(l.Duty), sum.CT.Add(l.CT), sum.VAT.Add(l.VAT)
				alone := RetailImportTax(cfg, RetailOrder{Items: tt.o.Items[i : i+1], Indivisible: tt.o.Indivisible})
				if !alone.Duty.Equal(l.Duty) || !alone.CT.Equal(l.CT) || !alone.VAT.Equal(l.VAT) {
					t.Errorf("line %d %+v, alone %s %s %s", i, l, alone.Duty, alone.CT, alone.VAT)
				}
			}
			if len(got.Lines) != len(tt.o.Items) || !sum.Duty.Equal(got.Duty) || !sum.CT.Equal(got.CT) || !sum.VAT.Equal(got.VAT) {
				t.Errorf("lines %+v", got.Lines)
			}
		})
	}
}

func TestReturnRetail(t *testing.T) {
	cfg := DefaultRetailConfig()
	ct15 := Rate{AdValorem: d("15")}
	tax := RetailImportTax(cfg, RetailOrder{Items: []RetailItem{{Value: d("320"), CT: &ct15, VAT: d("13")}}, AnnualBefore: d("100")})
	released := time.Date(2026, 11, 1, 22, 0, 0, 0, time.UTC) // 2 November in Beijing
	in := ReturnRetail(cfg, tax, released, sday(2026, 12, 2))
	if !in.InWindow || !in.TaxRestored.Equal(d("73.79")) || !in.AnnualRestore.Equal(d("320")) {
		t.Errorf("within 30 days: %+v", in)
	}
	if out := ReturnRetail(cfg, tax, released, sday(2026, 12, 3)); out.InWindow || !out.TaxRestored.IsZero() {
		t.Errorf("day 31: %+v", out)
	}
}

func TestRetailItemFor(t *testing.T) {
	s, err := SampleSchedule(nil)
	if err != nil {
		t.Fatal(err)
	}
	it, err := s.RetailItemFor("3304990000", "KOR", sday(2026, 11, 20), d("320"), d("0.2"))
	if err != nil || it.CT == nil || it.CT.String() != "15" || !it.VAT.Equal(d("13")) || it.Duty.String() != "1" {
		t.Fatalf("%+v %v", it, err)
	}
	if tax := RetailImportTax(DefaultRetailConfig(), RetailOrder{Items: []RetailItem{it}}); !tax.CT.Equal(d("39.53")) || !tax.VAT.Equal(d("34.26")) {
		t.Errorf("cosmetics via the schedule: %+v", tax)
	}
	if _, err := s.RetailItemFor("0000000000", "KOR", sday(2026, 11, 20), d("1"), d("1")); err == nil {
		t.Error("unknown line accepted")
	}
}
