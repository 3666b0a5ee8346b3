package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/enterprise"
	"github.com/jinguan-customs/jinguan/tariff"
)

// Bill is sample bill i: traders, kinds, statuses and issue times vary.
func Bill(i int) *tariff.Bill {
	kinds := []string{tariff.BillOriginal, tariff.BillOriginal, tariff.BillSupplementary, tariff.BillRefund}
	statuses := []string{tariff.BillUnpaid, tariff.BillGuaranteed, tariff.BillPaid, tariff.BillRefundDue}
	at := DeclaredAt(i)
	b := &tariff.Bill{No: fmt.Sprintf("2201%014d-T01", 1000+i), Kind: kinds[i%4], DeclarationID: int64(100 + i/2),
		EntryID: fmt.Sprintf("2201%014d", 1000+i), TradeCoScc: Traders[i%len(Traders)], TradeName: "上海新锐",
		AgentCodeScc: Agents[i%len(Agents)], Customs: "2201", Duty: dec("100.10"), RemedyDuty: dec("0"),
		ConsumptionTax: dec("0"), VAT: dec("213.02"), Amount: dec("313.12"), IssuedAt: at,
		DueDate: at.AddDate(0, 0, 15).Format(time.DateOnly), Status: statuses[i%4], Version: 1}
	if b.Status == tariff.BillGuaranteed {
		b.Guarantee, b.Period = "GA-1", at.AddDate(0, i/4, 0).Format("2006-01")
	}
	if b.Kind != tariff.BillOriginal {
		b.Original, b.Reason, b.Review = fmt.Sprintf("2201%014d-T01", 1000+i-1), "classification", "RV-1"
	}
	return b
}

func inBillTx(t *testing.T, s Stores, fn func(tx tariff.BillTx) error) {
	t.Helper()
	if err := s.Bills.InBillTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func sameBill(t *testing.T, got, want tariff.Bill) {
	t.Helper()
	if !reflect.DeepEqual(canonical(t, got), canonical(t, want)) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Fatalf("bill differs:\n got %s\nwant %s", g, w)
	}
}

