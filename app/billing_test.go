package app

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/demo"
	"github.com/jinguan-customs/jinguan/enterprise"
	"github.com/jinguan-customs/jinguan/tariff"
)

// importOf makes a green-lane import by trader scc (office 2200 is green
// in the test selectivity).
func (e *env) importOf(scc string) (declaration.Form, demo.User) {
	for {
		f, u := e.form("2200", "I")
		if f.Head.TradeCoScc == scc {
			return f, u
		}
	}
}

// traders returns the demo traders with and without guarantee accounts.
func (e *env) traders() (plain []string, guaranteed []enterprise.GuaranteeAccount) {
	accounts, err := e.a.Guarantees.Store.GuaranteeAccounts(context.Background(), "")
	if err != nil {
		e.t.Fatal(err)
	}
	held := map[string]bool{}
	for _, a := range accounts {
		held[a.SCC] = true
	}
	for _, ent := range demo.Enterprises() {
		if ent.Roles[0] != "broker" && !held[ent.SCC] {
			plain = append(plain, ent.SCC)
		}
	}
	return plain, accounts
}

func (e *env) submitSettled(f declaration.Form, u demo.User, key string) map[string]any {
	e.t.Helper()
	code, d := e.submit(f, u, key)
	if code != http.StatusCreated {
		e.t.Fatalf("submit: %d %v", code, d)
	}
	d = e.settle(d["id"].(float64))
	for d["status"] == "risk_assessed" { // queued pipeline between stages
		time.Sleep(10 * time.Millisecond)
		_, d = e.do("GET", fmt.Sprintf("/api/v1/declarations/%.0f", d["id"]), e.users["admin"].Token, nil)
	}
	return d
}

func billOf(d map[string]any) string {
	tax, _ := d["tax"].(map[string]any)
	no, _ := tax["bill_no"].(string)
	return no
}

