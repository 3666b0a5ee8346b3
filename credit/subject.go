package credit

import (
	"time"

	"github.com/jinguan-customs/jinguan/enterprise"
)

// SubjectOf is what grading reads of a registered enterprise. A customs
// broker (报关企业) is graded with the brokers' thresholds unless it is
// also registered as consignee or consignor.
func SubjectOf(scc string, roles []string, registered time.Time, aeo *enterprise.AEOCertificate) Subject {
	s := Subject{SCC: scc, Registered: DateOf(registered)}
	e := enterprise.Enterprise{Roles: roles}
	s.Broker = e.Has(enterprise.RoleBroker) && !e.Has(enterprise.RoleConsignee) && !e.Has(enterprise.RoleConsignor)
	if aeo != nil {
		s.CertLevel, s.CertFrom = aeo.Level, DateOf(aeo.ValidFrom)
		if aeo.ValidTo != nil {
			s.CertTo = DateOf(*aeo.ValidTo)
		}
	}
	return s
}

// Certificate is the enterprise's AEO certificate after decision c,
// given the certificate before it.
func (c *Certification) Certificate(prev *enterprise.AEOCertificate) *enterprise.AEOCertificate {
	if c.Action == "revoke" {
		if prev == nil {
			return nil
		}
		next := *prev
		end := c.ValidFrom.Time()
		next.ValidTo = &end
		next.Decision = c.Reference
		return &next
	}
	cert := &enterprise.AEOCertificate{Number: c.Number, Level: c.Level, ValidFrom: c.ValidFrom.Time(), Decision: c.Reference}
	if c.ValidTo != 0 {
		end := c.ValidTo.Time()
		cert.ValidTo = &end
	}
	return cert
}
