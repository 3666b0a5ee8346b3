package ecommerce

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/enterprise"
	"github.com/jinguan-customs/jinguan/uscc"
)

// Synthetic e-commerce traffic for the demo, the benchmark and tests:
// registered parties, and sets of order, payment, waybill and list that
// match — or, at configured shares, break one rule.

// Demo party codes (10-character customs codes).
const (
	DemoPlatform  = "3301960EBP"
	DemoSeller    = "3301960EBC"
	DemoLogistics = "3301980LOG"
	DemoPayment   = "3101960PAY"
	DemoAgent     = "3301960AGT"
	DemoGuarantor = "3301960EBC" // the seller guarantees its own lists
	DemoCustoms   = "2991"
)

// DemoParties returns the enterprises and their e-commerce registrations.
func DemoParties() ([]enterprise.Enterprise, []Registration) {
	type p struct {
		code, zh, en string
		roles        []string
	}
	ps := []p{
		{DemoPlatform, "杭州云购跨境电商平台有限公司", "Hangzhou Yungou Cross-border Platform Co., Ltd.", []string{RolePlatform}},
		{DemoSeller, "杭州海淘优选贸易有限公司", "Hangzhou Haitao Select Trading Co., Ltd.", []string{RoleSeller, RoleGuarantor}},
		{DemoLogistics, "杭州速达国际物流有限公司", "Hangzhou Suda International Logistics Co., Ltd.", []string{RoleLogistics}},
		{DemoPayment, "上海联付支付有限公司", "Shanghai Lianfu Payment Co., Ltd.", []string{RolePayment}},
		{DemoAgent, "杭州综保区报关有限公司", "Hangzhou Bonded Zone Customs Brokerage Co., Ltd.", []string{RoleAgent}},
	}
	var ents []enterprise.Enterprise
	var regs []Registration
	for i, x := range ps {
		scc := uscc.Complete(fmt.Sprintf("91330100MA%06dX", 200000+i*7919)[:17])
		ents = append(ents, enterprise.Enterprise{SCC: scc, NameZH: x.zh, NameEN: x.en, Roles: []string{"ecommerce"},
			Customs: DemoCustoms, Guarantee: slices.Contains(x.roles, RoleGuarantor), RegisteredAt: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)})
		regs = append(regs, Registration{Code: x.code, SCC: scc, NameZH: x.zh, Roles: x.roles})
	}
	return ents, regs
}

// DemoGuaranteeAccounts returns the guarantee accounts of the demo parties
// that guarantee lists: a consolidated bank letter for the seller.
func DemoGuaranteeAccounts() []enterprise.GuaranteeAccount {
	ents, regs := DemoParties()
	var out []enterprise.GuaranteeAccount
	for i, r := range regs {
		if slices.Contains(r.Roles, RoleGuarantor) {
			out = append(out, enterprise.GuaranteeAccount{ID: "GA" + DemoCustoms + r.Code[len(r.Code)-3:], SCC: ents[i].SCC,
				Kind: enterprise.GuaranteeBankLetter, Consolidated: true, Amount: decimal.NewFromInt(50_000_000), ValidFrom: "2025-01-01"})
		}
	}
	return out
}

type product struct {
	gcode, name, unit1 string
	price, kgPerUnit   float64
	origin             string
}

var products = []product{
	{"3304100000", "口红", "035", 180, 0.05, "116"},
	{"3304990000", "面霜", "035", 320, 0.2, "304"},
	{"1901101000", "婴幼儿配方奶粉", "035", 260, 0.9, "609"},
	{"0402210000", "全脂奶粉", "035", 120, 1, "601"},
	{"3305100000", "洗发水", "035", 90, 0.5, "116"},
	{"2106909000", "营养补充剂", "035", 210, 0.3, "502"},
	{"0901210000", "咖啡豆", "035", 110, 0.5, "312"},
	{"9102110000", "电子手表", "035", 1500, 0.2, "331"},
	{"4202210000", "皮革手提包", "035", 1800, 0.8, "305"},
	{"6403910000", "皮靴", "035", 900, 1.2, "307"},
}

// Anomaly kinds the generator injects.
const (
	AnomalyNone          = ""
	AnomalyPaymentAmount = "payment_amount"  // the payment differs from the order
	AnomalyPayer         = "payer_not_buyer" // unverifiable buyer paid by someone else
	AnomalyNotPositive   = "positive_list"   // goods off the positive list
	AnomalyWeight        = "weight"          // waybill weight far from the list's
	AnomalyNoWaybill     = "documents_missing"
)

// Generator makes sets. Share* are the shares of each anomaly; Whales is
// the share of buyers who buy a lot (and run into the annual limit).
type Generator struct {
	R                 *rand.Rand
	Buyers            int
	Whales            float64
	ShareMismatch     float64 // split evenly over the anomalies above
	Seq               int
	Prefix            string
	Day               time.Time
	addresses, phones []string
}

