package risk

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan/declaration"
)

// Every grade's measures with the default settings: the rates the random
// stream used, the document-review share and the priority flag are in
// the decision, and the reason says what the grade did.
func TestCreditMeasuresPerGrade(t *testing.T) {
	cases := []struct {
		grade               string
		red, yellow, blue   string
		share               float64
		priority, explained bool
	}{
		{GradeAdvancedCertified, "0.02", "0.06", "0.01", 0.2, true, true},
		{GradeCertified, "0.05", "0.15", "0.025", 0.5, true, true},
		{GradeRegular, "0.1", "0.3", "0.05", 1, false, false},
		{GradeDishonest, "0.8", "0.2", "0", 1, false, true}, // blue, then yellow trimmed: the rates stay within 1
		{GradeSeriouslyDishonest, "1", "0", "0", 1, false, true},
	}
	for _, c := range cases {
		tg := targeting(t, 0.1)
		tg.random.rules[0].Yellow, tg.random.rules[0].Blue = 0.3, 0.05
		tg.Settings = DefaultSettings()
		tg.Credit = grades{"91350100M000100Y43": c.grade}
		rd, err := tg.Assess(context.Background(), declWith(1, "USA"), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		got := [3]string{rd.Rates[declaration.LaneRed], rd.Rates[declaration.LaneYellow], rd.Rates[declaration.LaneBlue]}
		if got != [3]string{c.red, c.yellow, c.blue} {
			t.Errorf("%s: rates %v, want %s/%s/%s", c.grade, got, c.red, c.yellow, c.blue)
		}
		if rd.Grade != c.grade || rd.DocumentReviewShare != c.share || rd.Priority != c.priority {
			t.Errorf("%s: recorded grade %q, document review ×%v, priority %v", c.grade, rd.Grade, rd.DocumentReviewShare, rd.Priority)
		}
		said := strings.Contains(rd.ReasonEN, "document review ×") && strings.Contains(rd.ReasonZH, "审单比例 ×")
		if said != c.explained || c.priority != strings.Contains(rd.ReasonEN, "priority handling") ||
			c.priority != strings.Contains(rd.ReasonZH, "优先办理") || c.explained != strings.Contains(rd.RuleSet, "document_review=") {
			t.Errorf("%s: reason %q / %q, rule set %q", c.grade, rd.ReasonEN, rd.ReasonZH, rd.RuleSet)
		}
	}
}

// The document-review share scales the yellow stream apart from the
// multiplier: over many declarations the yellow share follows it and the
// red share does not move. Without a share the multiplier scales yellow,
// as configurations written before the measure expect.
func TestDocumentReviewShareScalesYellow(t *testing.T) {
	const n = 20000
	quarter := 0.25
	shares := func(m CreditMeasure) (red, yellow float64) {
		tg := targeting(t, 0.1)
		tg.random.rules[0].Yellow = 0.4
		tg.Settings = DefaultSettings()
		tg.Settings.Credit = map[string]CreditMeasure{GradeCertified: m}
		tg.Credit = grades{"91350100M000100Y43": GradeCertified}
		r, y := 0, 0
		for id := int64(1); id <= n; id++ {
			rd, err := tg.Assess(context.Background(), declWith(id, "USA"), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			switch rd.RandomLane {
			case declaration.LaneRed:
				r++
			case declaration.LaneYellow:
				y++
			}
		}
		return float64(r) / n, float64(y) / n
	}
	near := func(got, want float64) bool { return math.Abs(got-want) < 0.012 }
	if r, y := shares(CreditMeasure{Multiplier: 1, DocumentReview: &quarter}); !near(r, 0.1) || !near(y, 0.1) {
		t.Errorf("document review ×0.25 over red 0.1 / yellow 0.4: red %.3f, yellow %.3f", r, y)
	}
	if r, y := shares(CreditMeasure{Multiplier: 0.5}); !near(r, 0.05) || !near(y, 0.2) {
		t.Errorf("no share, multiplier 0.5: red %.3f, yellow %.3f", r, y)
	}
	bad := DefaultSettings()
	neg := -1.0
	bad.Credit[GradeRegular] = CreditMeasure{Multiplier: 1, DocumentReview: &neg}
	if bad.Check() == nil {
		t.Error("a negative document-review share accepted")
	}
}
