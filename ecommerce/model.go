// Package ecommerce clears cross-border e-commerce retail imports (跨境电商
// 零售进口): it takes the platforms' orders (CEB311), the payment firms'
// payments (CEB411), the logistics firms' waybills (CEB511) and the
// declarants' inventory lists (CEB621), matches the three documents of
// each list (三单对碰), checks the list, counts it against the buyer's
// annual quota, taxes it, selects a lane and answers with receipts
// (CEB622). Cancellations (CEB623) and returns (CEB625) undo a list.
//
// The wire types below carry the official element names (cbec-messages.md)
// both as XML (namespace Namespace) and as JSON; values stay text as sent
// and are checked and parsed by Check.
package ecommerce

import "encoding/xml"

// Namespace of every CEB element.
const Namespace = "http://www.chinaport.gov.cn/ceb"

// Kind is a message type.
type Kind string

const (
	KindOrder     Kind = "CEB311"
	KindPayment   Kind = "CEB411"
	KindWaybill   Kind = "CEB511"
	KindInventory Kind = "CEB621"
	KindCancel    Kind = "CEB623"
	KindReturn    Kind = "CEB625"
)

// App is the application block every message head starts with.
// Tags: ceb:"req" required; "dec" a decimal; "int" digits.
type App struct {
	Guid      string `xml:"guid" json:"guid" ceb:"req"`
	AppType   string `xml:"appType" json:"appType" ceb:"req,int"` // 1 new, 2 change, 3 delete
	AppTime   string `xml:"appTime" json:"appTime" ceb:"req,time"`
	AppStatus string `xml:"appStatus" json:"appStatus" ceb:"req,int"` // 1 saved, 2 declared
}

// BaseTransfer names the sending enterprise and its exchange account.
type BaseTransfer struct {
	CopCode string `xml:"copCode" json:"copCode"`
	CopName string `xml:"copName" json:"copName"`
	DxpMode string `xml:"dxpMode" json:"dxpMode"`
	DxpId   string `xml:"dxpId" json:"dxpId"`
	Note    string `xml:"note" json:"note"`
}

// Order is one CEB311 order.
type Order struct {
	Head  OrderHead   `xml:"OrderHead" json:"OrderHead"`
	Items []OrderItem `xml:"OrderList" json:"OrderList"`
	held  uint64      // its number in the match state (heldDoc)
}

type OrderHead struct {
	App
	OrderType          string `xml:"orderType" json:"orderType" ceb:"req"`
	OrderNo            string `xml:"orderNo" json:"orderNo" ceb:"req"`
	EbpCode            string `xml:"ebpCode" json:"ebpCode" ceb:"req"`
	EbpName            string `xml:"ebpName" json:"ebpName" ceb:"req"`
	EbcCode            string `xml:"ebcCode" json:"ebcCode" ceb:"req"`
	EbcName            string `xml:"ebcName" json:"ebcName" ceb:"req"`
	GoodsValue         string `xml:"goodsValue" json:"goodsValue" ceb:"req,dec"`
	Freight            string `xml:"freight" json:"freight" ceb:"req,dec"`
	Discount           string `xml:"discount" json:"discount" ceb:"req,dec"`
	TaxTotal           string `xml:"taxTotal" json:"taxTotal" ceb:"req,dec"`
	ActuralPaid        string `xml:"acturalPaid" json:"acturalPaid" ceb:"req,dec"`
	Currency           string `xml:"currency" json:"currency" ceb:"req"`
	BuyerRegNo         string `xml:"buyerRegNo" json:"buyerRegNo" ceb:"req"`
	BuyerName          string `xml:"buyerName" json:"buyerName" ceb:"req"`
	BuyerTelephone     string `xml:"buyerTelephone" json:"buyerTelephone" ceb:"req"`
	BuyerIdType        string `xml:"buyerIdType" json:"buyerIdType" ceb:"req"`
	BuyerIdNumber      string `xml:"buyerIdNumber" json:"buyerIdNumber" ceb:"req"`
	PayCode            string `xml:"payCode" json:"payCode"`
	PayName            string `xml:"payName" json:"payName"`
	PayTransactionId   string `xml:"payTransactionId" json:"payTransactionId"`
	BatchNumbers       string `xml:"batchNumbers" json:"batchNumbers"`
	Consignee          string `xml:"consignee" json:"consignee" ceb:"req"`
	ConsigneeTelephone string `xml:"consigneeTelephone" json:"consigneeTelephone" ceb:"req"`
	ConsigneeAddress   string `xml:"consigneeAddress" json:"consigneeAddress" ceb:"req"`
	ConsigneeDistrict  string `xml:"consigneeDistrict" json:"consigneeDistrict"`
	Note               string `xml:"note" json:"note"`
}

