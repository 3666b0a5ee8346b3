package credit

import (
	"slices"

	"github.com/shopspring/decimal"
)

// Events live in memory as a struct of arrays: one slice per field, the
// events of one enterprise contiguous and ordered by date. A daily run
// over a million enterprises then reads a few flat arrays instead of
// chasing pointers, and the garbage collector has nothing to scan.
//
// The arrays hold events as recorded. What links change (a void, a
// correction, a settlement, a delisting) is resolved per enterprise when
// it is assessed, so the arrays are never rewritten.
type cols struct {
	id     []int64
	kind   []uint8 // index in Kinds
	flag   []uint8
	on     []int32
	aux    []int32 // unpaid: due day; blacklist: until (0 open); activity: declarations
	aux2   []int32 // activity: inspections
	amount []int64 // fen; activity: lists<<32 | manifests
	ref    []int64 // refers_to, or the superseded event when flag has fSupersedes
}

const (
	fIntentional uint8 = 1 << iota
	fCriminal
	fSupersedes
)

// Kind indices, in the order of Kinds.
const (
	kPenalty uint8 = iota
	kSmuggling
	kUnpaidTax
	kUnpaidFine
	kSettlement
	kCorrection
	kRejection
	kFinding
	kLateReport
	kBlacklist
	kDelisting
	kActivity
	kVoid
)

var kindIndex = func() map[Kind]uint8 {
	m := map[Kind]uint8{}
	for i, k := range Kinds {
		m[k] = uint8(i)
	}
	return m
}()

// row is one event in array form, for appending.
type row struct {
	id         int64
	kind, flag uint8
	on, aux    int32
	aux2       int32
	amount     int64
	ref        int64
}

var hundred = decimal.NewFromInt(100)

// rowOf converts a validated event.
func rowOf(e *Event) row {
	r := row{id: e.ID, kind: kindIndex[e.Kind], on: int32(e.On), amount: e.Amount.Mul(hundred).IntPart()}
	if e.Intentional != nil && *e.Intentional {
		r.flag |= fIntentional
	}
	if e.Criminal {
		r.flag |= fCriminal
	}
	switch e.Kind {
	case KindUnpaidTax, KindUnpaidFine:
		r.aux = int32(e.DueOn)
	case KindBlacklist:
		r.aux = int32(e.Until)
	case KindActivity:
		if c := e.Counts; c != nil {
			r.aux, r.aux2, r.amount = int32(c.Declarations), int32(c.Inspections), int64(c.Lists)<<32|int64(c.Manifests)
		}
	}
	r.ref = e.RefersTo
	if e.Supersedes != 0 {
		r.ref, r.flag = e.Supersedes, r.flag|fSupersedes
	}
	return r
}

func (c *cols) len() int { return len(c.id) }

func (c *cols) push(r row) {
	c.id = append(c.id, r.id)
	c.kind = append(c.kind, r.kind)
	c.flag = append(c.flag, r.flag)
	c.on = append(c.on, r.on)
	c.aux = append(c.aux, r.aux)
	c.aux2 = append(c.aux2, r.aux2)
	c.amount = append(c.amount, r.amount)
	c.ref = append(c.ref, r.ref)
}

func (c *cols) row(i int) row {
	return row{c.id[i], c.kind[i], c.flag[i], c.on[i], c.aux[i], c.aux2[i], c.amount[i], c.ref[i]}
}

// slice is the events [lo, hi) sharing the arrays.
func (c *cols) slice(lo, hi int32) cols {
	return cols{c.id[lo:hi], c.kind[lo:hi], c.flag[lo:hi], c.on[lo:hi], c.aux[lo:hi], c.aux2[lo:hi], c.amount[lo:hi], c.ref[lo:hi]}
}

func (c *cols) reset() {
	*c = cols{c.id[:0], c.kind[:0], c.flag[:0], c.on[:0], c.aux[:0], c.aux2[:0], c.amount[:0], c.ref[:0]}
}

func (c *cols) grow(n int) {
	c.id = slices.Grow(c.id, n)
	c.kind = slices.Grow(c.kind, n)
	c.flag = slices.Grow(c.flag, n)
	c.on = slices.Grow(c.on, n)
	c.aux = slices.Grow(c.aux, n)
	c.aux2 = slices.Grow(c.aux2, n)
	c.amount = slices.Grow(c.amount, n)
	c.ref = slices.Grow(c.ref, n)
}

// less orders events by date, then by id (the order they were recorded).
func lessRow(a, b row) int {
	if a.on != b.on {
		return int(a.on - b.on)
	}
	switch {
	case a.id < b.id:
		return -1
	case a.id > b.id:
		return 1
	}
	return 0
}
