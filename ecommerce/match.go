package ecommerce

import (
	"math/bits"

	"github.com/shopspring/decimal"
)

// Three-document matching (三单对碰, domain.md §4): the list meets its
// order on ebpCode + orderNo, its waybill on logisticsCode + logisticsNo,
// and the order meets its payment on orderNo + payCode + payTransactionId.
// matchList returns every rule the four documents break.
func matchList(l *Inventory, o *Order, p *Payment, w *Waybill, weightTolerance tolerance) []Reason {
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
	if !equalDec(ph.AmountPaid, oh.ActuralPaid) {
		add("payment_amount", "/PaymentHead/amountPaid", "支付金额 "+ph.AmountPaid+" 不等于订单实际支付金额 "+oh.ActuralPaid,
			"amountPaid "+ph.AmountPaid+" differs from the order's acturalPaid "+oh.ActuralPaid)
	}
	if oh.Currency != h.Currency || ph.Currency != h.Currency || wh.Currency != h.Currency {
		add("currency", "/InventoryHead/currency", "清单、订单、支付单、运单币制不一致", "list, order, payment and waybill currencies differ")
	}
	if !listGoodsAgree(l, oh.GoodsValue) {
		sum := decimal.Zero
		for i := range l.Items {
			sum = sum.Add(dec(l.Items[i].TotalPrice))
		}
		add("goods_value", "/InventoryList", "清单商品总价 "+sum.String()+" 不等于订单商品价格 "+oh.GoodsValue,
			"the list's goods total "+sum.String()+" differs from the order's goodsValue "+oh.GoodsValue)
	}
	if !equalDec(h.Freight, oh.Freight) {
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
	if weightOff(wh.Weight, h.GrossWeight, weightTolerance) {
		add("weight", "/InventoryHead/grossWeight", "清单毛重 "+h.GrossWeight+" 与运单重量 "+wh.Weight+" 相差过大",
			"gross weight "+h.GrossWeight+" is too far from the waybill's weight "+wh.Weight)
	}
	return r
}

// equalDec compares two decimal elements exactly.
func equalDec(a, b string) bool {
	if x, ok := fixed5(a); ok {
		if y, ok := fixed5(b); ok {
			return x == y
		}
	}
	return dec(a).Equal(dec(b))
}

// listGoodsAgree: the list's goods total equals the order's goodsValue.
func listGoodsAgree(l *Inventory, goods string) bool {
	if sum, ok := sumFixed(len(l.Items), func(i int) string { return l.Items[i].TotalPrice }); ok {
		if g, ok := fixed5(goods); ok {
			return sum == g
		}
	}
	sum := decimal.Zero
	for i := range l.Items {
		sum = sum.Add(dec(l.Items[i].TotalPrice))
	}
	return sum.Equal(dec(goods))
}

// tolerance is the weight tolerance, with its integer form when it has one.
type tolerance struct {
	d     decimal.Decimal
	fixed int64 // d scaled by 10⁵
	ok    bool
}

func newTolerance(d decimal.Decimal) tolerance {
	t := tolerance{d: d}
	if s := d.Shift(5); d.Sign() >= 0 && s.IsInteger() && s.LessThan(decimal.New(1, 17)) {
		t.fixed, t.ok = s.IntPart(), true
	}
	return t
}

// weightOff: the waybill's weight differs from the gross weight by more
// than tol × gross.
func weightOff(weight, gross string, tol tolerance) bool {
	w, ok1 := fixed5(weight)
	g, ok2 := fixed5(gross)
	if ok1 && ok2 && tol.ok {
		diff := w - g
		if diff < 0 {
			diff = -diff
		}
		// |w − g| > g × tol, both sides scaled by 10¹⁰ as 128-bit integers.
		dh, dl := bits.Mul64(uint64(diff), fixedScale)
		gh, gl := bits.Mul64(uint64(g), uint64(tol.fixed))
		return dh > gh || dh == gh && dl > gl
	}
	gd, wd := dec(gross), dec(weight)
	return wd.Sub(gd).Abs().GreaterThan(gd.Mul(tol.d))
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