type OrderItem struct {
	Gnum         string `xml:"gnum" json:"gnum" ceb:"int"`
	ItemNo       string `xml:"itemNo" json:"itemNo"`
	ItemName     string `xml:"itemName" json:"itemName" ceb:"req"`
	Gmodel       string `xml:"gmodel" json:"gmodel" ceb:"req"`
	ItemDescribe string `xml:"itemDescribe" json:"itemDescribe"`
	BarCode      string `xml:"barCode" json:"barCode"`
	Unit         string `xml:"unit" json:"unit" ceb:"req"`
	Qty          string `xml:"qty" json:"qty" ceb:"req,dec"`
	Price        string `xml:"price" json:"price" ceb:"req,dec"`
	TotalPrice   string `xml:"totalPrice" json:"totalPrice" ceb:"req,dec"`
	Currency     string `xml:"currency" json:"currency" ceb:"req"`
	Country      string `xml:"country" json:"country" ceb:"req"`
	Note         string `xml:"note" json:"note"`
}

// Payment is one CEB411 payment.
type Payment struct {
	Head PaymentHead `xml:"PaymentHead" json:"PaymentHead"`
	held uint64      // its number in the match state (heldDoc)
}

type PaymentHead struct {
	App
	PayCode          string `xml:"payCode" json:"payCode" ceb:"req"`
	PayName          string `xml:"payName" json:"payName" ceb:"req"`
	PayTransactionId string `xml:"payTransactionId" json:"payTransactionId" ceb:"req"`
	OrderNo          string `xml:"orderNo" json:"orderNo" ceb:"req"`
	EbpCode          string `xml:"ebpCode" json:"ebpCode" ceb:"req"`
	EbpName          string `xml:"ebpName" json:"ebpName" ceb:"req"`
	PayerIdType      string `xml:"payerIdType" json:"payerIdType" ceb:"req"`
	PayerIdNumber    string `xml:"payerIdNumber" json:"payerIdNumber" ceb:"req"`
	PayerName        string `xml:"payerName" json:"payerName" ceb:"req"`
	Telephone        string `xml:"telephone" json:"telephone"`
	AmountPaid       string `xml:"amountPaid" json:"amountPaid" ceb:"req,dec"`
	Currency         string `xml:"currency" json:"currency" ceb:"req"`
	PayTime          string `xml:"payTime" json:"payTime" ceb:"time"`
	Note             string `xml:"note" json:"note"`
}

// Waybill is one CEB511 logistics waybill.
type Waybill struct {
	Head WaybillHead `xml:"LogisticsHead" json:"LogisticsHead"`
	held uint64      // its number in the match state (heldDoc)
}

type WaybillHead struct {
	App
	LogisticsCode      string `xml:"logisticsCode" json:"logisticsCode" ceb:"req"`
	LogisticsName      string `xml:"logisticsName" json:"logisticsName" ceb:"req"`
	LogisticsNo        string `xml:"logisticsNo" json:"logisticsNo" ceb:"req"`
	BillNo             string `xml:"billNo" json:"billNo"`
	OrderNo            string `xml:"orderNo" json:"orderNo" ceb:"req"`
	Freight            string `xml:"freight" json:"freight" ceb:"dec"`
	InsuredFee         string `xml:"insuredFee" json:"insuredFee" ceb:"dec"`
	Currency           string `xml:"currency" json:"currency" ceb:"req"`
	Weight             string `xml:"weight" json:"weight" ceb:"req,dec"`
	PackNo             string `xml:"packNo" json:"packNo" ceb:"int"`
	GoodsInfo          string `xml:"goodsInfo" json:"goodsInfo"`
	Consignee          string `xml:"consignee" json:"consignee" ceb:"req"`
	ConsigneeAddress   string `xml:"consigneeAddress" json:"consigneeAddress" ceb:"req"`
	ConsigneeTelephone string `xml:"consigneeTelephone" json:"consigneeTelephone" ceb:"req"`
	Note               string `xml:"note" json:"note"`
}

// Inventory is one CEB621 inventory list (清单).
type Inventory struct {
	Head  InventoryHead   `xml:"InventoryHead" json:"InventoryHead"`
	Items []InventoryItem `xml:"InventoryList" json:"InventoryList"`

	raw  []byte    // its stored form, made once outside the engine
	keys [3]string // docKeys, made once
}

