package demo

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/enterprise"
	"github.com/jinguan-customs/jinguan/refdata"
	"github.com/jinguan-customs/jinguan/tariff"
	"github.com/jinguan-customs/jinguan/uscc"
)

// Generator makes valid declarations with realistic variety: offices and
// transport by channel, partner countries, 1–10 items (5 on average) from
// the tariff schedule with legal units, consistent totals and weights.
type Generator struct {
	rng      *rand.Rand
	claims   *rand.Rand // agreement claims, apart so that the main stream stays as it was
	sched    *tariff.Schedule
	agreed   map[string][]tariff.Line // by origin: lines with an agreement rate it may claim
	cat      *refdata.Catalog
	lines    []tariff.Line
	brokers  []User
	traders  []enterprise.Enterprise
	volume   []int             // each trader's share of the traffic, relative
	volumes  int               // their sum
	users    map[string]User   // by enterprise
	names    map[string]string // enterprise name by credit code
	offices  []refdata.Entry
	seq      int
	keySpace string
}

// NewGenerator prepares a generator; the same seed gives the same stream.
func NewGenerator(seed uint64, cat *refdata.Catalog, sched *tariff.Schedule, ents []enterprise.Enterprise, users []User) *Generator {
	g := &Generator{rng: rand.New(rand.NewPCG(seed, 0x6a696e6775616e)), claims: rand.New(rand.NewPCG(seed, 0x667461)),
		sched: sched, cat: cat,
		users: map[string]User{}, names: map[string]string{}, keySpace: strconv.FormatUint(seed, 36)}
	now := time.Now()
	g.lines = sched.Lines(now)
	g.agreed = map[string][]tariff.Line{}
	for _, c := range importFrom {
		for _, l := range g.lines {
			if len(sched.Agreements(l.Code, c, now)) > 0 {
				g.agreed[c] = append(g.agreed[c], l)
			}
		}
	}
	for _, u := range users {
		if u.Role == "declarant" {
			g.users[u.Enterprise] = u
		}
	}
	rare := rareTraders()
	for _, e := range ents {
		g.names[e.SCC] = e.NameZH
		if isBroker(e) {
			g.brokers = append(g.brokers, g.users[e.SCC])
		} else {
			v := 8
			if rare[e.SCC] {
				v = 1
			}
			g.traders, g.volume, g.volumes = append(g.traders, e), append(g.volume, v), g.volumes+v
		}
	}
	for _, e := range cat.Entries(refdata.CustomsDistrict, now) {
		if e.Code != "0000" && e.Attr("channel") != "" {
			g.offices = append(g.offices, e)
		}
	}
	return g
}

var (
	importFrom = []string{"USA", "JPN", "KOR", "DEU", "AUS", "VNM", "THA", "MYS", "FRA", "ITA", "GBR", "BRA", "CHL", "NZL", "IDN", "CAN"}
	exportTo   = []string{"USA", "JPN", "KOR", "DEU", "NLD", "GBR", "VNM", "SGP", "IND", "RUS", "MEX", "ARE", "AUS", "BRA"}
	currencies = []string{"USD", "USD", "USD", "USD", "EUR", "JPY", "HKD"}
)

// trader draws the declaring trader by traffic volume.
func (g *Generator) trader(r *rand.Rand) enterprise.Enterprise {
	k := r.IntN(g.volumes)
	for i, v := range g.volume {
		if k < v {
			return g.traders[i]
		}
		k -= v
	}
	return g.traders[len(g.traders)-1]
}

// Next returns a declaration body, a fresh idempotency key and the user who
// may submit it (a broker or the trader itself).
func (g *Generator) Next(at time.Time) ([]byte, string, User) {
	f, u := g.Form(at)
	b, _ := json.Marshal(f)
	g.seq++
	return b, fmt.Sprintf("demo-%s-%d", g.keySpace, g.seq), u
}

