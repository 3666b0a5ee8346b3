package demo

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/refdata"
	"github.com/jinguan-customs/jinguan/risk"
	"github.com/jinguan-customs/jinguan/tariff"
)

// Planted violations: the demo traffic carries misdeclarations whose
// ground truth never appears in the declaration, so that targeting has
// something real to find and its hit rates mean something.
//
//   - Every tariff line has a hidden market price (CNY per first legal
//     unit). Honest traders declare 75–135 % of it, or down to 46 % for a
//     discount; an undervalued item is declared at 20–44 %. The published
//     reference prices the analysts work with are the market prices
//     blurred by ±10 %, so a rule at half the reference price also stops
//     some honest discounts.
//   - Imports of garments, footwear and electronics from four origins are
//     often transshipped: the declared origin is false.
//   - The two watch-listed traders undervalue one import item in eight.
//   - First-time importers (traders the demo registry does not know)
//     misclassify a good share of their goods.
//
// Truth says what a check of a declaration finds; the demo's inspectors
// record it (with the background of demo.Findings), never the generator's
// memory, so it holds across restarts.

// WatchedTraders are the demo's traders under intelligence watch.
func WatchedTraders() []string {
	var out []string
	for _, i := range carelessParties {
		out = append(out, creditCode(parties[i].region, i))
	}
	return out
}

// MarketPrice is a line's hidden market price in CNY per first legal unit.
func MarketPrice(code, unit string) float64 {
	h := fnv.New64a()
	h.Write([]byte(code))
	u := float64(h.Sum64()>>11) / (1 << 53)
	lo, hi := 20.0, 3000.0
	switch unit {
	case "035": // kilograms
		lo, hi = 4, 300
	case "070": // tonnes
		lo, hi = 2500, 18000
	case "095": // litres
		lo, hi = 8, 400
	}
	return math.Round(lo*math.Pow(hi/lo, u)*100) / 100 // spread evenly on a log scale
}

// RefPrices are the reference prices the demo's analysts publish: the
// market prices blurred by ±10 %, valid from the given day.
func RefPrices(lines []tariff.Line, from time.Time) []risk.RefPrice {
	var out []risk.RefPrice
	for _, l := range lines {
		h := fnv.New32a()
		h.Write([]byte("ref" + l.Code))
		blur := 0.9 + 0.2*float64(h.Sum32())/math.MaxUint32
		out = append(out, risk.RefPrice{Code: l.Code, Origin: "*", Source: "演示市场价 demo market survey", ValidFrom: from,
			Price: decimal.NewFromFloat(MarketPrice(l.Code, l.FirstUnit) * blur).Round(2)})
	}
	return out
}

var transshipChapters = []string{"61", "62", "64", "85"}

// undervalueChance is how often a trader plants an undervalued item.
func undervalueChance(trader string, imp bool) float64 {
	switch {
	case !imp:
		return 0
	case slices.Contains(WatchedTraders(), trader):
		return 0.12
	case newcomer(trader):
		return 0.15
	}
	return 0.006
}

// newcomer reports whether the trader is not one of the demo's parties.
func newcomer(scc string) bool {
	for i, p := range parties {
		if creditCode(p.region, i) == scc {
			return false
		}
	}
	return true
}

// keyed is a uniform number from the secret and the parts: the hidden
// half of the truth, reproducible by whoever holds the secret.
func keyed(secret []byte, parts ...string) float64 {
	m := hmac.New(sha256.New, secret)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return float64(binary.BigEndian.Uint64(m.Sum(nil)[:8])>>11) / (1 << 53)
}

// Truth is what a thorough check of the declaration finds, with the duty
// it would assess: undervalued items (declared under 45.5 % of the market
// price), false origins and misclassified goods.
func Truth(secret []byte, cat *refdata.Catalog, d *declaration.Declaration) []declaration.Finding {
	h := d.Head
	imp := h.IEFlag == "I"
	var out []declaration.Finding
	for _, it := range d.Items {
		cny := itemCNY(cat, it, d.DeclDate())
		qty := it.FirstQty.InexactFloat64()
		market := MarketPrice(it.CodeTS, it.FirstUnit) * qty
		item := func(kind string, duty float64, seized bool) {
			out = append(out, declaration.Finding{GNo: it.GNo, Kind: kind, Seized: seized,
				AdditionalDuty: decimal.NewFromFloat(math.Max(duty, 0)).Round(2), Note: "演示：查验核实 demo: verified on inspection"})
		}
		switch {
		case imp && qty > 0 && cny > 0 && cny < 0.455*market:
			item("value", (market-cny)*0.22, false) // duty and VAT on the difference
		case imp && len(it.CodeTS) >= 2 && slices.Contains(transshipChapters, it.CodeTS[:2]) &&
			slices.Contains(riskyOrigins, it.OriginCountry) && keyed(secret, "origin", h.BillNo, it.CodeTS) < 0.2:
			seized := keyed(secret, "seize", h.BillNo, it.CodeTS) < 0.1
			item("origin", cny*0.15, seized) // anti-dumping duty the false origin avoided
		case imp && newcomer(h.TradeCoScc) && keyed(secret, "hs", h.BillNo, it.CodeTS) < 0.3:
			item("hs", cny*0.06, false)
		}
	}
	return out
}

// Check is what the demo's inspector records: the planted truth, plus the
// background non-compliance demo.Findings draws, which carries a duty of
// 8 % of the item's value.
func Check(secret []byte, cat *refdata.Catalog, d *declaration.Declaration, rng *rand.Rand) []declaration.Finding {
	out := Truth(secret, cat, d)
	for _, f := range Findings(d, rng) {
		if slices.ContainsFunc(out, func(x declaration.Finding) bool { return x.GNo == f.GNo }) {
			continue
		}
		for _, it := range d.Items {
			if it.GNo == f.GNo {
				f.AdditionalDuty = decimal.NewFromFloat(itemCNY(cat, it, d.DeclDate()) * 0.08).Round(2)
			}
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b declaration.Finding) int { return a.GNo - b.GNo })
	return out
}

func itemCNY(cat *refdata.Catalog, it declaration.Item, on time.Time) float64 {
	if it.TradeCurr == "CNY" {
		return it.DeclTotal.InexactFloat64()
	}
	r, ok := cat.ExchangeRate(it.TradeCurr, on)
	if !ok {
		return 0
	}
	return it.DeclTotal.Mul(r).InexactFloat64()
}
