package credit

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
)

// Config is the credit module's configuration ("credit" in config.json).
// Defaults follow domain.md §3; [default] marks a value no authoritative
// source gave.
type Config struct {
	Model    Model              `json:"model"` // "2021" or "2026"
	Rules    RulesConfig        `json:"rules"`
	Score    ScoreConfig        `json:"score"`
	Measures map[Grade]Measures `json:"measures"`
	Repair   RepairConfig       `json:"repair"`
	// DailyRun is when the daily run starts, Beijing time "HH:MM"; ""
	// switches it off (in a scale-out, one node runs it).
	DailyRun string `json:"daily_run"`
}

// RulesConfig parameterises the dishonest-enterprise rules.
type RulesConfig struct {
	WindowMonths int `json:"window_months"` // "within one year": 12
	// TermMonths is how long a dishonest ground lasts unless repaired
	// [practice: 2 years without new grounds restores regular measures].
	TermMonths int `json:"term_months"`
	// Penalty thresholds: penalties in the window exceed Ratio (per ten
	// thousand) of the previous year's documents AND their sum exceeds
	// Amount. Non-brokers 1‰ and 1,000,000 CNY (domain.md); brokers 0.5‰
	// and 300,000 CNY [practice, Order 251 art. 12].
	NonBroker PenaltyThreshold `json:"non_broker"`
	Broker    PenaltyThreshold `json:"broker"`
	// ExcludeUnintentional leaves unintentional violations out of the
	// count and the sum (since 2023).
	ExcludeUnintentional bool `json:"exclude_unintentional"`
	UnpaidTaxMonths      int  `json:"unpaid_tax_months"`  // taxes unpaid 3 months after the due date [practice]
	UnpaidFineMonths     int  `json:"unpaid_fine_months"` // fines unpaid 6 months after the due date [practice]
	// SmugglingCases is how many administrative smuggling cases within the
	// window make an enterprise dishonest [default 1]; a criminal case
	// always does.
	SmugglingCases int `json:"smuggling_cases"`
	// Severe lists the rules whose grounds make an enterprise seriously
	// dishonest under the 2026 model [default].
	Severe []string `json:"severe"`
}

// PenaltyThreshold is one row of the per-ten-thousand rule.
type PenaltyThreshold struct {
	PerTenThousand int             `json:"per_ten_thousand"` // 10 = 1‰
	Amount         decimal.Decimal `json:"amount"`           // CNY, exclusive
}

// ScoreConfig is the points model: each term's points, counted over the
// last WindowMonths. Deductions are negative. [default] throughout: the
// measures define no public points scale.
type ScoreConfig struct {
	WindowMonths          int `json:"window_months"`
	Base                  int `json:"base"`
	TenurePerYear         int `json:"tenure_per_year"`
	TenureMax             int `json:"tenure_max"`
	PenaltyIntentional    int `json:"penalty_intentional"`
	PenaltyUnintentional  int `json:"penalty_unintentional"`
	PenaltyPer100K        int `json:"penalty_per_100k"`   // per full 100,000 CNY of a penalty
	PenaltyAmountCap      int `json:"penalty_amount_cap"` // most that part deducts per penalty
	Smuggling             int `json:"smuggling"`          // administrative case
	SmugglingCriminal     int `json:"smuggling_criminal"` // criminal case
	UnpaidOverdue         int `json:"unpaid_overdue"`     // each sum past due and still unpaid
	PaidLate              int `json:"paid_late"`          // each sum paid after its due date
	Correction            int `json:"correction"`         // each correction or rejection
	CorrectionCap         int `json:"correction_cap"`     // most corrections and rejections deduct together
	InspectionFinding     int `json:"inspection_finding"` // each finding
	LateReport            int `json:"late_report"`        // each late annual report
	Blacklist             int `json:"blacklist"`          // each list entry in force
	AccuracyBonus         int `json:"accuracy_bonus"`     // few corrections among many declarations
	AccuracyMinDecl       int `json:"accuracy_min_declarations"`
	AccuracyMaxPerMille   int `json:"accuracy_max_per_mille"` // corrections+rejections per 1,000 declarations
	InspectionBonus       int `json:"inspection_bonus"`       // inspections rarely find anything
	InspectionMin         int `json:"inspection_min"`
	InspectionMaxPerMille int `json:"inspection_max_per_mille"` // findings per 1,000 inspections
}

// RepairConfig says when a dishonest ground may be repaired (信用修复).
type RepairConfig struct {
	// WaitMonths per rule: months from the ground's start before a repair
	// can be approved; -1 means the ground cannot be repaired (it ends
	// with its term or, for list entries, with the delisting). Unpaid
	// sums need their settlement recorded first. [default]
	WaitMonths map[string]int `json:"wait_months"`
}

