package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/ecommerce"
	"github.com/jinguan-customs/jinguan/enterprise"
	"github.com/jinguan-customs/jinguan/refdata"
	"github.com/jinguan-customs/jinguan/tariff"
)

// EcommerceStores is one empty database's e-commerce store and registry.
type EcommerceStores struct {
	Store       ecommerce.Store
	Enterprises enterprise.Store
	Guarantees  enterprise.GuaranteeStore
}

// RunEcommerce runs the e-commerce suite: the clearance service on the
// adapter, so that matching, quota and undo behave the same on both.
func RunEcommerce(t *testing.T, open func(t *testing.T) EcommerceStores) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s EcommerceStores)
	}{
		{"ArrivalOrders", testArrivalOrders},
		{"MatchingRules", testMatchingRules},
		{"Timeout", testTimeout},
		{"Duplicates", testDuplicates},
		{"QuotaRace", testQuotaRace},
		{"QuotaInOneBatch", testQuotaInOneBatch},
		{"ReturnsAndCancel", testReturnsAndCancel},
		{"Restart", testRestart},
		{"Periods", testPeriods},
		{"Webhook", testWebhook},
		{"TwoNodes", testTwoNodes},
		{"Guarantee", testGuarantee},
		{"AtomicUnits", testAtomicUnits},
		{"LateList", testLateList},
		{"SyncBeforeAnswer", testSyncBeforeAnswer},
		{"DocumentsWhileListWritten", testDocumentsWhileListWritten},
		{"CorrectAfterRefusal", testCorrectAfterRefusal},
		{"QuotaTotals", func(t *testing.T, s EcommerceStores) { QuotaTotals(t, s, nil) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// service starts a clearance service on s with the demo parties.
func service(t *testing.T, s EcommerceStores, c *clock) *ecommerce.Service {
	t.Helper()
	ctx := context.Background()
	ents, regs := ecommerce.DemoParties()
	for _, e := range ents {
		if err := s.Enterprises.PutEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range regs {
		if err := s.Store.PutRegistration(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range ecommerce.DemoGuaranteeAccounts() {
		if _, err := s.Guarantees.PutGuaranteeAccount(ctx, a, enterprise.GuaranteeEvent{Actor: "test", Role: "admin", At: c.now()}); err != nil {
			t.Fatal(err)
		}
	}
	cat, err := refdata.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	sched, err := tariff.SampleSchedule(cat)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := ecommerce.LoadReference("")
	if err != nil {
		t.Fatal(err)
	}
	rk, err := ecommerce.NewRisk(nil, []byte("test key"))
	if err != nil {
		t.Fatal(err)
	}
	rk.Random.Red, rk.Random.Yellow = 0, 0
	cfg := ecommerce.DefaultConfig()
	cfg.MatchWait = ecommerce.Duration(time.Hour)
	parties := &ecommerce.Parties{Enterprises: s.Enterprises, TTL: time.Minute}
	svc, err := ecommerce.NewService(ctx, cfg, ecommerce.Deps{Store: s.Store, Parties: parties, Reference: ref, Risk: rk,
		Taxer: &ecommerce.Taxer{Schedule: sched, Config: cfg.Retail, Legacy: ref.Legacy, Rates: cat.ExchangeRate}, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	return svc
}

func submit(t *testing.T, svc *ecommerce.Service, docs ...ecommerce.Doc) []ecommerce.Receipt {
	t.Helper()
	rs, err := svc.Submit(context.Background(), docs)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func newClock() *clock { return &clock{t: ecommerce.DemoDay} }

func cleanSet(g *ecommerce.Generator) ecommerce.Set {
	for {
		s := g.Next()
		if s.Anomaly == "" && !s.Whale {
			return s
		}
	}
}

func listStatus(t *testing.T, s ecommerce.Store, key string) ecommerce.Status {
	t.Helper()
	l, err := s.ListByKey(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return l.Status
}

func keyOf(set ecommerce.Set) string {
	return set.List.Inventory.Head.EbpCode + "|" + set.List.Inventory.Head.OrderNo
}

// Every order of arrival of the four documents ends with the list released.
func testArrivalOrders(t *testing.T, s EcommerceStores) {
	svc := service(t, s, newClock())
	g := ecommerce.NewGenerator(1, 100, ecommerce.DemoDay)
	perms := [][4]int{{0, 1, 2, 3}, {3, 0, 1, 2}, {3, 2, 1, 0}, {1, 3, 2, 0}, {2, 1, 3, 0}, {0, 3, 1, 2}}
	for _, p := range perms {
		set := cleanSet(g)
		docs := []ecommerce.Doc{set.Order, set.Payment, set.Waybill, set.List}
		for _, i := range p {
			rs := submit(t, svc, docs[i])
			if !rs[0].Accepted() {
				t.Fatalf("order %v: document %d refused: %+v", p, i, rs[0])
			}
		}
		if st := listStatus(t, s.Store, keyOf(set)); st != ecommerce.StatusReleased {
			t.Fatalf("order %v: status %d", p, st)
		}
	}
	// All four in one batch, list first.
	set := cleanSet(g)
	rs := submit(t, svc, set.List, set.Waybill, set.Payment, set.Order)
	if rs[0].Status != ecommerce.StatusWarehoused || listStatus(t, s.Store, keyOf(set)) != ecommerce.StatusReleased {
		t.Fatalf("one batch: %+v", rs)
	}
	recs, err := s.Store.ListReceipts(context.Background(), rs[0].ListID)
	if err != nil || len(recs) != 2 || recs[0].Status != ecommerce.StatusWarehoused || recs[1].Status != ecommerce.StatusReleased ||
		recs[0].ListID != rs[0].ListID || recs[1].ListID != rs[0].ListID || recs[0].Seq >= recs[1].Seq {
		t.Fatalf("receipts %+v %v", recs, err)
	}
}

func testMatchingRules(t *testing.T, s EcommerceStores) {
	svc := service(t, s, newClock())
	g := ecommerce.NewGenerator(2, 100, ecommerce.DemoDay)
	tests := []struct {
		name, code string
		edit       func(set *ecommerce.Set)
	}{
		{"payment amount", "payment_amount", func(s *ecommerce.Set) { s.Payment.Payment.Head.AmountPaid = "1.00" }},
		{"payment transaction", "payment_key", func(s *ecommerce.Set) { s.Payment.Payment.Head.PayTransactionId = "OTHER" }},
		{"seller", "order_seller", func(s *ecommerce.Set) { s.Order.Order.Head.EbcCode = ecommerce.DemoAgent }},
		{"buyer", "buyer", func(s *ecommerce.Set) { s.Order.Order.Head.BuyerName = "别人" }},
		{"unverifiable buyer, other payer", "payer_not_buyer", func(s *ecommerce.Set) {
			s.List.Inventory.Head.BuyerIdType, s.Order.Order.Head.BuyerIdType = "2", "2"
			s.Payment.Payment.Head.PayerName = "别人"
		}},
		{"waybill order", "waybill_order", func(s *ecommerce.Set) { s.Waybill.Waybill.Head.OrderNo = "ORD-OTHER" }},
		{"weight", "weight", func(s *ecommerce.Set) { s.Waybill.Waybill.Head.Weight = "99" }},
		{"currency", "currency", func(s *ecommerce.Set) { s.Payment.Payment.Head.Currency = "502" }},
		{"freight", "freight", func(s *ecommerce.Set) { s.List.Inventory.Head.Freight = "1.00" }},
		{"positive list", "positive_list", func(s *ecommerce.Set) { s.List.Inventory.Items[0].Gcode = "8471300000" }},
		{"agent role", "role", func(s *ecommerce.Set) { s.List.Inventory.Head.AgentCode = ecommerce.DemoPlatform }},
		{"unregistered", "not_registered", func(s *ecommerce.Set) { s.List.Inventory.Head.EbcCode = "9999999999" }},
		{"bonded ledger", "required", nil},
	}
	for _, tt := range tests {
		set := cleanSet(g)
		if tt.edit == nil {
			set.List.Inventory.Head.EmsNo = ""
			rs := submit(t, svc, set.List)
			if rs[0].Type != ecommerce.ReceiptSchema || rs[0].Problems[0].Pointer != "/InventoryHead/emsNo" {
				t.Errorf("%s: %+v", tt.name, rs[0])
			}
			continue
		}
		tt.edit(&set)
		rs := submit(t, svc, set.Order, set.Payment, set.Waybill, set.List)
		if rs[3].Status != ecommerce.StatusRejected {
			t.Errorf("%s: list %+v", tt.name, rs[3])
			continue
		}
		found := false
		for _, p := range rs[3].Problems {
			found = found || p.Code == tt.code
		}
		if !found {
			t.Errorf("%s: want %s in %+v", tt.name, tt.code, rs[3].Problems)
		}
	}
	// An unverifiable buyer who paid himself passes.
	set := cleanSet(g)
	set.List.Inventory.Head.BuyerIdType, set.Order.Order.Head.BuyerIdType = "2", "2"
	if rs := submit(t, svc, set.Order, set.Payment, set.Waybill, set.List); rs[3].Status != ecommerce.StatusReleased {
		t.Errorf("self-paying unverifiable buyer: %+v", rs[3])
	}
	// A rejected list's documents stay: the corrected list is released.
	set = cleanSet(g)
	bad := set.List
	inv := *bad.Inventory
	inv.Head.Freight = "1.00"
	bad.Inventory = &inv
	if rs := submit(t, svc, set.Order, set.Payment, set.Waybill, bad); rs[3].Status != ecommerce.StatusRejected {
		t.Fatalf("bad list: %+v", rs[3])
	}
	if rs := submit(t, svc, set.List); rs[0].Status != ecommerce.StatusReleased {
		t.Fatalf("corrected list: %+v", rs[0])
	}
}

func testTimeout(t *testing.T, s EcommerceStores) {
	c := newClock()
	svc := service(t, s, c)
	g := ecommerce.NewGenerator(3, 100, ecommerce.DemoDay)
	set := cleanSet(g)
	submit(t, svc, set.Order, set.List)
	c.add(2 * time.Hour)
	submit(t, svc, cleanSet(g).Order) // any batch sweeps
	l, err := s.Store.ListByKey(context.Background(), keyOf(set))
	if err != nil || l.Status != ecommerce.StatusRejected {
		t.Fatalf("after the wait: %+v %v", l, err)
	}
	recs, _ := s.Store.ListReceipts(context.Background(), l.ID)
	if len(recs) != 2 || recs[1].Code != "documents_missing" || recs[1].InfoEN != "timed out waiting for the payment, waybill" {
		t.Fatalf("receipts %+v", recs)
	}
}

func testDuplicates(t *testing.T, s EcommerceStores) {
	svc := service(t, s, newClock())
	g := ecommerce.NewGenerator(4, 100, ecommerce.DemoDay)
	set := cleanSet(g)
	rs := submit(t, svc, set.Order, set.Order, set.Payment, set.Waybill, set.List, set.List)
	if !rs[0].Accepted() || rs[1].Code != "duplicate" || rs[4].Status != ecommerce.StatusReleased || rs[5].Code != "duplicate" {
		t.Fatalf("%+v", rs)
	}
	// The used order cannot be changed; a new one cannot reuse the key in the store.
	ch := set.Order
	o := *ch.Order
	o.Head.AppType = "2"
	ch.Order = &o
	if rs := submit(t, svc, ch, set.Order); rs[0].Code != "not_changeable" || rs[1].Code != "duplicate" {
		t.Fatalf("%+v", rs)
	}
}

// Two services on one database stand for two processes: concurrent lists
// of one buyer never exceed the annual limit together.
func testQuotaRace(t *testing.T, s EcommerceStores) { QuotaRace(t, s, s) }

// QuotaRace runs the quota race with one service on each of two handles of
// one database (two processes when the handles are separate connections).
func QuotaRace(t *testing.T, s, other EcommerceStores) {
	c := newClock()
	a, b := service(t, s, c), service(t, other, c)
	g := ecommerce.NewGenerator(5, 100, ecommerce.DemoDay)
	var sets []ecommerce.Set
	for len(sets) < 16 {
		set := cleanSet(g)
		h := &set.List.Inventory.Head
		// One buyer, 2,000 CNY each (all 16 would be 32,000 > 26,000).
		h.BuyerIdNumber, h.BuyerName = "11010519491231002X", "张三"
		set.Order.Order.Head.BuyerIdNumber, set.Order.Order.Head.BuyerName = h.BuyerIdNumber, h.BuyerName
		set.Payment.Payment.Head.PayerIdNumber, set.Payment.Payment.Head.PayerName = h.BuyerIdNumber, h.BuyerName
		setValue(&set, "1980.00", "20.00")
		sets = append(sets, set)
	}
	for _, set := range sets {
		submit(t, a, set.Order, set.Payment, set.Waybill)
	}
	var wg sync.WaitGroup
	res := make([]ecommerce.Receipt, len(sets))
	for i, set := range sets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc := a
			if i%2 == 1 {
				svc = b
			}
			res[i] = submit(t, svc, set.List)[0]
		}()
	}
	wg.Wait()
	released, over := 0, 0
	for _, r := range res {
		switch {
		case r.Status == ecommerce.StatusReleased:
			released++
		case r.Code == tariff.RuleRetailOverYear.Code:
			over++
		default:
			t.Errorf("unexpected %+v", r)
		}
	}
	used, err := s.Store.Quota(context.Background(), "11010519491231002X", 2026)
	if err != nil || released != 13 || over != 3 || used != 13*200000 {
		t.Fatalf("released %d, over %d, used %d fen, err %v", released, over, used, err)
	}
}

// QuotaTakeTurns has two handles of one database spend one buyer's quota
// in turns: each handle sees what the other has counted since its own
// last list of the buyer.
func QuotaTakeTurns(t *testing.T, s, other EcommerceStores) {
	c := newClock()
	a, b := service(t, s, c), service(t, other, c)
	g := ecommerce.NewGenerator(25, 100, ecommerce.DemoDay)
	list := func(svc *ecommerce.Service) ecommerce.Receipt {
		set := cleanSet(g)
		h := &set.List.Inventory.Head
		h.BuyerIdNumber, h.BuyerName = "110101198001010037", "王五"
		set.Order.Order.Head.BuyerIdNumber, set.Order.Order.Head.BuyerName = h.BuyerIdNumber, h.BuyerName
		set.Payment.Payment.Head.PayerIdNumber, set.Payment.Payment.Head.PayerName = h.BuyerIdNumber, h.BuyerName
		setValue(&set, "1980.00", "20.00") // 2,000 CNY
		return submit(t, svc, set.Order, set.Payment, set.Waybill, set.List)[3]
	}
	// 13 lists make the limit of 26,000: a, b and a again, then a's 14th.
	for i, svc := range []*ecommerce.Service{a, b, b, b, b, b, b, b, b, b, b, b, a, a} {
		r := list(svc)
		if i < 13 && r.Status != ecommerce.StatusReleased || i == 13 && r.Code != tariff.RuleRetailOverYear.Code {
			t.Fatalf("list %d: %+v", i+1, r)
		}
	}
	if used, err := other.Store.Quota(context.Background(), "110101198001010037", 2026); err != nil || used != 13*200000 {
		t.Fatalf("used %d fen, err %v", used, err)
	}
}

// QuotaTotals submits lists of a few buyers, a batch at a time, and checks
// after each batch that every buyer's total is the sum of their released lists;
// then, if reopen is given, that another handle on the database reads and
// continues the same totals.
func QuotaTotals(t *testing.T, s EcommerceStores, reopen func() EcommerceStores) {
	ctx := context.Background()
	c := newClock()
	g := ecommerce.NewGenerator(26, 100, ecommerce.DemoDay)
	g.Buyers = 6
	want := map[string]int64{}
	check := func(st ecommerce.Store, when string) {
		t.Helper()
		for b, fen := range want {
			if used, err := st.Quota(ctx, b, 2026); err != nil || used != fen {
				t.Fatalf("%s: buyer %s used %d fen, want %d (%v)", when, b, used, fen, err)
			}
		}
	}
	// Three sets a batch, so that several buyers change together.
	submitLists := func(st EcommerceStores, svc *ecommerce.Service, n int, when string) {
		for i := range n {
			var docs []ecommerce.Doc
			for range 3 {
				set := cleanSet(g)
				docs = append(docs, set.Order, set.Payment, set.Waybill, set.List)
			}
			for _, r := range submit(t, svc, docs...) {
				if r.Type != ecommerce.ReceiptInventory || r.Status != ecommerce.StatusReleased {
					continue
				}
				l, err := st.Store.List(ctx, r.ListID)
				if err != nil {
					t.Fatal(err)
				}
				want[l.BuyerID] += l.ValueFen
			}
			check(st.Store, fmt.Sprintf("%s, batch %d", when, i))
		}
	}
	submitLists(s, service(t, s, c), 30, "one handle")
	if reopen == nil {
		return
	}
	other := reopen()
	check(other.Store, "another handle")
	submitLists(other, service(t, other, c), 10, "another handle")
}

// DecidedElsewhere has a list waiting in two processes: the one that gets
// its documents releases it, and the other's timeout later leaves it so.
func DecidedElsewhere(t *testing.T, s, other EcommerceStores) {
	c := newClock()
	a := service(t, s, c)
	g := ecommerce.NewGenerator(35, 100, ecommerce.DemoDay)
	set := cleanSet(g)
	if rs := submit(t, a, set.Order, set.List); rs[1].Status != ecommerce.StatusWarehoused {
		t.Fatalf("waiting: %+v", rs[1])
	}
	b := service(t, other, c) // reads the waiting list on start
	submit(t, b, set.Payment, set.Waybill)
	if l, err := other.Store.ListByKey(context.Background(), keyOf(set)); err != nil || l.Status != ecommerce.StatusReleased {
		t.Fatalf("released by the other: %+v %v", l, err)
	}
	c.add(2 * time.Hour)
	submit(t, a, cleanSet(g).Order) // any batch sweeps
	l, err := s.Store.ListByKey(context.Background(), keyOf(set))
	if err != nil || l.Status != ecommerce.StatusReleased {
		t.Fatalf("after the first one's wait: %+v %v", l, err)
	}
	if recs, _ := s.Store.ListReceipts(context.Background(), l.ID); len(recs) != 2 || recs[1].Status != ecommerce.StatusReleased {
		t.Fatalf("receipts %+v", recs)
	}
}

// Many buyers' lists in one batch are counted in the order they came:
// per buyer the first lists that fit are released, the rest refused.
func testQuotaInOneBatch(t *testing.T, s EcommerceStores) {
	svc := service(t, s, newClock())
	g := ecommerce.NewGenerator(15, 100, ecommerce.DemoDay)
	buyers := []struct{ id, name string }{{"11010519491231002X", "张三"}, {"110101199003077774", "李四"}, {"110101198001010037", "王五"}}
	for _, b := range buyers {
		if !ecommerce.ValidResidentID(b.id) {
			t.Fatalf("test buyer %s", b.id)
		}
	}
	set := func(buyer int) ecommerce.Set {
		set := cleanSet(g)
		h := &set.List.Inventory.Head
		h.BuyerIdNumber, h.BuyerName = buyers[buyer].id, buyers[buyer].name
		set.Order.Order.Head.BuyerIdNumber, set.Order.Order.Head.BuyerName = h.BuyerIdNumber, h.BuyerName
		set.Payment.Payment.Head.PayerIdNumber, set.Payment.Payment.Head.PayerName = h.BuyerIdNumber, h.BuyerName
		setValue(&set, "1980.00", "20.00") // 2,000 CNY
		return set
	}
	// The second buyer has 24,000 CNY counted already.
	for range 12 {
		x := set(1)
		if rs := submit(t, svc, x.Order, x.Payment, x.Waybill, x.List); rs[3].Status != ecommerce.StatusReleased {
			t.Fatalf("before: %+v", rs[3])
		}
	}
	// One batch: 14 lists of the first buyer, 2 of the second, 3 of the
	// third, interleaved.
	var docs, lists []ecommerce.Doc
	var who []int
	for i := range 19 {
		b := 0
		switch {
		case i%3 == 1 && i < 6:
			b = 1
		case i%3 == 2 && i < 9:
			b = 2
		}
		x := set(b)
		docs = append(docs, x.Order, x.Payment, x.Waybill)
		lists, who = append(lists, x.List), append(who, b)
	}
	rs := submit(t, svc, append(docs, lists...)...)[len(docs):]
	seen := map[int]int{}
	for i, r := range rs {
		seen[who[i]]++
		over := who[i] == 0 && seen[0] == 14 || who[i] == 1 && seen[1] == 2
		if over && r.Code != tariff.RuleRetailOverYear.Code || !over && r.Status != ecommerce.StatusReleased {
			t.Errorf("list %d of buyer %d (%d of theirs): %+v", i, who[i], seen[who[i]], r)
		}
		// The log holds the writer's refusal, not the receipt made before it.
		recs, err := s.Store.ListReceipts(context.Background(), r.ListID)
		if err != nil || len(recs) == 0 || recs[len(recs)-1].Code != r.Code || recs[len(recs)-1].Status != r.Status {
			t.Errorf("list %d: stored receipts %+v %v, answered %+v", i, recs, err, r)
		}
		for _, rec := range recs {
			if rec.ListID != r.ListID || rec.Seq == 0 {
				t.Errorf("list %d: stored receipt %+v", i, rec)
			}
		}
	}
	for i, want := range []int64{2_600_000, 2_600_000, 600_000} {
		if used, err := s.Store.Quota(context.Background(), buyers[i].id, 2026); err != nil || used != want {
			t.Errorf("buyer %d: used %d fen, want %d (%v)", i, used, want, err)
		}
	}
}

// setValue gives a one-line set goods worth value plus freight.
func setValue(set *ecommerce.Set, value, freight string) {
	o, l := &set.Order.Order.Head, &set.List.Inventory.Head
	set.Order.Order.Items = set.Order.Order.Items[:1]
	set.List.Inventory.Items = set.List.Inventory.Items[:1]
	oi, li := &set.Order.Order.Items[0], &set.List.Inventory.Items[0]
	oi.Qty, oi.Price, oi.TotalPrice = "1", value, value
	li.Qty, li.Price, li.TotalPrice, li.Gcode = "1", value, value, "3305100000"
	o.GoodsValue, o.Freight, o.TaxTotal, o.Discount = value, freight, "0", "0"
	l.Freight = freight
	paid := addDec(value, freight)
	o.ActuralPaid, set.Payment.Payment.Head.AmountPaid = paid, paid
}

func addDec(a, b string) string {
	x, y := dec(a), dec(b)
	return x.Add(y).StringFixed(2)
}

// A refused list's documents wait for the correction, whether the checks
// or the writer (annual limit) refused it: they may be changed, and the
// list declared again is decided on the changed ones; once a list used
// them they may not be changed.
func testCorrectAfterRefusal(t *testing.T, s EcommerceStores) {
	svc := service(t, s, newClock())
	ctx := context.Background()
	g := ecommerce.NewGenerator(16, 100, ecommerce.DemoDay)
	// The payment fell short; the payment company sends it again.
	set := cleanSet(g)
	short := set.Payment
	p := *short.Payment
	p.Head.AmountPaid = "1.00"
	short.Payment = &p
	if rs := submit(t, svc, set.Order, short, set.Waybill, set.List); rs[3].Code != "payment_amount" {
		t.Fatalf("short payment: %+v", rs[3])
	}
	fix := set.Payment
	fp := *fix.Payment
	fp.Head.AppType = "2"
	fix.Payment = &fp
	if rs := submit(t, svc, fix, set.List); !rs[0].Accepted() || rs[1].Status != ecommerce.StatusReleased {
		t.Fatalf("payment changed, list again: %+v", rs)
	}
	if rs := submit(t, svc, fix); rs[0].Code != "not_changeable" {
		t.Fatalf("a used payment changed: %+v", rs[0])
	}

	// The buyer has 24,000 CNY counted; a list of 3,000 is over the
	// limit, the same order changed to 2,000 is released.
	buyer := func(set *ecommerce.Set) {
		h := &set.List.Inventory.Head
		h.BuyerIdNumber, h.BuyerName = "110101199003077774", "李四"
		set.Order.Order.Head.BuyerIdNumber, set.Order.Order.Head.BuyerName = h.BuyerIdNumber, h.BuyerName
		set.Payment.Payment.Head.PayerIdNumber, set.Payment.Payment.Head.PayerName = h.BuyerIdNumber, h.BuyerName
	}
	for range 12 {
		x := cleanSet(g)
		buyer(&x)
		setValue(&x, "1980.00", "20.00")
		if rs := submit(t, svc, x.Order, x.Payment, x.Waybill, x.List); rs[3].Status != ecommerce.StatusReleased {
			t.Fatalf("before: %+v", rs[3])
		}
	}
	x := cleanSet(g)
	buyer(&x)
	setValue(&x, "2980.00", "20.00")
	if rs := submit(t, svc, x.Order, x.Payment, x.Waybill, x.List); rs[3].Code != tariff.RuleRetailOverYear.Code {
		t.Fatalf("over the limit: %+v", rs[3])
	}
	o, pay, inv := *x.Order.Order, *x.Payment.Payment, *x.List.Inventory
	o.Items, inv.Items = slices.Clone(o.Items), slices.Clone(inv.Items)
	x.Order.Order, x.Payment.Payment, x.List.Inventory = &o, &pay, &inv
	setValue(&x, "1980.00", "20.00")
	o.Head.AppType, pay.Head.AppType = "2", "2"
	if rs := submit(t, svc, x.Order, x.Payment, x.List); !rs[0].Accepted() || !rs[1].Accepted() || rs[2].Status != ecommerce.StatusReleased {
		t.Fatalf("changed to 2,000: %+v", rs)
	}
	if used, err := s.Store.Quota(ctx, "110101199003077774", 2026); err != nil || used != 2_600_000 {
		t.Fatalf("used %d fen (%v)", used, err)
	}
}

func testReturnsAndCancel(t *testing.T, s EcommerceStores) {
	c := newClock()
	svc := service(t, s, c)
	ctx := context.Background()
	g := ecommerce.NewGenerator(6, 100, ecommerce.DemoDay)
	one := func() ecommerce.Set {
		set := cleanSet(g)
		setValue(&set, "1000.00", "0.00")
		if rs := submit(t, svc, set.Order, set.Payment, set.Waybill, set.List); rs[3].Status != ecommerce.StatusReleased {
			t.Fatalf("%+v", rs[3])
		}
		return set
	}
	buyer := func(set ecommerce.Set) int64 {
		n, _ := s.Store.Quota(ctx, set.List.Inventory.Head.BuyerIdNumber, 2026)
		return n
	}
	a, b := one(), one()
	before := buyer(a)
	c.add(10 * 24 * time.Hour)
	if rs := submit(t, svc, returnOf(a)); rs[0].Status != ecommerce.StatusReturned {
		t.Fatalf("return: %+v", rs[0])
	}
	if after := buyer(a); after != before-100000 {
		t.Fatalf("quota %d → %d", before, after)
	}
	if rs := submit(t, svc, returnOf(a)); rs[0].Code != "status" {
		t.Fatalf("second return: %+v", rs[0])
	}
	c.add(25 * 24 * time.Hour) // 35 days after release
	if rs := submit(t, svc, returnOf(b)); rs[0].Code != "return_window" {
		t.Fatalf("late return: %+v", rs[0])
	}
	if rs := submit(t, svc, cancelOf(b)); rs[0].Status != ecommerce.StatusClosed {
		t.Fatalf("cancel: %+v", rs[0])
	}
	if l, _ := s.Store.ListByKey(ctx, keyOf(b)); l.Status != ecommerce.StatusClosed {
		t.Fatalf("cancelled list %+v", l)
	}
}

func returnOf(set ecommerce.Set) ecommerce.Doc {
	h := &set.List.Inventory.Head
	r := &ecommerce.Return{Head: ecommerce.ReturnHead{App: ecommerce.App{Guid: h.Guid + "-R", AppType: "1", AppTime: h.AppTime, AppStatus: "2"},
		CustomsCode: h.CustomsCode, OrderNo: h.OrderNo, EbpCode: h.EbpCode, EbcCode: h.EbcCode, LogisticsNo: h.LogisticsNo,
		LogisticsCode: h.LogisticsCode, BuyerIdType: h.BuyerIdType, BuyerIdNumber: h.BuyerIdNumber, BuyerName: h.BuyerName,
		AgentCode: h.AgentCode, Reason: "七天无理由退货"}}
	for _, it := range set.List.Inventory.Items {
		r.Items = append(r.Items, ecommerce.ReturnItem{Gnum: it.Gnum, Gcode: it.Gcode, Gname: it.Gname, Qty: it.Qty, Unit: it.Unit})
	}
	return ecommerce.Doc{Kind: ecommerce.KindReturn, MsgGuid: h.Guid + "-RM", Return: r}
}

func cancelOf(set ecommerce.Set) ecommerce.Doc {
	h := &set.List.Inventory.Head
	return ecommerce.Doc{Kind: ecommerce.KindCancel, MsgGuid: h.Guid + "-CM", Cancel: &ecommerce.Cancel{
		App: ecommerce.App{Guid: h.Guid + "-C", AppType: "1", AppTime: h.AppTime, AppStatus: "2"}, CustomsCode: h.CustomsCode,
		OrderNo: h.OrderNo, EbpCode: h.EbpCode, EbcCode: h.EbcCode, LogisticsNo: h.LogisticsNo, LogisticsCode: h.LogisticsCode,
		BuyerIdType: h.BuyerIdType, BuyerIdNumber: h.BuyerIdNumber, BuyerName: h.BuyerName, AgentCode: h.AgentCode, Reason: "订单取消"}}
}

// A restarted service finds its waiting lists and stored documents again.
func testRestart(t *testing.T, s EcommerceStores) {
	c := newClock()
	g := ecommerce.NewGenerator(7, 100, ecommerce.DemoDay)
	first := service(t, s, c)
	a, b := cleanSet(g), cleanSet(g)
	submit(t, first, a.List, a.Order, b.Order, b.Payment, b.Waybill)
	first.Close()
	second := service(t, s, c)
	rs := submit(t, second, a.Payment, a.Waybill, b.List)
	if listStatus(t, s.Store, keyOf(a)) != ecommerce.StatusReleased || rs[2].Status != ecommerce.StatusReleased {
		t.Fatalf("after restart: %+v", rs)
	}
}

func testPeriods(t *testing.T, s EcommerceStores) {
	svc := service(t, s, newClock())
	ctx := context.Background()
	g := ecommerce.NewGenerator(8, 100, ecommerce.DemoDay)
	var want int64
	for range 5 {
		set := cleanSet(g)
		rs := submit(t, svc, set.Order, set.Payment, set.Waybill, set.List)
		l, err := s.Store.List(ctx, rs[3].ListID)
		if err != nil {
			t.Fatal(err)
		}
		want += l.TaxFen
	}
	ps, err := s.Store.TaxPeriods(ctx, ecommerce.DemoGuarantor)
	if err != nil || len(ps) != 1 || ps[0].Bills != 5 || ps[0].TaxFen != want || ps[0].PaidAt != nil {
		t.Fatalf("%+v %v", ps, err)
	}
	if _, err := s.Store.PayPeriod(ctx, ecommerce.DemoGuarantor, ps[0].Period, ecommerce.DemoDay); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store.PayPeriod(ctx, ecommerce.DemoGuarantor, ps[0].Period, ecommerce.DemoDay); err == nil {
		t.Fatal("paid twice")
	}
}

// The receipt log reaches a subscriber in order; a failing subscriber gets
// the same receipts again, and the cursor survives a new pusher.
func testWebhook(t *testing.T, s EcommerceStores) {
	svc := service(t, s, newClock())
	ctx := context.Background()
	g := ecommerce.NewGenerator(9, 100, ecommerce.DemoDay)
	a, b := cleanSet(g), cleanSet(g)
	submit(t, svc, a.List, a.Order, a.Payment, a.Waybill, b.Order, b.Payment, b.Waybill, b.List)
	var mu sync.Mutex
	var got []ecommerce.Receipt
	fail := 1
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if fail > 0 {
			fail--
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		var body struct{ Receipts []ecommerce.Receipt }
		json.NewDecoder(r.Body).Decode(&body)
		got = append(got, body.Receipts...)
	}))
	defer hook.Close()
	p := &ecommerce.Pusher{Hook: ecommerce.Webhook{Name: "platform", URL: hook.URL}, Store: s.Store, Batch: 2}
	if _, err := p.Once(ctx); err == nil {
		t.Fatal("a 503 counted as delivered")
	}
	for {
		n, err := p.Once(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	if len(got) != 3 || got[0].Status != ecommerce.StatusWarehoused || got[1].Status != ecommerce.StatusReleased ||
		got[2].Status != ecommerce.StatusReleased || got[0].Seq >= got[1].Seq || got[1].Seq >= got[2].Seq {
		t.Fatalf("delivered %+v", got)
	}
	again := &ecommerce.Pusher{Hook: p.Hook, Store: s.Store}
	if n, err := again.Once(ctx); n != 0 || err != nil {
		t.Fatalf("redelivered %d %v", n, err)
	}
}

// Two nodes on one database: a list waiting on one node is decided at its
// deadline when its documents went to the other node.
func testTwoNodes(t *testing.T, s EcommerceStores) {
	c := newClock()
	a, b := service(t, s, c), service(t, s, c)
	g := ecommerce.NewGenerator(10, 100, ecommerce.DemoDay)
	set := cleanSet(g)
	submit(t, a, set.List)
	submit(t, b, set.Order, set.Payment, set.Waybill)
	if listStatus(t, s.Store, keyOf(set)) != ecommerce.StatusWarehoused {
		t.Fatal("decided before the deadline without its documents")
	}
	c.add(2 * time.Hour)
	submit(t, a, cleanSet(g).Order)
	if st := listStatus(t, s.Store, keyOf(set)); st != ecommerce.StatusReleased {
		t.Fatalf("status %d at the deadline", st)
	}
}

// Taxes are secured on the guarantor's account in the batch; a list the
// balance no longer covers is refused and its quota given back; the
// period's payment gives the balance back.
func testGuarantee(t *testing.T, s EcommerceStores) {
	c := newClock()
	svc := service(t, s, c)
	ctx := context.Background()
	acct := ecommerce.DemoGuaranteeAccounts()[0]
	acct.Amount = dec("100")
	if _, err := s.Guarantees.PutGuaranteeAccount(ctx, acct, enterprise.GuaranteeEvent{Actor: "test", Role: "admin", At: c.now()}); err != nil {
		t.Fatal(err)
	}
	g := ecommerce.NewGenerator(11, 100, ecommerce.DemoDay)
	var refused ecommerce.Receipt
	var taxed int64
	for i := 0; i < 20 && refused.Code == ""; i++ {
		set := cleanSet(g)
		setValue(&set, "400.00", "0.00") // about 36 CNY of tax each
		rs := submit(t, svc, set.Order, set.Payment, set.Waybill, set.List)
		switch {
		case rs[3].Status == ecommerce.StatusReleased:
			l, _ := s.Store.List(ctx, rs[3].ListID)
			taxed += l.TaxFen
		case rs[3].Code == "guarantee":
			refused = rs[3]
			if n, _ := s.Store.Quota(ctx, set.List.Inventory.Head.BuyerIdNumber, 2026); n != 0 {
				t.Fatalf("a refused list kept %d fen of quota", n)
			}
		default:
			t.Fatalf("%+v", rs[3])
		}
	}
	if refused.Code == "" || taxed == 0 || taxed > 10000 {
		t.Fatalf("refused %+v after %d fen", refused, taxed)
	}
	if refused.Status != ecommerce.StatusRejected || !strings.Contains(refused.InfoEN, "guarantee balance") ||
		len(refused.Problems) != 1 || refused.Problems[0].Pointer != "/InventoryHead/assureCode" {
		t.Fatalf("the answer does not give the guarantee as the reason: %+v", refused)
	}
	a, err := s.Guarantees.GuaranteeAccount(ctx, acct.ID)
	if err != nil || a.Balance.Add(decimal.New(taxed, -2)).String() != "100" {
		t.Fatalf("balance %s after %d fen: %v", a.Balance, taxed, err)
	}
	ps, _ := s.Store.TaxPeriods(ctx, ecommerce.DemoGuarantor)
	if len(ps) != 1 || ps[0].TaxFen != taxed {
		t.Fatalf("periods %+v", ps)
	}
	if _, err := s.Store.PayPeriod(ctx, ecommerce.DemoGuarantor, ps[0].Period, c.now()); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Guarantees.GuaranteeAccount(ctx, acct.ID); a.Balance.String() != "100" {
		t.Fatalf("balance after the period's payment %s", a.Balance)
	}
}

// Nothing is half-applied: after a restart the match state is empty, so a
// document already stored is refused by the store itself, whole, while the
// rest of the batch commits.
func testAtomicUnits(t *testing.T, s EcommerceStores) {
	c := newClock()
	g := ecommerce.NewGenerator(12, 100, ecommerce.DemoDay)
	a, b := cleanSet(g), cleanSet(g)
	first := service(t, s, c)
	submit(t, first, a.Order, a.Payment, b.List, b.Order, b.Payment)
	first.Close()
	second := service(t, s, c)
	// b's waybill is new; a's order is a duplicate the store finds; a's
	// waybill and list are new and complete a.
	rs := submit(t, second, a.Order, b.Waybill, a.Waybill, a.List)
	if rs[0].Code != "duplicate" || !rs[1].Accepted() || !rs[2].Accepted() || rs[3].Status != ecommerce.StatusReleased {
		t.Fatalf("%+v", rs)
	}
	if listStatus(t, s.Store, keyOf(b)) != ecommerce.StatusReleased {
		t.Fatal("b was not completed by its waybill")
	}
	// Once more after another restart, beside a list left waiting.
	second.Close()
	third := service(t, s, c)
	d := cleanSet(g)
	submit(t, third, d.List)
	dup := a.Order // stored, used by a's released list
	rs = submit(t, third, dup, d.Order)
	if rs[0].Code != "duplicate" || !rs[1].Accepted() {
		t.Fatalf("%+v", rs)
	}
	if listStatus(t, s.Store, keyOf(d)) != ecommerce.StatusWarehoused {
		t.Fatal("d decided without its payment and waybill")
	}
	docs, err := s.Store.Docs(context.Background(), []string{"O|" + a.Order.Order.Head.EbpCode + "|" + a.Order.Order.Head.OrderNo})
	if err != nil || len(docs) != 1 {
		t.Fatalf("%v %v", docs, err)
	}
}

// Documents whose list is late leave memory after match_wait; the list
// still finds them in the store.
func testLateList(t *testing.T, s EcommerceStores) {
	c := newClock()
	svc := service(t, s, c)
	g := ecommerce.NewGenerator(13, 100, ecommerce.DemoDay)
	set := cleanSet(g)
	submit(t, svc, set.Order, set.Payment, set.Waybill)
	c.add(3 * time.Hour)
	submit(t, svc, cleanSet(g).Order) // the batch lets go of the old documents
	if rs := submit(t, svc, set.List); rs[0].Status != ecommerce.StatusReleased {
		t.Fatalf("%+v", rs[0])
	}
	// A change of a document no longer held is refused: the store may have
	// given it to a list meanwhile.
	o := *set.Order.Order
	o.Head.AppType = "2"
	if rs := submit(t, svc, ecommerce.Doc{Kind: ecommerce.KindOrder, MsgGuid: "X", Order: &o}); rs[0].Code != "not_changeable" {
		t.Fatalf("%+v", rs[0])
	}
}

// syncLater commits through the store under test and counts the syncs the
// engine asks for; fail makes them fail.
type syncLater struct {
	ecommerce.Store
	syncs atomic.Int64
	fail  atomic.Bool
	gate  chan struct{} // when set, a sync waits for it
	// When set, the next commit signals applying and waits for hold.
	applying, hold chan struct{}
}

func (s *syncLater) ApplyNoSync(ctx context.Context, b []*ecommerce.Unit) error {
	if s.hold != nil {
		close(s.applying)
		<-s.hold
		s.applying, s.hold = nil, nil
	}
	if sl, ok := s.Store.(ecommerce.SyncLater); ok {
		return sl.ApplyNoSync(ctx, b)
	}
	return s.Store.Apply(ctx, b)
}

func (s *syncLater) Sync(ctx context.Context) error {
	if s.gate != nil {
		<-s.gate
	}
	s.syncs.Add(1)
	if s.fail.Load() {
		return errors.New("disk gone")
	}
	if sl, ok := s.Store.(ecommerce.SyncLater); ok {
		return sl.Sync(ctx)
	}
	return nil
}

// syncLaterService is a service over s.Store wrapped in a syncLater.
func syncLaterService(t *testing.T, s EcommerceStores, seed uint64) (*ecommerce.Service, *syncLater, *ecommerce.Generator) {
	sl := &syncLater{Store: s.Store}
	s.Store = sl
	return service(t, s, newClock()), sl, ecommerce.NewGenerator(seed, 100, ecommerce.DemoDay)
}

// The documents completing a waiting list are decided while the list's own
// batch is still being written (the engine runs a batch ahead of the
// writer): the list is released with the id its own batch gave it. The
// writer numbers a copy of the waiting row, not the row the engine reads.
func testDocumentsWhileListWritten(t *testing.T, s EcommerceStores) {
	svc, sl, g := syncLaterService(t, s, 14)
	sl.applying, sl.hold = make(chan struct{}), make(chan struct{})
	applying, hold := sl.applying, sl.hold
	var release sync.Once
	open := func() { release.Do(func() { close(hold) }) }
	t.Cleanup(open)
	set := cleanSet(g)
	listDone := make(chan []ecommerce.Receipt, 1)
	go func() {
		rs, _ := svc.Submit(context.Background(), []ecommerce.Doc{set.List})
		listDone <- rs
	}()
	<-applying // the list's batch is in the writer
	docsDone := make(chan []ecommerce.Receipt, 1)
	go func() {
		rs, _ := svc.Submit(context.Background(), []ecommerce.Doc{set.Order, set.Payment, set.Waybill})
		docsDone <- rs
	}()
	time.Sleep(50 * time.Millisecond) // the engine decides the documents' batch meanwhile
	open()
	rs := <-listDone
	if len(rs) != 1 || rs[0].Status != ecommerce.StatusWarehoused || rs[0].ListID == 0 {
		t.Fatalf("the list: %+v", rs)
	}
	if ds := <-docsDone; len(ds) != 3 || ds[2].Status != ecommerce.StatusWarehoused {
		t.Fatalf("the documents: %+v", ds)
	}
	l, err := s.Store.ListByKey(context.Background(), keyOf(set))
	if err != nil || l.Status != ecommerce.StatusReleased || l.ID != rs[0].ListID {
		t.Fatalf("stored %+v %v, list id %d", l, err, rs[0].ListID)
	}
}

// A store that syncs apart from committing: a batch is answered only
// after a sync, and a failed sync is not an acknowledgement.
func testSyncBeforeAnswer(t *testing.T, s EcommerceStores) {
	svc, sl, g := syncLaterService(t, s, 11)
	a := cleanSet(g)
	rs := submit(t, svc, a.Order, a.Payment, a.Waybill, a.List)
	if sl.syncs.Load() == 0 || rs[3].Status != ecommerce.StatusReleased {
		t.Fatalf("answered after %d syncs: %+v", sl.syncs.Load(), rs)
	}

	// Committed but not yet synced: the receipt log's readers do not see
	// the batch's receipts until the sync.
	admin := auth.Principal{User: "test", Role: auth.RoleAdmin}
	before, _ := svc.Receipts(context.Background(), admin, 0, 1000)
	gate := make(chan struct{})
	var release sync.Once
	open := func() { release.Do(func() { close(gate) }) }
	t.Cleanup(open) // before the service closes, should the test stop early
	sl.gate = gate
	b := cleanSet(g)
	answered := make(chan error, 1)
	go func() {
		_, err := svc.Submit(context.Background(), []ecommerce.Doc{b.Order, b.Payment, b.Waybill, b.List})
		answered <- err
	}()
	for end := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		stored, err := s.Store.Receipts(context.Background(), 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(stored) > len(before) {
			break // committed
		}
		if time.Now().After(end) {
			t.Fatal("the batch was not committed")
		}
	}
	if got, _ := svc.Receipts(context.Background(), admin, 0, 1000); len(got) != len(before) {
		t.Fatalf("%d receipts readable before the sync, want %d", len(got), len(before))
	}
	select {
	case err := <-answered:
		t.Fatalf("answered before the sync: %v", err)
	default:
	}
	open()
	if err := <-answered; err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.Receipts(context.Background(), admin, 0, 1000); len(got) <= len(before) {
		t.Fatalf("receipts after the sync: %d", len(got))
	}

	sl.fail.Store(true)
	c2 := cleanSet(g)
	if _, err := svc.Submit(context.Background(), []ecommerce.Doc{c2.Order, c2.Payment, c2.Waybill, c2.List}); err == nil {
		t.Fatal("a batch whose sync failed was acknowledged")
	}
}
