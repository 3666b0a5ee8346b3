package ecommerce

import (
	"time"

	"github.com/jinguan-customs/jinguan"
)

// Status is an inventory list's receipt status (回执状态, domain.md §4).
type Status int

const (
	StatusSaved        Status = 1
	StatusDeclaring    Status = 2
	StatusSent         Status = 3
	StatusSendFailed   Status = 4
	StatusRejected     Status = 100 // 退单
	StatusWarehoused   Status = 120 // 入库: stored, waiting for its documents
	StatusManualReview Status = 300 // 人工审核
	StatusReviewed     Status = 399
	StatusInspection   Status = 500 // 查验
	StatusDetained     Status = 501 // 501–599 扣留
	StatusReturned     Status = 700 // 退运 / 退货
	StatusReleased     Status = 800 // 放行
	StatusClosed       Status = 899 // 结关 / 撤销
)

// StatusText gives the zh/en name of a status.
func StatusText(s Status) (zh, en string) {
	switch {
	case s == StatusSaved:
		return "暂存", "saved"
	case s == StatusDeclaring:
		return "申报中", "declaring"
	case s == StatusSent:
		return "发送海关成功", "sent"
	case s == StatusSendFailed:
		return "发送海关失败", "send failed"
	case s == StatusRejected:
		return "海关退单", "rejected"
	case s == StatusWarehoused:
		return "海关入库", "warehoused"
	case s == StatusManualReview:
		return "人工审核", "manual review"
	case s == StatusReviewed:
		return "审核完成", "reviewed"
	case s == StatusInspection:
		return "查验", "inspection"
	case s >= 501 && s <= 599:
		return "扣留", "detained"
	case s == StatusReturned:
		return "退货", "returned"
	case s == StatusReleased:
		return "放行", "released"
	case s == StatusClosed:
		return "结关", "closed"
	}
	return "未知", "unknown"
}

// Receipt types.
const (
	ReceiptOrder     = "CEB312"
	ReceiptPayment   = "CEB412"
	ReceiptWaybill   = "CEB512"
	ReceiptInventory = "CEB622"
	ReceiptSchema    = "CEB900"
)

// Receipt answers one document (or a body that could not be read). Accepted
// documents other than lists get status 120; a list's receipt carries its
// list status, and a later change of status is a further receipt.
type Receipt struct {
	Seq      int64                `json:"seq,omitempty"` // position in the receipt log, for pushing
	Type     string               `json:"type"`          // CEB312 … CEB622, CEB900
	Guid     string               `json:"guid,omitempty"`
	Key      string               `json:"key,omitempty"` // orderNo, logisticsNo or the list key
	ListID   int64                `json:"list_id,omitempty"`
	Status   Status               `json:"status"`
	Code     string               `json:"code,omitempty"`
	InfoZH   string               `json:"info_zh,omitempty"`
	InfoEN   string               `json:"info_en,omitempty"`
	Problems []jinguan.FieldError `json:"problems,omitempty"` // elements at fault, by path
	Actor    string               `json:"actor,omitempty"`    // the officer, for an officer's decision
	At       time.Time            `json:"at"`
}

// Accepted reports whether the document was taken.
func (r *Receipt) Accepted() bool { return r.Status != StatusRejected && r.Type != ReceiptSchema }

func schemaReceipt(guid, key, element, code, zh, en string) Receipt {
	return Receipt{Type: ReceiptSchema, Guid: guid, Key: key, Status: StatusRejected, Code: code, InfoZH: zh, InfoEN: en,
		Problems: []jinguan.FieldError{{Pointer: element, Code: code, MessageZH: zh, MessageEN: en}}, At: time.Now().UTC()}
}

func receiptType(k Kind) string {
	switch k {
	case KindOrder:
		return ReceiptOrder
	case KindPayment:
		return ReceiptPayment
	case KindWaybill:
		return ReceiptWaybill
	}
	return ReceiptInventory
}
