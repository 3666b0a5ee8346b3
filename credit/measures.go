package credit

import "fmt"

// Measures are what a grade earns or costs at the border (差别化管理措施).
// The modules that decide read them through their own interfaces, wired
// in app: the risk stage the random-stream figures and priority (risk
// settings), billing the guarantee and consolidated payment
// (tariff.CreditTerms). Two-step declaration is not built yet: TwoStep is
// shown, not enforced. docs/credit.md, "Measures".
type Measures struct {
	// RandomMultiplier scales the average random-inspection rate: ≤ 0.2
	// for advanced-certified enterprises [2018 rules].
	RandomMultiplier float64 `json:"random_multiplier"`
	// MinInspectionRate is a floor on the share of declarations
	// inspected: ≥ 0.8 for dishonest enterprises [2018 rules].
	MinInspectionRate float64 `json:"min_inspection_rate"`
	// DocumentReviewShare scales the share of declarations sent to
	// document review (审单).
	DocumentReviewShare float64 `json:"document_review_share"`
	// Guarantee is what taxes need before release: "exempt" (免担保:
	// released on the trader's undertaking, the bill still due), "reduced"
	// (减免担保: a share of the bill on the general guarantee), "normal"
	// (the whole bill) or "full" (全额担保: no general guarantee, only a
	// specific guarantee of the bill).
	Guarantee string `json:"guarantee"`
	// Priority: first in the officers' review and inspection queues.
	Priority            bool `json:"priority"`
	TwoStep             bool `json:"two_step"`             // may use two-step declaration (两步申报)
	ConsolidatedPayment bool `json:"consolidated_payment"` // may pay taxes monthly (汇总征税)
}

// Guarantee requirements.
var guaranteeLevels = []string{"exempt", "reduced", "normal", "full"}

// DefaultMeasures follow domain.md §3; the certified and seriously
// dishonest rows and every figure besides the two inspection rates are
// [default].
func DefaultMeasures() map[Grade]Measures {
	return map[Grade]Measures{
		GradeAdvancedCertified: {RandomMultiplier: 0.2, DocumentReviewShare: 0.2, Guarantee: "exempt",
			Priority: true, TwoStep: true, ConsolidatedPayment: true},
		GradeCertified: {RandomMultiplier: 0.5, DocumentReviewShare: 0.5, Guarantee: "reduced",
			Priority: true, TwoStep: true, ConsolidatedPayment: true},
		GradeRegular: {RandomMultiplier: 1, DocumentReviewShare: 1, Guarantee: "normal",
			TwoStep: true, ConsolidatedPayment: true},
		GradeDishonest: {RandomMultiplier: 1, MinInspectionRate: 0.8, DocumentReviewShare: 1, Guarantee: "full"},
		GradeSeriouslyDishonest: {RandomMultiplier: 1, MinInspectionRate: 1, DocumentReviewShare: 1,
			Guarantee: "full"},
	}
}

func (m Measures) check() error {
	switch {
	case m.RandomMultiplier < 0 || m.RandomMultiplier > 100:
		return fmt.Errorf("random_multiplier %v out of range", m.RandomMultiplier)
	case m.MinInspectionRate < 0 || m.MinInspectionRate > 1:
		return fmt.Errorf("min_inspection_rate %v must be a share between 0 and 1", m.MinInspectionRate)
	case m.DocumentReviewShare < 0 || m.DocumentReviewShare > 100:
		return fmt.Errorf("document_review_share %v out of range", m.DocumentReviewShare)
	}
	for _, g := range guaranteeLevels {
		if g == m.Guarantee {
			return nil
		}
	}
	return fmt.Errorf("guarantee %q: one of %v", m.Guarantee, guaranteeLevels)
}
