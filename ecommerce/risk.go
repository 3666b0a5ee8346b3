package ecommerce

import (
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/cost"
	"cel.dev/cel-go/ext"
	"cel.dev/cel-go/interpreter"
)

// Risk over lists: analysts' profiles in CEL over a list's facts,
// including facts about other lists (buyers sharing an address or a
// phone, a buyer's lists today), plus a random stream. The most severe
// lane wins; every hit is recorded with the facts it saw.

//go:embed data/profiles.json
var defaultProfiles []byte

//go:embed data/reference-prices.csv
var defaultRefPrices string

// ListFacts is what a profile sees as `list`.
type ListFacts struct {
	Value           float64  `cel:"value"` // taxable value, CNY
	Tax             float64  `cel:"tax"`
	Items           int      `cel:"items"`
	TradeMode       string   `cel:"trade_mode"`
	EbpCode         string   `cel:"ebp_code"`
	Country         string   `cel:"country"`
	BuyersAtAddress int      `cel:"buyers_at_address"` // distinct buyers seen at the delivery address today
	BuyersAtPhone   int      `cel:"buyers_at_phone"`
	BuyerListsToday int      `cel:"buyer_lists_today"` // lists of the buyer today, this one included
	MinPriceRatio   float64  `cel:"min_price_ratio"`   // lowest price / reference price over the lines; 1 without reference
	Gcodes          []string `cel:"gcodes"`
}

// Profile is one list profile.
type Profile struct {
	ID        string `json:"id"`
	TitleZH   string `json:"title_zh"`
	TitleEN   string `json:"title_en"`
	Rationale string `json:"rationale"`
	Expr      string `json:"expr"`
	Lane      string `json:"lane"`    // yellow (manual review) or red (inspection)
	Percent   int    `json:"percent"` // share of hits selected, by keyed draw
	prg       cel.Program
}

// Hit is a profile that matched a list.
type Hit struct {
	Profile  string `json:"profile"`
	Lane     string `json:"lane"`
	Selected bool   `json:"selected"` // within the profile's percentage
	Facts    string `json:"facts"`
}

// Lanes.
const (
	LaneGreen  = "green"
	LaneYellow = "yellow"
	LaneRed    = "red"
)

// Risk evaluates list profiles and the random stream.
type Risk struct {
	Profiles  []*Profile
	RefPrices map[string]float64
	Random    struct{ Red, Yellow float64 } // shares of lists drawn at random
	key       []byte
}

var celEnv = func() *cel.Env {
	env, err := cel.NewEnv(ext.NativeTypes(reflect.TypeOf(ListFacts{}), ext.ParseStructTags(true)),
		cel.Variable("list", cel.ObjectType("ecommerce.ListFacts")))
	if err != nil {
		panic(err) // a fixed declaration: fails in every test run, never on input
	}
	return env
}()

// NewRisk compiles the profiles (JSON array; nil means the defaults) with
// the secret that keys the random draws. The random stream's shares start
// at zero: the configuration sets them (Config.RandomRed/RandomYellow).
func NewRisk(profiles []byte, key []byte) (*Risk, error) {
	if profiles == nil {
		profiles = defaultProfiles
	}
	r := &Risk{key: key, RefPrices: map[string]float64{}}
	if err := json.Unmarshal(profiles, &r.Profiles); err != nil {
		return nil, fmt.Errorf("list profiles: %w", err)
	}
	for _, p := range r.Profiles {
		if p.Lane != LaneYellow && p.Lane != LaneRed {
			return nil, fmt.Errorf("list profile %s: lane must be yellow or red", p.ID)
		}
		ast, iss := celEnv.Compile(p.Expr)
		if iss.Err() != nil {
			return nil, fmt.Errorf("list profile %s: %w", p.ID, iss.Err())
		}
		if ast.OutputType() != cel.BoolType {
			return nil, fmt.Errorf("list profile %s: expression must be boolean", p.ID)
		}
		// A cost bounded before running needs no tracker on every
		// evaluation; only an expression without such a bound runs with the
		// runtime limit.
		opts := []cel.ProgramOption{cel.EvalOptions(cel.OptOptimize)}
		if est, err := celEnv.EstimateCost(ast, factSizes{}); err != nil || est.Max > maxListCost {
			opts = append(opts, cel.CostLimit(maxListCost))
		}
		if p.prg, _ = celEnv.Program(ast, opts...); p.prg == nil {
			return nil, fmt.Errorf("list profile %s: cannot build program", p.ID)
		}
	}
	rows, err := readRows(strings.NewReader(defaultRefPrices), "reference-prices.csv", "gcode,price")
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		v, err := strconv.ParseFloat(row[1], 64)
		if err != nil {
			return nil, fmt.Errorf("reference-prices.csv: %q", row[1])
		}
		r.RefPrices[row[0]] = v
	}
	return r, nil
}

// maxListCost bounds a list profile's evaluation cost.
const maxListCost = 10000

// factSizes bounds the facts for cost estimation: strings are codes, a
// list has at most a few hundred lines.
type factSizes struct{}

