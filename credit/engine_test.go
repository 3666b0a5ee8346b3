package credit

import (
	"testing"

	"github.com/shopspring/decimal"
)

// A test enterprise and helpers to build its record.
const testSCC = "91310115MA1H5N9X7A"

func day(s string) Date {
	d, ok := ParseDate(s)
	if !ok {
		panic(s)
	}
	return d
}

type opt func(*Event)

func amount(s string) opt     { return func(e *Event) { e.Amount = decimal.RequireFromString(s) } }
func intentional(b bool) opt  { return func(e *Event) { e.Intentional = &b } }
func criminal() opt           { return func(e *Event) { e.Criminal = true } }
func due(s string) opt        { return func(e *Event) { e.DueOn = day(s) } }
func until(s string) opt      { return func(e *Event) { e.Until = day(s) } }
func refersTo(id int64) opt   { return func(e *Event) { e.RefersTo = id } }
func supersedes(id int64) opt { return func(e *Event) { e.Supersedes = id } }
func counts(decl, lists, manifests, insp int) opt {
	return func(e *Event) { e.Counts = &Counts{decl, lists, manifests, insp} }
}

type record struct {
	t    *testing.T
	b    *Book
	next int64
}

func newRecord(t *testing.T, cfg Config, s Subject) *record {
	t.Helper()
	if err := cfg.Check(); err != nil {
		t.Fatal(err)
	}
	if s.SCC == "" {
		s.SCC = testSCC
	}
	b := NewBook(cfg)
	b.SetSubject(s)
	return &record{t: t, b: b, next: 1}
}

// add records an event and returns its id.
func (r *record) add(k Kind, on string, opts ...opt) int64 {
	e := Event{ID: r.next, SCC: testSCC, Kind: k, On: day(on), Source: "test"}
	for _, o := range opts {
		o(&e)
	}
	r.next++
	if err := r.b.Append([]Event{e}); err != nil {
		r.t.Fatal(err)
	}
	return e.ID
}

func (r *record) assess(on string) *Assessment {
	r.t.Helper()
	a, ok := r.b.Assess(testSCC, day(on))
	if !ok {
		r.t.Fatal("unknown enterprise")
	}
	checkAddsUp(r.t, a, r.b.eng.cfg.Score.Base)
	return a
}

func (r *record) wantGrade(on string, want Grade) *Assessment {
	r.t.Helper()
	a := r.assess(on)
	if a.Grade != want {
		r.t.Errorf("%s: grade %s, want %s (grounds %+v)", on, a.Grade, want, a.Grounds)
	}
	return a
}

// checkAddsUp: the lines sum to the score, and the base is the first.
func checkAddsUp(t *testing.T, a *Assessment, base int) {
	t.Helper()
	sum := 0
	for _, l := range a.Lines {
		sum += l.Points
		if l.Points == 0 || l.TextZH == "" || l.TextEN == "" {
			t.Errorf("line %+v: no points or text", l)
		}
	}
	if sum != a.Score {
		t.Errorf("lines add up to %d, score is %d: %+v", sum, a.Score, a.Lines)
	}
	if base != 0 && (len(a.Lines) == 0 || a.Lines[0].Term != TermBase || a.Lines[0].Points != base) {
		t.Errorf("first line %+v, want the base", a.Lines)
	}
}

func TestSmugglingCrime(t *testing.T) {
	r := newRecord(t, DefaultConfig(), Subject{Registered: day("2015-03-01")})
	id := r.add(KindSmuggling, "2025-06-10", criminal())
	r.wantGrade("2025-06-09", GradeRegular)
	a := r.wantGrade("2025-06-10", GradeSeriouslyDishonest)
	if len(a.Grounds) != 1 || a.Grounds[0].Rule != RuleSmugglingCriminal || a.Grounds[0].Event != id ||
		a.Grounds[0].To != day("2027-06-10") || a.Grounds[0].RepairableFrom != 0 {
		t.Errorf("grounds %+v", a.Grounds)
	}
	r.wantGrade("2027-06-09", GradeSeriouslyDishonest)
	r.wantGrade("2027-06-10", GradeRegular) // two years without new grounds

	cfg := DefaultConfig()
	cfg.Model = Model2021
	r = newRecord(t, cfg, Subject{})
	r.add(KindSmuggling, "2025-06-10", criminal())
	r.wantGrade("2025-07-01", GradeDishonest) // 2021 has no "seriously"
}