func TestGreenReleaseWaitsForPaymentOrGuarantee(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		admin := e.users["admin"].Token
		plain, accounts := e.traders()

		// No guarantee: the bill waits, and so do the goods.
		f, u := e.importOf(plain[0])
		d := e.submitSettled(f, u, "pay-1")
		no := billOf(d)
		if d["status"] != "assessed" || no == "" {
			t.Fatalf("unguaranteed green import: status %v, bill %q", d["status"], no)
		}
		code, bill := e.do("GET", "/api/v1/tax-bills/"+no, u.Token, nil)
		total := d["tax"].(map[string]any)["total"].(string)
		issued, _ := time.Parse(time.RFC3339Nano, bill["issued_at"].(string))
		if code != 200 || bill["status"] != "unpaid" || bill["amount"] != total ||
			bill["due_date"] != e.a.Billing.Calendar.DueDate(issued, 15) { // a rest day moves it on (tariff's calendar tests)
			t.Fatalf("bill: %d %v", code, bill)
		}
		due := bill["due_today"].(map[string]any)
		if due["late_fee"] != "0" || due["total"] != total {
			t.Errorf("due today %v", due)
		}
		code, resp := e.do("POST", "/api/v1/tax-bills/"+no+"/payment", u.Token, map[string]any{"amount": "1", "reference": "BANK-1"})
		if code != http.StatusUnprocessableEntity || resp["errors"].([]any)[0].(map[string]any)["pointer"] != "/amount" {
			t.Fatalf("wrong amount: %d %v", code, resp)
		}
		code, bill = e.do("POST", "/api/v1/tax-bills/"+no+"/payment", u.Token, map[string]any{"amount": total, "reference": "BANK-1"})
		if code != 200 || bill["status"] != "paid" || bill["paid"] != total || len(bill["events"].([]any)) != 2 {
			t.Fatalf("payment: %d %v", code, bill)
		}
		_, d = e.do("GET", fmt.Sprintf("/api/v1/declarations/%.0f", d["id"]), admin, nil)
		if d["status"] != "released" || d["settlement"].(map[string]any)["kind"] != "paid" {
			t.Fatalf("after payment: %v %v", d["status"], d["settlement"])
		}

		// A guarantee whose balance covers the taxes: released at once.
		g := accounts[0]
		f, u = e.importOf(g.SCC)
		d = e.submitSettled(f, u, "guar-1")
		no = billOf(d)
		if d["status"] != "released" || d["settlement"].(map[string]any)["kind"] != "guaranteed" {
			t.Fatalf("guaranteed green import: %v %v", d["status"], d["settlement"])
		}
		_, bill = e.do("GET", "/api/v1/tax-bills/"+no, admin, nil)
		if bill["status"] != "guaranteed" || bill["guarantee"] == "" {
			t.Fatalf("guaranteed bill %v", bill)
		}
		_, acct := e.do("GET", "/api/v1/guarantee-accounts/"+bill["guarantee"].(string), admin, nil)
		want := decimal.RequireFromString(bill["amount"].(string))
		if got := decimal.RequireFromString(acct["amount"].(string)).Sub(decimal.RequireFromString(acct["balance"].(string))); !got.Equal(want) {
			t.Fatalf("account debited %s, want %s: %v", got, want, acct)
		}

		// A balance too small: the declaration waits; with the guarantee
		// raised, the trader secures the bill and the goods go.
		small := enterprise.GuaranteeAccount{ID: "GA-SMALL", SCC: plain[1], Kind: enterprise.GuaranteeDeposit,
			Amount: decimal.NewFromInt(1), ValidFrom: "2025-01-01"}
		officer := e.users["officer.li"].Token
		code, resp = e.do("PUT", "/api/v1/guarantee-accounts/GA-SMALL", officer, map[string]any{"scc": small.SCC,
			"kind": small.Kind, "amount": "1", "valid_from": small.ValidFrom, "reason": "deposit lodged"})
		if code != 200 || resp["balance"] != "1" {
			t.Fatalf("register: %d %v", code, resp)
		}
		f, u = e.importOf(plain[1])
		d = e.submitSettled(f, u, "small-1")
		if d["status"] != "assessed" {
			t.Fatalf("balance 1 covered taxes: %v", d["status"])
		}
		code, resp = e.do("POST", fmt.Sprintf("/api/v1/declarations/%.0f/guarantee", d["id"]), u.Token, map[string]any{})
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("guarantee on a balance of 1: %d %v", code, resp)
		}
		e.do("PUT", "/api/v1/guarantee-accounts/GA-SMALL", officer, map[string]any{"scc": small.SCC,
			"kind": small.Kind, "amount": "100000000", "valid_from": small.ValidFrom, "reason": "deposit topped up"})
		code, resp = e.do("POST", fmt.Sprintf("/api/v1/declarations/%.0f/guarantee", d["id"]), u.Token, map[string]any{"account": "GA-SMALL"})
		if code != 200 || resp["status"] != "released" {
			t.Fatalf("guarantee: %d %v", code, resp["status"])
		}
		_, acct = e.do("GET", "/api/v1/guarantee-accounts/GA-SMALL", officer, nil)
		if len(acct["debits"].([]any)) != 1 || len(acct["events"].([]any)) != 2 {
			t.Fatalf("account history %v", acct)
		}
		// A declarant sees neither another enterprise's bills nor its accounts.
		other := e.users["admin"]
		for _, x := range e.users {
			if x.Role == "declarant" && x.Enterprise != plain[1] && x.Enterprise != f.Head.AgentCodeScc {
				other = x
				break
			}
		}
		if code, _ := e.do("GET", "/api/v1/tax-bills/"+billOf(d), other.Token, nil); code != http.StatusNotFound {
			t.Errorf("another enterprise's bill: %d", code)
		}
		if code, _ := e.do("GET", "/api/v1/guarantee-accounts/GA-SMALL", other.Token, nil); code != http.StatusNotFound {
			t.Errorf("another enterprise's account: %d", code)
		}

		// Withdrawing a declaration that waits for payment voids its bill.
		f, u = e.importOf(plain[0])
		d = e.submitSettled(f, u, "void-1")
		code, _ = e.do("POST", fmt.Sprintf("/api/v1/declarations/%.0f/withdraw", d["id"]), u.Token, map[string]any{"reason": "wrong goods"})
		_, bill = e.do("GET", "/api/v1/tax-bills/"+billOf(d), admin, nil)
		if code != 200 || bill["status"] != "cancelled" {
			t.Fatalf("withdrawn: %d, bill %v", code, bill["status"])
		}
	})
}

