package ecommerce

import (
	"strconv"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/tariff"
)

// TaxBill is the electronic tax bill of a list (CEB816 fields) with the
// channel and rule that decided it.
type TaxBill struct {
	InvtNo         string          `json:"invtNo"`
	TaxNo          string          `json:"taxNo"`
	OrderNo        string          `json:"orderNo"`
	LogisticsNo    string          `json:"logisticsNo"`
	AssureCode     string          `json:"assureCode"`
	EbcCode        string          `json:"ebcCode"`
	LogisticsCode  string          `json:"logisticsCode"`
	AgentCode      string          `json:"agentCode"`
	CustomsCode    string          `json:"customsCode"`
	CustomsTax     decimal.Decimal `json:"customsTax"`
	ValueAddedTax  decimal.Decimal `json:"valueAddedTax"`
	ConsumptionTax decimal.Decimal `json:"consumptionTax"`
	Total          decimal.Decimal `json:"total"`
	Value          decimal.Decimal `json:"value"`  // taxable value in CNY, counted toward the annual quota
	Status         string          `json:"status"` // 1 unpaid (secured by the guarantee), 2 paid, 3 cancelled
	Channel        string          `json:"channel"`
	Rule           string          `json:"rule"`
	RuleZH         string          `json:"rule_zh"`
	RuleEN         string          `json:"rule_en"`
	Items          []TaxItem       `json:"items"`

	fen *billFen // the same amounts in fen, when the integer path made the bill
}

func (b *TaxBill) valueFen() int64 {
	if b.fen != nil {
		return b.fen.sums[4]
	}
	return toFen(b.Value)
}

func (b *TaxBill) totalFen() int64 {
	if b.fen != nil {
		return b.fen.sums[3]
	}
	return toFen(b.Total)
}

// billFen is a bill's amounts in fen, in the stored order.
type billFen struct {
	sums  [5]int64   // duty, VAT, consumption tax, total, value
	items [][4]int64 // taxPrice, duty, VAT, consumption tax
}

// TaxItem is one line of the bill.
type TaxItem struct {
	Gnum           int             `json:"gnum"`
	Gcode          string          `json:"gcode"`
	TaxPrice       decimal.Decimal `json:"taxPrice"` // the line's value with its share of freight and insurance
	CustomsTax     decimal.Decimal `json:"customsTax"`
	ValueAddedTax  decimal.Decimal `json:"valueAddedTax"`
	ConsumptionTax decimal.Decimal `json:"consumptionTax"`
}

// Tax bill statuses.
const (
	BillUnpaid    = "1"
	BillPaid      = "2"
	BillCancelled = "3"
)

// Taxer taxes lists with the tariff module's retail function. Rates are
// cached per line, origin and day.
type Taxer struct {
	Schedule *tariff.Schedule
	Config   tariff.RetailConfig
	Legacy   *Legacy
	Rates    func(currency string, on time.Time) (decimal.Decimal, bool) // CNY per unit

	cache   sync.Map // rateKey → *cachedRate
	fenOnce sync.Once
	fenCfg  retailFen // Config in integers
}

type rateKey struct {
	code, origin string
	day          int32
}

// Assess computes the bill of a checked list. A single line of quantity 1
// is taken as one indivisible article (单件不可分割). Values in another
// currency are converted at the customs rate of the day.
func (t *Taxer) Assess(inv *Inventory, on time.Time) (TaxBill, []Reason) {
	h := &inv.Head
	bill := TaxBill{InvtNo: h.InvtNo, OrderNo: h.OrderNo, LogisticsNo: h.LogisticsNo, AssureCode: h.AssureCode,
		EbcCode: h.EbcCode, LogisticsCode: h.LogisticsCode, AgentCode: h.AgentCode, CustomsCode: h.CustomsCode, Status: BillUnpaid}
	if t.assessFen(inv, on, &bill) {
		return bill, nil
	}
	return t.assessDecimal(inv, on, bill)
}

