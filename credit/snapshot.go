package credit

import (
	"context"
	"slices"
	"time"
)

// snapshot is what the risk stage reads for every declaration: the grades
// that are not regular (a small share of enterprises) and the measures of
// each grade. It is rebuilt when grades change and swapped atomically, so
// a lookup takes no lock and queries nothing.
type snapshot struct {
	grades   map[string]Grade
	measures map[Grade]Measures
}

func (b *Book) refreshSnapshot() {
	b.mu.RLock()
	m := make(map[string]Grade, len(b.snap.Load().grades)+16)
	for x, g := range b.grade {
		if g != GradeRegular {
			m[b.scc[x]] = g
		}
	}
	b.mu.RUnlock()
	b.snap.Store(&snapshot{grades: m, measures: b.eng.cfg.Measures})
}

// Lookup is the grade in force for a trader and the measures it earns.
// Unknown and unscored enterprises are regular.
func (b *Book) Lookup(scc string) (Grade, Measures) {
	s := b.snap.Load()
	g, ok := s.grades[scc]
	if !ok {
		g = GradeRegular
	}
	return g, s.measures[g]
}

// Measures returns a grade's measures under the configuration.
func (b *Book) Measures(g Grade) Measures { return b.snap.Load().measures[g] }

// Current is an enterprise's last stored grade and score; ok is false
// before its first run.
func (b *Book) Current(scc string) (g Grade, score int, ok bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	x, known := b.index[scc]
	if !known || !b.scored[x] {
		return GradeRegular, 0, false
	}
	return b.grade[x], int(b.score[x]), true
}

// WithGrade lists, sorted, the enterprises whose grade is g; g must not
// be regular (nearly everyone is).
func (b *Book) WithGrade(g Grade) []string {
	var out []string
	for scc, x := range b.snap.Load().grades {
		if x == g {
			out = append(out, scc)
		}
	}
	slices.Sort(out)
	return out
}

// GradeCounts counts enterprises by their current grade.
func (b *Book) GradeCounts() map[Grade]int {
	s := b.snap.Load()
	out := map[Grade]int{}
	for _, g := range s.grades {
		out[g]++
	}
	out[GradeRegular] = b.Len() - len(s.grades)
	return out
}

// Grade is the risk stage's view (risk.CreditSource): the grade code in
// force, from the snapshot. The snapshot holds today's grades; a
// declaration is assessed when it is submitted, so its date is today.
func (b *Book) Grade(_ context.Context, scc string, _ time.Time) (string, error) {
	g, _ := b.Lookup(scc)
	return g.Code(), nil
}
