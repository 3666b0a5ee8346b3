package risk

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
)

// SyntheticProfiles makes n active profiles shaped like a targeting
// centre's: mostly commodity/origin rules, some trader watches,
// undervaluation against reference prices, office rules, and a few
// conditions no index can narrow. codes are commodity codes, traders
// credit codes, offices customs codes; the same seed gives the same set.
func SyntheticProfiles(n int, seed uint64, codes, origins, traders, offices []string) []Profile {
	r := rand.New(rand.NewPCG(seed, 3))
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, jinguan.China)
	out := make([]Profile, n)
	for i := range out {
		code := pick(codes)
		var expr, title string
		switch k := r.IntN(100); {
		case k < 35:
			expr = fmt.Sprintf(`item.code.startsWith(%q) && item.origin == %q && item.unit_value_cny < %d.0`,
				code[:4+2*r.IntN(3)], pick(origins), 20+r.IntN(2000))
			title = "commodity and origin"
		case k < 55:
			expr = fmt.Sprintf(`item.hs6 == %q && item.origin in [%q, %q]`, code[:6], pick(origins), pick(origins))
			title = "high-risk commodity from listed origins"
		case k < 70:
			expr = fmt.Sprintf(`decl.trader == %q && item.value_cny > %d.0`, pick(traders), 1000*r.IntN(100))
			title = "watched trader"
		case k < 85:
			expr = fmt.Sprintf(`item.code == %q && ref_price(item.code, item.origin) > 0.0 && item.unit_value_cny < 0.6 * ref_price(item.code, item.origin)`, code)
			title = "undervaluation against the reference price"
		case k < 99:
			expr = fmt.Sprintf(`decl.office == %q && item.chapter == %q && decl.late_days > %d`, pick(offices), code[:2], r.IntN(10))
			title = "office and chapter"
		case r.IntN(5) > 0:
			expr = fmt.Sprintf(`on_list("watch-bills", decl.bill_no) && decl.gross_kg > %d.0`, r.IntN(10000))
			title = "watched bill of lading"
		default: // no fixed condition at all: runs for every declaration
			expr = fmt.Sprintf(`decl.gross_kg > %d.0 || decl.late_days > %d`, 100000+r.IntN(900000), 30+r.IntN(60))
			title = "heavy or very late consignment"
		}
		lane := declaration.LaneRed
		if r.IntN(3) == 0 {
			lane = declaration.LaneYellow
		}
		out[i] = Profile{
			ID: fmt.Sprintf("SYN-%05d", i+1), Version: 1, Title: title, Rationale: "synthetic benchmark profile",
			Scope: Scope{Level: "national"}, ValidFrom: from, Expr: expr, Owner: "bench",
			Action: Action{Lane: lane, Percent: 100}, Priority: r.IntN(10), Status: Active,
		}
	}
	return out
}

// Workload is a benchmark set: profiles and 5-item declarations drawn
// from the same universe of commodity codes, origins, traders and offices.
type Workload struct {
	Profiles []Profile
	Decls    []DeclInput
	Items    [][]ItemInput
}

// NewWorkload spreads profiles over every HS6 subheading given (as
// national lines hs6+"0000"), 30 origins, 2,000 traders and 40 offices.
func NewWorkload(profiles, decls int, hs6 []string, seed uint64) Workload {
	r := rand.New(rand.NewPCG(seed, 5))
	codes := make([]string, len(hs6))
	for i, h := range hs6 {
		codes[i] = h + "0000"
	}
	origins := []string{"USA", "JPN", "KOR", "DEU", "AUS", "VNM", "THA", "MYS", "FRA", "ITA", "GBR", "BRA", "CHL",
		"NZL", "IDN", "CAN", "IND", "RUS", "MEX", "SGP", "NLD", "ESP", "CHE", "TUR", "SAU", "ZAF", "ARG", "PHL", "PAK", "BGD"}
	traders := make([]string, 2000)
	for i := range traders {
		traders[i] = fmt.Sprintf("91310000MA%07dX", i)
	}
	offices := make([]string, 40)
	for i := range offices {
		offices[i] = fmt.Sprintf("%02d00", i+1)
	}
	w := Workload{Profiles: SyntheticProfiles(profiles, seed, codes, origins, traders, offices)}
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	for i := 0; i < decls; i++ {
		d := DeclInput{Office: pick(offices), Direction: "I", TradeMode: "0110", Trader: pick(traders),
			Date: time.Date(2026, 11, 20, 0, 0, 0, 0, jinguan.China), LateDays: r.IntN(20), GrossKg: float64(r.IntN(50000))}
		d.Owner, d.Agent = d.Trader, pick(traders)
		d.BillNo = fmt.Sprintf("COSU%06d", r.IntN(100000))
		items := make([]ItemInput, 5)
		for j := range items {
			code := pick(codes)
			items[j] = ItemInput{No: j + 1, Code: code, HS6: code[:6], HS4: code[:4], Chapter: code[:2],
				Origin: pick(origins), Qty: float64(1 + r.IntN(500)), LegalQty: float64(1 + r.IntN(500)),
				UnitValueCNY: float64(r.IntN(5000)), ValueCNY: float64(r.IntN(1_000_000))}
		}
		w.Decls, w.Items = append(w.Decls, d), append(w.Items, items)
	}
	return w
}
