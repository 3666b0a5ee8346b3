package ecommerce

import (
	"context"
	"strings"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/refdata"
)

// state is the match state: documents waiting for their list and lists
// waiting for their documents. Decided lists and used documents leave it;
// a document not in it is looked up in the store.
type state struct {
	orders   map[string]*Order
	payments map[string]*Payment
	waybills map[string]*Waybill
	waiting  map[string]*waitingList // by list key
	byDoc    map[string]string       // document key → waiting list key
	queue    []string                // waiting list keys by deadline
	aged     fifo[agedRun]           // documents by arrival, to let go of after match_wait
	held     uint64                  // the last number given to a document
	heldKeys map[uint64]heldDoc      // the documents in the state, by number up to settled
	settled  uint64                  // numbers after it are named in fresh until settle
	fresh    []freshDoc              // documents numbered since the last settle
	parked   map[string]uint64       // documents held by number only, by key (see park)
	fetched  map[string]DocRow       // this batch's store look-ups
	supplied map[string]bool         // keys not looked up: a document earlier in the batch brings them
	brought  map[string]bool         // fetch's scratch: documents of the batch so far
	queried  map[string]bool         // fetch's scratch: keys looked up
	lists    map[string]*ListRow     // this batch's stored lists (cancel, return)
	win      window
}

// A document whose list has not come within match_wait leaves memory
// (the store keeps it and a later list finds it there), so the state stays
// the size of the documents still unmatched after one waiting period.
// Documents are numbered as they enter; the queue keeps only runs of
// numbers with their arrival time, and heldKeys names the documents still
// in the state: a matched one leaves it at once, so neither the document
// nor its key is kept for a whole waiting period, and a replaced one is
// not dropped with the number of the one it replaced.
type heldDoc struct {
	kind Kind
	key  string
}

// freshDoc is a document numbered n during the current batch. Most are
// matched before the batch ends: only those still held at its end are
// named in heldKeys, which saves two operations a document on a map of
// every document held.
type freshDoc struct {
	n uint64
	heldDoc
}

// agedRun: the documents numbered from first (to the next run's first)
// came at at (Unix nanoseconds).
type agedRun struct {
	first uint64
	at    int64
}

// age numbers the document d with key k that entered the match state now.
func (st *state) age(d *Doc, k string, now time.Time) {
	switch d.Kind {
	case KindOrder:
		st.hold(d.Kind, k, &d.Order.held, now)
	case KindPayment:
		st.hold(d.Kind, k, &d.Payment.held, now)
	case KindWaybill:
		st.hold(d.Kind, k, &d.Waybill.held, now)
	}
}

// hold numbers a document of kind and key, whose number is at n.
func (st *state) hold(kind Kind, k string, n *uint64, now time.Time) {
	st.held++
	*n = st.held
	st.fresh = append(st.fresh, freshDoc{st.held, heldDoc{kind, k}})
	if at := now.UnixNano(); st.aged.len() == 0 || st.aged.back().at != at {
		st.aged.push(agedRun{first: st.held, at: at})
	}
}

// rehold puts back a document that release let go of.
func (st *state) rehold(kind Kind, k string, n *uint64, now time.Time) {
	if *n == 0 || st.aged.len() == 0 || *n < st.aged.front().first { // never numbered, or its run is gone
		st.hold(kind, k, n, now)
		return
	}
	st.name(*n, heldDoc{kind, k})
}

// name names the document numbered n, now or when the batch settles.
func (st *state) name(n uint64, h heldDoc) {
	if n > st.settled {
		st.fresh = append(st.fresh, freshDoc{n, h})
		return
	}
	if st.heldKeys == nil {
		st.heldKeys = map[uint64]heldDoc{}
	}
	st.heldKeys[n] = h
}

// settle names the fresh documents still held. Within a batch a document
// is only ever in memory; parked (by a written batch's refusal) only
// between batches, when parked says to look there too.
func (st *state) settle(parked bool) {
	if st.heldKeys == nil {
		st.heldKeys = map[uint64]heldDoc{}
	}
	for _, f := range st.fresh {
		if st.inMemory(f.kind, f.key) == f.n || parked && st.parked[f.key] == f.n {
			st.heldKeys[f.n] = f.heldDoc
		}
	}
	clear(st.fresh)
	st.fresh, st.settled = st.fresh[:0], st.held
}