// NewGenerator returns a generator for about lists lists.
func NewGenerator(seed uint64, lists int, day time.Time) *Generator {
	g := &Generator{R: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), Buyers: max(10, lists/3), Whales: 0.002,
		ShareMismatch: 0.05, Prefix: fmt.Sprintf("%04X", seed%65536), Day: day}
	return g
}

// Set is one list with its three documents.
type Set struct {
	Order, Payment, Waybill, List Doc
	Anomaly                       string
	Whale                         bool
}

// buyerID is buyer n's resident ID: a region, a birth date within 30
// years and a sequence number, distinct for every n below 7000 × 10957 ×
// 1000 (the earlier scheme repeated every 21,000 buyers, so a run of a
// million lists put some fifty buyers on each ID, over their annual limit).
func (g *Generator) buyerID(n int) string {
	rest := n / 7000
	birth := time.Date(1966, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rest%10957)
	body := fmt.Sprintf("%06d%s%03d", 110101+n%7000, birth.Format("20060102"), rest/10957%1000)
	return body + string(ResidentIDCheck(body))
}

func (g *Generator) guid() string {
	g.Seq++
	return fmt.Sprintf("%08X-%s-4000-8000-%012X", g.R.Uint32(), g.Prefix, g.Seq)
}

// Next returns the next set.
func (g *Generator) Next() Set {
	g.Seq++
	n := g.Seq
	set := Set{}
	buyer := g.R.IntN(g.Buyers)
	whales := max(1, int(float64(g.Buyers)*g.Whales))
	if g.R.Float64() < 0.1 {
		buyer, set.Whale = g.R.IntN(whales), true
	}
	if g.R.Float64() < g.ShareMismatch {
		set.Anomaly = []string{AnomalyPaymentAmount, AnomalyPayer, AnomalyNotPositive, AnomalyWeight, AnomalyNoWaybill}[g.R.IntN(5)]
	}
	id := g.buyerID(buyer)
	name := fmt.Sprintf("买家%06d", buyer)
	phone := fmt.Sprintf("139%08d", buyer)
	addr := fmt.Sprintf("浙江省杭州市西湖区文三路%d号%d室", buyer/100+1, buyer%100+101) // one household per buyer
	if g.R.Float64() < 0.002 {                                            // a shared address and phone, as with lent identities
		addr, phone = "浙江省杭州市余杭区某仓库", "13900000000"
	}
	orderNo := fmt.Sprintf("ORD%s%09d", g.Prefix, n)
	logNo := fmt.Sprintf("YT%s%010d", g.Prefix, n)
	at := g.Day.Format("20060102150405")
	// 1–3 lines; whales buy dear things.
	lines := 1 + g.R.IntN(2)
	var oItems []OrderItem
	var iItems []InventoryItem
	goods, weight := decimal.Zero, 0.0
	for i := 0; i < lines; i++ {
		p := products[g.R.IntN(len(products))]
		qty := 1 + g.R.IntN(3)
		price := decimal.NewFromFloat(p.price * (0.8 + 0.4*g.R.Float64())).Round(2)
		if p.price > 500 {
			qty = 1
		}
		if set.Whale {
			qty, price = 1, decimal.NewFromInt(int64(1500+g.R.IntN(1000)))
		}
		gcode := p.gcode
		if set.Anomaly == AnomalyNotPositive && i == 0 {
			gcode = "8471300000" // laptops are not on the positive list
		}
		total := price.Mul(decimal.NewFromInt(int64(qty)))
		goods = goods.Add(total)
		kg := p.kgPerUnit * float64(qty)
		weight += kg
		gnum := fmt.Sprint(i + 1)
		oItems = append(oItems, OrderItem{Gnum: gnum, ItemNo: "SKU" + gcode[:6], ItemName: p.name, Gmodel: p.name + "|零售包装",
			Unit: "011", Qty: fmt.Sprint(qty), Price: price.StringFixed(2), TotalPrice: total.StringFixed(2), Currency: "142", Country: p.origin})
		iItems = append(iItems, InventoryItem{Gnum: gnum, ItemNo: "SKU" + gcode[:6], ItemName: p.name, Gcode: gcode, Gname: p.name,
			Gmodel: p.name + "|零售包装", Country: p.origin, Currency: "142", Qty: fmt.Sprint(qty), Unit: "011",
			Qty1: decimal.NewFromFloat(kg).Round(3).String(), Unit1: p.unit1, Price: price.StringFixed(2), TotalPrice: total.StringFixed(2)})
	}
	freight := decimal.NewFromInt(int64(10 + g.R.IntN(20)))
	tax := goods.Add(freight).Mul(decimal.RequireFromString("0.091")).Round(2) // the platform's estimate
	paid := goods.Add(freight).Add(tax)
	gross := decimal.NewFromFloat(weight*1.1 + 0.05).Round(3)
	o := &Order{Head: OrderHead{App: App{Guid: g.guid(), AppType: "1", AppTime: at, AppStatus: "2"}, OrderType: "I", OrderNo: orderNo,
		EbpCode: DemoPlatform, EbpName: "杭州云购跨境电商平台有限公司", EbcCode: DemoSeller, EbcName: "杭州海淘优选贸易有限公司",
		GoodsValue: goods.StringFixed(2), Freight: freight.StringFixed(2), Discount: "0", TaxTotal: tax.StringFixed(2),
		ActuralPaid: paid.StringFixed(2), Currency: "142", BuyerRegNo: fmt.Sprintf("U%08d", buyer), BuyerName: name,
		BuyerTelephone: phone, BuyerIdType: "1", BuyerIdNumber: id, PayCode: DemoPayment, PayName: "上海联付支付有限公司",
		PayTransactionId: "PAY" + orderNo, Consignee: name, ConsigneeTelephone: phone, ConsigneeAddress: addr}, Items: oItems}
	payerID, payerName := id, name
	if set.Anomaly == AnomalyPayer {
		o.Head.BuyerIdNumber = id[:17] + string("0123456789X"[(int(ResidentIDCheck(id[:17]))+1)%11]) // a wrong check digit
		payerID, payerName = g.buyerID(buyer+1), fmt.Sprintf("买家%06d", buyer+1)
	}
	amount := paid
	if set.Anomaly == AnomalyPaymentAmount {
		amount = paid.Sub(decimal.NewFromInt(10))
	}
	p := &Payment{Head: PaymentHead{App: App{Guid: g.guid(), AppType: "1", AppTime: at, AppStatus: "2"}, PayCode: DemoPayment,
		PayName: "上海联付支付有限公司", PayTransactionId: "PAY" + orderNo, OrderNo: orderNo, EbpCode: DemoPlatform,
		EbpName: "杭州云购跨境电商平台有限公司", PayerIdType: "1", PayerIdNumber: payerID, PayerName: payerName,
		Telephone: phone, AmountPaid: amount.StringFixed(2), Currency: "142", PayTime: at}}
	wWeight := gross
	if set.Anomaly == AnomalyWeight {
		wWeight = gross.Mul(decimal.NewFromInt(3))
	}
	w := &Waybill{Head: WaybillHead{App: App{Guid: g.guid(), AppType: "1", AppTime: at, AppStatus: "2"}, LogisticsCode: DemoLogistics,
		LogisticsName: "杭州速达国际物流有限公司", LogisticsNo: logNo, OrderNo: orderNo, Freight: freight.StringFixed(2), InsuredFee: "0",
		Currency: "142", Weight: wWeight.String(), PackNo: "1", Consignee: name, ConsigneeAddress: addr, ConsigneeTelephone: phone}}
	l := &Inventory{Head: InventoryHead{App: App{Guid: g.guid(), AppType: "1", AppTime: at, AppStatus: "2"}, OrderNo: orderNo,
		EbpCode: DemoPlatform, EbpName: "杭州云购跨境电商平台有限公司", EbcCode: DemoSeller, EbcName: "杭州海淘优选贸易有限公司",
		LogisticsNo: logNo, LogisticsCode: DemoLogistics, LogisticsName: "杭州速达国际物流有限公司", CopNo: "COP" + orderNo,
		AssureCode: DemoGuarantor, EmsNo: "T2991W000001", IeFlag: "I", DeclTime: g.Day.Format("20060102"), CustomsCode: DemoCustoms,
		PortCode: DemoCustoms, IeDate: g.Day.Format("20060102"), BuyerIdType: "1", BuyerIdNumber: o.Head.BuyerIdNumber, BuyerName: name,
		BuyerTelephone: phone, ConsigneeAddress: addr, AgentCode: DemoAgent, AgentName: "杭州综保区报关有限公司", TradeMode: "1210",
		TrafMode: "4", Country: iItems[0].Country, Freight: freight.StringFixed(2), InsuredFee: "0", Currency: "142", PackNo: "1",
		GrossWeight: gross.String(), NetWeight: decimal.NewFromFloat(weight).Round(3).String()}, Items: iItems}
	set.Order = Doc{Kind: KindOrder, MsgGuid: g.guid(), Order: o}
	set.Payment = Doc{Kind: KindPayment, MsgGuid: g.guid(), Payment: p}
	set.Waybill = Doc{Kind: KindWaybill, MsgGuid: g.guid(), Waybill: w}
	set.List = Doc{Kind: KindInventory, MsgGuid: g.guid(), Inventory: l}
	return set
}

// DemoDay is a fixed Beijing day for reproducible sets.
var DemoDay = time.Date(2026, 11, 11, 10, 0, 0, 0, jinguan.China)