// assessDecimal is Assess in decimals, for every list.
func (t *Taxer) assessDecimal(inv *Inventory, on time.Time, bill TaxBill) (TaxBill, []Reason) {
	h := &inv.Head
	cny := h.Currency == "142"
	var rate decimal.Decimal
	if !cny {
		iso, ok := t.Legacy.Currency[h.Currency]
		r, ok2 := t.Rates(iso, on)
		if !ok || !ok2 {
			return bill, []Reason{reason("currency", "/InventoryHead/currency", "币制 "+h.Currency+" 无当日海关汇率", "no customs exchange rate for currency "+h.Currency)}
		}
		rate = r
	}
	extra := dec(h.Freight)
	if h.InsuredFee != "0" {
		extra = extra.Add(dec(h.InsuredFee))
	}
	totals := make([]decimal.Decimal, len(inv.Items))
	sum := decimal.Zero
	for i := range inv.Items {
		totals[i] = dec(inv.Items[i].TotalPrice)
		sum = sum.Add(totals[i])
	}
	items := make([]tariff.RetailItem, len(inv.Items))
	var reasons []Reason
	left := extra
	for i := range inv.Items {
		it := &inv.Items[i]
		share := left
		if i < len(inv.Items)-1 && sum.IsPositive() {
			share = extra.Mul(totals[i]).Div(sum).Round(2)
			left = left.Sub(share)
		}
		value := totals[i].Add(share)
		if !cny { // in CNY the rate is 1: the product is the value itself
			value = value.Mul(rate)
		}
		value = value.Round(2)
		origin, ok := t.Legacy.Country[it.Country]
		if !ok {
			reasons = append(reasons, reason("country", "/InventoryList/"+strconv.Itoa(i)+"/country", "原产国代码 "+it.Country+" 未知", "unknown country code "+it.Country))
			continue
		}
		c, ok := t.rate(it.Gcode, origin, on)
		if !ok {
			reasons = append(reasons, reason("tariff_line", "/InventoryList/"+strconv.Itoa(i)+"/gcode", "商品编码 "+it.Gcode+" 不在税则中", "tariff code "+it.Gcode+" is not in the schedule"))
			continue
		}
		items[i] = c.item
		items[i].Value, items[i].Qty = value, dec(it.Qty1)
	}
	if len(reasons) > 0 {
		return bill, reasons
	}
	order := tariff.RetailOrder{Items: items, Indivisible: len(items) == 1 && isOne(inv.Items[0].Qty)}
	tax := tariff.RetailImportTax(t.Config, order)
	bill.Channel, bill.Rule, bill.RuleZH, bill.RuleEN = tax.Channel, tax.Rule.Code, tax.Rule.ZH, tax.Rule.EN
	bill.Value = tax.Value
	if tax.Channel == tariff.RetailGeneralTrade {
		return bill, []Reason{{Code: tax.Rule.Code, Element: "/InventoryHead", ZH: tax.Rule.ZH, EN: tax.Rule.EN}}
	}
	bill.CustomsTax, bill.ValueAddedTax, bill.ConsumptionTax, bill.Total = tax.Duty, tax.VAT, tax.CT, tax.Total
	// Each line pays what it would alone: in the order's channel its part
	// of the sums is exactly that.
	bill.Items = make([]TaxItem, len(items))
	for i, it := range items {
		l := tax.Lines[i]
		gnum, _ := strconv.Atoi(inv.Items[i].Gnum)
		bill.Items[i] = TaxItem{Gnum: gnum, Gcode: inv.Items[i].Gcode, TaxPrice: it.Value,
			CustomsTax: l.Duty, ValueAddedTax: l.VAT, ConsumptionTax: l.CT}
	}
	return bill, nil
}

// isOne: a checked decimal element equal to 1.
func isOne(s string) bool {
	if v, ok := fixed5(s); ok {
		return v == fixedScale
	}
	return dec(s).Equal(decimal.NewFromInt(1))
}

// Reason says why a list was refused or held, naming the element at fault.
type Reason struct {
	Code    string `json:"code"`
	Element string `json:"element,omitempty"`
	ZH      string `json:"zh"`
	EN      string `json:"en"`
}

func reason(code, element, zh, en string) Reason { return Reason{code, element, zh, en} }
