package ecommerce

import (
	"context"
	"time"

	"github.com/jinguan-customs/jinguan/tariff"
)

// handleUndo takes a cancellation (CEB623) or a return (CEB625). A
// cancelled list is closed (899); a released list returned within the
// return window is returned (700). Either restores the buyer's quota and
// takes the tax bill out of its period (the guarantee comes back with the
// period's payment).
func (s *Service) handleUndo(ctx context.Context, it *item, now time.Time) *Unit {
	st := &s.st
	it.receipt.Type = ReceiptInventory
	var row ListRow
	if w := st.waiting[it.key]; w != nil {
		row = *w.row
	} else if r := st.lists[it.key]; r != nil {
		row = *r
	} else {
		return it.refuse("not_found", "清单不存在", "no such list")
	}
	d, err := DecodeList(row.Doc)
	if err != nil {
		return it.refuse("not_found", "清单数据不可读", "the list cannot be read")
	}
	cancel := it.doc.Kind == KindCancel
	var next Status
	var why Reason
	switch {
	case cancel && (row.Status == StatusWarehoused || row.Status == StatusReleased || row.Status == StatusManualReview ||
		row.Status == StatusReviewed || row.Status == StatusInspection):
		next, why = StatusClosed, reason("cancelled", "/InvtCancel/reason", "撤销清单："+it.doc.Cancel.Reason, "list cancelled: "+it.doc.Cancel.Reason)
	case !cancel && row.Status == StatusReleased:
		r := tariff.ReturnRetail(s.cfg.Retail, tariff.RetailTax{Channel: tariff.RetailPreferential}, row.UpdatedAt, now)
		if !r.InWindow {
			return it.refuse("return_window", "放行已超过退货期限，不能按跨境电商退货办理", "the return window after release has passed")
		}
		next, why = StatusReturned, reason("returned", "/InvtRefundHead/reason", "退货："+it.doc.Return.Head.Reason, "returned: "+it.doc.Return.Head.Reason)
	default:
		zh, en := StatusText(row.Status)
		return it.refuse("status", "清单当前状态（"+zh+"）不能撤销或退货", "a list in status "+en+" cannot be cancelled or returned")
	}
	waiting := st.waiting[it.key]
	if waiting != nil {
		s.unwait(it.key)
	}
	prev := row.Status
	row.ExpectStatus, row.Status, row.UpdatedAt, row.Deadline = prev, next, now.UTC(), time.Time{}
	d.Reasons = append(d.Reasons, why)
	if d.Tax != nil && prev != StatusWarehoused {
		d.Tax.Status = BillCancelled
	}
	row.Doc = encodeList(&d)
	u := &Unit{List: &row, Receipts: []Receipt{listReceipt(&row, []Reason{why}, now)}}
	u.Receipts[0].Code = why.Code
	if row.ValueFen > 0 && prev != StatusWarehoused {
		u.Quota = &QuotaDelta{BuyerID: row.BuyerID, Year: year(row.DeclaredAt), DeltaFen: -row.ValueFen}
		u.Period = &PeriodDelta{AssureCode: row.AssureCode, Period: row.Period, Bills: -1, TaxFen: -row.TaxFen}
	}
	it.receipt.Status, it.receipt.ListID, it.receipt.Code, it.receipt.InfoZH, it.receipt.InfoEN = next, row.ID, why.Code, why.ZH, why.EN
	u.revert = func() {
		if waiting != nil {
			s.wait(waiting.row, waiting.inv)
		}
	}
	u.Refuse = func(code string) {
		u.List, u.Quota, u.Period, u.Receipts = nil, nil, nil, nil
		it.refuse(code, "清单状态已变化，请重试", "the list changed meanwhile; try again")
	}
	return u
}
