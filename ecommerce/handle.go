package ecommerce

import (
	"context"
	"strconv"
	"time"

	"github.com/jinguan-customs/jinguan/tariff"
)

// handle turns one document into its unit, updating the match state; nil
// when the document is refused without a write.
func (s *Service) handle(ctx context.Context, it *item, now time.Time) *Unit {
	if it.done {
		return nil
	}
	d := it.doc
	it.receipt = Receipt{Type: receiptType(d.Kind), Guid: d.Guid(), Key: it.key, Status: StatusWarehoused, At: now.UTC()}
	it.receipt.InfoZH, it.receipt.InfoEN = StatusText(StatusWarehoused)
	switch d.Kind {
	case KindOrder, KindPayment, KindWaybill:
		return s.handleDoc(ctx, it, now)
	case KindInventory:
		return s.handleList(ctx, it, now)
	default:
		return s.handleUndo(ctx, it, now)
	}
}

func (it *item) refuse(code, zh, en string) *Unit {
	it.receipt.Status, it.receipt.Code, it.receipt.InfoZH, it.receipt.InfoEN = StatusRejected, code, zh, en
	return nil
}

// answerAs answers with the decision the list's receipt in the log gives.
func (it *item) answerAs(r *Receipt) {
	it.receipt.Status, it.receipt.Code = r.Status, r.Code
	it.receipt.InfoZH, it.receipt.InfoEN, it.receipt.Problems = r.InfoZH, r.InfoEN, r.Problems
}

func appType(d *Doc) string {
	switch d.Kind {
	case KindOrder:
		return d.Order.Head.AppType
	case KindPayment:
		return d.Payment.Head.AppType
	case KindWaybill:
		return d.Waybill.Head.AppType
	case KindInventory:
		return d.Inventory.Head.AppType
	}
	return "1"
}

// handleDoc takes an order, payment or waybill; if a waiting list was
// missing only it, the list is decided in the same unit.
func (s *Service) handleDoc(ctx context.Context, it *item, now time.Time) *Unit {
	st, d, k := &s.st, it.doc, it.key
	pn, parked := st.parked[k]
	held := parked
	var put func()
	var drop func()
	switch d.Kind {
	case KindOrder:
		old := st.orders[k]
		held = held || old != nil
		put, drop = func() { st.orders[k] = d.Order }, func() { restore(st.orders, k, old) }
	case KindPayment:
		old := st.payments[k]
		held = held || old != nil
		put, drop = func() { st.payments[k] = d.Payment }, func() { restore(st.payments, k, old) }
	case KindWaybill:
		old := st.waybills[k]
		held = held || old != nil
		put, drop = func() { st.waybills[k] = d.Waybill }, func() { restore(st.waybills, k, old) }
	}
	if parked {
		// Changed or deleted: its new body is in memory, or it is gone.
		put0, drop0 := put, drop
		put = func() { put0(); st.unpark(k) }
		drop = func() { drop0(); st.park(d.Kind, k, pn, now) }
	}
	row := DocRow{Key: k, Kind: d.Kind, At: now.UTC(), Doc: it.raw}
	switch appType(d) {
	case "1":
		if held {
			return it.refuse("duplicate", "单证已存在", "the document already exists")
		}
	case "2":
		if !held {
			return it.refuse("not_changeable", "单证不存在或已被清单使用，不能变更", "no such document, or a list already used it")
		}
		row.Op = DocUpsert
	case "3":
		if !held {
			return it.refuse("not_changeable", "单证不存在或已被清单使用，不能删除", "no such document, or a list already used it")
		}
		row.Op = DocDelete
		u := &Unit{Docs: []DocRow{row}}
		st.dropMemory(d.Kind, k)
		st.unpark(k)
		u.revert = drop
		u.Refuse = func(string) { u.Docs = nil; it.refuse("conflict", "删除失败", "delete failed") }
		return u
	}
	put()
	st.age(d, k, now)
	u := &Unit{Docs: []DocRow{row}}
	u.revert = drop
	u.Refuse = func(code string) {
		u.Docs, u.List, u.Quota, u.Period, u.Receipts = nil, nil, nil, nil, nil
		it.refuse(code, "单证已存在", "the document already exists")
	}
	if lk, ok := st.byDoc[k]; ok {
		w := st.waiting[lk]
		ok, pk, wk := w.inv.docKeys()
		o, p, wb := s.order(ok), s.payment(pk), s.waybill(wk)
		if o != nil && p != nil && wb != nil {
			s.unwait(lk)
			row := *w.row
			row.ExpectStatus = StatusWarehoused
			dec := s.decide(ctx, &row, w.inv, o, p, wb, now)
			docRevert := u.revert
			dec.attach(u, func() { docRevert(); s.wait(w.row, w.inv) })
		}
	}
	return u
}