// park keeps the document of kind and key k, numbered n, in the state
// without its body, which is in the store: a list reads it from there, a
// change replaces it, and it ages out like the rest. Documents of a
// refused list wait for a correction that may never come; held whole for
// match_wait they were most of the state's memory, as the refused share
// of a day's lists is millions of documents at the design peak.
func (st *state) park(kind Kind, k string, n uint64, now time.Time) {
	st.rehold(kind, k, &n, now)
	if st.parked == nil {
		st.parked = map[string]uint64{}
	}
	st.parked[k] = n
}

// unpark takes the parked document k out of the state.
func (st *state) unpark(k string) {
	if n, ok := st.parked[k]; ok {
		delete(st.parked, k)
		st.release(n)
	}
}

// take takes the document of kind and key k out of the state, in memory
// or parked, and gives its number (0: it was not held) and whether it was
// parked.
func (st *state) take(kind Kind, k string) (n uint64, parked bool) {
	n = st.inMemory(kind, k)
	st.dropMemory(kind, k)
	if pn, ok := st.parked[k]; ok {
		n, parked = pn, true
		delete(st.parked, k)
	}
	st.release(n)
	return n, parked
}

// inMemory is the number of the document of kind and key k held in
// memory (0: none).
func (st *state) inMemory(kind Kind, k string) uint64 {
	switch kind {
	case KindOrder:
		if d := st.orders[k]; d != nil {
			return d.held
		}
	case KindPayment:
		if d := st.payments[k]; d != nil {
			return d.held
		}
	case KindWaybill:
		if d := st.waybills[k]; d != nil {
			return d.held
		}
	}
	return 0
}

// dropMemory lets go of the body of the document of kind and key k.
func (st *state) dropMemory(kind Kind, k string) {
	switch kind {
	case KindOrder:
		delete(st.orders, k)
	case KindPayment:
		delete(st.payments, k)
	case KindWaybill:
		delete(st.waybills, k)
	}
}

// release forgets the numbers of documents that left the state (a fresh
// one is not named yet, and settle finds it gone).
func (st *state) release(ns ...uint64) {
	for _, n := range ns {
		if n <= st.settled {
			delete(st.heldKeys, n)
		}
	}
}

// forget drops the documents held longer than wait.
func (st *state) forget(now time.Time, wait time.Duration) {
	for st.aged.len() > 0 && now.UnixNano()-st.aged.front().at > int64(wait) {
		r := st.aged.pop()
		end := st.held + 1
		if st.aged.len() > 0 {
			end = st.aged.front().first
		}
		for n := r.first; n < end; n++ {
			h, ok := st.heldKeys[n]
			if !ok {
				continue
			}
			delete(st.heldKeys, n)
			switch {
			case st.parked[h.key] == n:
				delete(st.parked, h.key)
			case st.inMemory(h.kind, h.key) == n:
				st.dropMemory(h.kind, h.key)
			}
		}
	}
}

// fifo is a queue in fixed chunks: a push never copies what is queued, as
// appending to a slice popped from the front does each time it grows.
type fifo[T any] struct {
	chunks [][]T
	head   int // popped from chunks[0]
	n      int
}

const fifoChunk = 1024

func (q *fifo[T]) push(v T) {
	last := len(q.chunks) - 1
	if last < 0 || len(q.chunks[last]) == fifoChunk {
		q.chunks = append(q.chunks, make([]T, 0, fifoChunk))
		last++
	}
	q.chunks[last] = append(q.chunks[last], v)
	q.n++
}

func (q *fifo[T]) len() int { return q.n }

func (q *fifo[T]) front() *T { return &q.chunks[0][q.head] }

func (q *fifo[T]) back() *T {
	c := q.chunks[len(q.chunks)-1]
	return &c[len(c)-1]
}

func (q *fifo[T]) pop() T {
	c := q.chunks[0]
	v := c[q.head]
	var zero T
	c[q.head] = zero // let go of what it points to
	q.head++
	q.n--
	if q.head == len(c) {
		q.head = 0
		if len(q.chunks) == 1 {
			q.chunks[0] = c[:0] // empty: the chunk is filled again
		} else {
			q.chunks[0] = nil // only the last chunk is not full
			q.chunks = q.chunks[1:]
		}
	}
	return v
}