// Form builds one declaration form.
func (g *Generator) Form(at time.Time) (declaration.Form, User) {
	r := g.rng
	trader := g.trader(r)
	agent := g.users[trader.SCC]
	if r.IntN(3) > 0 && len(g.brokers) > 0 {
		agent = g.brokers[r.IntN(len(g.brokers))]
	}
	office := g.offices[r.IntN(len(g.offices))]
	imp := r.IntN(10) < 7
	if imp && r.IntN(40) == 0 && len(g.brokers) > 0 { // a first-time importer, declared by a broker
		trader = newImporter(r)
		agent = g.brokers[r.IntN(len(g.brokers))]
	}
	under := undervalueChance(trader.SCC, imp)
	h := declaration.Head{
		CustomMaster: office.Code, IEPort: office.Code, IEFlag: "E",
		TradeCoScc: trader.SCC, TradeName: trader.NameZH,
		OwnerCodeScc: trader.SCC, OwnerName: trader.NameZH,
		AgentCodeScc: agent.Enterprise, AgentName: g.nameOf(agent.Enterprise),
		TradeMode: "0110", CutMode: "101", WrapType: "22",
	}
	country := exportTo[r.IntN(len(exportTo))]
	day := at.In(jinguan.China)
	if imp {
		h.IEFlag = "I"
		country = importFrom[r.IntN(len(importFrom))]
		h.IEDate = day.AddDate(0, 0, -r.IntN(18)).Format("2006-01-02") // a few are late
	} else if r.IntN(2) == 0 {
		h.IEDate = day.AddDate(0, 0, 2+r.IntN(5)).Format("2006-01-02")
	}
	h.TradeAreaCode, h.TradeCountry = country, country
	switch office.Attr("channel") {
	case "air":
		h.TrafMode, h.TrafName, h.VoyageNo = "5", "CA"+strconv.Itoa(100+r.IntN(900)), day.Format("20060102")
		h.BillNo = fmt.Sprintf("999-%08d", r.IntN(1e8))
	case "land":
		h.TrafMode, h.TrafName = "4", fmt.Sprintf("粤Z%04d港", r.IntN(1e4))
		h.BillNo = fmt.Sprintf("RD%010d", r.IntN(1e9))
	default:
		h.TrafMode, h.TrafName, h.VoyageNo = "2", "COSCO "+[]string{"SHIPPING ARIES", "PISCES", "TAURUS"}[r.IntN(3)], fmt.Sprintf("%03dE", r.IntN(999))
		h.BillNo = fmt.Sprintf("COSU%010d", r.IntN(1e9))
	}
	cur := currencies[r.IntN(len(currencies))]
	h.TransMode = g.terms(imp, &h, cur)

	n := 1 + r.IntN(5) + r.IntN(5) // 1–9, mean 5
	var f declaration.Form
	var gross, net decimal.Decimal
	for i := 0; i < n; i++ {
		it, kg := g.item(i+1, cur, country, imp, r.Float64() < under, at)
		f.Items = append(f.Items, it)
		net = net.Add(kg)
	}
	gross = net.Mul(decimal.RequireFromString("1.08")).Round(2)
	h.NetWt, h.GrossWet = net.Round(2), gross
	h.PackNo = 1 + int(net.IntPart()/25)
	if h.TrafMode == "2" {
		f.Containers = []declaration.Container{{ContainerID: containerID(r), ContainerMd: "45G1", LclFlag: "0"}}
	}
	f.Documents = []declaration.Document{{EdocCode: "00000001", EdocID: fmt.Sprintf("INV%08d", r.IntN(1e8))}}
	f.Head = h
	return f, agent
}

// terms picks transaction terms and declares the charges they need.
func (g *Generator) terms(imp bool, h *declaration.Head, cur string) string {
	r := g.rng
	pick := r.IntN(10)
	switch {
	case imp && pick < 5:
		return "1" // CIF
	case imp && pick < 8:
		h.Fee = &declaration.Charge{Mark: "3", Rate: decimal.NewFromInt(int64(300 + r.IntN(3000))), Currency: cur}
		h.Insur = &declaration.Charge{Mark: "1", Rate: decimal.RequireFromString("0.3")}
		return "3" // FOB
	case imp:
		h.Insur = &declaration.Charge{Mark: "1", Rate: decimal.RequireFromString("0.3")}
		return "2" // C&F
	case pick < 7:
		return "3" // FOB export: nothing to deduct
	default:
		h.Fee = &declaration.Charge{Mark: "3", Rate: decimal.NewFromInt(int64(200 + r.IntN(2000))), Currency: cur}
		h.Insur = &declaration.Charge{Mark: "1", Rate: decimal.RequireFromString("0.2")}
		return "1" // CIF export: freight and insurance are deducted
	}
}