func TestSmugglingCases(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Rules.SmugglingCases = 2
	r := newRecord(t, cfg, Subject{})
	r.add(KindSmuggling, "2024-01-10")
	r.add(KindSmuggling, "2025-02-10") // 13 months later: never two in a year
	r.wantGrade("2025-03-01", GradeRegular)
	r.add(KindSmuggling, "2025-05-01")
	a := r.wantGrade("2025-05-01", GradeDishonest)
	if len(a.Grounds) != 1 || a.Grounds[0].RepairableFrom != day("2026-05-01") {
		t.Errorf("grounds %+v", a.Grounds)
	}
	// one case is enough with the default
	r = newRecord(t, DefaultConfig(), Subject{})
	r.add(KindSmuggling, "2025-05-01")
	r.wantGrade("2025-05-01", GradeDishonest)
}

func TestPenaltyRatio(t *testing.T) {
	// 2,000 documents last year: 1‰ is 2 penalties, so 3 exceed it.
	base := func(t *testing.T, cfg Config, s Subject) *record {
		r := newRecord(t, cfg, s)
		r.add(KindActivity, "2024-03-01", counts(1500, 300, 200, 40))
		return r
	}
	t.Run("count and amount exceeded", func(t *testing.T) {
		r := base(t, DefaultConfig(), Subject{})
		r.add(KindPenalty, "2025-01-10", amount("400000"), intentional(true))
		r.add(KindPenalty, "2025-04-10", amount("400000"), intentional(true))
		r.wantGrade("2025-05-01", GradeRegular)
		last := r.add(KindPenalty, "2025-06-10", amount("200000.01"), intentional(true))
		a := r.wantGrade("2025-06-10", GradeDishonest)
		if len(a.Grounds) != 1 || a.Grounds[0].Rule != RulePenaltyRatio || a.Grounds[0].Event != last {
			t.Errorf("grounds %+v", a.Grounds)
		}
	})
	t.Run("amount not exceeded", func(t *testing.T) {
		r := base(t, DefaultConfig(), Subject{})
		for _, on := range []string{"2025-01-10", "2025-02-10", "2025-03-10", "2025-04-10"} {
			r.add(KindPenalty, on, amount("250000"), intentional(true)) // exactly 1,000,000: not over
		}
		r.wantGrade("2025-05-01", GradeRegular)
	})
	t.Run("count not exceeded", func(t *testing.T) {
		r := base(t, DefaultConfig(), Subject{})
		r.add(KindPenalty, "2025-01-10", amount("900000"), intentional(true))
		r.add(KindPenalty, "2025-02-10", amount("900000"), intentional(true))
		r.wantGrade("2025-05-01", GradeRegular)
	})
	t.Run("unintentional not counted", func(t *testing.T) {
		r := base(t, DefaultConfig(), Subject{})
		r.add(KindPenalty, "2025-01-10", amount("500000"), intentional(true))
		r.add(KindPenalty, "2025-02-10", amount("500000"), intentional(true))
		r.add(KindPenalty, "2025-03-10", amount("500000"), intentional(false))
		r.wantGrade("2025-05-01", GradeRegular)
		cfg := DefaultConfig()
		cfg.Rules.ExcludeUnintentional = false // the rule before 2023
		r = base(t, cfg, Subject{})
		r.add(KindPenalty, "2025-01-10", amount("500000"), intentional(true))
		r.add(KindPenalty, "2025-02-10", amount("500000"), intentional(true))
		r.add(KindPenalty, "2025-03-10", amount("500000"), intentional(false))
		r.wantGrade("2025-05-01", GradeDishonest)
	})
	t.Run("window of one year", func(t *testing.T) {
		r := base(t, DefaultConfig(), Subject{})
		r.add(KindPenalty, "2024-01-10", amount("500000"), intentional(true))
		r.add(KindPenalty, "2024-12-10", amount("500000"), intentional(true))
		r.add(KindPenalty, "2025-01-10", amount("500000"), intentional(true)) // the first is 12 months back: out
		r.wantGrade("2025-05-01", GradeRegular)
	})
	t.Run("broker thresholds", func(t *testing.T) {
		// a broker's documents exclude manifests: 1,800, 0.5‰ = 0.9, so one
		// penalty exceeds the count; 300,000 CNY is the amount.
		r := base(t, DefaultConfig(), Subject{Broker: true})
		r.add(KindPenalty, "2025-01-10", amount("300000"), intentional(true))
		r.wantGrade("2025-05-01", GradeRegular)
		r.add(KindPenalty, "2025-02-10", amount("0.01"), intentional(true))
		r.wantGrade("2025-05-01", GradeDishonest)
	})
	t.Run("no documents last year", func(t *testing.T) {
		r := newRecord(t, DefaultConfig(), Subject{})
		r.add(KindPenalty, "2025-01-10", amount("1000000.01"), intentional(true))
		r.wantGrade("2025-05-01", GradeDishonest)
	})
	t.Run("corrected penalty", func(t *testing.T) {
		r := base(t, DefaultConfig(), Subject{})
		r.add(KindPenalty, "2025-01-10", amount("400000"), intentional(true))
		r.add(KindPenalty, "2025-04-10", amount("400000"), intentional(true))
		third := r.add(KindPenalty, "2025-06-10", amount("300000"), intentional(true))
		r.wantGrade("2025-07-01", GradeDishonest)
		r.add(KindPenalty, "2025-06-10", amount("3000"), intentional(true), supersedes(third)) // the decision was revised
		r.wantGrade("2025-07-01", GradeRegular)
	})
}