func restore[V any](m map[string]*V, k string, old *V) {
	if old == nil {
		delete(m, k)
	} else {
		m[k] = old
	}
}

// handleList takes an inventory list: decided at once when its three
// documents are there, otherwise stored as waiting (120).
func (s *Service) handleList(ctx context.Context, it *item, now time.Time) *Unit {
	st, inv := &s.st, it.doc.Inventory
	h := &inv.Head
	it.receipt.Type = ReceiptInventory
	row := ListRow{Key: it.key, BuyerID: h.BuyerIdNumber, EbpCode: h.EbpCode, OrderNo: h.OrderNo, LogisticsNo: h.LogisticsNo,
		AssureCode: h.AssureCode, TradeMode: h.TradeMode, CustomsCode: h.CustomsCode, DeclaredAt: now.UTC(), UpdatedAt: now.UTC()}
	if w := st.waiting[it.key]; w != nil {
		if h.AppType != "2" {
			return it.refuse("duplicate", "清单已申报，正在等待单证", "the list is already declared and waiting for its documents")
		}
		s.unwait(it.key)
		row.ID, row.ExpectStatus, row.DeclaredAt = w.row.ID, StatusWarehoused, w.row.DeclaredAt
	}
	ok, pk, wk := inv.docKeys()
	o, p, wb := s.order(ok), s.payment(pk), s.waybill(wk)
	u := &Unit{}
	old := st.waiting[it.key]
	if o == nil || p == nil || wb == nil {
		row.Status, row.Deadline = StatusWarehoused, now.Add(time.Duration(s.cfg.MatchWait)).UTC()
		row.Doc = encodeList(&ListDoc{Inventory: inv})
		s.wait(&row, inv)
		// The writer numbers its own copy: the engine reads the waiting row
		// again when a later batch completes the list, perhaps while this
		// batch is still being written.
		stored := row
		u.List, u.Receipts = &stored, []Receipt{listReceipt(&stored, nil, now)}
		u.revert = func() {
			s.unwait(row.Key)
			if old != nil {
				s.wait(old.row, old.inv)
			}
		}
		u.Refuse = func(code string) {
			u.List, u.Receipts = nil, nil
			it.refuse(code, "清单已存在", "the list already exists")
		}
		return u
	}
	dec := s.decide(ctx, &row, inv, o, p, wb, now)
	dec.attach(u, func() {})
	it.answerAs(&u.Receipts[0])
	prev := u.Refuse
	u.Refuse = func(code string) {
		prev(code)
		switch code {
		case "quota", "guarantee":
			// The list is kept, rejected with its reason.
			it.answerAs(&u.Receipts[0])
		default:
			it.refuse(code, "清单已存在", "the list already exists")
		}
	}
	return u
}

// decision is a decided list before it is written.
type decision struct {
	s      *Service
	row    *ListRow
	doc    ListDoc
	quota  *QuotaDelta
	period *PeriodDelta
	used   func()             // takes the three documents out of the match state
	unused func(written bool) // puts them back (parked if the refused list was written)
	park   func()             // parks them once the list is written as rejected
	claim  *GuaranteeClaim
	now    time.Time
}

