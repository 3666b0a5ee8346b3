package storetest

import (
	"cmp"
	"context"
	"slices"
	"testing"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
)

// testPriorityQueue: ordered for the officers' queues, the declarations
// whose risk decision flagged priority handling come first, each group
// newest first, page after page; the flag follows an update that clears
// the decision (an amendment).
func testPriorityQueue(t *testing.T, s Stores) {
	ctx := context.Background()
	ds := make([]*declaration.Declaration, 23)
	for i := range ds {
		d := Decl(i)
		d.Status = []declaration.Status{declaration.StatusUnderReview, declaration.StatusUnderInspection}[i%2]
		d.Risk = &declaration.RiskDecision{Lane: d.Lane, Stream: "random", Priority: i%3 == 0}
		ds[i] = d
	}
	insert(t, s.Declarations, ds...)
	amended := ds[9] // had priority
	amended.Risk, amended.Status, amended.Version = nil, declaration.StatusAmended, 2
	batch(t, s.Declarations, func(ctx context.Context, tx declaration.Tx) error { return tx.Update(ctx, amended, false) })

	want := func(f declaration.Filter) []int64 {
		var rows []*declaration.Declaration
		for _, d := range ds {
			if matches(d, f) {
				rows = append(rows, d)
			}
		}
		slices.SortFunc(rows, func(a, b *declaration.Declaration) int {
			if a.Prioritized() != b.Prioritized() {
				if a.Prioritized() {
					return -1
				}
				return 1
			}
			return cmp.Compare(b.ID, a.ID)
		})
		out := make([]int64, len(rows))
		for i, d := range rows {
			out[i] = d.ID
		}
		return out
	}
	for _, f := range []declaration.Filter{
		{Order: declaration.OrderPriority, Limit: 4},
		{Order: declaration.OrderPriority, Limit: 3, Status: []declaration.Status{declaration.StatusUnderInspection}},
		{Order: declaration.OrderPriority, Limit: 50, IEFlag: "I"},
	} {
		var got []int64
		var flagged int
		for pages := 0; ; pages++ {
			rows, next, err := s.Declarations.List(ctx, f)
			if err != nil || pages > 20 {
				t.Fatalf("%+v: %v", f, err)
			}
			for _, r := range rows {
				got = append(got, r.ID)
				if r.Priority {
					flagged++
				}
			}
			if next == "" {
				break
			}
			f.Cursor = next
		}
		exp := want(f)
		n := 0
		for _, d := range ds {
			if matches(d, f) && d.Prioritized() {
				n++
			}
		}
		if !slices.Equal(got, exp) || flagged != n || n == 0 {
			t.Errorf("%+v:\n got %v (%d flagged)\nwant %v (%d flagged)", f, got, flagged, exp, n)
		}
	}
	// A newest-first cursor is not a queue cursor, and the reverse.
	_, next, err := s.Declarations.List(ctx, declaration.Filter{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Declarations.List(ctx, declaration.Filter{Order: declaration.OrderPriority, Cursor: next}); jinguan.ErrorCode(err) != jinguan.EINVALID {
		t.Errorf("a newest-first cursor in a priority list: %v", err)
	}
}
