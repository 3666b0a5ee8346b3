package credit

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