type waitingList struct {
	row *ListRow
	inv *Inventory
}

// item is one document of a request on its way through the engine.
type item struct {
	doc     *Doc
	key     string
	raw     []byte // JSON of an order, payment or waybill
	receipt Receipt
	done    bool // refused before the engine
	unit    *Unit
}

func (s *Service) rebuild(ctx context.Context) error {
	st := &s.st
	*st = state{orders: map[string]*Order{}, payments: map[string]*Payment{}, waybills: map[string]*Waybill{},
		waiting: map[string]*waitingList{}, byDoc: map[string]string{}, win: st.win}
	rows, err := s.deps.Store.Waiting(ctx)
	if err != nil {
		return err
	}
	for i := range rows {
		r := &rows[i]
		d, err := DecodeList(r.Doc)
		if err != nil {
			return jinguan.Errorf(jinguan.EINTERNAL, "清单 %d 数据损坏", "list %d is corrupt", r.ID)
		}
		s.wait(r, d.Inventory)
	}
	return nil
}

func (s *Service) wait(row *ListRow, inv *Inventory) {
	st := &s.st
	st.waiting[row.Key] = &waitingList{row: row, inv: inv}
	ok, pk, wk := inv.docKeys()
	st.byDoc[ok], st.byDoc[pk], st.byDoc[wk] = row.Key, row.Key, row.Key
	st.queue = append(st.queue, row.Key)
}

func (s *Service) unwait(key string) *waitingList {
	st := &s.st
	w := st.waiting[key]
	if w == nil {
		return nil
	}
	delete(st.waiting, key)
	ok, pk, wk := w.inv.docKeys()
	for _, k := range [3]string{ok, pk, wk} {
		if st.byDoc[k] == key {
			delete(st.byDoc, k)
		}
	}
	return w
}

// prepare runs what needs no match state, in the caller's goroutine.
func (s *Service) prepare(ctx context.Context, d *Doc, now time.Time) *item {
	it := &item{doc: d}
	refuse := func(typ string, p []jinguan.FieldError) *item {
		it.done = true
		it.receipt = Receipt{Type: typ, Guid: d.Guid(), Key: it.key, Status: StatusRejected, Code: p[0].Code,
			InfoZH: p[0].MessageZH, InfoEN: p[0].MessageEN, Problems: p, At: now.UTC()}
		return it
	}
	if p := CheckDoc(d); len(p) > 0 {
		return refuse(ReceiptSchema, p)
	}
	var party *Reason
	switch d.Kind {
	case KindOrder:
		h := &d.Order.Head
		it.key = orderKey(h.EbpCode, h.OrderNo)
		party = s.deps.Parties.Check(ctx, h.EbpCode, RolePlatform, "/OrderHead/ebpCode")
		it.raw = EncodeStored(d)
	case KindPayment:
		h := &d.Payment.Head
		it.key = paymentKey(h.EbpCode, h.OrderNo)
		party = s.deps.Parties.Check(ctx, h.PayCode, RolePayment, "/PaymentHead/payCode")
		it.raw = EncodeStored(d)
	case KindWaybill:
		h := &d.Waybill.Head
		it.key = waybillKey(h.LogisticsCode, h.LogisticsNo)
		party = s.deps.Parties.Check(ctx, h.LogisticsCode, RoleLogistics, "/LogisticsHead/logisticsCode")
		it.raw = EncodeStored(d)
	case KindInventory:
		it.key = listKey(d.Inventory.Head.EbpCode, d.Inventory.Head.OrderNo)
		d.Inventory.raw = EncodeStored(d)
		d.Inventory.docKeys() // here rather than on the engine
	case KindCancel:
		it.key = listKey(d.Cancel.EbpCode, d.Cancel.OrderNo)
	case KindReturn:
		it.key = listKey(d.Return.Head.EbpCode, d.Return.Head.OrderNo)
	}
	if party != nil {
		return refuse(receiptType(d.Kind), reasonsToFields([]Reason{*party}))
	}
	return it
}

