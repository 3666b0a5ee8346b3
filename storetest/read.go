package storetest

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
)

// seed inserts samples 0..n-1 with statuses cycling through the lifecycle.
func seed(t *testing.T, s declaration.Store, n int) []*declaration.Declaration {
	t.Helper()
	ds := make([]*declaration.Declaration, n)
	for i := range ds {
		ds[i] = Decl(i)
		ds[i].Status = declaration.Statuses[i%len(declaration.Statuses)]
	}
	for i := 0; i < n; i += 100 {
		insert(t, s, ds[i:min(i+100, n)]...)
	}
	return ds
}

// matches is the Filter semantics, spelled out independently of SQL.
func matches(d *declaration.Declaration, f declaration.Filter) bool {
	h := d.Head
	hs := f.HSPrefix == "" || slices.ContainsFunc(d.Items, func(it declaration.Item) bool {
		return strings.HasPrefix(it.CodeTS, f.HSPrefix)
	})
	return (len(f.Status) == 0 || slices.Contains(f.Status, d.Status)) &&
		(f.Lane == "" || f.Lane == d.Lane) && (f.IEFlag == "" || f.IEFlag == h.IEFlag) &&
		(f.Trader == "" || f.Trader == h.TradeCoScc) &&
		(f.Enterprise == "" || f.Enterprise == h.TradeCoScc || f.Enterprise == h.OwnerCodeScc || f.Enterprise == h.AgentCodeScc) &&
		(f.Office == "" || f.Office == h.CustomMaster) && hs &&
		(f.From.IsZero() || !d.DeclaredAt.Before(f.From)) && (f.To.IsZero() || d.DeclaredAt.Before(f.To))
}

// expect lists the ids of ds matching f, newest first.
func expect(ds []*declaration.Declaration, f declaration.Filter) []int64 {
	var out []int64
	for _, d := range slices.Backward(ds) {
		if matches(d, f) {
			out = append(out, d.ID)
		}
	}
	return out
}

func testListFilters(t *testing.T, s Stores) {
	ds := seed(t, s.Declarations, 36)
	st := func(ss ...declaration.Status) []declaration.Status { return ss }
	// These select nothing on purpose.
	empty := map[string]bool{"9999": true, "91110000000000000X": true, "2": true}
	filters := []declaration.Filter{
		{},
		{Status: st(declaration.StatusSubmitted)},
		{Status: st(declaration.StatusPaid, declaration.StatusReleased, declaration.StatusAmended)},
		{Lane: declaration.LaneGreen}, {Lane: declaration.LaneBlue},
		{IEFlag: "I"}, {IEFlag: "E"},
		{Trader: Traders[1]},
		{Enterprise: Traders[0]},                         // trader of some, owner of others
		{Enterprise: Owners[0]}, {Enterprise: Owners[2]}, // owner only
		{Enterprise: Agents[1]}, // agent only
		{Enterprise: "91110000000000000X"},
		{Office: "5301"}, {Office: "9999"},
		{HSPrefix: "8471"}, {HSPrefix: "84713"}, {HSPrefix: "0306171100"}, {HSPrefix: "9"}, {HSPrefix: "2"},
		{From: DeclaredAt(5), To: DeclaredAt(12)}, {From: DeclaredAt(30)}, {To: DeclaredAt(3)},
		{IEFlag: "I", Office: "2201", HSPrefix: "8471"},
		{Enterprise: Traders[1], Status: st(declaration.StatusSubmitted, declaration.StatusRiskAssessed,
			declaration.StatusUnderReview, declaration.StatusInspected), From: DeclaredAt(4)},
		{Trader: Traders[2], Lane: declaration.LaneBlue, IEFlag: "E", To: DeclaredAt(20)},
		{Enterprise: Agents[0], HSPrefix: "6109", Status: st(declaration.Statuses[:6]...)},
	}
	for i, f := range filters {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			rows, next, err := s.Declarations.List(context.Background(), f)
			if err != nil {
				t.Fatalf("%+v: %v", f, err)
			}
			want := expect(ds, f)
			if got := ids(rows); !slices.Equal(got, want) || next != "" {
				t.Errorf("filter %+v\n got %v next %q\nwant %v", f, got, next, want)
			}
			if i > 0 && (len(want) == 0 || len(want) == len(ds)) &&
				!empty[f.Office] && !empty[f.Enterprise] && !empty[f.HSPrefix] {
				t.Errorf("filter %+v selects %d of %d: the samples do not exercise it", f, len(want), len(ds))
			}
		})
	}
}