// Consolidated payment (汇总征税): a month's guaranteed bills are due by
// the 5th working day of the next month and paid at once; paid late they
// carry 0.05 % a day.
func TestConsolidatedPaymentWithLateFee(t *testing.T) {
	e := newEnv(t, "", true)
	_, accounts := e.traders()
	var g enterprise.GuaranteeAccount
	for _, a := range accounts {
		if a.Consolidated && a.Amount.GreaterThan(decimal.NewFromInt(1_000_000)) {
			g = a
		}
	}
	var nos []string
	total := decimal.Zero
	for i := range 3 {
		f, u := e.importOf(g.SCC)
		d := e.submitSettled(f, u, fmt.Sprintf("cons-%d", i))
		if d["status"] != "released" {
			t.Fatalf("consolidated guarantee: %v", d["status"])
		}
		nos = append(nos, billOf(d))
		total = total.Add(decimal.RequireFromString(d["tax"].(map[string]any)["total"].(string)))
	}
	token := e.users["admin"].Token
	_, bill := e.do("GET", "/api/v1/tax-bills/"+nos[0], token, nil)
	issued, _ := time.Parse(time.RFC3339Nano, bill["issued_at"].(string))
	period := issued.In(jinguan.China).Format("2006-01")
	wantDue := e.a.Billing.Calendar.NthWorkday(issued, 5)
	if bill["period"] != period || bill["due_date"] != wantDue {
		t.Fatalf("bill period %v due %v, want %s %s", bill["period"], bill["due_date"], period, wantDue)
	}
	// Three days late.
	dueDay, _ := time.ParseInLocation(time.DateOnly, wantDue, jinguan.China)
	e.a.Billing.Clock = func() time.Time { return dueDay.Add(3*24*time.Hour + 10*time.Hour) }
	path := "/api/v1/guarantee-accounts/" + g.ID
	code, st := e.do("GET", path+"/statement?period="+period, token, nil)
	fee := total.Mul(decimal.RequireFromString("0.0005")).Mul(decimal.NewFromInt(3))
	if code != 200 || len(st["bills"].([]any)) != 3 || st["tax"] != total.String() {
		t.Fatalf("statement %d %v", code, st)
	}
	// Fees are rounded per bill; the sum differs from 0.15 % of the total by at most a fen per bill.
	if got := decimal.RequireFromString(st["late_fee"].(string)); got.Sub(fee).Abs().GreaterThan(decimal.RequireFromString("0.03")) {
		t.Fatalf("late fee %s, want about %s", got, fee)
	}
	code, resp := e.do("POST", path+"/consolidated-payment", token, map[string]any{"period": period, "amount": total.String(), "reference": "TREASURY-1"})
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("payment without the late fee: %d %v", code, resp)
	}
	code, resp = e.do("POST", path+"/consolidated-payment", token, map[string]any{"period": period, "amount": st["total"], "reference": "TREASURY-1"})
	if code != 200 {
		t.Fatalf("consolidated payment: %d %v", code, resp)
	}
	for _, no := range nos {
		_, b := e.do("GET", "/api/v1/tax-bills/"+no, token, nil)
		if b["status"] != "paid" || b["late_days"] != 3.0 || b["reference"] != "TREASURY-1" {
			t.Errorf("bill after consolidated payment: %v", b)
		}
	}
	_, acct := e.do("GET", path, token, nil)
	if acct["balance"] != acct["amount"] {
		t.Errorf("guarantee not restored: %v of %v", acct["balance"], acct["amount"])
	}
}

