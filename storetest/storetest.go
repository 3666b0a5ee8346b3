// Package storetest is the suite every store adapter passes: the same
// behaviour on SQLite and PostgreSQL.
package storetest

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/enterprise"
	"github.com/jinguan-customs/jinguan/tariff"
)

// Stores is one freshly opened, empty database.
type Stores struct {
	Declarations declaration.Store
	Users        auth.Store
	Enterprises  enterprise.Store
	Guarantees   enterprise.GuaranteeStore
	Bills        tariff.BillStore
}

// Run runs the suite; open returns an empty database for each subtest and
// registers its cleanup on t.
func Run(t *testing.T, open func(t *testing.T) Stores) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Stores)
	}{
		{"RoundTrip", testRoundTrip},
		{"Numbers", testNumbers},
		{"ReservedIDs", testReservedIDs},
		{"NotFound", testNotFound},
		{"FindByKey", testFindByKey},
		{"DuplicateKey", testDuplicateKey},
		{"Savepoints", testSavepoints},
		{"BeginFails", testBeginFails},
		{"Update", testUpdate},
		{"Events", testEvents},
		{"ListFilters", testListFilters},
		{"Paging", testPaging},
		{"PriorityQueue", testPriorityQueue},
		{"Limits", testLimits},
		{"BadFilter", testBadFilter},
		{"Pending", testPending},
		{"CountByStatus", testCountByStatus},
		{"Users", testUsers},
		{"Enterprises", testEnterprises},
		{"Concurrent", testConcurrent},
		{"GuaranteeAccounts", testGuaranteeAccounts},
		{"GuaranteeDebits", testGuaranteeDebits},
		{"SpecificGuarantee", testSpecificGuarantee},
		{"Bills", testBills},
		{"BillsInBatch", testBillsInBatch},
		{"Reviews", testReviews},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// batch runs ops and fails the test on any error.
func batch(t *testing.T, s declaration.Store, ops ...declaration.Op) {
	t.Helper()
	for i, err := range s.WriteBatch(context.Background(), ops) {
		if err != nil {
			t.Fatalf("op %d: %v", i, err)
		}
	}
}

func insertOp(ds ...*declaration.Declaration) declaration.Op {
	return func(ctx context.Context, tx declaration.Tx) error {
		for _, d := range ds {
			if err := tx.Insert(ctx, d); err != nil {
				return err
			}
		}
		return nil
	}
}

// insert stores ds in one batch, one op each, with their submit events.
func insert(t *testing.T, s declaration.Store, ds ...*declaration.Declaration) {
	t.Helper()
	ops := make([]declaration.Op, len(ds))
	for i, d := range ds {
		ops[i] = func(ctx context.Context, tx declaration.Tx) error {
			if err := tx.Insert(ctx, d); err != nil {
				return err
			}
			return tx.AppendEvents(ctx, Event(d))
		}
	}
	batch(t, s, ops...)
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := jinguan.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

// sameDecl compares two declarations by their JSON with every timestamp
// in UTC (decimals marshal canonically), plus the unexported-to-JSON hash.
func sameDecl(t *testing.T, got, want *declaration.Declaration) {
	t.Helper()
	if got.BodyHash != want.BodyHash {
		t.Errorf("body hash %q, want %q", got.BodyHash, want.BodyHash)
	}
	g, w := canonical(t, got), canonical(t, want)
	if !reflect.DeepEqual(g, w) {
		gj, _ := json.Marshal(g)
		wj, _ := json.Marshal(w)
		t.Fatalf("declaration differs:\n got %s\nwant %s", gj, wj)
	}
}

func canonical(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var tree any
	if err := json.Unmarshal(b, &tree); err != nil {
		t.Fatal(err)
	}
	return utcTree(tree)
}

func utcTree(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = utcTree(x)
		}
	case []any:
		for i, x := range v {
			v[i] = utcTree(x)
		}
	case string:
		if ts, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return ts.UTC().Format(time.RFC3339Nano)
		}
	}
	return v
}

// ids lists the ids of summaries.
func ids(rows []declaration.Summary) []int64 {
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}
