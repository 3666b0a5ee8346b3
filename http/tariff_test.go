package http

import (
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/enterprise"
	"github.com/jinguan-customs/jinguan/tariff"
)

var _ = schemaTypes(map[string]any{
	"CalcInput": tariff.CalcInput{}, "CalcResult": tariff.CalcResult{}, "Rule": tariff.Rule{},
	"CandidateRate": tariff.CandidateRate{}, "Requirement": tariff.Requirement{},
	"Bill": tariff.Bill{}, "BillEvent": tariff.BillEvent{}, "BillView": BillView{}, "BillDue": BillDue{},
	"GuaranteeInput": declaration.GuaranteeInput{}, "RefundInput": tariff.RefundInput{},
	"ConsolidatedInput": tariff.ConsolidatedInput{}, "Statement": tariff.Statement{},
	"GuaranteeAccount": enterprise.GuaranteeAccount{}, "GuaranteeDebit": enterprise.GuaranteeDebit{},
	"GuaranteeEvent": enterprise.GuaranteeEvent{}, "AccountView": AccountView{}, "AccountInput": AccountInput{},
	"ReviewInput": tariff.ReviewInput{}, "ItemOverride": tariff.ItemOverride{}, "TaxFigures": tariff.TaxFigures{},
	"ReviewDiff": tariff.ReviewDiff{}, "Review": tariff.Review{},
})