func reasonsToFields(rs []Reason) []jinguan.FieldError {
	out := make([]jinguan.FieldError, len(rs))
	for i, r := range rs {
		out[i] = jinguan.FieldError{Pointer: r.Element, Code: r.Code, MessageZH: r.ZH, MessageEN: r.EN}
	}
	return out
}

// listChecks are the checks of a list that need no other document:
// parties and their roles, the positive list, and the tax.
func (s *Service) listChecks(ctx context.Context, inv *Inventory, on time.Time) (TaxBill, []Reason) {
	h := &inv.Head
	var rs []Reason
	for _, c := range []struct{ code, role, el string }{
		{h.EbpCode, RolePlatform, "/InventoryHead/ebpCode"}, {h.EbcCode, RoleSeller, "/InventoryHead/ebcCode"},
		{h.LogisticsCode, RoleLogistics, "/InventoryHead/logisticsCode"}, {h.AgentCode, RoleAgent, "/InventoryHead/agentCode"},
		{h.AssureCode, RoleGuarantor, "/InventoryHead/assureCode"},
	} {
		if r := s.deps.Parties.Check(ctx, c.code, c.role, c.el); r != nil {
			rs = append(rs, *r)
		}
	}
	for i := range inv.Items {
		if g := inv.Items[i].Gcode; !s.deps.Reference.Positive.Allows(g, on) {
			rs = append(rs, reason("positive_list", "/InventoryList/"+itoa(i)+"/gcode", "商品 "+g+" 不在跨境电商零售进口商品清单内",
				"goods "+g+" are not on the e-commerce positive list"))
		}
	}
	bill, why := s.deps.Taxer.Assess(inv, on)
	return bill, append(rs, why...)
}

// fetch looks up, in one go, the stored documents and lists this batch
// needs that the match state does not hold. A key that a new document
// earlier in the batch brings is not looked up: that document is in the
// match state by the time the list needs it (should it have left again,
// supplied looks the key up then).
func (s *Service) fetch(ctx context.Context, items []*item) {
	st := &s.st
	st.fetched, st.lists = nil, nil
	clear(st.supplied)
	var keys []string
	if st.brought == nil {
		st.brought, st.queried = map[string]bool{}, map[string]bool{}
	}
	brought, queried := st.brought, st.queried
	clear(brought)
	clear(queried)
	want := func(k string, held bool) {
		switch {
		case held || queried[k]:
		case brought[k]:
			if st.supplied == nil {
				st.supplied = map[string]bool{}
			}
			st.supplied[k] = true
		default:
			keys = append(keys, k)
			queried[k] = true
		}
	}
	for _, it := range items {
		if it.done {
			continue
		}
		var inv *Inventory
		switch it.doc.Kind {
		case KindOrder, KindPayment, KindWaybill:
			if lk, ok := st.byDoc[it.key]; ok {
				inv = st.waiting[lk].inv
			}
			if appType(it.doc) == "1" {
				brought[it.key] = true
			}
		case KindInventory:
			if st.waiting[it.key] == nil {
				inv = it.doc.Inventory
			}
		case KindCancel, KindReturn:
			if st.lists == nil {
				st.lists = map[string]*ListRow{}
			}
			if r, err := s.deps.Store.ListByKey(ctx, it.key); err == nil {
				st.lists[it.key] = &r
			}
		}
		if inv != nil {
			ok, pk, wk := inv.docKeys()
			want(ok, st.orders[ok] != nil)
			want(pk, st.payments[pk] != nil)
			want(wk, st.waybills[wk] != nil)
		}
	}
	for k := range queried {
		delete(st.supplied, k)
	}
	if len(keys) > 0 {
		m, err := s.deps.Store.Docs(ctx, keys)
		if err != nil {
			s.deps.Log.Error("ecommerce document look-up failed", "err", err)
		}
		st.fetched = m
	}
}

// stored is the stored document k of this batch's look-ups; a key left
// to a document of the batch that is no longer in the match state is
// looked up now.
func (s *Service) stored(k string) (DocRow, bool) {
	st := &s.st
	if r, ok := st.fetched[k]; ok {
		return r, true
	}
	if !st.supplied[k] {
		return DocRow{}, false
	}
	delete(st.supplied, k)
	m, err := s.deps.Store.Docs(context.Background(), []string{k})
	if err != nil {
		s.deps.Log.Error("ecommerce document look-up failed", "err", err)
	}
	r, ok := m[k]
	if ok {
		if st.fetched == nil {
			st.fetched = map[string]DocRow{}
		}
		st.fetched[k] = r
	}
	return r, ok
}