// Rule ids: they name grounds, repair settings and explanation lines.
const (
	RuleSmugglingCriminal = "smuggling_criminal"
	RuleSmuggling         = "smuggling"
	RulePenaltyRatio      = "penalty_ratio"
	RuleUnpaidTax         = "unpaid_tax"
	RuleUnpaidFine        = "unpaid_fine"
	RuleBlacklist         = "blacklist"
)

// Rules lists the dishonest rules.
var Rules = []string{RuleSmugglingCriminal, RuleSmuggling, RulePenaltyRatio, RuleUnpaidTax, RuleUnpaidFine, RuleBlacklist}

// DefaultConfig is the configuration without config.json.
func DefaultConfig() Config {
	return Config{
		Model: Model2026,
		Rules: RulesConfig{
			WindowMonths: 12, TermMonths: 24,
			NonBroker:            PenaltyThreshold{PerTenThousand: 10, Amount: decimal.NewFromInt(1_000_000)},
			Broker:               PenaltyThreshold{PerTenThousand: 5, Amount: decimal.NewFromInt(300_000)},
			ExcludeUnintentional: true,
			UnpaidTaxMonths:      3, UnpaidFineMonths: 6,
			SmugglingCases: 1,
			Severe:         []string{RuleSmugglingCriminal, RuleBlacklist},
		},
		Score: ScoreConfig{
			WindowMonths: 12, Base: 100, TenurePerYear: 1, TenureMax: 5,
			PenaltyIntentional: -10, PenaltyUnintentional: -2, PenaltyPer100K: -1, PenaltyAmountCap: -20,
			Smuggling: -40, SmugglingCriminal: -80, UnpaidOverdue: -15, PaidLate: -3,
			Correction: -1, CorrectionCap: -20, InspectionFinding: -3, LateReport: -5, Blacklist: -30,
			AccuracyBonus: 5, AccuracyMinDecl: 50, AccuracyMaxPerMille: 10,
			InspectionBonus: 5, InspectionMin: 10, InspectionMaxPerMille: 20,
		},
		Measures: DefaultMeasures(),
		DailyRun: "00:30",
		Repair: RepairConfig{WaitMonths: map[string]int{
			RuleSmugglingCriminal: -1, RuleSmuggling: 12, RulePenaltyRatio: 12,
			RuleUnpaidTax: 0, RuleUnpaidFine: 0, RuleBlacklist: -1,
		}},
	}
}

// Check reports the first inconsistency; the program refuses to start
// with it.
func (c Config) Check() error {
	if c.Model != Model2021 && c.Model != Model2026 {
		return fmt.Errorf("credit.model must be \"2021\" or \"2026\", not %q", c.Model)
	}
	r := c.Rules
	for name, v := range map[string]int{"rules.window_months": r.WindowMonths, "rules.term_months": r.TermMonths,
		"rules.unpaid_tax_months": r.UnpaidTaxMonths, "rules.unpaid_fine_months": r.UnpaidFineMonths,
		"rules.smuggling_cases": r.SmugglingCases, "score.window_months": c.Score.WindowMonths} {
		if v < 1 || v > 120 {
			return fmt.Errorf("credit.%s must be between 1 and 120", name)
		}
	}
	for name, t := range map[string]PenaltyThreshold{"non_broker": r.NonBroker, "broker": r.Broker} {
		if t.PerTenThousand < 0 || t.Amount.Sign() < 0 {
			return fmt.Errorf("credit.rules.%s: thresholds must not be negative", name)
		}
	}
	for _, s := range r.Severe {
		if !isRule(s) {
			return fmt.Errorf("credit.rules.severe: unknown rule %q", s)
		}
	}
	for rule, m := range c.Repair.WaitMonths {
		if !isRule(rule) || m < -1 || m > 240 {
			return fmt.Errorf("credit.repair.wait_months: %q: %d", rule, m)
		}
	}
	if _, err := c.DailyAt(); err != nil {
		return err
	}
	for _, g := range c.Model.Grades() {
		m, ok := c.Measures[g]
		if !ok {
			return fmt.Errorf("credit.measures: no measures for grade %s", g)
		}
		if err := m.check(); err != nil {
			return fmt.Errorf("credit.measures.%s: %w", g, err)
		}
	}
	return nil
}

// DailyAt is DailyRun as an offset from midnight, negative when off.
func (c Config) DailyAt() (time.Duration, error) {
	if c.DailyRun == "" {
		return -1, nil
	}
	t, err := time.Parse("15:04", c.DailyRun)
	if err != nil {
		return 0, fmt.Errorf("credit.daily_run must be HH:MM or empty, not %q", c.DailyRun)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

func isRule(s string) bool {
	for _, r := range Rules {
		if r == s {
			return true
		}
	}
	return false
}

func errUnknownGrade(s string) error {
	return jinguan.Errorf(jinguan.EINVALID, "未知的信用等级 %q", "unknown credit grade %q", s)
}