func TestUnpaid(t *testing.T) {
	r := newRecord(t, DefaultConfig(), Subject{})
	tax := r.add(KindUnpaidTax, "2025-02-01", amount("52000"), due("2025-01-15"))
	r.wantGrade("2025-04-14", GradeRegular)
	a := r.wantGrade("2025-04-15", GradeDishonest) // three months after the due date
	if a.Grounds[0].RepairableFrom != 0 {
		t.Errorf("repairable before payment: %+v", a.Grounds[0])
	}
	r.add(KindSettlement, "2025-05-20", amount("52000"), refersTo(tax))
	a = r.wantGrade("2025-05-21", GradeDishonest) // paying does not end it by itself
	if a.Grounds[0].RepairableFrom != day("2025-05-20") {
		t.Errorf("repairable from %s, want the payment day", a.Grounds[0].RepairableFrom)
	}
	r.wantGrade("2027-04-15", GradeRegular)

	// paid within the three months: never dishonest
	r = newRecord(t, DefaultConfig(), Subject{})
	tax = r.add(KindUnpaidTax, "2025-02-01", amount("52000"), due("2025-01-15"))
	r.add(KindSettlement, "2025-04-14", refersTo(tax))
	r.wantGrade("2025-06-01", GradeRegular)

	// fines: six months
	r = newRecord(t, DefaultConfig(), Subject{})
	r.add(KindUnpaidFine, "2025-02-01", amount("8000"), due("2025-01-31"))
	r.wantGrade("2025-07-30", GradeRegular)
	r.wantGrade("2025-07-31", GradeDishonest)
}

func TestBlacklist(t *testing.T) {
	r := newRecord(t, DefaultConfig(), Subject{})
	entry := r.add(KindBlacklist, "2025-03-01")
	r.wantGrade("2025-03-01", GradeSeriouslyDishonest)
	r.wantGrade("2029-03-01", GradeSeriouslyDishonest) // no term: until delisted
	r.add(KindDelisting, "2025-09-01", refersTo(entry))
	r.wantGrade("2025-08-31", GradeSeriouslyDishonest)
	r.wantGrade("2025-09-01", GradeRegular)

	r = newRecord(t, DefaultConfig(), Subject{})
	r.add(KindBlacklist, "2025-03-01", until("2025-06-01"))
	r.wantGrade("2025-05-31", GradeSeriouslyDishonest)
	r.wantGrade("2025-06-01", GradeRegular)
}

func TestVoid(t *testing.T) {
	r := newRecord(t, DefaultConfig(), Subject{})
	id := r.add(KindSmuggling, "2025-03-01")
	r.wantGrade("2025-04-01", GradeDishonest)
	r.add(KindVoid, "2025-04-02", refersTo(id))
	a := r.wantGrade("2025-04-02", GradeRegular)
	for _, l := range a.Lines {
		if l.Term == TermSmuggling {
			t.Errorf("a withdrawn event still scores: %+v", l)
		}
	}
}

