package model

import (
	"hash/maphash"
	"math"

	"github.com/jinguan-customs/jinguan/risk/model/gbdt"
)

// scorer turns a record straight into the bins the trees test. Everything
// that depends only on the training period — the bin of every code, and
// the bins of every profile's fraud rate and count — is looked up once per
// model; only the numeric features are binned per item. Its bins equal
// Ensemble.Bin of Features.Transform (tested), at a fraction of the cost.
type scorer struct {
	f        *Features
	e        *gbdt.Ensemble
	codes    []codeTable  // per categorical column: value → code
	codeBins [][]uint8    // per categorical column: code → bin (the last code is unseen)
	single   [][][2]uint8 // per profile of one attribute: code → bins of rate and count
	pairs    []pairTable  // per profile of two attributes
	unseen   [][2]uint8   // per profile: bins of the prior and a count of 0
	numAt    int          // first numeric column
}

// pairTable is an open-addressing table from a pair of codes to the bins of
// its rate and count, one word a slot: (a<<24|b)+1 in the top 48 bits, the
// two bins below, 0 for an empty slot. Half a Go map's cache misses.
type pairTable struct {
	slots []uint64
	shift uint
}

const pairCodeBits = 24

func pairKey(a, b int32) uint64 { return uint64(a)<<pairCodeBits | uint64(b) }

func (t *pairTable) slot(key uint64) int {
	return int((key * 0x9e3779b97f4a7c15) >> t.shift)
}

func (t *pairTable) get(key uint64) (uint64, bool) {
	mask := len(t.slots) - 1
	for i := t.slot(key); ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return 0, false
		}
		if s>>16 == key+1 {
			return s & 0xffff, true
		}
	}
}

func newPairTable(n int) pairTable {
	bits := slotBits(n)
	return pairTable{slots: make([]uint64, 1<<bits), shift: 64 - bits}
}

// slotBits sizes an open-addressing table of n keys: load factor at most 1/2.
func slotBits(n int) uint {
	bits := uint(1)
	for 1<<bits < 2*n {
		bits++
	}
	return bits
}

func (t *pairTable) put(key uint64, bins uint64) {
	mask := len(t.slots) - 1
	i := t.slot(key)
	for t.slots[i] != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = (key+1)<<16 | bins
}

// codeTable is a column's code table as open addressing over the 64-bit
// hashes of the values (seeded per process), so a lookup touches one slot
// instead of a Go map's groups and the string itself. A value counts as
// seen when its hash equals that of a seen value in the slots it probes
// (a few): an unseen value is taken for a seen one with a chance of the
// order of 10⁻¹⁸ per lookup.
type codeTable struct {
	slots []codeSlot
	shift uint
	none  int32 // the code of unseen values
}

type codeSlot struct {
	h    uint64 // 0: empty (a hash of 0 is stored as 1)
	code int32
}

var codeSeed = maphash.MakeSeed()

func valueHash(v string) uint64 { return max(maphash.String(codeSeed, v), 1) }

func newCodeTable(m map[string]int32) codeTable {
	bits := slotBits(len(m))
	t := codeTable{slots: make([]codeSlot, 1<<bits), shift: 64 - bits, none: int32(len(m))}
	mask := len(t.slots) - 1
	for v, c := range m {
		h := valueHash(v)
		i := int(h >> t.shift)
		for t.slots[i].h != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = codeSlot{h, c}
	}
	return t
}

func (t *codeTable) get(v string) int32 {
	h := valueHash(v)
	mask := len(t.slots) - 1
	for i := int(h >> t.shift); ; i = (i + 1) & mask {
		switch t.slots[i].h {
		case 0:
			return t.none
		case h:
			return t.slots[i].code
		}
	}
}

func newScorer(f *Features, e *gbdt.Ensemble) *scorer {
	f.once.Do(f.resolve)
	s := &scorer{f: f, e: e}
	bin := func(col int, v float64) uint8 { return gbdt.BinOf(e.Edges[col], v) }
	for j, t := range f.tables {
		s.codes = append(s.codes, newCodeTable(t))
		b := make([]uint8, len(t)+1)
		for c := range b {
			b[c] = bin(j, float64(c))
		}
		s.codeBins = append(s.codeBins, b)
	}
	at := len(f.tables)
	s.single = make([][][2]uint8, len(profileKeys))
	s.pairs = make([]pairTable, len(profileKeys))
	for i, k := range profileKeys {
		col := at + 2*i
		bins := func(st [2]float64) [2]uint8 { return [2]uint8{bin(col, f.rate(st[0], st[1])), bin(col+1, st[1])} }
		s.unseen = append(s.unseen, bins([2]float64{}))
		if k.b < 0 {
			d := make([][2]uint8, len(f.tables[k.a])+1)
			for c := range d {
				d[c] = s.unseen[i]
			}
			for id, st := range f.Profiles[i].Stats {
				if id < uint64(len(d)) {
					d[id] = bins(st)
				}
			}
			s.single[i] = d
			continue
		}
		if len(f.tables[k.a]) >= 1<<pairCodeBits || len(f.tables[k.b]) >= 1<<pairCodeBits {
			continue // too many values to pack: looked up in the profile's map
		}
		t := newPairTable(len(f.Profiles[i].Stats))
		for id, st := range f.Profiles[i].Stats {
			b := bins(st)
			t.put(pairKey(int32(id>>32), int32(id&math.MaxUint32)), uint64(b[0])<<8|uint64(b[1]))
		}
		s.pairs[i] = t
	}
	s.numAt = at + 2*len(profileKeys)
	return s
}

// bins writes one record's bins into xb.
func (s *scorer) bins(r *Record, xb *[gbdt.RowBytes]uint8) {
	f := s.f
	var codes [64]int32
	cs := codes[:0]
	if len(f.tables) > len(codes) {
		cs = make([]int32, 0, len(f.tables))
	}
	for i, k := range catKeys {
		cs = append(cs, s.codes[i].get(k.of(r)))
	}
	for j := range f.Extra {
		v := ""
		if j < len(r.Extra) {
			v = r.Extra[j]
		}
		cs = append(cs, s.codes[len(catKeys)+j].get(v))
	}
	for j, c := range cs {
		xb[j] = s.codeBins[j][c]
	}
	at := len(cs)
	for i, k := range profileKeys {
		b := s.unseen[i]
		ca := cs[k.a]
		switch {
		case k.b < 0:
			b = s.single[i][ca]
		case int(ca) == len(f.tables[k.a]) || int(cs[k.b]) == len(f.tables[k.b]):
		case s.pairs[i].slots != nil:
			if v, ok := s.pairs[i].get(pairKey(ca, cs[k.b])); ok {
				b = [2]uint8{uint8(v >> 8), uint8(v)}
			}
		default:
			st := f.Profiles[i].Stats[uint64(ca)<<32|uint64(cs[k.b])]
			b = [2]uint8{gbdt.BinOf(s.e.Edges[at+2*i], f.rate(st[0], st[1])), gbdt.BinOf(s.e.Edges[at+2*i+1], st[1])}
		}
		xb[at+2*i], xb[at+2*i+1] = b[0], b[1]
	}
	var num [16]float64
	numeric(r, num[:])
	for j := range numericNames {
		xb[s.numAt+j] = gbdt.BinOf(s.e.Edges[s.numAt+j], num[j])
	}
}
