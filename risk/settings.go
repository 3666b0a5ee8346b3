package risk

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Settings are the risk module's configurable rules (the "risk" section
// of <DataDir>/config.json); DefaultSettings gives domain.md's defaults.
type Settings struct {
	// Credit scales the random stream by the trader's credit grade
	// (differentiated measures, 差别化管理).
	Credit map[string]CreditMeasure `json:"credit"`
	// Capacity is the checks per day an office can do, for top-up.
	Capacity []Capacity `json:"capacity"`
	// MaxUnselected is the default for profiles that set none: after this
	// many matches in a row left unselected by the percentage, the next
	// match is selected. 0: no limit.
	MaxUnselected int `json:"max_unselected"`
	// HistoryDays is how far back decl.trader_* and decl.agent_* count.
	HistoryDays int `json:"history_days"`
	// Review flags profiles that hit less often than the random stream.
	Review ReviewSettings `json:"review"`
}

// CreditMeasure is what a grade does to the random stream's configured
// rates — the red (inspection) and blue (audit) rates are multiplied by
// Multiplier, the yellow (document review) rate by DocumentReview, then
// the red rate is raised to at least Floor — and whether the trader's
// declarations come first in the officers' queues.
type CreditMeasure struct {
	Multiplier float64 `json:"multiplier"`
	Floor      float64 `json:"floor,omitempty"`
	// DocumentReview scales the yellow rate; nil: by Multiplier, as
	// before the measure existed.
	DocumentReview *float64 `json:"document_review,omitempty"`
	// Priority flags the decision: review and inspection queues list the
	// trader's declarations first.
	Priority bool `json:"priority,omitempty"`
}

// reviewShare is the factor on the yellow rate.
func (m CreditMeasure) reviewShare() float64 {
	if m.DocumentReview != nil {
		return *m.DocumentReview
	}
	return m.Multiplier
}

// Capacity is an office's daily checks for one direction ("*": both).
// While fewer declarations than the pace (capacity × share of the day
// gone) have gone to a lane, a declaration the streams released is
// selected for it with chance TopUp: spare capacity still samples.
type Capacity struct {
	Office    string  `json:"office"` // 4-digit customs code, or "*"
	Direction string  `json:"direction"`
	Red       int     `json:"red"`
	Yellow    int     `json:"yellow"`
	TopUp     float64 `json:"top_up"`
}

// ReviewSettings: a profile with at least MinInspections checks in the
// last Days whose hit rate is below the random stream's over the same
// days is flagged for review.
type ReviewSettings struct {
	Days           int `json:"days"`
	MinInspections int `json:"min_inspections"`
}

// DefaultSettings follow domain.md §3 and §6: advanced-certified
// enterprises are checked at 20 % of the average rate and dishonest ones
// at least 80 %; the others are [default] values of this project. (The
// program replaces them with the credit module's measures unless
// config.json sets risk.credit.)
func DefaultSettings() Settings {
	share := func(x float64) *float64 { return &x }
	return Settings{
		Credit: map[string]CreditMeasure{
			GradeAdvancedCertified:  {Multiplier: 0.2, DocumentReview: share(0.2), Priority: true},
			GradeCertified:          {Multiplier: 0.5, DocumentReview: share(0.5), Priority: true},
			GradeRegular:            {Multiplier: 1, DocumentReview: share(1)},
			GradeDishonest:          {Multiplier: 1, Floor: 0.8, DocumentReview: share(1)},
			GradeSeriouslyDishonest: {Multiplier: 1, Floor: 1, DocumentReview: share(1)},
		},
		MaxUnselected: 20,
		HistoryDays:   365,
		Review:        ReviewSettings{Days: 90, MinInspections: 20},
	}
}

// Check reports the first problem with the settings.
func (s *Settings) Check() error {
	for g, m := range s.Credit {
		if !slices.Contains(Grades, g) {
			return fmt.Errorf("risk.credit: unknown grade %q", g)
		}
		if r := m.reviewShare(); m.Multiplier < 0 || m.Multiplier > 100 || m.Floor < 0 || m.Floor > 1 || r < 0 || r > 100 {
			return fmt.Errorf("risk.credit.%s: multiplier and document_review must be in [0, 100] and floor in [0, 1]", g)
		}
	}
	for i, c := range s.Capacity {
		if (c.Office != "*" && !reOffice.MatchString(c.Office)) || !slices.Contains([]string{"*", "I", "E"}, c.Direction) ||
			c.Red < 0 || c.Yellow < 0 || c.TopUp < 0 || c.TopUp > 1 {
			return fmt.Errorf("risk.capacity[%d]: office 4 digits or *, direction I, E or *, counts ≥ 0, top_up in [0, 1]", i)
		}
	}
	if s.MaxUnselected < 0 || s.HistoryDays < 1 || s.Review.Days < 1 || s.Review.MinInspections < 1 {
		return fmt.Errorf("risk: max_unselected ≥ 0, history_days, review.days and review.min_inspections ≥ 1")
	}
	return nil
}

// measure is the grade's measure; unknown grades are regular.
func (s *Settings) measure(grade string) CreditMeasure {
	if m, ok := s.Credit[grade]; ok {
		return m
	}
	if m, ok := s.Credit[GradeRegular]; ok {
		return m
	}
	return CreditMeasure{Multiplier: 1}
}

// scaled applies a credit measure to a rule's rates, keeping their sum
// within 1 by trimming blue, then yellow.
func scaled(r Rule, m CreditMeasure) (red, yellow, blue float64) {
	red, yellow, blue = r.Red*m.Multiplier, r.Yellow*m.reviewShare(), r.Blue*m.Multiplier
	red = min(max(red, m.Floor), 1)
	if over := red + yellow + blue - 1; over > 0 {
		cut := min(blue, over)
		blue, over = blue-cut, over-cut
		yellow = max(yellow-over, 0)
	}
	return round9(red), round9(yellow), round9(blue)
}

// round9 keeps recorded rates free of binary noise (0.2 × 0.04 is
// 0.008000000000000002 in float64).
func round9(x float64) float64 {
	return math.Round(x*1e9) / 1e9
}

// capacity picks the most specific capacity row for an office and direction.
func (s *Settings) capacity(office, dir string) (Capacity, bool) {
	best, score := Capacity{}, -1
	for _, c := range s.Capacity {
		if (c.Office != "*" && c.Office != office) || (c.Direction != "*" && c.Direction != dir) {
			continue
		}
		sc := 0
		if c.Office != "*" {
			sc += 2
		}
		if c.Direction != "*" {
			sc++
		}
		if sc > score {
			best, score = c, sc
		}
	}
	return best, score >= 0
}

// dayShare is the share of the Beijing day gone at t.
func dayShare(t time.Time) float64 {
	d := chinaDate(t)
	return t.Sub(d).Seconds() / 86400
}