// item builds one line; it returns the line and its net weight in kg.
// The price follows the line's hidden market price (see violations.go):
// mostly 75–135 % of it, sometimes an honest discount down to 46 %, and
// 20–44 % for an undervalued item.
func (g *Generator) item(no int, cur, country string, imp, undervalued bool, at time.Time) (declaration.Item, decimal.Decimal) {
	r := g.rng
	l := g.lines[r.IntN(len(g.lines))]
	// Goods an agreement favours come more often from its parties.
	if ls := g.agreed[country]; imp && len(ls) > 0 && g.claims.IntN(12) == 0 {
		l = ls[g.claims.IntN(len(ls))]
	}
	// Goods are traded in their first legal unit.
	qty := decimal.NewFromInt(int64(1 + r.IntN(300)))
	unitKg := decimal.NewFromFloat(0.2 + r.Float64()*30).Round(3)
	switch l.FirstUnit {
	case "035": // kilograms
		qty, unitKg = decimal.NewFromInt(int64(50+r.IntN(5000))), decimal.NewFromInt(1)
	case "070": // tonnes
		qty, unitKg = decimal.NewFromInt(int64(1+r.IntN(50))), decimal.NewFromInt(1000)
	case "095": // litres, about a kilogram each
		qty, unitKg = decimal.NewFromInt(int64(12+r.IntN(2000))), decimal.NewFromInt(1)
	}
	factor := 0.75 + 0.6*r.Float64()
	switch {
	case undervalued:
		factor = 0.2 + 0.24*r.Float64()
	case r.IntN(12) == 0: // honest discounts and clearance stock
		factor = 0.46 + 0.29*r.Float64()
	}
	cny := MarketPrice(l.Code, l.FirstUnit) * factor
	rate := 1.0
	if x, ok := g.cat.ExchangeRate(cur, at); ok && x.IsPositive() {
		rate = x.InexactFloat64()
	}
	price := decimal.NewFromFloat(cny / rate).Round(2)
	if cur == "JPY" {
		price = price.Round(0)
	}
	if !price.IsPositive() {
		price = decimal.New(1, -2)
	}
	kg := qty.Mul(unitKg).Round(3)
	origin, dest := country, "CHN"
	if !imp {
		origin, dest = "CHN", country
	}
	it := declaration.Item{
		GNo: no, CodeTS: l.Code, GName: l.NameZH, GModel: fmt.Sprintf("0|0|%s|型号%04d", l.NameEN, r.IntN(1e4)),
		GQty: qty, GUnit: l.FirstUnit, FirstQty: qty, FirstUnit: l.FirstUnit,
		DeclPrice: price, DeclTotal: qty.Mul(price).Round(2), TradeCurr: cur,
		OriginCountry: origin, DestinationCountry: dest, DutyMode: "1", DistrictCode: "31222",
	}
	if l.SecondUnit != "" {
		q := legalQty(l.SecondUnit, qty, kg)
		it.SecondUnit, it.SecondQty = l.SecondUnit, &q
	}
	// Most traders whose goods qualify hold a certificate of origin and
	// claim the agreement rate; some do not bother.
	if schemes := g.sched.Agreements(l.Code, origin, at); imp && len(schemes) > 0 && g.claims.IntN(10) < 8 {
		it.Agreement = schemes[g.claims.IntN(len(schemes))]
	}
	return it, kg
}

// legalQty gives the second legal quantity: weight units from the net
// weight, others from the transaction quantity.
func legalQty(unit string, qty, kg decimal.Decimal) decimal.Decimal {
	switch unit {
	case "035":
		return kg
	case "036":
		return kg.Mul(decimal.NewFromInt(1000))
	case "070":
		return kg.Div(decimal.NewFromInt(1000)).Round(5)
	case "095": // litres: about a litre per kg
		return kg
	}
	return qty
}

func (g *Generator) nameOf(scc string) string {
	if n, ok := g.names[scc]; ok {
		return n
	}
	return scc
}

// containerID makes an ISO 6346 number with a valid check digit.
func containerID(r *rand.Rand) string {
	owner := []string{"COSU", "CSNU", "MSKU", "TGHU", "OOLU"}[r.IntN(5)]
	serial := r.IntN(1e6)
	for d := 0; d < 10; d++ { // exactly one check digit fits
		id := fmt.Sprintf("%s%06d%d", owner, serial, d)
		if declaration.ContainerIDValid(id) {
			return id
		}
	}
	return "CSQU3054383"
}

// newImporter is an enterprise trading for the first time: a valid credit
// code the demo registry does not know.
func newImporter(r *rand.Rand) enterprise.Enterprise {
	region := []string{"310115", "440300", "330206", "320594"}[r.IntN(4)]
	scc := uscc.Complete(fmt.Sprintf("91%sMA%06dN", region, 900000+r.IntN(99999))[:17])
	return enterprise.Enterprise{SCC: scc, NameZH: "新设进出口贸易有限公司（" + scc[10:16] + "）", NameEN: "New Trading Co. " + scc[10:16]}
}
