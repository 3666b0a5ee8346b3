package ecommerce

import "github.com/shopspring/decimal"

// Three-document matching (三单对碰, domain.md §4): the list meets its
// order on ebpCode + orderNo, its waybill on logisticsCode + logisticsNo,
// and the order meets its payment on orderNo + payCode + payTransactionId.
// matchList returns every rule the four documents break.
func matchList(l *Inventory, o *Order, p *Payment, w *Waybill, weightTolerance decimal.Decimal) []Reason {
	var r []Reason
	h, oh, ph, wh := &l.Head, &o.Head, &p.Head, &w.Head
	add := func(code, el, zh, en string) { r = append(r, reason(code, el, zh, en)) }
	if oh.EbcCode != h.EbcCode {
		add("order_seller", "/InventoryHead/ebcCode", "清单电商企业与订单不一致", "the list's e-commerce enterprise differs from the order's")
	}
	if (oh.PayCode != "" && oh.PayCode != ph.PayCode) || (oh.PayTransactionId != "" && oh.PayTransactionId != ph.PayTransactionId) {
		add("payment_key", "/PaymentHead/payTransactionId", "支付单的支付企业或交易编号与订单不一致",
			"the payment's payCode or payTransactionId differs from the order's")
	}
	if !dec(ph.AmountPaid).Equal(dec(oh.ActuralPaid)) {
		add("payment_amount", "/PaymentHead/amountPaid", "支付金额 "+ph.AmountPaid+" 不等于订单实际支付金额 "+oh.ActuralPaid,
			"amountPaid "+ph.AmountPaid+" differs from the order's acturalPaid "+oh.ActuralPaid)
	}
	if oh.Currency != h.Currency || ph.Currency != h.Currency || wh.Currency != h.Currency {
		add("currency", "/InventoryHead/currency", "清单、订单、支付单、运单币制不一致", "list, order, payment and waybill currencies differ")
	}
	sum := decimal.Zero
	for i := range l.Items {
		sum = sum.Add(dec(l.Items[i].TotalPrice))
	}
	if !sum.Equal(dec(oh.GoodsValue)) {
		add("goods_value", "/InventoryList", "清单商品总价 "+sum.String()+" 不等于订单商品价格 "+oh.GoodsValue,
			"the list's goods total "+sum.String()+" differs from the order's goodsValue "+oh.GoodsValue)
	}
	if !dec(h.Freight).Equal(dec(oh.Freight)) {
		add("freight", "/InventoryHead/freight", "清单运费与订单运杂费不一致", "the list's freight differs from the order's")
	}
	if h.BuyerIdNumber != oh.BuyerIdNumber || h.BuyerName != oh.BuyerName {
		add("buyer", "/InventoryHead/buyerIdNumber", "清单订购人与订单不一致", "the list's buyer differs from the order's")
	}
	// An unverifiable identity is accepted only when the buyer paid himself.
	if !(h.BuyerIdType == "1" && ValidResidentID(h.BuyerIdNumber)) &&
		(ph.PayerIdNumber != h.BuyerIdNumber || ph.PayerName != h.BuyerName) {
		add("payer_not_buyer", "/PaymentHead/payerIdNumber", "订购人身份无法核实，且支付人与订购人不是同一人",
			"the buyer's identity cannot be verified and the payer is not the buyer")
	}
	if wh.OrderNo != h.OrderNo {
		add("waybill_order", "/LogisticsHead/orderNo", "运单的订单编号与清单不一致", "the waybill's orderNo differs from the list's")
	}
	gross, weight := dec(h.GrossWeight), dec(wh.Weight)
	if weight.Sub(gross).Abs().GreaterThan(gross.Mul(weightTolerance)) {
		add("weight", "/InventoryHead/grossWeight", "清单毛重 "+h.GrossWeight+" 与运单重量 "+wh.Weight+" 相差过大",
			"gross weight "+h.GrossWeight+" is too far from the waybill's weight "+wh.Weight)
	}
	return r
}

// missing names the documents a waiting list still lacks.
func missing(o *Order, p *Payment, w *Waybill) (zh, en string) {
	sep := func(s, add, sep string) string {
		if s == "" {
			return add
		}
		return s + sep + add
	}
	if o == nil {
		zh, en = sep(zh, "订单", "、"), sep(en, "order", ", ")
	}
	if p == nil {
		zh, en = sep(zh, "支付单", "、"), sep(en, "payment", ", ")
	}
	if w == nil {
		zh, en = sep(zh, "运单", "、"), sep(en, "waybill", ", ")
	}
	return
}