// docKeys are the keys of the list's order, payment and waybill, made on
// first use (the engine asks for them several times a list).
func (v *Inventory) docKeys() (order, payment, waybill string) {
	if v.keys[0] == "" {
		h := &v.Head
		v.keys = [3]string{orderKey(h.EbpCode, h.OrderNo), paymentKey(h.EbpCode, h.OrderNo), waybillKey(h.LogisticsCode, h.LogisticsNo)}
	}
	return v.keys[0], v.keys[1], v.keys[2]
}

type InventoryHead struct {
	App
	OrderNo          string `xml:"orderNo" json:"orderNo" ceb:"req"`
	EbpCode          string `xml:"ebpCode" json:"ebpCode" ceb:"req"`
	EbpName          string `xml:"ebpName" json:"ebpName" ceb:"req"`
	EbcCode          string `xml:"ebcCode" json:"ebcCode" ceb:"req"`
	EbcName          string `xml:"ebcName" json:"ebcName" ceb:"req"`
	LogisticsNo      string `xml:"logisticsNo" json:"logisticsNo" ceb:"req"`
	LogisticsCode    string `xml:"logisticsCode" json:"logisticsCode" ceb:"req"`
	LogisticsName    string `xml:"logisticsName" json:"logisticsName" ceb:"req"`
	CopNo            string `xml:"copNo" json:"copNo"`
	PreNo            string `xml:"preNo" json:"preNo"`
	AssureCode       string `xml:"assureCode" json:"assureCode" ceb:"req"`
	EmsNo            string `xml:"emsNo" json:"emsNo"`
	InvtNo           string `xml:"invtNo" json:"invtNo"`
	IeFlag           string `xml:"ieFlag" json:"ieFlag" ceb:"req"`
	DeclTime         string `xml:"declTime" json:"declTime" ceb:"date"`
	CustomsCode      string `xml:"customsCode" json:"customsCode" ceb:"req"`
	PortCode         string `xml:"portCode" json:"portCode" ceb:"req"`
	IeDate           string `xml:"ieDate" json:"ieDate" ceb:"date"`
	BuyerIdType      string `xml:"buyerIdType" json:"buyerIdType" ceb:"req"`
	BuyerIdNumber    string `xml:"buyerIdNumber" json:"buyerIdNumber" ceb:"req"`
	BuyerName        string `xml:"buyerName" json:"buyerName" ceb:"req"`
	BuyerTelephone   string `xml:"buyerTelephone" json:"buyerTelephone" ceb:"req"`
	ConsigneeAddress string `xml:"consigneeAddress" json:"consigneeAddress" ceb:"req"`
	AgentCode        string `xml:"agentCode" json:"agentCode" ceb:"req"`
	AgentName        string `xml:"agentName" json:"agentName" ceb:"req"`
	AreaCode         string `xml:"areaCode" json:"areaCode"`
	AreaName         string `xml:"areaName" json:"areaName"`
	TradeMode        string `xml:"tradeMode" json:"tradeMode" ceb:"req"`
	TrafMode         string `xml:"trafMode" json:"trafMode" ceb:"req"`
	TrafNo           string `xml:"trafNo" json:"trafNo"`
	VoyageNo         string `xml:"voyageNo" json:"voyageNo"`
	BillNo           string `xml:"billNo" json:"billNo"`
	LoctNo           string `xml:"loctNo" json:"loctNo"`
	LicenseNo        string `xml:"licenseNo" json:"licenseNo"`
	Country          string `xml:"country" json:"country" ceb:"req"`
	Freight          string `xml:"freight" json:"freight" ceb:"req,dec"`
	InsuredFee       string `xml:"insuredFee" json:"insuredFee" ceb:"req,dec"`
	Currency         string `xml:"currency" json:"currency" ceb:"req"`
	WrapType         string `xml:"wrapType" json:"wrapType"`
	PackNo           string `xml:"packNo" json:"packNo" ceb:"int"`
	GrossWeight      string `xml:"grossWeight" json:"grossWeight" ceb:"req,dec"`
	NetWeight        string `xml:"netWeight" json:"netWeight" ceb:"req,dec"`
	Note             string `xml:"note" json:"note"`
}

