package http

import (
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/risk"
)

var _ = schemaTypes(map[string]any{
	"ModelDecision": declaration.ModelDecision{}, "ModelFactor": declaration.ModelFactor{},
	"StoredModel": risk.StoredModel{}, "Evaluation": risk.Evaluation{}, "ShareFigures": risk.ShareFigures{},
	"ModelEvent": risk.ModelEvent{}, "ModelPolicy": risk.ModelPolicy{}, "ModelList": ModelList{},
	"RetrainInput": RetrainInput{}, "Drift": Drift{}, "DriftWeek": risk.DriftWeek{}, "HitRate": risk.HitRate{},
})
