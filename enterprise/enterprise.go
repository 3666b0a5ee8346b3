// Package enterprise is the registry of enterprises (海关注册企业) the
// declarations name: identity, roles, district, status, the people behind
// them and their AEO standing. The credit module builds grades and
// measures on it.
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
	Roles        []string  `json:"roles"`     // see Roles
	Customs      string    `json:"customs"`   // district of registration
	Guarantee    bool      `json:"guarantee"` // registered as holding a general guarantee (总担保); the balances that decide release are guarantee accounts (guarantee.go)
	RegisteredAt time.Time `json:"registered_at"`
	Status       Status    `json:"status"`
	Address      string    `json:"address,omitempty"`
	// LegalRep and Contacts are personal data: Redacted strips them for
	// callers who do not need them.
	LegalRep    *Person         `json:"legal_rep,omitempty"`
	Contacts    []Contact       `json:"contacts,omitempty"`
	AEO         *AEOCertificate `json:"aeo,omitempty"`
	AEOPartners []AEOPartner    `json:"aeo_partners,omitempty"`
	UpdatedAt   time.Time       `json:"updated_at"`
	UpdatedBy   string          `json:"updated_by,omitempty"`
}

// Status is the registration's standing.
type Status string

const (
	StatusActive       Status = "active"       // 正常
	StatusSuspended    Status = "suspended"    // 暂停 (e.g. found at an unreachable address)
	StatusRevoked      Status = "revoked"      // 撤销
	StatusDeregistered Status = "deregistered" // 注销
)

// Statuses lists the valid statuses.
var Statuses = []Status{StatusActive, StatusSuspended, StatusRevoked, StatusDeregistered}

// Roles an enterprise can be registered in.
const (
	RoleConsignee         = "consignee"          // 收货人
	RoleConsignor         = "consignor"          // 发货人
	RoleBroker            = "broker"             // 报关企业 / declaring agent
	RoleEcommercePlatform = "ecommerce_platform" // 电商平台
	RoleEcommerce         = "ecommerce"          // 电商企业
	RolePayment           = "payment"            // 支付企业
	RoleLogistics         = "logistics"          // 物流企业
	RoleBondedZone        = "bonded_zone"        // 区内企业
)

// Roles lists the valid roles.
var Roles = []string{RoleConsignee, RoleConsignor, RoleBroker, RoleEcommercePlatform, RoleEcommerce,
	RolePayment, RoleLogistics, RoleBondedZone}

// Person is a natural person: the legal representative.
type Person struct {
	Name     string `json:"name"`
	IDType   string `json:"id_type,omitempty"` // "resident_id", "passport", ...
	IDNumber string `json:"id_number,omitempty"`
	Phone    string `json:"phone,omitempty"`
}

// Contact is someone customs calls about the enterprise's business.
type Contact struct {
	Name  string `json:"name"`
	Duty  string `json:"duty,omitempty"` // e.g. 关务负责人 customs affairs
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// AEOCertificate is the enterprise's own certification (认证企业证书):
// the outcome of a certification decision recorded by the credit module.
type AEOCertificate struct {
	Number    string     `json:"number"`
	Level     string     `json:"level"` // "advanced" or "general"
	ValidFrom time.Time  `json:"valid_from"`
	ValidTo   *time.Time `json:"valid_to,omitempty"` // revoked or expired from this day
	Decision  string     `json:"decision,omitempty"` // reference of the decision
}

// AEO certificate levels.
const (
	AEOAdvanced = "advanced" // 高级认证
	AEOGeneral  = "general"  // 一般认证 / 认证 (2026)
)

// AEOPartner is a foreign business partner holding AEO status in an
// economy with a mutual-recognition arrangement: the country and the
// partner's AEO code there.
type AEOPartner struct {
	Country string `json:"country"` // ISO 3166 alpha-2
	Code    string `json:"code"`
	Name    string `json:"name,omitempty"`
}

// Has reports whether the enterprise is registered in role.
func (e *Enterprise) Has(role string) bool {
	for _, r := range e.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Redacted is the enterprise without personal data: the legal
// representative's name stays (it is public in the enterprise credit
// publicity system), identity number, phone and contacts go.
func (e Enterprise) Redacted() Enterprise {
	if e.LegalRep != nil {
		e.LegalRep = &Person{Name: e.LegalRep.Name}
	}
	e.Contacts = nil
	return e
}

// Filter selects enterprises for a list.
type Filter struct {
	Area   string   // prefix of the customs district ("" all), see declaration.OfficeArea
	SCCs   []string // only these, when set
	Query  string   // substring of either name or the code
	Role   string
	Status Status
	After  string // the last SCC of the previous page
	Limit  int    // default and maximum MaxPage
}

// MaxPage bounds a list page.
const MaxPage = 500

// Store keeps enterprises.
type Store interface {
	// PutEnterprise inserts or replaces by SCC.
	PutEnterprise(ctx context.Context, e Enterprise) error
	// Enterprise returns ENOTFOUND when unknown.
	Enterprise(ctx context.Context, scc string) (Enterprise, error)
	// ListEnterprises returns every enterprise by SCC.
	ListEnterprises(ctx context.Context) ([]Enterprise, error)
	// FindEnterprises returns one page in SCC order and whether more follow.
	FindEnterprises(ctx context.Context, f Filter) ([]Enterprise, bool, error)
}
