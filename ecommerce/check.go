package ecommerce

import (
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
)

// Schema checks: every string element is trimmed in place, then required
// elements, decimals, integers, dates and times are checked from the
// struct tags. Problems name the element by its path under the document,
// e.g. /OrderHead/goodsValue or /InventoryList/2/qty.

type fieldMeta struct {
	off  uintptr // offset of the string field in the outer struct
	name string
	req  bool
	form string // "", dec, int, time, date
}

var metas sync.Map // reflect.Type → []fieldMeta

func metaOf(t reflect.Type) []fieldMeta {
	if m, ok := metas.Load(t); ok {
		return m.([]fieldMeta)
	}
	var out []fieldMeta
	for _, f := range reflect.VisibleFields(t) {
		if f.Anonymous || f.Type.Kind() != reflect.String {
			continue
		}
		m := fieldMeta{name: strings.Split(f.Tag.Get("xml"), ",")[0]}
		for i, x := 0, t; i < len(f.Index); i++ { // embedded fields add their offsets
			sf := x.Field(f.Index[i])
			m.off += sf.Offset
			x = sf.Type
		}
		for _, opt := range strings.Split(f.Tag.Get("ceb"), ",") {
			switch opt {
			case "req":
				m.req = true
			case "dec", "int", "time", "date":
				m.form = opt
			}
		}
		out = append(out, m)
	}
	metas.Store(t, out)
	return out
}

// The string fields of each element type, computed once.
var (
	orderHeadFields     = metaOf(reflect.TypeFor[OrderHead]())
	orderItemFields     = metaOf(reflect.TypeFor[OrderItem]())
	paymentHeadFields   = metaOf(reflect.TypeFor[PaymentHead]())
	waybillHeadFields   = metaOf(reflect.TypeFor[WaybillHead]())
	inventoryHeadFields = metaOf(reflect.TypeFor[InventoryHead]())
	inventoryItemFields = metaOf(reflect.TypeFor[InventoryItem]())
	cancelFields        = metaOf(reflect.TypeFor[Cancel]())
	returnHeadFields    = metaOf(reflect.TypeFor[ReturnHead]())
	returnItemFields    = metaOf(reflect.TypeFor[ReturnItem]())
)

type problems []jinguan.FieldError

func (p *problems) add(ptr, code, zh, en string) {
	*p = append(*p, jinguan.FieldError{Pointer: ptr, Code: code, MessageZH: zh, MessageEN: en})
}

// at is the pointer of element name under path, or under path's idx-th
// item when idx ≥ 0. Built only for a problem.
func at(path string, idx int, name string) string {
	if idx < 0 {
		return path + "/" + name
	}
	return path + "/" + strconv.Itoa(idx) + "/" + name
}

// field is the string field m of the struct at base.
func field(base unsafe.Pointer, m *fieldMeta) *string { return (*string)(unsafe.Add(base, m.off)) }

// checkStruct trims and checks the string fields ms of the struct at base,
// the element at path (its idx-th item when idx ≥ 0).
func (p *problems) checkStruct(base unsafe.Pointer, ms []fieldMeta, path string, idx int) {
	for i := range ms {
		m := &ms[i]
		f := field(base, m)
		s, ctrl := trimCheck(*f)
		if len(s) != len(*f) {
			*f = s
		}
		if s == "" {
			if m.req {
				p.add(at(path, idx, m.name), "required", "缺少必填项 "+m.name, m.name+" is required")
			}
			continue
		}
		if ctrl {
			p.add(at(path, idx, m.name), "format", m.name+" 含有控制字符", m.name+" contains control characters")
			continue
		}
		if !validForm(m.form, s) {
			p.add(at(path, idx, m.name), "format", m.name+" 格式错误: "+formZH[m.form], m.name+" is not "+formEN[m.form])
		}
	}
}

var (
	formZH = map[string]string{"dec": "应为非负数，最多 5 位小数", "int": "应为整数", "time": "应为 yyyyMMddHHmmss", "date": "应为 yyyyMMdd"}
	formEN = map[string]string{"dec": "a non-negative decimal with at most 5 places", "int": "an integer", "time": "yyyyMMddHHmmss", "date": "yyyyMMdd"}
)

