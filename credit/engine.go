package credit

// subject is what the engine knows of an enterprise besides its events.
type subject struct {
	registered int32 // day
	broker     bool
	cert       certification
	repairs    []repairMark
}

// Certification levels, as recorded by a certification decision.
const (
	certNone uint8 = iota
	certGeneral
	certAdvanced
)

// certification is an AEO decision in force from..to (to 0: open).
type certification struct {
	level    uint8
	from, to int32
}

// repairMark is an approved repair: the ground ends on the day.
type repairMark struct {
	rule  string
	event int64
	on    int32
}

// engine applies a Config. It is read-only and shared by every worker;
// each worker brings its own scratch.
type engine struct {
	cfg                     Config
	nonBrokerFen, brokerFen int64
	severe                  map[string]bool
	wait                    map[string]int
}

func newEngine(cfg Config) *engine {
	x := &engine{cfg: cfg, severe: map[string]bool{}, wait: cfg.Repair.WaitMonths}
	x.nonBrokerFen = cfg.Rules.NonBroker.Amount.Mul(hundred).IntPart()
	x.brokerFen = cfg.Rules.Broker.Amount.Mul(hundred).IntPart()
	for _, r := range cfg.Rules.Severe {
		x.severe[r] = true
	}
	return x
}

// scratch holds one enterprise's resolved links; reused across enterprises.
type scratch struct {
	dead    []bool
	settled []int32 // day of the first live settlement, 0 none
	ended   []int32 // list entries: the earlier of until and the delisting, 0 open
}

// resolve applies voids, corrections, settlements and delistings.
func (sc *scratch) resolve(ev *cols) {
	n := ev.len()
	sc.dead = resize(sc.dead, n)
	sc.settled = resize(sc.settled, n)
	sc.ended = resize(sc.ended, n)
	clear(sc.dead)
	clear(sc.settled)
	copy(sc.ended, ev.aux) // only read for list entries
	find := func(id int64) int {
		for j, x := range ev.id {
			if x == id {
				return j
			}
		}
		return -1
	}
	// A void or a correction kills its target first; then the living
	// settlements and delistings act.
	for i := 0; i < n; i++ {
		if ev.ref[i] != 0 && (ev.kind[i] == kVoid || ev.flag[i]&fSupersedes != 0) {
			if j := find(ev.ref[i]); j >= 0 {
				sc.dead[j] = true
			}
		}
	}
	for i := 0; i < n; i++ {
		if sc.dead[i] || ev.ref[i] == 0 || (ev.kind[i] != kSettlement && ev.kind[i] != kDelisting) {
			continue
		}
		j := find(ev.ref[i])
		if j < 0 {
			continue
		}
		if ev.kind[i] == kSettlement && (sc.settled[j] == 0 || ev.on[i] < sc.settled[j]) {
			sc.settled[j] = ev.on[i]
		}
		if ev.kind[i] == kDelisting && (sc.ended[j] == 0 || ev.on[i] < sc.ended[j]) {
			sc.ended[j] = ev.on[i]
		}
	}
}

func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/2)
	}
	return s[:n]
}

// assess grades and scores one enterprise on day. ev holds its events in
// date order. With ex non-nil every ground and every point is written out.
func (x *engine) assess(s *subject, ev *cols, day int32, sc *scratch, ex *Assessment) (Grade, int) {
	sc.resolve(ev)
	g := x.grade(s, ev, day, sc, ex)
	return g, x.score(s, ev, day, sc, ex)
}

// ground reports one dishonest ground [from, to) found by rule on event i
// and says whether it is in force on day.
func (x *engine) ground(s *subject, ev *cols, i int, rule string, from, to, day int32, sc *scratch, ex *Assessment) bool {
	if from > day {
		return false
	}
	var repaired int32
	for _, r := range s.repairs {
		if r.rule == rule && r.event == ev.id[i] && r.on <= day {
			repaired = r.on
		}
	}
	active := repaired == 0 && (to == 0 || day < to)
	if ex != nil {
		gr := Ground{Rule: rule, Event: ev.id[i], From: Date(from), To: Date(to), Grade: x.groundGrade(rule),
			Active: active, Repaired: Date(repaired)}
		if active {
			gr.RepairableFrom = Date(x.repairableFrom(rule, ev, i, from, sc))
		}
		gr.TextZH, gr.TextEN = groundText(rule, ev, i, sc)
		ex.Grounds = append(ex.Grounds, gr)
	}
	return active
}

func (x *engine) groundGrade(rule string) Grade {
	if x.severe[rule] {
		return x.cfg.Model.fold(GradeSeriouslyDishonest)
	}
	return GradeDishonest
}