// decide runs matching, the checks, risk and the guarantee for a list
// whose three documents are there.
func (s *Service) decide(ctx context.Context, row *ListRow, inv *Inventory, o *Order, p *Payment, w *Waybill, now time.Time) *decision {
	h := &inv.Head
	bill, reasons := s.listChecks(ctx, inv, now)
	reasons = append(reasons, matchList(inv, o, p, w, s.tol)...)
	t := now.UTC()
	d := &decision{s: s, row: row, now: now, doc: ListDoc{Inventory: inv, DecidedAt: &t}}
	row.UpdatedAt, row.Deadline = t, time.Time{}
	if len(reasons) == 0 {
		facts := s.facts(inv, &bill, now)
		d.doc.Lane, d.doc.Hits, d.doc.LaneWhy = s.deps.Risk.Assess(row.Key, facts)
	}
	if len(reasons) > 0 {
		row.Status, row.Lane, d.doc.Reasons = StatusRejected, "", reasons
		d.doc.Lane, d.doc.Hits, d.doc.LaneWhy = "", nil, ""
		row.Doc = encodeList(&d.doc)
		d.park = func() { s.st.parkDocs(inv, o.held, p.held, w.held, now) }
		return d
	}
	row.Lane = d.doc.Lane
	switch d.doc.Lane {
	case LaneRed:
		row.Status = StatusInspection
	case LaneYellow:
		row.Status = StatusManualReview
	default:
		row.Status = StatusReleased
	}
	// The bill number is also the list's own guarantee reference: unique
	// per decision, since a rejected list may be declared again.
	bill.TaxNo = "T" + h.CustomsCode + "-" + h.EbpCode + "-" + h.OrderNo + "-" + strconv.FormatInt(now.UnixMicro(), 10)
	d.doc.Tax = &bill
	row.ValueFen, row.TaxFen, row.Period = bill.valueFen(), bill.totalFen(), period(now)
	row.Doc = encodeList(&d.doc)
	d.quota = &QuotaDelta{BuyerID: h.BuyerIdNumber, Year: year(now), DeltaFen: row.ValueFen, LimitFen: s.limitFen}
	d.period = &PeriodDelta{AssureCode: h.AssureCode, Period: row.Period, Bills: 1, TaxFen: row.TaxFen}
	if bill.Total.IsPositive() {
		r, _ := s.deps.Parties.registration(h.AssureCode)
		d.claim = &GuaranteeClaim{AssureCode: h.AssureCode, SCC: r.SCC, Period: row.Period, Amount: bill.Total, Ref: bill.TaxNo, At: now}
	}
	st := &s.st
	ok, pk, wk := inv.docKeys()
	var on, pn, wn uint64
	var op, pp, wp bool // parked before
	d.used = func() {
		on, op = st.take(KindOrder, ok)
		pn, pp = st.take(KindPayment, pk)
		wn, wp = st.take(KindWaybill, wk)
	}
	d.unused = func(written bool) {
		// Back in the state under their numbers; a document read from the
		// store had none and is numbered now.
		back := func(kind Kind, k string, n uint64, parked bool, held *uint64, put func()) {
			if written || parked {
				st.park(kind, k, n, now)
				return
			}
			put()
			*held = n
			st.rehold(kind, k, held, now)
		}
		back(KindOrder, ok, on, op, &o.held, func() { st.orders[ok] = o })
		back(KindPayment, pk, pn, pp, &p.held, func() { st.payments[pk] = p })
		back(KindWaybill, wk, wn, wp, &w.held, func() { st.waybills[wk] = w })
	}
	return d
}

