package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/enterprise"
)

// Account is a sample guarantee account of Traders[i].
func Account(i int, amount string) enterprise.GuaranteeAccount {
	return enterprise.GuaranteeAccount{ID: "GA-" + Traders[i][2:8] + "-1", SCC: Traders[i], Kind: enterprise.GuaranteeBankLetter,
		Amount: dec(amount), ValidFrom: "2025-01-01", UpdatedAt: base}
}

func putAccount(t *testing.T, s Stores, a enterprise.GuaranteeAccount) enterprise.GuaranteeAccount {
	t.Helper()
	got, err := s.Guarantees.PutGuaranteeAccount(context.Background(), a,
		enterprise.GuaranteeEvent{Actor: "officer.li", Role: "officer", At: a.UpdatedAt, Reason: "lodged"})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// debit runs enterprise.Debit in a transaction of its own.
func debit(t *testing.T, s Stores, scc, account, amount, ref string, at time.Time) (enterprise.GuaranteeDebit, bool) {
	t.Helper()
	var d enterprise.GuaranteeDebit
	var ok bool
	err := s.Guarantees.InGuaranteeTx(context.Background(), func(tx enterprise.GuaranteeTx) error {
		var err error
		d, _, ok, err = enterprise.Debit(context.Background(), tx, scc, account, dec(amount), ref, at)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return d, ok
}

func balance(t *testing.T, s Stores, id string) string {
	t.Helper()
	a, err := s.Guarantees.GuaranteeAccount(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a.Balance.String()
}

func testGuaranteeAccounts(t *testing.T, s Stores) {
	ctx := context.Background()
	a := Account(0, "1000000")
	a.Consolidated, a.ValidTo = true, "2027-01-01"
	got := putAccount(t, s, a)
	if !got.Balance.Equal(a.Amount) {
		t.Errorf("balance of a new account %s, want the amount", got.Balance)
	}
	b := Account(1, "5000.50")
	putAccount(t, s, b)
	stored, err := s.Guarantees.GuaranteeAccount(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.SCC != a.SCC || !stored.Consolidated || stored.ValidTo != "2027-01-01" || !stored.Amount.Equal(a.Amount) ||
		!stored.UpdatedAt.Equal(a.UpdatedAt) || stored.UpdatedAt.Location() != time.UTC {
		t.Errorf("stored %+v", stored)
	}
	_, err = s.Guarantees.GuaranteeAccount(ctx, "GA-NONE")
	wantCode(t, err, jinguan.ENOTFOUND)
	all, err := s.Guarantees.GuaranteeAccounts(ctx, "")
	if err != nil || len(all) != 2 {
		t.Fatalf("all accounts %v %v", all, err)
	}
	mine, err := s.Guarantees.GuaranteeAccounts(ctx, Traders[1])
	if err != nil || len(mine) != 1 || mine[0].ID != b.ID {
		t.Fatalf("accounts of a trader %v %v", mine, err)
	}
	// New terms keep the outstanding debits: balance = amount − debited.
	debit(t, s, a.SCC, "", "300000", "B-1", base)
	a.Amount = dec("2000000")
	if got := putAccount(t, s, a); got.Balance.String() != "1700000" {
		t.Errorf("balance after raising the amount %s, want 1700000", got.Balance)
	}
	evs, err := s.Guarantees.GuaranteeEvents(ctx, a.ID)
	if err != nil || len(evs) != 2 || evs[0].Action != "register" || evs[1].Action != "change" ||
		evs[0].Actor != "officer.li" || evs[0].Reason != "lodged" || len(evs[1].Data) == 0 {
		t.Errorf("events %+v %v", evs, err)
	}
}

func testGuaranteeDebits(t *testing.T, s Stores) {
	ctx := context.Background()
	a := putAccount(t, s, Account(0, "1000"))
	old := Account(0, "1000000")
	old.ID, old.ValidTo = "GA-EXPIRED", "2025-02-01"
	putAccount(t, s, old)
	at := base.Add(time.Hour)
	if _, ok := debit(t, s, a.SCC, "", "600", "B-1", at); !ok {
		t.Fatal("600 of 1000 not covered")
	}
	// 600 again on the same ref is the same debit, not a second one.
	if d, ok := debit(t, s, a.SCC, "", "600", "B-1", at); !ok || d.Account != a.ID {
		t.Fatalf("retry: %+v %v", d, ok)
	}
	if got := balance(t, s, a.ID); got != "400" {
		t.Fatalf("balance %s, want 400", got)
	}
	// The expired account is never used, whatever its balance.
	if _, ok := debit(t, s, a.SCC, "", "500", "B-2", at); ok {
		t.Fatal("500 covered by a balance of 400 or an expired account")
	}
	if _, ok := debit(t, s, a.SCC, "", "400", "B-3", at); !ok {
		t.Fatal("400 of 400 not covered")
	}
	if _, ok := debit(t, s, Traders[1], "", "1", "B-4", at); ok {
		t.Fatal("an enterprise without accounts was covered")
	}
	out, err := s.Guarantees.GuaranteeDebits(ctx, a.ID, true, 10)
	if err != nil || len(out) != 2 || out[0].Ref != "B-3" {
		t.Fatalf("outstanding %+v %v", out, err)
	}
	var restored enterprise.GuaranteeDebit
	err = s.Guarantees.InGuaranteeTx(ctx, func(tx enterprise.GuaranteeTx) error {
		var err error
		if restored, err = enterprise.Restore(ctx, tx, "B-1", at.Add(time.Hour)); err != nil {
			return err
		}
		_, err = enterprise.Restore(ctx, tx, "B-1", at.Add(2*time.Hour)) // twice changes nothing
		return err
	})
	if err != nil || restored.RestoredAt.IsZero() {
		t.Fatalf("restore %+v %v", restored, err)
	}
	if got := balance(t, s, a.ID); got != "600" {
		t.Fatalf("balance after restore %s, want 600", got)
	}
	err = s.Guarantees.InGuaranteeTx(ctx, func(tx enterprise.GuaranteeTx) error {
		_, _, _, err := enterprise.Debit(ctx, tx, a.SCC, "", dec("1"), "B-1", at)
		return err
	})
	wantCode(t, err, jinguan.ECONFLICT)
	err = s.Guarantees.InGuaranteeTx(ctx, func(tx enterprise.GuaranteeTx) error {
		_, err := enterprise.Restore(ctx, tx, "B-NONE", at)
		return err
	})
	wantCode(t, err, jinguan.ENOTFOUND)
	all, err := s.Guarantees.GuaranteeDebits(ctx, a.ID, false, 10)
	if err != nil || len(all) != 2 || !all[1].RestoredAt.Equal(at.Add(time.Hour)) {
		t.Fatalf("all debits %+v %v", all, err)
	}
	// A failing transaction leaves the balance as it was.
	err = s.Guarantees.InGuaranteeTx(ctx, func(tx enterprise.GuaranteeTx) error {
		if _, _, _, err := enterprise.Debit(ctx, tx, a.SCC, a.ID, dec("100"), "B-5", at); err != nil {
			return err
		}
		return jinguan.Errorf(jinguan.EINVALID, "x", "x")
	})
	wantCode(t, err, jinguan.EINVALID)
	if got := balance(t, s, a.ID); got != "600" {
		t.Fatalf("balance after a rolled-back debit %s, want 600", got)
	}
}
