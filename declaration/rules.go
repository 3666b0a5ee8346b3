package declaration

import (
	"time"

	"github.com/shopspring/decimal"
)

// Rules are the limits validation applies. They are configuration; the
// defaults are domain.md's.
type Rules struct {
	MaxItems int `json:"max_items"` // 50 [practice]
	// An item total may differ from quantity × unit price by the larger of
	// these: rounding of a 4-decimal unit price over large quantities.
	TotalToleranceAbs   decimal.Decimal `json:"total_tolerance_abs"`
	TotalToleranceRatio decimal.Decimal `json:"total_tolerance_ratio"`
	// Import: declared within LateAfterDays of arrival, else a late fee
	// accrues; goods undeclared for AbandonAfterDays are sold off.
	LateAfterDays    int `json:"late_after_days"`    // 14 [law, Customs Law art. 24]
	AbandonAfterDays int `json:"abandon_after_days"` // 3 months [law, art. 30]
	// Export: declare at least this long before loading.
	ExportLeadHours int `json:"export_lead_hours"` // 24 [law]
}

// DefaultRules returns domain.md's defaults.
func DefaultRules() Rules {
	return Rules{
		MaxItems:            50,
		TotalToleranceAbs:   decimal.NewFromInt(1),
		TotalToleranceRatio: decimal.RequireFromString("0.001"),
		LateAfterDays:       14,
		AbandonAfterDays:    90,
		ExportLeadHours:     24,
	}
}

// Codes answers whether a code exists in a reference table on a date, and
// reads its attributes. refdata.Catalog implements it.
type Codes interface {
	Has(table, code string, on time.Time) bool
	Attr(table, code, attr string, on time.Time) string
}

// TariffLines gives a national tariff line's legal units. tariff.Schedule
// implements it.
type TariffLines interface {
	LegalUnits(code string, on time.Time) (first, second string, ok bool)
}
