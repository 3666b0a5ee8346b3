package demo

import (
	"math/rand/v2"
	"slices"

	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/refdata"
)

// The demo's hidden truth about non-compliance, which its inspectors
// follow and its risk model is trained on, so that the model has something
// real to find: two traders habitually under-declare, clothing, footwear
// and electronics from four origins are often misdescribed, and very
// cheap units are often undervalued. Everything else is rarely wrong.
var (
	carelessParties = []int{6, 10} // the garments and the toys importer
	riskyChapters   = []string{"61", "62", "64", "85"}
	riskyOrigins    = []string{"VNM", "THA", "MYS", "IDN"}
)

func careless(scc string) bool {
	for _, i := range carelessParties {
		if creditCode(parties[i].region, i) == scc {
			return true
		}
	}
	return false
}

// FindingChance is how likely a check finds something on an item beyond
// the planted violations of violations.go, and what kind of finding it
// would be: a low background, higher for the careless traders and the
// risky chapters and origins. (Undervaluation is planted, by price.)
func FindingChance(h declaration.Head, it declaration.Item) (float64, string) {
	p, kind := 0.005, "other"
	if careless(h.TradeCoScc) {
		p, kind = p+0.03, "quantity"
	}
	if len(it.CodeTS) >= 2 && slices.Contains(riskyChapters, it.CodeTS[:2]) && slices.Contains(riskyOrigins, it.OriginCountry) {
		p, kind = p+0.05, "origin"
	}
	if h.IEFlag == "E" {
		p /= 2
	}
	return min(p, 0.9), kind
}

// Findings draws what a check of the declaration finds.
func Findings(d *declaration.Declaration, rng *rand.Rand) []declaration.Finding {
	var out []declaration.Finding
	for _, it := range d.Items {
		if p, kind := FindingChance(d.Head, it); rng.Float64() < p {
			out = append(out, declaration.Finding{GNo: it.GNo, Kind: kind, Note: "演示查验发现 demo finding"})
		}
	}
	return out
}

// Audit is what the demo's auditor (稽查) records after release: the
// books show what a check of the goods would have found.
func Audit(secret []byte, cat *refdata.Catalog, d *declaration.Declaration, rng *rand.Rand) []declaration.Finding {
	fs := Check(secret, cat, d, rng)
	for i := range fs {
		fs[i].Note = "演示：稽查核实 demo: verified by the post-clearance audit"
	}
	return fs
}
