package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
)

// Missing stands for an absent or undefined number (all real ones are >= 0).
const Missing = -1

// ProfileSmoothing is the pseudo-count m of a risk profile:
// (fraud + m·prior) / (count + m), which is the prior for an unseen value.
const ProfileSmoothing = 10

// ProfileFolds is how many folds give training rows out-of-fold profiles, so
// that no training row's own label enters its features.
const ProfileFolds = 5

// key is a categorical attribute of an item, coded on the training period.
type key struct {
	name string
	of   func(r *Record) string
}

var catKeys = []key{
	{"office", func(r *Record) string { return r.Office }},
	{"declarant", func(r *Record) string { return r.Declarant }},
	{"importer", func(r *Record) string { return r.Importer }},
	{"seller", func(r *Record) string { return r.Seller }},
	{"courier", func(r *Record) string { return r.Courier }},
	{"hs2", func(r *Record) string { return r.HS6[:2] }},
	{"hs4", func(r *Record) string { return r.HS6[:4] }},
	{"hs6", func(r *Record) string { return r.HS6 }},
	{"origin", func(r *Record) string { return r.Origin }},
	{"departure", func(r *Record) string { return r.Departure }},
	{"tax_type", func(r *Record) string { return r.TaxType }},
}

// Indexes into catKeys, for profile keys.
const (
	cOffice = iota
	cDeclarant
	cImporter
	cSeller
	cCourier
	cHS2
	cHS4
	cHS6
	cOrigin
)

// profileKey is one key of a risk profile: a coded attribute or a pair of
// them (b >= 0). Pairs are looked up by their codes, no strings built.
type profileKey struct {
	name string
	a, b int
}

var profileKeys = []profileKey{
	{"importer", cImporter, -1},
	{"declarant", cDeclarant, -1},
	{"seller", cSeller, -1},
	{"courier", cCourier, -1},
	{"hs6", cHS6, -1},
	{"hs4", cHS4, -1},
	{"hs6_origin", cHS6, cOrigin},
	{"origin", cOrigin, -1},
	{"office", cOffice, -1},
	{"office_importer", cOffice, cImporter},
	{"office_hs6", cOffice, cHS6},
	{"declarant_importer", cDeclarant, cImporter},
	{"importer_hs6", cImporter, cHS6},
	{"seller_hs6", cSeller, cHS6},
}

// id is a profile key's value as codes; ok is false when a part was not
// seen in training, so the profile falls back to the prior.
func (k profileKey) id(codes []float64, f *Features) (uint64, bool) {
	ca := codes[k.a]
	if int(ca) == len(f.tables[k.a]) {
		return 0, false
	}
	if k.b < 0 {
		return uint64(ca), true
	}
	cb := codes[k.b]
	if int(cb) == len(f.tables[k.b]) {
		return 0, false
	}
	return uint64(ca)<<32 | uint64(cb), true
}

var numericNames = []string{"tax_rate", "mass", "value", "quantity", "unit_value", "value_per_kg",
	"tax_amount", "month", "weekday", "day", "origin_is_departure"}

// Profile is the fraud history of one key on the training period.
type Profile struct {
	Key   string                `json:"key"`
	Stats map[uint64][2]float64 `json:"stats"` // value's codes (a<<32|b) → fraud count, item count
}

// Features turns records into model inputs with codes and profiles fitted on
// a training period only; Transform never reads a label.
type Features struct {
	Extra    []string                    `json:"extra"` // extra categorical columns of the mapping
	Codes    map[string]map[string]int32 `json:"codes"` // key → value → ordinal code; unseen get len(map)
	Profiles []Profile                   `json:"profiles"`
	Prior    float64                     `json:"prior"`

	once   sync.Once          // resolves on first use; Transform may then run concurrently
	tables []map[string]int32 // Codes in the order of catKeys then Extra, resolved once
	dense  [][][2]float64     // per profile of one attribute: stats indexed by code
}

