package http

import "github.com/jinguan-customs/jinguan/declaration"

var _ = schemaTypes(map[string]any{
	"ModelDecision": declaration.ModelDecision{}, "ModelFactor": declaration.ModelFactor{},
})
