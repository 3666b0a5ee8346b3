package tariff

import (
	"context"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan/enterprise"
)

// How a bill is secured before payment under each guarantee requirement
// and the consolidated-payment measure, over the trader's accounts.
func TestGuaranteeMeasures(t *testing.T) {
	b := &Billing{Config: DefaultBillConfig()}
	const no, other, today = "220120261000000001-T01", "220120261000000002-T01", "2026-06-01"
	account := func(id string, balance string, consolidated bool, bill string) enterprise.GuaranteeAccount {
		return enterprise.GuaranteeAccount{ID: id, Kind: enterprise.GuaranteeBankLetter, Consolidated: consolidated,
			Amount: d("1000000"), Balance: d(balance), ValidFrom: "2025-01-01", Bill: bill}
	}
	general := account("GA-GEN", "1000", false, "")
	monthly := account("GA-MONTH", "1000", true, "")
	small := account("GA-SMALL", "600", false, "")
	expired := account("GA-OLD", "1000000", false, "")
	expired.ValidTo = "2026-01-01"
	specific := account("GA-THIS", "1000", false, no)
	elsewhere := account("GA-THAT", "1000000", false, other)
	type want struct {
		kind, ref, secured string // kind "" = waits for payment
		consolidated       bool
		refused            string
	}
	terms := func(g string, consolidated bool) Terms {
		return Terms{Grade: "g", Guarantee: g, Consolidated: consolidated}
	}
	cases := []struct {
		name     string
		t        Terms
		accounts []enterprise.GuaranteeAccount
		want     want
	}{
		{"normal, general account", terms(GuaranteeNormal, true), []enterprise.GuaranteeAccount{expired, general}, want{"guaranteed", "GA-GEN", "999.99", false, ""}},
		{"normal, balance short", terms(GuaranteeNormal, true), []enterprise.GuaranteeAccount{small}, want{}},
		{"normal, consolidated", terms(GuaranteeNormal, true), []enterprise.GuaranteeAccount{monthly}, want{"guaranteed", "GA-MONTH", "999.99", true, ""}},
		{"normal, consolidated not allowed", terms(GuaranteeNormal, false), []enterprise.GuaranteeAccount{monthly}, want{"guaranteed", "GA-MONTH", "999.99", false, "consolidated_not_allowed"}},
		{"normal, another bill's specific guarantee", terms(GuaranteeNormal, true), []enterprise.GuaranteeAccount{elsewhere}, want{}},
		{"reduced, half the bill", terms(GuaranteeReduced, true), []enterprise.GuaranteeAccount{small}, want{"guaranteed", "GA-SMALL", "500", false, ""}},
		{"reduced, specific guarantee whole", terms(GuaranteeReduced, true), []enterprise.GuaranteeAccount{specific}, want{"guaranteed", "GA-THIS", "999.99", false, ""}},
		{"exempt, no account", terms(GuaranteeExempt, true), nil, want{"guarantee_exempt", "", "0", false, ""}},
		{"exempt, general account untouched", terms(GuaranteeExempt, true), []enterprise.GuaranteeAccount{general}, want{"guarantee_exempt", "", "0", false, ""}},
		{"exempt, on the month's statement", terms(GuaranteeExempt, true), []enterprise.GuaranteeAccount{general, monthly}, want{"guarantee_exempt", "GA-MONTH", "0", true, ""}},
		{"exempt, consolidated not allowed", terms(GuaranteeExempt, false), []enterprise.GuaranteeAccount{monthly}, want{"guarantee_exempt", "", "0", false, "consolidated_not_allowed"}},
		{"full, general account refused", terms(GuaranteeFull, false), []enterprise.GuaranteeAccount{general, monthly}, want{}},
		{"full, specific guarantee", terms(GuaranteeFull, false), []enterprise.GuaranteeAccount{general, specific}, want{"guaranteed", "GA-THIS", "999.99", false, ""}},
		{"full, another bill's specific guarantee", terms(GuaranteeFull, false), []enterprise.GuaranteeAccount{elsewhere}, want{}},
	}
	for _, c := range cases {
		s, a := b.choose(no, d("999.99"), c.t, c.accounts, "", today)
		var got want
		if s != nil {
			got = want{s.Kind, s.Reference, s.Secured.String(), s.Consolidated, ""}
			if s.Refused != nil {
				got.refused = s.Refused.Code
				if s.Refused.MessageZH == "" || s.Refused.MessageEN == "" {
					t.Errorf("%s: refusal without its message: %+v", c.name, s.Refused)
				}
			}
			if s.Grade != "g" || s.Guarantee != c.t.Guarantee || !s.Amount.Equal(d("999.99")) {
				t.Errorf("%s: settlement does not record the measure: %+v", c.name, s)
			}
			if (a == nil) != (s.Reference == "") || (a != nil && a.ID != s.Reference) {
				t.Errorf("%s: account %v for reference %q", c.name, a, s.Reference)
			}
		}
		if got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
	// A named account is the only one considered.
	if s, _ := b.choose(no, d("10"), terms(GuaranteeNormal, true), []enterprise.GuaranteeAccount{general, monthly}, "GA-MONTH", today); s == nil || s.Reference != "GA-MONTH" {
		t.Errorf("named account: %+v", s)
	}
	// The share is configuration; fractions of a fen round up.
	b.Config.ReducedGuaranteeShare = d("0.3")
	if s, _ := b.choose(no, d("100.01"), terms(GuaranteeReduced, true), []enterprise.GuaranteeAccount{general}, "", today); s == nil || s.Secured.String() != "30.01" {
		t.Errorf("30 %% of 100.01: %+v", s)
	}
	if (BillConfig{ReducedGuaranteeShare: d("1.5")}).Check() == nil || DefaultBillConfig().Check() != nil {
		t.Error("reduced_guarantee_share outside [0, 1] accepted, or the default refused")
	}
	// Without credit wired every trader is regular under normal terms.
	if tr, err := (&Billing{}).terms(context.Background(), "X", time.Now()); err != nil || tr != regularTerms {
		t.Errorf("terms without credit: %+v %v", tr, err)
	}
}