// resolve caches the code tables by position: a lookup by key name for
// every attribute of every item cost more than the lookups themselves.
func (f *Features) resolve() {
	if f.tables == nil {
		f.resolveTables()
	}
	f.dense = make([][][2]float64, len(f.Profiles))
	for i, k := range profileKeys {
		if k.b >= 0 || i >= len(f.Profiles) {
			continue
		}
		d := make([][2]float64, len(f.tables[k.a]))
		for id, st := range f.Profiles[i].Stats {
			if id < uint64(len(d)) {
				d[id] = st
			}
		}
		f.dense[i] = d
	}
}

func (f *Features) resolveTables() {
	for _, k := range catKeys {
		f.tables = append(f.tables, f.Codes[k.name])
	}
	for _, e := range f.Extra {
		f.tables = append(f.tables, f.Codes["extra_"+e])
	}
}

// Names lists the feature vector's columns.
func (f *Features) Names() []string {
	var n []string
	for _, k := range catKeys {
		n = append(n, "code_"+k.name)
	}
	for _, e := range f.Extra {
		n = append(n, "code_"+e)
	}
	for _, p := range profileKeys {
		n = append(n, "profile_"+p.name, "count_"+p.name)
	}
	return append(n, numericNames...)
}

// Fit learns codes and profiles from training records and returns the
// training matrix, whose profile columns are out-of-fold.
func Fit(train []Record, extra []string, seed uint64) (*Features, [][]float64, error) {
	if len(train) == 0 {
		return nil, nil, fmt.Errorf("no training records")
	}
	f := &Features{Extra: slices.Clone(extra), Codes: map[string]map[string]int32{}}
	for i, k := range catKeys {
		f.Codes[k.name] = fitCodes(train, catKeys[i].of)
	}
	for j, e := range extra {
		f.Codes["extra_"+e] = fitCodes(train, func(r *Record) string { return r.Extra[j] })
	}
	var fraud float64
	for i := range train {
		if train[i].Fraud {
			fraud++
		}
	}
	f.Prior = fraud / float64(len(train))

	// Folds from a seeded permutation; per fold sums give out-of-fold stats.
	fold := make([]int, len(train))
	for i, p := range rand.New(rand.NewPCG(seed, 0x70726f66)).Perm(len(train)) {
		fold[p] = i % ProfileFolds
	}
	// Each fold's prior also leaves the fold out, so no row sees its own label.
	var foldFraud, foldN [ProfileFolds]float64
	for i := range train {
		foldN[fold[i]]++
		if train[i].Fraud {
			foldFraud[fold[i]]++
		}
	}
	oof := make([][2][]float64, len(profileKeys))
	width := len(f.Names())
	X := make([][]float64, len(train))
	f.resolveTables() // codes now, profiles below, then Transform resolves the rest
	for i := range train {
		X[i] = make([]float64, width)
		f.codes(&train[i], X[i])
	}
	for pi, k := range profileKeys {
		type acc struct{ fraud, n [ProfileFolds + 1]float64 }
		stats := map[uint64]*acc{}
		ids := make([]uint64, len(train))
		for i := range train {
			v, _ := k.id(X[i], f) // every training value has a code
			ids[i] = v
			a := stats[v]
			if a == nil {
				a = &acc{}
				stats[v] = a
			}
			y := 0.0
			if train[i].Fraud {
				y = 1
			}
			a.fraud[fold[i]] += y
			a.n[fold[i]]++
			a.fraud[ProfileFolds] += y
			a.n[ProfileFolds]++
		}
		p := Profile{Key: k.name, Stats: make(map[uint64][2]float64, len(stats))}
		for v, a := range stats {
			p.Stats[v] = [2]float64{a.fraud[ProfileFolds], a.n[ProfileFolds]}
		}
		f.Profiles = append(f.Profiles, p)
		oof[pi] = [2][]float64{make([]float64, len(train)), make([]float64, len(train))}
		for i := range train {
			a := stats[ids[i]]
			n := a.n[ProfileFolds] - a.n[fold[i]]
			k := fold[i]
			prior := (fraud - foldFraud[k]) / (float64(len(train)) - foldN[k])
			oof[pi][0][i] = (a.fraud[ProfileFolds] - a.fraud[k] + ProfileSmoothing*prior) / (n + ProfileSmoothing)
			oof[pi][1][i] = n
		}
	}
	base := len(catKeys) + len(extra)
	for i := range train {
		f.Transform(&train[i], X[i])
		for pi := range profileKeys {
			X[i][base+2*pi], X[i][base+2*pi+1] = oof[pi][0][i], oof[pi][1][i]
		}
	}
	return f, X, nil
}