type InventoryItem struct {
	Gnum         string `xml:"gnum" json:"gnum" ceb:"int"`
	ItemRecordNo string `xml:"itemRecordNo" json:"itemRecordNo"`
	ItemNo       string `xml:"itemNo" json:"itemNo"`
	ItemName     string `xml:"itemName" json:"itemName"`
	Gcode        string `xml:"gcode" json:"gcode" ceb:"req"`
	Gname        string `xml:"gname" json:"gname" ceb:"req"`
	Gmodel       string `xml:"gmodel" json:"gmodel" ceb:"req"`
	BarCode      string `xml:"barCode" json:"barCode"`
	Country      string `xml:"country" json:"country" ceb:"req"`
	TradeCountry string `xml:"tradeCountry" json:"tradeCountry"`
	Currency     string `xml:"currency" json:"currency" ceb:"req"`
	Qty          string `xml:"qty" json:"qty" ceb:"req,dec"`
	Unit         string `xml:"unit" json:"unit" ceb:"req"`
	Qty1         string `xml:"qty1" json:"qty1" ceb:"req,dec"`
	Unit1        string `xml:"unit1" json:"unit1" ceb:"req"`
	Qty2         string `xml:"qty2" json:"qty2" ceb:"dec"`
	Unit2        string `xml:"unit2" json:"unit2"`
	Price        string `xml:"price" json:"price" ceb:"req,dec"`
	TotalPrice   string `xml:"totalPrice" json:"totalPrice" ceb:"req,dec"`
	Note         string `xml:"note" json:"note"`
}

// Cancel is one CEB623 inventory cancellation (撤销申请单).
type Cancel struct {
	App
	CustomsCode   string `xml:"customsCode" json:"customsCode" ceb:"req"`
	OrderNo       string `xml:"orderNo" json:"orderNo" ceb:"req"`
	EbpCode       string `xml:"ebpCode" json:"ebpCode" ceb:"req"`
	EbpName       string `xml:"ebpName" json:"ebpName"`
	EbcCode       string `xml:"ebcCode" json:"ebcCode" ceb:"req"`
	EbcName       string `xml:"ebcName" json:"ebcName"`
	LogisticsNo   string `xml:"logisticsNo" json:"logisticsNo" ceb:"req"`
	LogisticsCode string `xml:"logisticsCode" json:"logisticsCode" ceb:"req"`
	LogisticsName string `xml:"logisticsName" json:"logisticsName"`
	CopNo         string `xml:"copNo" json:"copNo"`
	PreNo         string `xml:"preNo" json:"preNo"`
	InvtNo        string `xml:"invtNo" json:"invtNo"`
	BuyerIdType   string `xml:"buyerIdType" json:"buyerIdType" ceb:"req"`
	BuyerIdNumber string `xml:"buyerIdNumber" json:"buyerIdNumber" ceb:"req"`
	BuyerName     string `xml:"buyerName" json:"buyerName" ceb:"req"`
	BuyerTel      string `xml:"buyerTelephone" json:"buyerTelephone"`
	AgentCode     string `xml:"agentCode" json:"agentCode" ceb:"req"`
	AgentName     string `xml:"agentName" json:"agentName"`
	Reason        string `xml:"reason" json:"reason" ceb:"req"`
	Note          string `xml:"note" json:"note"`
}

// Return is one CEB625 return (退货申请单).
type Return struct {
	Head  ReturnHead   `xml:"InvtRefundHead" json:"InvtRefundHead"`
	Items []ReturnItem `xml:"InvtRefundList" json:"InvtRefundList"`
}

type ReturnHead struct {
	App
	CustomsCode   string `xml:"customsCode" json:"customsCode" ceb:"req"`
	OrderNo       string `xml:"orderNo" json:"orderNo" ceb:"req"`
	EbpCode       string `xml:"ebpCode" json:"ebpCode" ceb:"req"`
	EbpName       string `xml:"ebpName" json:"ebpName"`
	EbcCode       string `xml:"ebcCode" json:"ebcCode" ceb:"req"`
	EbcName       string `xml:"ebcName" json:"ebcName"`
	LogisticsNo   string `xml:"logisticsNo" json:"logisticsNo" ceb:"req"`
	LogisticsCode string `xml:"logisticsCode" json:"logisticsCode" ceb:"req"`
	LogisticsName string `xml:"logisticsName" json:"logisticsName"`
	CopNo         string `xml:"copNo" json:"copNo"`
	PreNo         string `xml:"preNo" json:"preNo"`
	InvtNo        string `xml:"invtNo" json:"invtNo"`
	BuyerIdType   string `xml:"buyerIdType" json:"buyerIdType" ceb:"req"`
	BuyerIdNumber string `xml:"buyerIdNumber" json:"buyerIdNumber" ceb:"req"`
	BuyerName     string `xml:"buyerName" json:"buyerName" ceb:"req"`
	BuyerTel      string `xml:"buyerTelephone" json:"buyerTelephone"`
	AgentCode     string `xml:"agentCode" json:"agentCode" ceb:"req"`
	AgentName     string `xml:"agentName" json:"agentName"`
	Reason        string `xml:"reason" json:"reason" ceb:"req"`
	Note          string `xml:"note" json:"note"`
}

