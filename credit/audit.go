package credit

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/enterprise"
)

// RegistryChange is the audit record of a registration or an update of
// the enterprise registry.
type RegistryChange struct {
	ID      int64         `json:"id"`
	SCC     string        `json:"scc"`
	At      time.Time     `json:"at"`
	By      string        `json:"by"`
	Action  string        `json:"action"` // register or update
	Changes []FieldChange `json:"changes"`
}

// FieldChange is one field's old and new value; personal data is named
// without its values, so the audit trail does not copy it.
type FieldChange struct {
	Field    string `json:"field"`
	Old      string `json:"old,omitempty"`
	New      string `json:"new,omitempty"`
	Personal bool   `json:"personal,omitempty"`
}

// diff lists what changed from prev to next (prev zero: a registration).
func diff(prev, next *enterprise.Enterprise) []FieldChange {
	var out []FieldChange
	text := func(field, a, b string) {
		if a != b {
			out = append(out, FieldChange{Field: field, Old: a, New: b})
		}
	}
	js := func(v any) string {
		b, _ := json.Marshal(v)
		return string(b)
	}
	text("name_zh", prev.NameZH, next.NameZH)
	text("name_en", prev.NameEN, next.NameEN)
	if !slices.Equal(prev.Roles, next.Roles) {
		text("roles", js(prev.Roles), js(next.Roles))
	}
	text("customs", prev.Customs, next.Customs)
	if !prev.RegisteredAt.Equal(next.RegisteredAt) {
		text("registered_at", DateOf(prev.RegisteredAt).String(), DateOf(next.RegisteredAt).String())
	}
	text("status", string(prev.Status), string(next.Status))
	text("address", prev.Address, next.Address)
	if js(prev.AEOPartners) != js(next.AEOPartners) {
		text("aeo_partners", js(prev.AEOPartners), js(next.AEOPartners))
	}
	if js(prev.LegalRep) != js(next.LegalRep) {
		out = append(out, FieldChange{Field: "legal_rep", Personal: true})
	}
	if js(prev.Contacts) != js(next.Contacts) {
		out = append(out, FieldChange{Field: "contacts", Personal: true})
	}
	return out
}

// RegistryChanges returns an enterprise's registry audit trail, newest
// first.
func (s *Service) RegistryChanges(ctx context.Context, p auth.Principal, scc string) ([]RegistryChange, error) {
	if _, err := s.visible(ctx, p, scc); err != nil {
		return nil, err
	}
	return s.store.RegistryChanges(ctx, scc)
}