func (factSizes) EstimateSize(n cost.AstNode) *cost.SizeEstimate {
	if p := n.Path(); len(p) == 2 && p[0] == "list" {
		if p[1] == "gcodes" {
			return &cost.SizeEstimate{Min: 0, Max: 500}
		}
		return &cost.SizeEstimate{Min: 0, Max: 255}
	}
	return nil
}

func (factSizes) EstimateCallCost(string, string, *cost.AstNode, []cost.AstNode) *cost.CallEstimate {
	return nil
}

// draw is a keyed uniform number in [0,1) for a list and a purpose:
// reproducible for an audit, unpredictable without the key.
func (r *Risk) draw(listKey, what string) float64 {
	h := sha256.New()
	h.Write(r.key)
	h.Write([]byte(what))
	h.Write([]byte(listKey))
	var sum [32]byte
	return float64(binary.BigEndian.Uint64(h.Sum(sum[:0]))>>11) / (1 << 53)
}

// Assess returns the lane, the hits and why.
func (r *Risk) Assess(listKey string, f *ListFacts) (lane string, hits []Hit, why string) {
	lane = LaneGreen
	act := listActivation{f}
	for _, p := range r.Profiles {
		out, _, err := p.prg.Eval(act)
		if err != nil || out.Value() != true {
			continue
		}
		h := Hit{Profile: p.ID, Lane: p.Lane, Selected: r.draw(listKey, p.ID) < float64(p.Percent)/100,
			Facts: fmt.Sprintf("value=%.2f buyers_at_address=%d buyers_at_phone=%d buyer_lists_today=%d min_price_ratio=%.2f",
				f.Value, f.BuyersAtAddress, f.BuyersAtPhone, f.BuyerListsToday, f.MinPriceRatio)}
		hits = append(hits, h)
		if h.Selected && severity(p.Lane) > severity(lane) {
			lane, why = p.Lane, "profile "+p.ID
		}
	}
	if lane == LaneGreen {
		switch d := r.draw(listKey, "random"); {
		case d < r.Random.Red:
			lane, why = LaneRed, "random selection (draw "+f4(d)+" < red "+f4(r.Random.Red)+")"
		case d < r.Random.Red+r.Random.Yellow:
			lane, why = LaneYellow, "random selection (draw "+f4(d)+" < yellow "+f4(r.Random.Red+r.Random.Yellow)+")"
		default:
			why = "no profile selected it (" + strconv.Itoa(len(hits)) + " hit); random draw " + f4(d) + " ≥ " + f4(r.Random.Red+r.Random.Yellow)
		}
	}
	return lane, hits, why
}

// f4 is %.4f.
func f4(x float64) string { return strconv.FormatFloat(x, 'f', 4, 64) }

// listActivation gives the profiles their one variable without a map.
type listActivation struct{ f *ListFacts }

func (a listActivation) ResolveName(name string) (any, bool) {
	if name == "list" {
		return a.f, true
	}
	return nil, false
}

func (listActivation) Parent() interpreter.Activation { return nil }

func severity(lane string) int {
	switch lane {
	case LaneRed:
		return 2
	case LaneYellow:
		return 1
	}
	return 0
}

// window keeps today's facts about other lists: distinct buyers per
// address and per phone (capped), lists per buyer. It starts afresh each
// Beijing day; after a restart it starts empty (a known gap). Values are
// kept as 64-bit hashes, not strings, so that a day of a national peak
// (tens of millions of lists) fits in memory and holds no documents: an
// address with one buyer costs one map entry of two words; only addresses
// and phones shared by several buyers keep a list of them.
type window struct {
	day        int32
	byAddress  buyersBy
	byPhone    buyersBy
	buyerLists map[uint64]int32
}

// buyersBy maps a value's hash to the first buyer seen with it, and to
// the distinct buyers once there are several.
type buyersBy struct {
	first map[uint64]uint64
	more  map[uint64][]uint64
}

const windowCap = 32 // distinct buyers remembered per address or phone

func (m *buyersBy) add(k, b uint64) int {
	f, ok := m.first[k]
	switch {
	case !ok:
		m.first[k] = b
		return 1
	case f == b:
		if s := m.more[k]; s != nil {
			return len(s)
		}
		return 1
	}
	s := m.more[k]
	if s == nil {
		s = []uint64{f}
	}
	for _, x := range s {
		if x == b {
			return len(s)
		}
	}
	if len(s) < windowCap {
		s = append(s, b)
		m.more[k] = s
	}
	return len(s)
}

func (w *window) observe(day int32, buyer, address, phone string) (addr, ph, lists int) {
	if w.day != day || w.buyerLists == nil {
		*w = window{day: day, byAddress: buyersBy{map[uint64]uint64{}, map[uint64][]uint64{}},
			byPhone: buyersBy{map[uint64]uint64{}, map[uint64][]uint64{}}, buyerLists: map[uint64]int32{}}
	}
	b := hash64(buyer)
	w.buyerLists[b]++
	return w.byAddress.add(hash64(address), b), w.byPhone.add(hash64(phone), b), int(w.buyerLists[b])
}

func hash64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