func (f *Features) rate(fraud, n float64) float64 {
	return (fraud + ProfileSmoothing*f.Prior) / (n + ProfileSmoothing)
}

// fitCodes numbers values by falling frequency (ties by value), so that
// rare values sit together at the high end next to the unseen code.
func fitCodes(train []Record, of func(*Record) string) map[string]int32 {
	count := map[string]int{}
	for i := range train {
		count[of(&train[i])]++
	}
	vals := make([]string, 0, len(count))
	for v := range count {
		vals = append(vals, v)
	}
	slices.SortFunc(vals, func(a, b string) int {
		if count[a] != count[b] {
			return count[b] - count[a]
		}
		if a < b {
			return -1
		}
		return 1
	})
	codes := make(map[string]int32, len(vals))
	for i, v := range vals {
		codes[v] = int32(i)
	}
	return codes
}

// Width is the length of a feature vector.
func (f *Features) Width() int {
	return len(catKeys) + len(f.Extra) + 2*len(profileKeys) + len(numericNames)
}

// Vector is Transform into a new slice.
func (f *Features) Vector(r *Record) []float64 {
	x := make([]float64, f.Width())
	f.Transform(r, x)
	return x
}

// codes writes the categorical codes, the first columns of a vector.
func (f *Features) codes(r *Record, x []float64) {
	for i, k := range catKeys {
		x[i] = code(f.tables[i], k.of(r))
	}
	for j := range f.Extra {
		v := ""
		if j < len(r.Extra) {
			v = r.Extra[j]
		}
		x[len(catKeys)+j] = code(f.tables[len(catKeys)+j], v)
	}
}

// Transform writes one record's features into x (length Width) from fitted
// state only: it never reads the record's label.
func (f *Features) Transform(r *Record, x []float64) {
	f.once.Do(f.resolve)
	f.codes(r, x)
	at := len(catKeys) + len(f.Extra)
	for i, k := range profileKeys {
		var s [2]float64
		if id, ok := k.id(x, f); ok {
			if d := f.dense[i]; d != nil {
				s = d[id]
			} else {
				s = f.Profiles[i].Stats[id]
			}
		}
		x[at], x[at+1] = f.rate(s[0], s[1]), s[1]
		at += 2
	}
	numeric(r, x[at:])
}

// numeric writes the numeric features (numericNames) of a record.
func numeric(r *Record, x []float64) {
	per := func(a, b float64) float64 {
		if math.IsNaN(a) || math.IsNaN(b) || b <= 0 {
			return Missing
		}
		return a / b
	}
	tax := float64(Missing)
	if !math.IsNaN(r.TaxRate) {
		tax = r.Value * r.TaxRate / 100
	}
	same := 0.0
	if r.Origin == r.Departure {
		same = 1
	}
	x = x[:len(numericNames)]
	x[0], x[1], x[2], x[3] = or(r.TaxRate), or(r.Mass), r.Value, or(r.Quantity)
	x[4], x[5], x[6] = per(r.Value, r.Quantity), per(r.Value, r.Mass), tax
	x[7], x[8], x[9], x[10] = float64(r.Date.Month()), float64(r.Date.Weekday()), float64(r.Date.Day()), same
}

func code(codes map[string]int32, v string) float64 {
	if c, ok := codes[v]; ok {
		return float64(c)
	}
	return float64(len(codes)) // the reserved code for values not seen in training
}

func or(v float64) float64 {
	if math.IsNaN(v) {
		return Missing
	}
	return v
}
