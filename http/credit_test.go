package http

import (
	"github.com/jinguan-customs/jinguan/credit"
	"github.com/jinguan-customs/jinguan/enterprise"
)

var _ = schemaTypes(map[string]any{
	"Enterprise": credit.EnterpriseView{}, "EnterpriseInput": enterprise.Input{}, "Person": enterprise.Person{},
	"Contact": enterprise.Contact{}, "AEOCertificate": enterprise.AEOCertificate{}, "AEOPartner": enterprise.AEOPartner{},
	"CreditEvent": credit.Event{}, "CreditEventInput": credit.EventInput{}, "CreditEventBatch": credit.EventBatch{},
	"ActivityCounts": credit.Counts{}, "Recorded": credit.Recorded{}, "Assessment": credit.Assessment{},
	"ScoreLine": credit.ScoreLine{}, "Ground": credit.Ground{}, "Measures": credit.Measures{}, "GradeChange": credit.GradeChange{},
	"Repair": credit.Repair{}, "GroundRef": credit.GroundRef{}, "Evidence": credit.Evidence{}, "RepairInput": credit.RepairInput{},
	"DecisionInput": credit.DecisionInput{}, "Decided": credit.Decided{}, "Certification": credit.Certification{},
	"CertifyInput": credit.CertifyInput{}, "Certified": credit.Certified{}, "GradeModel": GradeModel{}, "GradeInfo": GradeInfo{},
	"RunStats": credit.RunStats{}, "RegistryChange": credit.RegistryChange{}, "FieldChange": credit.FieldChange{},
})