func (s *Service) order(k string) *Order {
	if o := s.st.orders[k]; o != nil {
		return o
	}
	if r, ok := s.stored(k); ok {
		if d, err := DecodeStored(KindOrder, r.Doc); err == nil {
			return d.Order
		}
	}
	return nil
}

func (s *Service) payment(k string) *Payment {
	if p := s.st.payments[k]; p != nil {
		return p
	}
	if r, ok := s.stored(k); ok {
		if d, err := DecodeStored(KindPayment, r.Doc); err == nil {
			return d.Payment
		}
	}
	return nil
}

func (s *Service) waybill(k string) *Waybill {
	if w := s.st.waybills[k]; w != nil {
		return w
	}
	if r, ok := s.stored(k); ok {
		if d, err := DecodeStored(KindWaybill, r.Doc); err == nil {
			return d.Waybill
		}
	}
	return nil
}

// expire rejects the waiting lists whose time is up. Their documents are
// looked up in the store once more first: another node of a scaled-out
// deployment may have taken them, and then the list is decided instead.
func (s *Service) expire(ctx context.Context, now time.Time) []*Unit {
	st := &s.st
	st.forget(now, time.Duration(s.cfg.MatchWait))
	var due []*waitingList
	for len(st.queue) > 0 {
		w := st.waiting[st.queue[0]]
		if w != nil && now.Before(w.row.Deadline) {
			break
		}
		st.queue = st.queue[1:]
		if w != nil {
			due = append(due, w)
		}
	}
	if len(due) == 0 {
		return nil
	}
	var keys []string
	for _, w := range due {
		ok, pk, wk := w.inv.docKeys()
		keys = append(keys, ok, pk, wk)
	}
	if m, err := s.deps.Store.Docs(ctx, keys); err == nil {
		if st.fetched == nil {
			st.fetched = map[string]DocRow{}
		}
		for k, d := range m {
			st.fetched[k] = d
		}
	}
	var units []*Unit
	for _, w := range due {
		ok, pk, wk := w.inv.docKeys()
		o, p, wb := s.order(ok), s.payment(pk), s.waybill(wk)
		s.unwait(w.row.Key)
		row := *w.row
		row.ExpectStatus = StatusWarehoused
		u := &Unit{}
		if o != nil && p != nil && wb != nil {
			s.decide(ctx, &row, w.inv, o, p, wb, now).attach(u, func() { s.wait(w.row, w.inv) })
			units = append(units, u)
			continue
		}
		zh, en := missing(o, p, wb)
		row.Status, row.UpdatedAt = StatusRejected, now.UTC()
		doc := ListDoc{Inventory: w.inv, Reasons: []Reason{reason("documents_missing", "/InventoryHead/orderNo",
			"等待超时，缺少"+zh, "timed out waiting for the "+en)}}
		row.Doc = encodeList(&doc)
		u.List, u.Receipts = &row, []Receipt{listReceipt(&row, doc.Reasons, now)}
		u.revert = func() { s.wait(w.row, w.inv) }
		u.Refuse = func(string) { u.List, u.Receipts = nil, nil }
		units = append(units, u)
	}
	return units
}

func listReceipt(row *ListRow, rs []Reason, now time.Time) Receipt {
	r := Receipt{Type: ReceiptInventory, Key: row.Key, ListID: row.ID, Status: row.Status, At: now.UTC()}
	if len(rs) > 0 {
		r.Code = rs[0].Code
		zh, en := make([]string, len(rs)), make([]string, len(rs))
		for i, x := range rs {
			zh[i], en[i] = x.ZH, x.EN
		}
		r.InfoZH, r.InfoEN = strings.Join(zh, "；"), strings.Join(en, "; ")
		r.Problems = reasonsToFields(rs)
	} else {
		r.InfoZH, r.InfoEN = StatusText(row.Status)
	}
	return r
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func period(t time.Time) string { return t.In(jinguan.China).Format("200601") }

func year(t time.Time) int { return t.In(jinguan.China).Year() }

func day(t time.Time) int32 { return refdata.Day(t) }
