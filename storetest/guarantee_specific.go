package storetest

import (
	"context"
	"testing"
	"time"
)

// testSpecificGuarantee: a specific guarantee (逐票担保) is stored with its
// bill and secures that bill only, whether named or found.
func testSpecificGuarantee(t *testing.T, s Stores) {
	a := Account(2, "90000")
	a.ID, a.Bill = "GA-SPECIFIC-1", "220120261000000001-T01"
	putAccount(t, s, a)
	got, err := s.Guarantees.GuaranteeAccount(context.Background(), a.ID)
	if err != nil || got.Bill != a.Bill {
		t.Fatalf("stored %+v %v", got, err)
	}
	at := base.Add(time.Hour)
	if _, ok := debit(t, s, a.SCC, "", "100", "220120261000000002-T01", at); ok {
		t.Error("a specific guarantee secured another bill")
	}
	if _, ok := debit(t, s, a.SCC, a.ID, "100", "CEB:0001", at); ok {
		t.Error("a specific guarantee named for another reference secured it")
	}
	if d, ok := debit(t, s, a.SCC, "", "90000", a.Bill, at); !ok || d.Account != a.ID {
		t.Errorf("its own bill: %+v %v", d, ok)
	}
	if b := balance(t, s, a.ID); b != "0" {
		t.Errorf("balance %s, want 0", b)
	}
}