// parkDocs parks those of a rejected list's documents, numbered on, pn
// and wn, that are still held in memory: they stay for a corrected list,
// in the store.
func (st *state) parkDocs(inv *Inventory, on, pn, wn uint64, now time.Time) {
	ok, pk, wk := inv.docKeys()
	for _, d := range [3]struct {
		kind Kind
		k    string
		n    uint64
	}{{KindOrder, ok, on}, {KindPayment, pk, pn}, {KindWaybill, wk, wn}} {
		if d.n != 0 && st.inMemory(d.kind, d.k) == d.n {
			st.dropMemory(d.kind, d.k)
			st.park(d.kind, d.k, d.n, now)
		}
	}
}

// attach puts the decision into u. revert undoes the rest of the unit's
// effect on the state when nothing of it was written.
func (d *decision) attach(u *Unit, revert func()) {
	u.List, u.Quota, u.Period, u.Guarantee = d.row, d.quota, d.period, d.claim
	u.Receipts = []Receipt{listReceipt(d.row, d.doc.Reasons, d.now)}
	if d.used != nil {
		d.used()
	}
	u.after = d.park
	u.revert = func() {
		if d.unused != nil {
			d.unused(u.Refused == "quota" || u.Refused == "guarantee")
		}
		if u.Refused != "quota" && u.Refused != "guarantee" && u.Refused != "conflict" {
			revert()
		}
	}
	// Refuse runs inside Apply: it changes only the unit's data.
	u.Refuse = func(code string) {
		switch code {
		case "quota":
			// Over the annual limit: general trade, the list is refused and
			// its documents stay for a corrected list.
			d.doc.Reasons = []Reason{{Code: tariff.RuleRetailOverYear.Code, Element: "/InventoryHead/buyerIdNumber",
				ZH: tariff.RuleRetailOverYear.ZH, EN: tariff.RuleRetailOverYear.EN}}
		case "guarantee":
			h := &d.doc.Inventory.Head
			d.doc.Reasons = []Reason{reason("guarantee", "/InventoryHead/assureCode", "担保企业 "+h.AssureCode+" 的担保余额不足以覆盖税款",
				"the guarantee balance of "+h.AssureCode+" does not cover the tax")}
		default:
			u.Docs, u.List, u.Quota, u.Period, u.Receipts, u.Guarantee = nil, nil, nil, nil, nil, nil
			return
		}
		d.row.Status, d.row.Lane, d.row.ValueFen, d.row.TaxFen, d.row.Period = StatusRejected, "", 0, 0, ""
		d.doc.Tax, d.doc.Lane, d.doc.Hits, d.doc.LaneWhy = nil, "", nil, ""
		d.row.Doc = encodeList(&d.doc)
		u.Quota, u.Period, u.Guarantee = nil, nil, nil
		u.Receipts = []Receipt{listReceipt(d.row, d.doc.Reasons, d.now)}
	}
}

// facts gathers what list profiles see.
func (s *Service) facts(inv *Inventory, bill *TaxBill, now time.Time) *ListFacts {
	h := &inv.Head
	// A float of fen / 100 is the float nearest the decimal, as InexactFloat64.
	value, tax := bill.Value.InexactFloat64(), bill.Total.InexactFloat64()
	if bill.fen != nil {
		value, tax = float64(bill.fen.sums[4])/100, float64(bill.fen.sums[3])/100
	}
	f := &ListFacts{Value: value, Tax: tax, Items: len(inv.Items),
		TradeMode: h.TradeMode, EbpCode: h.EbpCode, Country: h.Country, MinPriceRatio: 1}
	for i := range inv.Items {
		it := &inv.Items[i]
		f.Gcodes = append(f.Gcodes, it.Gcode)
		if ref := s.deps.Risk.RefPrices[it.Gcode]; ref > 0 {
			if r := dec(it.Price).InexactFloat64() / ref; r < f.MinPriceRatio {
				f.MinPriceRatio = r
			}
		}
	}
	f.BuyersAtAddress, f.BuyersAtPhone, f.BuyerListsToday = s.st.win.observe(day(now), h.BuyerIdNumber, h.ConsigneeAddress, h.BuyerTelephone)
	return f
}
