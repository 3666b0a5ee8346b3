package tariff

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/enterprise"
)

// Guarantee requirements a credit grade sets before goods may leave ahead
// of payment (差别化管理措施; docs/credit.md, "Measures").
const (
	// GuaranteeExempt (免除担保): released on the trader's undertaking; no
	// guarantee is debited and the bill stays due by its date.
	GuaranteeExempt = "exempt"
	// GuaranteeReduced (减免担保): a general guarantee secures the bill by
	// debiting BillConfig.ReducedGuaranteeShare of it.
	GuaranteeReduced = "reduced"
	// GuaranteeNormal: a general guarantee secures the whole bill.
	GuaranteeNormal = "normal"
	// GuaranteeFull (全额担保): no general guarantee; only a specific
	// guarantee of the whole bill (逐票担保, an account an officer
	// registers for that bill) releases the goods before payment.
	GuaranteeFull = "full"
)

// Terms are what a trader's credit grade allows for its taxes.
type Terms struct {
	Grade     string // the credit grade code, for the record
	Guarantee string // one of the Guarantee* requirements
	// Consolidated: the trader may pay its bills monthly on a
	// consolidated guarantee (汇总征税).
	Consolidated bool
}

// CreditTerms gives a trader's terms on a date. The credit module answers
// it from memory; app wires it. Without one every trader is regular.
type CreditTerms interface {
	Terms(ctx context.Context, scc string, on time.Time) (Terms, error)
}

// regularTerms are today's rules for everyone when no credit is wired.
var regularTerms = Terms{Grade: "regular", Guarantee: GuaranteeNormal, Consolidated: true}

func (b *Billing) terms(ctx context.Context, scc string, on time.Time) (Terms, error) {
	if b.Credit == nil {
		return regularTerms, nil
	}
	t, err := b.Credit.Terms(ctx, scc, on)
	switch t.Guarantee {
	case GuaranteeExempt, GuaranteeReduced, GuaranteeNormal, GuaranteeFull:
	default:
		t.Guarantee = GuaranteeNormal
	}
	return t, err
}

// choose decides how a bill of amount, number no, is secured before
// payment under t, from the trader's accounts as last known (account ""
// = any): the settlement and the account it names (nil when exempt
// without a consolidated account). Nil settlement: nothing qualifies and
// the bill waits for payment. It writes nothing.
func (b *Billing) choose(no string, amount decimal.Decimal, t Terms, accounts []enterprise.GuaranteeAccount,
	account string, day string) (*declaration.Settlement, *enterprise.GuaranteeAccount) {
	s := &declaration.Settlement{Kind: declaration.SettleGuaranteed, Amount: amount, Grade: t.Grade, Guarantee: t.Guarantee}
	for i := range accounts {
		a := &accounts[i]
		if (account != "" && a.ID != account) || !a.ValidOn(day) || !a.Secures(no) {
			continue
		}
		if t.Guarantee == GuaranteeExempt {
			if !a.Consolidated {
				continue
			}
			if !t.Consolidated {
				s.Refused = consolidatedRefused(t.Grade)
				continue
			}
			// On the month's statement, nothing debited.
			s.Kind, s.Reference, s.Consolidated = declaration.SettleExempt, a.ID, true
			return s, a
		}
		if t.Guarantee == GuaranteeFull && a.Bill == "" {
			continue // a general guarantee does not serve
		}
		need := amount
		if t.Guarantee == GuaranteeReduced && a.Bill == "" {
			need = amount.Mul(b.Config.ReducedGuaranteeShare).RoundCeil(2)
		}
		if a.Balance.LessThan(need) {
			continue
		}
		s.Reference, s.Secured = a.ID, need
		if a.Consolidated && t.Consolidated {
			s.Consolidated = true
		} else if a.Consolidated {
			s.Refused = consolidatedRefused(t.Grade) // falls back to paying this bill by its own date
		}
		return s, a
	}
	if t.Guarantee == GuaranteeExempt {
		s.Kind = declaration.SettleExempt
		return s, nil
	}
	return nil, nil
}

// consolidatedRefused says why a trader's consolidated guarantee does not
// make its bill payable with the month's others.
func consolidatedRefused(grade string) *declaration.Refusal {
	return &declaration.Refusal{Code: "consolidated_not_allowed",
		MessageZH: "企业信用等级（" + gradeZH(grade) + "）不适用汇总征税：本税单按票缴纳，缴款期限不变",
		MessageEN: "the trader's credit grade (" + grade + ") does not allow consolidated payment: this bill is paid on its own, by its own due date"}
}

func gradeZH(g string) string {
	if zh, ok := map[string]string{"advanced_certified": "高级认证企业", "certified": "认证企业", "regular": "常规管理企业",
		"dishonest": "失信企业", "seriously_dishonest": "严重失信企业"}[g]; ok {
		return zh
	}
	return g
}
