package risk

import (
	"reflect"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/declaration"
)

// DeclInput is the declaration header as profiles see it (`decl`).
// Amounts are doubles: profiles compare, they never compute money.
type DeclInput struct {
	Office           string    `cel:"office"`
	Port             string    `cel:"port"`
	Direction        string    `cel:"direction"` // I or E
	TradeMode        string    `cel:"trade_mode"`
	TransportMode    string    `cel:"transport_mode"`
	Terms            string    `cel:"terms"`
	Trader           string    `cel:"trader"`
	Owner            string    `cel:"owner"`
	Agent            string    `cel:"agent"`
	TradingCountry   string    `cel:"trading_country"`
	DepartureCountry string    `cel:"departure_country"`
	BillNo           string    `cel:"bill_no"`
	Containers       []string  `cel:"containers"`
	GrossKg          float64   `cel:"gross_kg"`
	NetKg            float64   `cel:"net_kg"`
	Items            int       `cel:"items"`
	LateDays         int       `cel:"late_days"`
	Date             time.Time `cel:"date"`
	// Credit grades (Grade* codes) of the trader and the declaring agent on
	// the declaration date; regular when no credit source is wired.
	TraderGrade string `cel:"trader_grade"`
	AgentGrade  string `cel:"agent_grade"`
	// History over the last year (see History): declarations decided,
	// checks done, checks that found something, and days since the
	// trader's last finding (-1: none).
	TraderDeclarations     int `cel:"trader_declarations"`
	TraderInspections      int `cel:"trader_inspections"`
	TraderFindings         int `cel:"trader_findings"`
	TraderDaysSinceFinding int `cel:"trader_days_since_finding"`
	AgentDeclarations      int `cel:"agent_declarations"`
	AgentInspections       int `cel:"agent_inspections"`
	AgentFindings          int `cel:"agent_findings"`
}

// ItemInput is one goods item (`item`).
type ItemInput struct {
	No        int     `cel:"no"`
	Code      string  `cel:"code"` // 10-digit commodity code
	HS6       string  `cel:"hs6"`
	HS4       string  `cel:"hs4"`
	Chapter   string  `cel:"chapter"`
	Name      string  `cel:"name"`
	Origin    string  `cel:"origin"`
	Qty       float64 `cel:"qty"`
	Unit      string  `cel:"unit"`
	UnitPrice float64 `cel:"unit_price"` // in the trade currency
	Total     float64 `cel:"total"`      // in the trade currency
	Currency  string  `cel:"currency"`
	// In CNY when the declaration has been valued, else 0.
	ValueCNY     float64 `cel:"value_cny"`
	UnitValueCNY float64 `cel:"unit_value_cny"` // per first legal unit
	LegalQty     float64 `cel:"legal_qty"`
	LegalUnit    string  `cel:"legal_unit"`
	Agreement    string  `cel:"agreement"`
}

// Inputs builds what profiles see from a declaration; rates converts a
// currency to CNY on the declaration date (nil: values stay 0).
func Inputs(d *declaration.Declaration, rates func(cur string, on time.Time) (decimal.Decimal, bool)) (DeclInput, []ItemInput) {
	h := d.Head
	in := DeclInput{
		Office: h.CustomMaster, Port: h.IEPort, Direction: h.IEFlag, TradeMode: h.TradeMode,
		TransportMode: h.TrafMode, Terms: h.TransMode, Trader: h.TradeCoScc, Owner: h.OwnerCodeScc,
		Agent: h.AgentCodeScc, TradingCountry: h.TradeAreaCode, DepartureCountry: h.TradeCountry,
		BillNo: h.BillNo, GrossKg: h.GrossWet.InexactFloat64(), NetKg: h.NetWt.InexactFloat64(),
		Items: len(d.Items), LateDays: d.LateDays, Date: d.DeclDate(),
		TraderGrade: GradeRegular, AgentGrade: GradeRegular, TraderDaysSinceFinding: -1,
	}
	for _, c := range d.Containers {
		in.Containers = append(in.Containers, c.ContainerID)
	}
	items := make([]ItemInput, len(d.Items))
	for i, it := range d.Items {
		x := ItemInput{
			No: it.GNo, Code: it.CodeTS, Name: it.GName, Origin: it.OriginCountry,
			Qty: it.GQty.InexactFloat64(), Unit: it.GUnit, UnitPrice: it.DeclPrice.InexactFloat64(),
			Total: it.DeclTotal.InexactFloat64(), Currency: it.TradeCurr, LegalQty: it.FirstQty.InexactFloat64(),
			LegalUnit: it.FirstUnit, Agreement: it.Agreement,
		}
		if len(it.CodeTS) >= 6 {
			x.HS6, x.HS4, x.Chapter = it.CodeTS[:6], it.CodeTS[:4], it.CodeTS[:2]
		}
		if rates != nil {
			if r, ok := rates(it.TradeCurr, in.Date); ok {
				x.ValueCNY = it.DeclTotal.Mul(r).InexactFloat64()
				if x.LegalQty > 0 {
					x.UnitValueCNY = x.ValueCNY / x.LegalQty
				}
			}
		}
		items[i] = x
	}
	return in, items
}

// InputFields names what profiles can read, for the editor's help.
type InputFields struct {
	Decl, Item []string
}

// Fields lists decl.* and item.* in declaration order.
func Fields() InputFields {
	var f InputFields
	for _, x := range []struct {
		t   reflect.Type
		dst *[]string
	}{{reflect.TypeOf(DeclInput{}), &f.Decl}, {reflect.TypeOf(ItemInput{}), &f.Item}} {
		for i := 0; i < x.t.NumField(); i++ {
			*x.dst = append(*x.dst, x.t.Field(i).Tag.Get("cel"))
		}
	}
	return f
}