func validForm(form, s string) bool {
	switch form {
	case "dec":
		whole, frac, dot := strings.Cut(s, ".")
		return len(whole) >= 1 && len(whole) <= 15 && digits(whole) && (!dot || len(frac) >= 1 && len(frac) <= 5 && digits(frac))
	case "int":
		return len(s) <= 9 && digits(s)
	case "time":
		return len(s) == 14 && digits(s)
	case "date":
		return (len(s) == 8 || len(s) == 14) && digits(s)
	}
	return true
}

// trimCheck is strings.TrimSpace(s) and whether the result has control
// characters, in one pass over a field whose first and last bytes are
// printable ASCII (nearly all of them).
func trimCheck(s string) (string, bool) {
	if n := len(s); n == 0 || s[0] <= ' ' || s[0] >= 0x7f || s[n-1] <= ' ' || s[n-1] >= 0x7f {
		t := strings.TrimSpace(s)
		return t, hasControl(t)
	}
	return s, hasControl(s)
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// dec parses a checked decimal element; empty is zero.
func dec(s string) decimal.Decimal {
	if s == "" {
		return decimal.Zero
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero
	}
	return d
}

// CheckDoc runs the schema checks and the rules that need only the
// document itself (amount equations, weights, modes). A document with
// problems is refused whole.
func CheckDoc(d *Doc) []jinguan.FieldError {
	var p problems
	switch d.Kind {
	case KindOrder:
		p.checkOrder(d.Order)
	case KindPayment:
		p.checkStruct(unsafe.Pointer(&d.Payment.Head), paymentHeadFields, "/PaymentHead", -1)
		p.checkApp(&d.Payment.Head.App, "/PaymentHead")
	case KindWaybill:
		p.checkStruct(unsafe.Pointer(&d.Waybill.Head), waybillHeadFields, "/LogisticsHead", -1)
		p.checkApp(&d.Waybill.Head.App, "/LogisticsHead")
	case KindInventory:
		p.checkInventory(d.Inventory)
	case KindCancel:
		p.checkStruct(unsafe.Pointer(d.Cancel), cancelFields, "/InvtCancel", -1)
		p.checkApp(&d.Cancel.App, "/InvtCancel")
	case KindReturn:
		p.checkStruct(unsafe.Pointer(&d.Return.Head), returnHeadFields, "/InvtRefundHead", -1)
		p.checkApp(&d.Return.Head.App, "/InvtRefundHead")
		for i := range d.Return.Items {
			p.checkStruct(unsafe.Pointer(&d.Return.Items[i]), returnItemFields, "/InvtRefundList", i)
		}
	}
	return p
}

func (p *problems) checkApp(a *App, path string) {
	if a.AppType != "" && a.AppType != "1" && a.AppType != "2" && a.AppType != "3" {
		p.add(path+"/appType", "code", "appType 应为 1 新增、2 变更或 3 删除", "appType must be 1 new, 2 change or 3 delete")
	}
	if a.AppStatus != "" && a.AppStatus != "1" && a.AppStatus != "2" {
		p.add(path+"/appStatus", "code", "appStatus 应为 1 暂存或 2 申报", "appStatus must be 1 saved or 2 declared")
	}
}

func (p *problems) checkOrder(o *Order) {
	h := &o.Head
	p.checkStruct(unsafe.Pointer(h), orderHeadFields, "/OrderHead", -1)
	p.checkApp(&h.App, "/OrderHead")
	if len(o.Items) == 0 {
		p.add("/OrderList", "required", "订单至少有一项商品", "an order needs at least one item")
	}
	before := len(*p)
	for i := range o.Items {
		it := &o.Items[i]
		p.checkStruct(unsafe.Pointer(it), orderItemFields, "/OrderList", i)
		if it.Currency != "" && it.Currency != h.Currency {
			p.add(at("/OrderList", i, "currency"), "currency_mismatch", "商品币制与订单币制不一致", "item currency differs from the order's")
		}
		p.lineTotal(it.Qty, it.Price, it.TotalPrice, "/OrderList", i)
	}
	if len(*p) > before || orderAmountsAgree(o) {
		return
	}
	// domain.md §4: acturalPaid = goodsValue + freight + taxTotal − discount.
	sum := decimal.Zero
	for i := range o.Items {
		sum = sum.Add(dec(o.Items[i].TotalPrice))
	}
	want := dec(h.GoodsValue).Add(dec(h.Freight)).Add(dec(h.TaxTotal)).Sub(dec(h.Discount))
	if !dec(h.ActuralPaid).Equal(want) {
		p.add("/OrderHead/acturalPaid", "amount_mismatch",
			"实际支付金额应等于商品价格+运杂费+代扣税款-非现金抵扣金额 = "+want.StringFixed(2),
			"acturalPaid must equal goodsValue + freight + taxTotal − discount = "+want.StringFixed(2))
	}
	if !sum.Equal(dec(h.GoodsValue)) {
		p.add("/OrderHead/goodsValue", "amount_mismatch", "商品价格应等于表体总价之和 "+sum.StringFixed(2),
			"goodsValue must equal the sum of the items' totalPrice "+sum.StringFixed(2))
	}
}

// orderAmountsAgree is the integer path of the order's two equations:
// true only when both hold exactly.
func orderAmountsAgree(o *Order) bool {
	h := &o.Head
	sum, ok := sumFixed(len(o.Items), func(i int) string { return o.Items[i].TotalPrice })
	if !ok {
		return false
	}
	var v [5]int64
	for i, s := range [5]string{h.GoodsValue, h.Freight, h.TaxTotal, h.Discount, h.ActuralPaid} {
		if v[i], ok = fixed5(s); !ok {
			return false
		}
	}
	want := v[0] + v[1] + v[2] - v[3] // each below 10¹⁸: no overflow
	return sum == v[0] && want == v[4]
}

// lineTotal: totalPrice = qty × price, to the fen.
func (p *problems) lineTotal(qty, price, total, path string, idx int) {
	if qty == "" || price == "" || total == "" || !validForm("dec", qty) || !validForm("dec", price) || !validForm("dec", total) {
		return
	}
	if q, ok := fixed5(qty); ok {
		if pr, ok := fixed5(price); ok {
			if t, ok := fixed5(total); ok {
				if want, ok := lineFen(q, pr); ok && want == fenOf(t) {
					return
				}
			}
		}
	}
	want := dec(qty).Mul(dec(price)).Round(2)
	if !want.Equal(dec(total).Round(2)) {
		p.add(at(path, idx, "totalPrice"), "amount_mismatch", "总价应等于数量×单价 "+want.StringFixed(2), "totalPrice must equal qty × price "+want.StringFixed(2))
	}
}

// Trade modes of retail imports; bonded ones need a ledger (账册).
var (
	importModes = map[string]bool{"9610": true, "1210": true, "1239": true}
	bondedModes = map[string]bool{"1210": true, "1239": true}
)

func (p *problems) checkInventory(v *Inventory) {
	h := &v.Head
	p.checkStruct(unsafe.Pointer(h), inventoryHeadFields, "/InventoryHead", -1)
	p.checkApp(&h.App, "/InventoryHead")
	if len(v.Items) == 0 {
		p.add("/InventoryList", "required", "清单至少有一项商品", "a list needs at least one item")
	}
	for i := range v.Items {
		it := &v.Items[i]
		p.checkStruct(unsafe.Pointer(it), inventoryItemFields, "/InventoryList", i)
		if it.Currency != "" && it.Currency != h.Currency {
			p.add(at("/InventoryList", i, "currency"), "currency_mismatch", "商品币制与清单币制不一致", "item currency differs from the list's")
		}
		p.lineTotal(it.Qty, it.Price, it.TotalPrice, "/InventoryList", i)
	}
	if h.IeFlag != "" && h.IeFlag != "I" {
		p.add("/InventoryHead/ieFlag", "code", "进口清单 ieFlag 应为 I", "an import list has ieFlag I")
	}
	if h.TradeMode != "" && !importModes[h.TradeMode] {
		p.add("/InventoryHead/tradeMode", "code", "贸易方式应为 9610、1210 或 1239", "tradeMode must be 9610, 1210 or 1239")
	}
	if bondedModes[h.TradeMode] && h.EmsNo == "" {
		p.add("/InventoryHead/emsNo", "required", "保税进口（1210/1239）须填写账册编号", "bonded imports (1210/1239) need the ledger number emsNo")
	}
	if validForm("dec", h.NetWeight) && validForm("dec", h.GrossWeight) && netOverGross(h.NetWeight, h.GrossWeight) {
		p.add("/InventoryHead/netWeight", "weight", "净重不能大于毛重", "net weight exceeds gross weight")
	}
}

func netOverGross(net, gross string) bool {
	if n, ok := fixed5(net); ok {
		if g, ok := fixed5(gross); ok {
			return n > g
		}
	}
	return dec(net).GreaterThan(dec(gross))
}
