// Package enterprise is the registry of enterprises the declarations name.
// The credit module builds grades and measures on it.
package enterprise

import (
	"context"
	"time"
)

// Enterprise is a registered trader, broker or other party.
type Enterprise struct {
	SCC          string    `json:"scc"` // unified social credit code
	NameZH       string    `json:"name_zh"`
	NameEN       string    `json:"name_en"`
	Roles        []string  `json:"roles"`     // consignee, broker, ...
	Customs      string    `json:"customs"`   // district of registration
	Guarantee    bool      `json:"guarantee"` // holds a general guarantee (总担保) for taxes
	RegisteredAt time.Time `json:"registered_at"`
}

// Store keeps enterprises.
type Store interface {
	// PutEnterprise inserts or replaces by SCC.
	PutEnterprise(ctx context.Context, e Enterprise) error
	// Enterprise returns ENOTFOUND when unknown.
	Enterprise(ctx context.Context, scc string) (Enterprise, error)
	ListEnterprises(ctx context.Context) ([]Enterprise, error)
}
