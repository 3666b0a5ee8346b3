package ecommerce

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/enterprise"
)

// Parties checks that the enterprises a list names are registered for
// e-commerce in the role they act in, and known to the enterprise
// registry. Codes in messages are the 10-character customs codes or the
// 18-character credit codes; registrations map both to one enterprise.
// Registry answers are cached for TTL because every list asks.
type Parties struct {
	Enterprises enterprise.Store
	TTL         time.Duration

	regs atomic.Pointer[map[string]Registration] // by code and by SCC
	mu   sync.Mutex
	ents map[string]cachedEnt
}

type cachedEnt struct {
	ok      bool
	expires time.Time
}

// SetRegistrations replaces the registrations.
func (p *Parties) SetRegistrations(rs []Registration) {
	m := make(map[string]Registration, 2*len(rs))
	for _, r := range rs {
		m[r.Code] = r
		if r.SCC != "" {
			m[r.SCC] = r
		}
	}
	p.regs.Store(&m)
}

func (p *Parties) registration(code string) (Registration, bool) {
	m := p.regs.Load()
	if m == nil {
		return Registration{}, false
	}
	r, ok := (*m)[code]
	return r, ok
}

// Check returns a reason when code may not act in role.
func (p *Parties) Check(ctx context.Context, code, role, element string) *Reason {
	r, ok := p.registration(code)
	if !ok {
		x := reason("not_registered", element, "企业 "+code+" 未办理跨境电商备案", "enterprise "+code+" is not registered for cross-border e-commerce")
		return &x
	}
	if !slices.Contains(r.Roles, role) {
		x := reason("role", element, "企业 "+code+" 未备案为"+roleZH[role], "enterprise "+code+" is not registered as "+role)
		return &x
	}
	e, err := p.enterprise(ctx, r.SCC)
	if err != nil || !e.ok {
		x := reason("unknown_enterprise", element, "企业 "+code+" 不在企业名录中", "enterprise "+code+" is not in the enterprise registry")
		return &x
	}
	return nil
}

var roleZH = map[string]string{RolePlatform: "电商平台", RoleSeller: "电商企业", RoleLogistics: "物流企业",
	RolePayment: "支付企业", RoleAgent: "申报企业", RoleGuarantor: "担保企业"}

func (p *Parties) enterprise(ctx context.Context, scc string) (cachedEnt, error) {
	now := time.Now()
	p.mu.Lock()
	c, hit := p.ents[scc]
	p.mu.Unlock()
	if hit && now.Before(c.expires) {
		return c, nil
	}
	_, err := p.Enterprises.Enterprise(ctx, scc)
	switch {
	case jinguan.ErrorCode(err) == jinguan.ENOTFOUND:
		c = cachedEnt{}
	case err != nil:
		return c, err
	default:
		c = cachedEnt{ok: true}
	}
	c.expires = now.Add(p.TTL)
	p.mu.Lock()
	if p.ents == nil {
		p.ents = map[string]cachedEnt{}
	}
	p.ents[scc] = c
	p.mu.Unlock()
	return c, nil
}