func TestCertification(t *testing.T) {
	s := Subject{CertLevel: "advanced", CertFrom: day("2024-01-01"), CertTo: day("2027-01-01")}
	r := newRecord(t, DefaultConfig(), s)
	r.wantGrade("2023-12-31", GradeRegular)
	r.wantGrade("2024-01-01", GradeAdvancedCertified)
	r.wantGrade("2027-01-01", GradeRegular) // expired
	r.add(KindUnpaidTax, "2025-01-20", amount("1000"), due("2025-01-15"))
	r.wantGrade("2025-04-15", GradeDishonest) // a ground outranks the certificate

	s.CertLevel = "general"
	r = newRecord(t, DefaultConfig(), s)
	r.wantGrade("2025-01-01", GradeCertified)
	cfg := DefaultConfig()
	cfg.Model = Model2021
	r = newRecord(t, cfg, s)
	r.wantGrade("2025-01-01", GradeRegular) // 2021 has advanced certification only
}

func TestRepairEndsGround(t *testing.T) {
	r := newRecord(t, DefaultConfig(), Subject{})
	id := r.add(KindSmuggling, "2025-03-01")
	r.wantGrade("2026-03-01", GradeDishonest)
	r.b.AddRepair(testSCC, RuleSmuggling, id, day("2026-03-05"))
	r.wantGrade("2026-03-04", GradeDishonest)
	a := r.wantGrade("2026-03-05", GradeRegular)
	if len(a.Grounds) != 1 || a.Grounds[0].Active || a.Grounds[0].Repaired != day("2026-03-05") {
		t.Errorf("grounds %+v", a.Grounds)
	}
}

func TestScoreExplained(t *testing.T) {
	r := newRecord(t, DefaultConfig(), Subject{Registered: day("2018-05-02")})
	r.add(KindActivity, "2025-01-01", counts(400, 20, 0, 30))
	r.add(KindActivity, "2025-02-01", counts(350, 0, 0, 25))
	pen := r.add(KindPenalty, "2025-02-10", amount("250000"), intentional(true))
	r.add(KindPenalty, "2023-02-10", amount("9000"), intentional(false)) // outside the window
	r.add(KindCorrection, "2025-03-01")
	r.add(KindRejection, "2025-03-02")
	fnd := r.add(KindInspectionFinding, "2025-03-05")
	late := r.add(KindLateReport, "2025-07-01")
	tax := r.add(KindUnpaidTax, "2025-02-01", amount("1000"), due("2025-01-20"))
	r.add(KindSettlement, "2025-02-20", refersTo(tax))
	open := r.add(KindUnpaidFine, "2025-06-01", amount("500"), due("2025-05-30"))
	a := r.assess("2025-08-01")
	c := DefaultConfig().Score
	want := c.Base + 5 /* 7 years, capped */ + c.PenaltyIntentional + 2*c.PenaltyPer100K + 2*c.Correction +
		c.InspectionFinding + c.LateReport + c.PaidLate + c.UnpaidOverdue + c.AccuracyBonus
	// 55 inspections, 1 finding = 18‰ ≤ 20‰: the inspection bonus too
	want += c.InspectionBonus
	if a.Score != want {
		t.Errorf("score %d, want %d: %+v", a.Score, want, a.Lines)
	}
	byTerm := map[string]ScoreLine{}
	for _, l := range a.Lines {
		byTerm[l.Term] = l
	}
	for term, ev := range map[string]int64{TermPenalty: pen, TermFinding: fnd, TermLateReport: late, TermPaidLate: tax, TermUnpaid: open} {
		if l := byTerm[term]; len(l.Events) != 1 || l.Events[0] != ev {
			t.Errorf("%s line %+v, want event %d", term, l, ev)
		}
	}
	if l := byTerm[TermCorrection]; len(l.Events) != 2 {
		t.Errorf("corrections line %+v", l)
	}
	if a.Grade != GradeRegular {
		t.Errorf("grade %s", a.Grade)
	}
}

func TestScoreCaps(t *testing.T) {
	r := newRecord(t, DefaultConfig(), Subject{})
	for i := 0; i < 30; i++ {
		r.add(KindCorrection, "2025-03-01")
	}
	r.add(KindPenalty, "2025-03-01", amount("9000000"), intentional(false))
	a := r.assess("2025-04-01")
	c := DefaultConfig().Score
	if want := c.Base + c.CorrectionCap + c.PenaltyUnintentional + c.PenaltyAmountCap; a.Score != want {
		t.Errorf("score %d, want %d: %+v", a.Score, want, a.Lines)
	}
}