func testPaging(t *testing.T, s Stores) {
	ctx := context.Background()
	ds := seed(t, s.Declarations, 23)
	for _, f := range []declaration.Filter{{Limit: 5}, {Limit: 4, IEFlag: "I"}, {Limit: 3, Enterprise: Traders[0]}, {Limit: 23}} {
		want := expect(ds, f)
		var got []int64
		pages := 0
		for {
			rows, next, err := s.Declarations.List(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			got = append(got, ids(rows)...)
			if next == "" {
				break
			}
			if len(rows) != f.Limit || pages > 30 {
				t.Fatalf("page %d has %d rows and a next cursor", pages, len(rows))
			}
			f.Cursor = next
		}
		if !slices.Equal(got, want) || pages != max(1, (len(want)+f.Limit-1)/f.Limit) {
			t.Errorf("paged %v in %d pages, want %v", got, pages, want)
		}
	}
}

func testLimits(t *testing.T, s Stores) {
	ctx := context.Background()
	seed(t, s.Declarations, 510)
	for _, c := range []struct{ limit, want int }{{0, 50}, {-3, 50}, {7, 7}, {500, 500}, {1000, 500}} {
		rows, next, err := s.Declarations.List(ctx, declaration.Filter{Limit: c.limit})
		if err != nil || len(rows) != c.want || next == "" {
			t.Errorf("limit %d: %d rows, next %q, %v", c.limit, len(rows), next, err)
		}
	}
}

func testBadFilter(t *testing.T, s Stores) {
	ctx := context.Background()
	seed(t, s.Declarations, 2)
	b64 := base64.RawURLEncoding.EncodeToString
	for _, c := range []string{"!!!", b64([]byte("abc")), b64([]byte("-4")), "eyJpZCI6MX0", b64([]byte("1e9"))} {
		_, _, err := s.Declarations.List(ctx, declaration.Filter{Cursor: c})
		wantCode(t, err, jinguan.EINVALID)
		if f := jinguan.AsError(err).Fields; len(f) != 1 || f[0].Pointer != "/query/cursor" {
			t.Errorf("cursor %q: fields %+v", c, f)
		}
	}
	for _, p := range []string{"84%", "8_", `8\`, "84713000001"} {
		rows, _, err := s.Declarations.List(ctx, declaration.Filter{HSPrefix: p})
		wantCode(t, err, jinguan.EINVALID)
		if len(rows) != 0 {
			t.Errorf("prefix %q matched %d", p, len(rows))
		}
	}
}

func testPending(t *testing.T, s Stores) {
	ctx := context.Background()
	ds := seed(t, s.Declarations, 30)
	statuses := []declaration.Status{declaration.StatusSubmitted, declaration.StatusAmended, declaration.StatusPaid}
	var want []int64
	for _, d := range ds {
		if slices.Contains(statuses, d.Status) {
			want = append(want, d.ID)
		}
	}
	for _, limit := range []int{0, 2, 100} {
		got, err := s.Declarations.Pending(ctx, statuses, limit)
		w := want
		if limit > 0 && limit < len(w) {
			w = w[:limit]
		}
		if err != nil || !slices.Equal(got, w) {
			t.Errorf("pending limit %d: %v %v, want %v", limit, got, err, w)
		}
	}
	if got, err := s.Declarations.Pending(ctx, nil, 10); err != nil || len(got) != 0 {
		t.Errorf("pending of no status: %v %v", got, err)
	}
}

func testCountByStatus(t *testing.T, s Stores) {
	ctx := context.Background()
	if n, err := s.Declarations.CountByStatus(ctx); err != nil || len(n) != 0 {
		t.Errorf("empty count %v %v", n, err)
	}
	ds := seed(t, s.Declarations, 29)
	want := map[declaration.Status]int{}
	for _, d := range ds {
		want[d.Status]++
	}
	got, err := s.Declarations.CountByStatus(ctx)
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("count %v %v, want %v", got, err, want)
	}
}