func testBills(t *testing.T, s Stores) {
	ctx := context.Background()
	var bills []*tariff.Bill
	for i := range 12 {
		bills = append(bills, Bill(i))
	}
	inBillTx(t, s, func(tx tariff.BillTx) error {
		for _, b := range bills {
			if err := tx.InsertBill(ctx, b); err != nil {
				return err
			}
			if err := tx.AppendBillEvent(ctx, tariff.BillEvent{BillNo: b.No, Seq: 1, Action: "issue", Actor: "system",
				Role: "system", At: b.IssuedAt, Data: json.RawMessage(`{"amount":"313.12"}`)}); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := s.Bills.Bill(ctx, bills[3].No)
	if err != nil {
		t.Fatal(err)
	}
	sameBill(t, got, *bills[3])
	_, err = s.Bills.Bill(ctx, "NONE")
	wantCode(t, err, jinguan.ENOTFOUND)
	err = s.Bills.InBillTx(ctx, func(tx tariff.BillTx) error { return tx.InsertBill(ctx, Bill(0)) })
	wantCode(t, err, jinguan.ECONFLICT)

	// Update with the version as optimistic lock, and an event per change.
	inBillTx(t, s, func(tx tariff.BillTx) error {
		b, err := tx.LockBill(ctx, bills[0].No)
		if err != nil {
			return err
		}
		b.Status, b.Paid, b.Reference, b.SettledAt, b.Version = tariff.BillPaid, b.Amount, "BANK-9", base.Add(time.Hour), 2
		if err := tx.UpdateBill(ctx, &b); err != nil {
			return err
		}
		*bills[0] = b
		return tx.AppendBillEvent(ctx, tariff.BillEvent{BillNo: b.No, Seq: 2, Action: "pay", Actor: "decl.zhang",
			Role: "declarant", At: b.SettledAt, Reason: "", Data: nil})
	})
	got, _ = s.Bills.Bill(ctx, bills[0].No)
	sameBill(t, got, *bills[0])
	err = s.Bills.InBillTx(ctx, func(tx tariff.BillTx) error {
		stale := *bills[0] // version 2 again: someone changed it meanwhile
		return tx.UpdateBill(ctx, &stale)
	})
	wantCode(t, err, jinguan.ECONFLICT)
	evs, err := s.Bills.BillEvents(ctx, bills[0].No)
	if err != nil || len(evs) != 2 || evs[1].Action != "pay" || evs[1].Actor != "decl.zhang" ||
		!evs[1].At.Equal(base.Add(time.Hour)) || string(evs[0].Data) == "" || len(evs[1].Data) != 0 {
		t.Fatalf("events %+v %v", evs, err)
	}

	inBillTx(t, s, func(tx tariff.BillTx) error {
		rows, err := tx.DeclarationBills(ctx, 101)
		if err != nil || len(rows) != 2 || rows[0].No != bills[2].No || rows[1].No != bills[3].No {
			t.Errorf("declaration bills %v %v", rows, err)
		}
		rows, err = tx.GuaranteedBills(ctx, "GA-1", bills[5].Period)
		if err != nil || len(rows) != 1 || rows[0].No != bills[5].No {
			t.Errorf("guaranteed bills %v %v", rows, err)
		}
		rows, err = tx.GuaranteedBills(ctx, "GA-1", "")
		if err != nil || len(rows) != 3 {
			t.Errorf("guaranteed bills of any period %d %v", len(rows), err)
		}
		return nil
	})

	nos := func(f tariff.BillFilter) []string {
		t.Helper()
		rows, _, err := s.Bills.Bills(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, r.No)
		}
		return out
	}
	want := func(keep func(b *tariff.Bill) bool) []string {
		var out []string
		for i := len(bills) - 1; i >= 0; i-- { // newest first
			if keep(bills[i]) {
				out = append(out, bills[i].No)
			}
		}
		return out
	}
	for name, c := range map[string]struct {
		f    tariff.BillFilter
		keep func(b *tariff.Bill) bool
	}{
		"all":         {tariff.BillFilter{}, func(*tariff.Bill) bool { return true }},
		"status":      {tariff.BillFilter{Status: []string{tariff.BillUnpaid, tariff.BillRefundDue}}, func(b *tariff.Bill) bool { return b.Status == tariff.BillUnpaid || b.Status == tariff.BillRefundDue }},
		"kind":        {tariff.BillFilter{Kind: tariff.BillRefund}, func(b *tariff.Bill) bool { return b.Kind == tariff.BillRefund }},
		"trader":      {tariff.BillFilter{Trader: Traders[1]}, func(b *tariff.Bill) bool { return b.TradeCoScc == Traders[1] }},
		"enterprise":  {tariff.BillFilter{Enterprise: Agents[1]}, func(b *tariff.Bill) bool { return b.AgentCodeScc == Agents[1] }},
		"declaration": {tariff.BillFilter{Declaration: 102}, func(b *tariff.Bill) bool { return b.DeclarationID == 102 }},
		"guarantee":   {tariff.BillFilter{Guarantee: "GA-1", Period: bills[9].Period}, func(b *tariff.Bill) bool { return b.Guarantee == "GA-1" && b.Period == bills[9].Period }},
		"review":      {tariff.BillFilter{Review: "RV-1"}, func(b *tariff.Bill) bool { return b.Review == "RV-1" }},
		"due_before":  {tariff.BillFilter{DueBefore: bills[6].DueDate}, func(b *tariff.Bill) bool { return b.DueDate < bills[6].DueDate }},
		"period": {tariff.BillFilter{From: DeclaredAt(3), To: DeclaredAt(7)}, func(b *tariff.Bill) bool {
			return !b.IssuedAt.Before(DeclaredAt(3)) && b.IssuedAt.Before(DeclaredAt(7))
		}},
	} {
		if got, w := nos(c.f), want(c.keep); !slices.Equal(got, w) || len(w) == 0 {
			t.Errorf("%s: %v, want %v", name, got, w)
		}
	}
	// Pages of 5 cover every bill once, in order.
	var paged []string
	f := tariff.BillFilter{Limit: 5}
	for {
		rows, next, err := s.Bills.Bills(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			paged = append(paged, r.No)
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	if w := want(func(*tariff.Bill) bool { return true }); !slices.Equal(paged, w) {
		t.Errorf("pages %v, want %v", paged, w)
	}
	_, _, err = s.Bills.Bills(ctx, tariff.BillFilter{Cursor: "!!"})
	wantCode(t, err, jinguan.EINVALID)
}

// Inside a declaration batch the transaction is also a BillTx: a bill and
// a guarantee debit commit or roll back with the op.
func testBillsInBatch(t *testing.T, s Stores) {
	ctx := context.Background()
	a := putAccount(t, s, Account(0, "1000"))
	d := Decl(0)
	op := func(b *tariff.Bill, fail bool) declaration.Op {
		return func(ctx context.Context, tx declaration.Tx) error {
			btx, ok := tx.(tariff.BillTx)
			if !ok {
				t.Fatalf("%T is no tariff.BillTx", tx)
			}
			if _, _, ok, err := enterprise.Debit(ctx, btx, a.SCC, "", b.Amount, b.No, base); err != nil || !ok {
				return fmt.Errorf("debit: %v %v", ok, err)
			}
			if err := btx.InsertBill(ctx, b); err != nil {
				return err
			}
			if fail {
				return jinguan.Errorf(jinguan.EINVALID, "x", "x")
			}
			return tx.Insert(ctx, d)
		}
	}
	kept, failed := Bill(1), Bill(5)
	errs := s.Declarations.WriteBatch(ctx, []declaration.Op{op(kept, false), op(failed, true)})
	if errs[0] != nil || jinguan.ErrorCode(errs[1]) != jinguan.EINVALID {
		t.Fatalf("errs %v", errs)
	}
	if _, err := s.Bills.Bill(ctx, kept.No); err != nil {
		t.Errorf("committed bill: %v", err)
	}
	_, err := s.Bills.Bill(ctx, failed.No)
	wantCode(t, err, jinguan.ENOTFOUND)
	if got := balance(t, s, a.ID); got != "686.88" {
		t.Errorf("balance %s, want 1000 − 313.12 = 686.88", got)
	}
}

func testReviews(t *testing.T, s Stores) {
	ctx := context.Background()
	for i := range 3 {
		r := tariff.Review{ID: fmt.Sprintf("RV2026120210000%d", i), ReviewInput: tariff.ReviewInput{From: "2026-11-01",
			To: "2026-11-30", Rule: `item.code_ts == "8471300000"`, Reason: "reclassification", Apply: i == 1},
			By: "officer.li", Role: "officer", At: base.Add(time.Duration(i) * time.Hour), Scanned: 10, Matched: 2, Bills: i,
			Supplementary: dec("123.45"), Refund: dec("0"),
			Diffs: []tariff.ReviewDiff{{DeclarationID: 7, EntryID: "220120260000000007", Items: []int{1, 3}, Kind: tariff.BillSupplementary,
				After: tariff.TaxFigures{Total: dec("1123.45")}, Before: tariff.TaxFigures{Total: dec("1000")}}}}
		if err := s.Bills.PutReview(ctx, r); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			got, err := s.Bills.Review(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(canonical(t, got), canonical(t, r)) {
				t.Errorf("review\n got %+v\nwant %+v", got, r)
			}
			wantCode(t, s.Bills.PutReview(ctx, r), jinguan.ECONFLICT)
		}
	}
	_, err := s.Bills.Review(ctx, "RV-NONE")
	wantCode(t, err, jinguan.ENOTFOUND)
	rows, err := s.Bills.Reviews(ctx, 2)
	if err != nil || len(rows) != 2 || rows[0].ID != "RV20261202100002" || rows[0].Diffs != nil || rows[1].Bills != 1 {
		t.Fatalf("reviews %+v %v", rows, err)
	}
}