// repairableFrom is the first day a repair of the ground may be approved,
// 0 when it cannot be (yet).
func (x *engine) repairableFrom(rule string, ev *cols, i int, from int32, sc *scratch) int32 {
	w, ok := x.wait[rule]
	if !ok || w < 0 {
		return 0
	}
	d := addMonths(from, w)
	if rule == RuleUnpaidTax || rule == RuleUnpaidFine {
		if sc.settled[i] == 0 {
			return 0
		}
		d = max(d, sc.settled[i])
	}
	return d
}

// grade applies the dishonest rules, then the certification decision.
func (x *engine) grade(s *subject, ev *cols, day int32, sc *scratch, ex *Assessment) Grade {
	r := &x.cfg.Rules
	worst := GradeRegular
	hit := func(rule string) {
		g := x.groundGrade(rule)
		if worst == GradeRegular || g > worst {
			worst = g
		}
	}
	n := ev.len()
	for i := 0; i < n; i++ {
		if sc.dead[i] || ev.on[i] > day {
			continue
		}
		on := ev.on[i]
		switch ev.kind[i] {
		case kSmuggling:
			if ev.flag[i]&fCriminal != 0 {
				if x.ground(s, ev, i, RuleSmugglingCriminal, on, addMonths(on, r.TermMonths), day, sc, ex) {
					hit(RuleSmugglingCriminal)
				}
				continue
			}
			// administrative cases within the window up to this one
			lo, cases := addMonths(on, -r.WindowMonths), 0
			for j := 0; j <= i; j++ {
				if !sc.dead[j] && ev.kind[j] == kSmuggling && ev.flag[j]&fCriminal == 0 && ev.on[j] > lo {
					cases++
				}
			}
			if cases >= r.SmugglingCases && x.ground(s, ev, i, RuleSmuggling, on, addMonths(on, r.TermMonths), day, sc, ex) {
				hit(RuleSmuggling)
			}
		case kPenalty:
			if x.penaltyRatio(s, ev, i, sc) && x.ground(s, ev, i, RulePenaltyRatio, on, addMonths(on, r.TermMonths), day, sc, ex) {
				hit(RulePenaltyRatio)
			}
		case kUnpaidTax, kUnpaidFine:
			rule, months := RuleUnpaidTax, r.UnpaidTaxMonths
			if ev.kind[i] == kUnpaidFine {
				rule, months = RuleUnpaidFine, r.UnpaidFineMonths
			}
			from := addMonths(ev.aux[i], months)
			if st := sc.settled[i]; st != 0 && st <= from {
				continue // paid in time to escape the rule
			}
			if x.ground(s, ev, i, rule, from, addMonths(from, r.TermMonths), day, sc, ex) {
				hit(rule)
			}
		case kBlacklist:
			if x.ground(s, ev, i, RuleBlacklist, on, sc.ended[i], day, sc, ex) {
				hit(RuleBlacklist)
			}
		}
	}
	if worst != GradeRegular {
		return worst
	}
	c := s.cert
	if c.level != certNone && c.from <= day && (c.to == 0 || day < c.to) {
		if c.level == certAdvanced {
			return GradeAdvancedCertified
		}
		return x.cfg.Model.fold(GradeCertified)
	}
	return GradeRegular
}

// penaltyRatio is the per-mille rule at penalty i: the counted penalties
// of the year up to it exceed the ratio of the previous calendar year's
// documents and their sum exceeds the amount. Without documents to count,
// the amount alone decides.
func (x *engine) penaltyRatio(s *subject, ev *cols, i int, sc *scratch) bool {
	r := &x.cfg.Rules
	counted := func(j int) bool {
		return !sc.dead[j] && ev.kind[j] == kPenalty && (!r.ExcludeUnintentional || ev.flag[j]&fIntentional != 0)
	}
	if !counted(i) {
		return false
	}
	on := ev.on[i]
	lo := addMonths(on, -r.WindowMonths)
	var count, fen int64
	for j := 0; j <= i; j++ {
		if counted(j) && ev.on[j] > lo {
			count++
			fen += ev.amount[j]
		}
	}
	th, limit := r.NonBroker, x.nonBrokerFen
	if s.broker {
		th, limit = r.Broker, x.brokerFen
	}
	if fen <= limit {
		return false
	}
	docs := x.documents(s, ev, yearOf(on)-1, sc)
	return docs == 0 || count*10000 > docs*int64(th.PerTenThousand)
}

// documents counts the year's declarations, lists and, for non-brokers,
// manifests from the activity events.
func (x *engine) documents(s *subject, ev *cols, year int32, sc *scratch) int64 {
	lo, hi := firstOfYear(year), firstOfYear(year+1)
	var n int64
	for j := 0; j < ev.len(); j++ {
		if ev.kind[j] != kActivity || sc.dead[j] || ev.on[j] < lo || ev.on[j] >= hi {
			continue
		}
		n += int64(ev.aux[j]) + ev.amount[j]>>32
		if !s.broker {
			n += ev.amount[j] & 0xffffffff
		}
	}
	return n
}
