package risk

import (
	"math"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/risk/model"
)

// ModelFormat is the import mapping whose fields ModelRecords fills: the
// project's export format. A model trained on another format cannot score
// live declarations.
const ModelFormat = "jinguan"

// ModelRecords turns a declaration's items into the model's records, as
// the project's export format (risk/model/mappings/jinguan.json) has them:
// what is known when the lane is chosen, and nothing the lane decides
// (no duty rate, no tax). Values are in CNY at the declaration date's rate
// (in the trade currency when there is none); the header's net weight is
// shared among the items by value. Labels come from ItemFindings.
func ModelRecords(d *declaration.Declaration, rates func(string, time.Time) (decimal.Decimal, bool)) []model.Record {
	h := d.Head
	on := d.DeclDate()
	recs := make([]model.Record, len(d.Items))
	var total float64
	for i, it := range d.Items {
		v := it.DeclTotal.InexactFloat64()
		if rates != nil {
			if r, ok := rates(it.TradeCurr, on); ok {
				v = it.DeclTotal.Mul(r).InexactFloat64()
			}
		}
		hs := it.CodeTS
		if len(hs) > 6 {
			hs = hs[:6]
		}
		for len(hs) < 6 {
			hs += "0"
		}
		recs[i] = model.Record{
			ID: d.EntryID + "/" + strconv.Itoa(it.GNo), Date: on,
			Office: h.CustomMaster, Declarant: h.AgentCodeScc, Importer: h.TradeCoScc,
			HS6: hs, Origin: it.OriginCountry, Departure: h.TradeCountry, TaxType: it.DutyMode,
			// In the order of the mapping's extra names (sorted).
			Extra:    []string{h.IEPort, h.OwnerCodeScc, it.TradeCurr, h.TradeMode, h.TrafMode, h.TransMode},
			Quantity: it.GQty.InexactFloat64(), Value: v, Mass: math.NaN(), TaxRate: math.NaN(), Revenue: math.NaN(),
		}
		total += v
	}
	if net := h.NetWt.InexactFloat64(); net > 0 {
		for i := range recs {
			share := 1 / float64(len(recs))
			if total > 0 {
				share = recs[i].Value / total
			}
			recs[i].Mass = net * share
		}
	}
	return recs
}

// ItemFindings labels the items of a checked declaration: true where the
// check found something on the item. ok is false when no result has been
// recorded, and the declaration is not a label.
func ItemFindings(d *declaration.Declaration) (found []bool, ok bool) {
	if d.Inspection == nil {
		return nil, false
	}
	found = make([]bool, len(d.Items))
	for _, f := range d.Inspection.Findings {
		if f.GNo >= 1 && f.GNo <= len(found) {
			found[f.GNo-1] = true
		}
	}
	return found, true
}
