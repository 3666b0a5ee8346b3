package http

import "github.com/jinguan-customs/jinguan/risk"

var _ = schemaTypes(map[string]any{
	"Profile": risk.Profile{}, "Scope": risk.Scope{}, "Action": risk.Action{}, "ProfileEvent": risk.ProfileEvent{},
	"ProfileHistory": ProfileHistory{}, "ProfileImport": ProfileImport{}, "WatchList": risk.WatchList{},
	"RefPrice": risk.RefPrice{}, "RefPriceTable": RefPriceTable{}, "BacktestInput": BacktestInput{},
	"BacktestResult": risk.BacktestResult{}, "BacktestMatch": risk.BacktestMatch{}, "StreamStats": risk.StreamStats{},
	"Point": risk.Point{}, "ProfileStats": risk.ProfileStats{}, "Compliance": risk.Compliance{},
	"Effectiveness": risk.Effectiveness{}, "ExplainedHit": risk.ExplainedHit{}, "Explanation": risk.Explanation{},
})