// A fresh demo starts with back-dated weeks: bills fall due and late
// payers pay them with the fee; agreement claims show their rates.
func TestDemoTaxHistory(t *testing.T) {
	e := newEnv(t, "", true)
	ctx := context.Background()
	if err := e.a.seedTaxHistory(ctx, e.a.Generator(11), e.users["officer.wang"].Principal(), e.users["officer.li"].Principal()); err != nil {
		t.Fatal(err)
	}
	admin := auth.Principal{User: "admin", Role: auth.RoleAdmin}
	bills, _, err := e.a.Billing.Bills(ctx, admin, tariff.BillFilter{Limit: 500})
	if err != nil || len(bills) < 30 {
		t.Fatalf("%d bills, %v", len(bills), err)
	}
	today := time.Now().In(jinguan.China).Format(time.DateOnly)
	due, guaranteed := 0, 0
	for _, b := range bills {
		if b.Status == tariff.BillUnpaid && b.DueDate < today {
			due++
		}
		if b.Status == tariff.BillGuaranteed {
			guaranteed++
		}
	}
	if due == 0 || guaranteed == 0 {
		t.Fatalf("history: %d overdue unpaid bills, %d guaranteed", due, guaranteed)
	}
	payers := map[string]demo.User{}
	for _, u := range e.users {
		if u.Role == auth.RoleDeclarant {
			payers[u.Enterprise] = u
		}
	}
	// An action under declaration.AsOf is recorded as of then: paid the
	// day after issue, an overdue bill carries no fee.
	for _, b := range bills {
		if b.Status != tariff.BillUnpaid || b.DueDate >= today {
			continue
		}
		at := b.IssuedAt.Add(24 * time.Hour)
		if _, err := e.a.Declarations.Pay(declaration.AsOf(ctx, at), payers[b.TradeCoScc].Principal(), b.DeclarationID,
			declaration.PaymentInput{Amount: b.Amount, Reference: "ON-TIME"}); err != nil {
			t.Fatal(err)
		}
		paid, _ := e.a.Billing.Store.Bill(ctx, b.No)
		if paid.Status != tariff.BillPaid || paid.LateDays != 0 || !paid.SettledAt.Equal(at) {
			t.Fatalf("paid as of the day after issue: %+v", paid)
		}
		due--
		break
	}
	e.a.payDemoOverdue(ctx, payers, time.Now())
	late, _, _ := e.a.Billing.Bills(ctx, admin, tariff.BillFilter{Status: []string{tariff.BillPaid}, Limit: 500})
	withFee := 0
	for _, b := range late {
		if b.LateFee.IsPositive() && b.LateDays > 3 {
			withFee++
		}
	}
	if withFee == 0 {
		t.Fatalf("no bill paid late with a fee among %d paid", len(late))
	}
	// Agreement rates show up among the history's assessments.
	rows, _, _ := e.a.Declarations.List(ctx, admin, declaration.Filter{Limit: 500})
	agreement := 0
	for _, r := range rows {
		d, _ := e.a.Declarations.Get(ctx, admin, r.ID)
		if d.Tax == nil {
			continue
		}
		for _, it := range d.Tax.Items {
			if it.DutyCategory == tariff.CatAgreement || it.DutyRuleCode == tariff.RuleMFNBelowAgreement.Code {
				agreement++
			}
		}
	}
	if agreement == 0 {
		t.Error("no agreement rate in the demo's assessments")
	}
	t.Logf("%d bills: %d overdue before payment, %d guaranteed, %d paid late with a fee; %d items at agreement rates",
		len(bills), due, guaranteed, withFee, agreement)
}