type ReturnItem struct {
	Gnum  string `xml:"gnum" json:"gnum" ceb:"int"`
	Gcode string `xml:"gcode" json:"gcode" ceb:"req"`
	Gname string `xml:"gname" json:"gname" ceb:"req"`
	Qty   string `xml:"qty" json:"qty" ceb:"req,dec"`
	Unit  string `xml:"unit" json:"unit" ceb:"req"`
	Note  string `xml:"note" json:"note"`
}

// The message envelopes: one root element holding one or more documents.
type (
	CEB311Message struct {
		XMLName      xml.Name      `xml:"http://www.chinaport.gov.cn/ceb CEB311Message" json:"-"`
		Guid         string        `xml:"guid,attr" json:"guid"`
		Version      string        `xml:"version,attr" json:"version"`
		Orders       []Order       `xml:"Order" json:"Order"`
		BaseTransfer *BaseTransfer `xml:"BaseTransfer" json:"BaseTransfer,omitempty"`
	}
	CEB411Message struct {
		XMLName      xml.Name      `xml:"http://www.chinaport.gov.cn/ceb CEB411Message" json:"-"`
		Guid         string        `xml:"guid,attr" json:"guid"`
		Version      string        `xml:"version,attr" json:"version"`
		Payments     []Payment     `xml:"Payment" json:"Payment"`
		BaseTransfer *BaseTransfer `xml:"BaseTransfer" json:"BaseTransfer,omitempty"`
	}
	CEB511Message struct {
		XMLName      xml.Name      `xml:"http://www.chinaport.gov.cn/ceb CEB511Message" json:"-"`
		Guid         string        `xml:"guid,attr" json:"guid"`
		Version      string        `xml:"version,attr" json:"version"`
		Waybills     []Waybill     `xml:"Logistics" json:"Logistics"`
		BaseTransfer *BaseTransfer `xml:"BaseTransfer" json:"BaseTransfer,omitempty"`
	}
	CEB621Message struct {
		XMLName      xml.Name      `xml:"http://www.chinaport.gov.cn/ceb CEB621Message" json:"-"`
		Guid         string        `xml:"guid,attr" json:"guid"`
		Version      string        `xml:"version,attr" json:"version"`
		Inventories  []Inventory   `xml:"Inventory" json:"Inventory"`
		BaseTransfer *BaseTransfer `xml:"BaseTransfer" json:"BaseTransfer,omitempty"`
	}
	CEB623Message struct {
		XMLName      xml.Name      `xml:"http://www.chinaport.gov.cn/ceb CEB623Message" json:"-"`
		Guid         string        `xml:"guid,attr" json:"guid"`
		Version      string        `xml:"version,attr" json:"version"`
		Cancels      []Cancel      `xml:"InvtCancel" json:"InvtCancel"`
		BaseTransfer *BaseTransfer `xml:"BaseTransfer" json:"BaseTransfer,omitempty"`
	}
	CEB625Message struct {
		XMLName      xml.Name      `xml:"http://www.chinaport.gov.cn/ceb CEB625Message" json:"-"`
		Guid         string        `xml:"guid,attr" json:"guid"`
		Version      string        `xml:"version,attr" json:"version"`
		Returns      []Return      `xml:"InvtRefund" json:"InvtRefund"`
		BaseTransfer *BaseTransfer `xml:"BaseTransfer" json:"BaseTransfer,omitempty"`
	}
)

// Doc is one document of a batch, whatever its message type.
type Doc struct {
	Kind      Kind
	MsgGuid   string // guid of the enclosing message
	Order     *Order
	Payment   *Payment
	Waybill   *Waybill
	Inventory *Inventory
	Cancel    *Cancel
	Return    *Return
}

// Guid of the document (its head's guid).
func (d *Doc) Guid() string {
	switch {
	case d.Order != nil:
		return d.Order.Head.Guid
	case d.Payment != nil:
		return d.Payment.Head.Guid
	case d.Waybill != nil:
		return d.Waybill.Head.Guid
	case d.Inventory != nil:
		return d.Inventory.Head.Guid
	case d.Cancel != nil:
		return d.Cancel.Guid
	case d.Return != nil:
		return d.Return.Head.Guid
	}
	return ""
}
