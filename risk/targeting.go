package risk

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/declaration"
)

// Targeting is the risk stage with its streams of selection: the
// analysts' profiles (targeted), the random selectivity draw, which keeps
// measuring compliance whatever the profiles say, and the top-up to an
// office's capacity. The declaration goes to the most severe lane.
type Targeting struct {
	random  *Selectivity
	engines atomic.Pointer[enginePool] // replaced whole when profiles change
	key     []byte
	rates   func(cur string, on time.Time) (decimal.Decimal, bool)
	where   func(office string, on time.Time) Where
	// Credit gives the parties' grades; nil: everyone is regular.
	Credit CreditSource
	// History gives the parties' past; nil: no history.
	History *History
	// Settings: credit measures, capacity, unselected-match limit.
	Settings Settings
	// Quota counts today's checks per office for top-up; nil: no top-up.
	Quota   *Quota
	streaks streaks
	// Model is the risk model's stream (modelstream.go); nil: no model.
	Model *ModelStream
}

// NewTargeting combines a compiled profile set with the random stream.
// rates converts item values to CNY; where gives an office's channel and
// parent for profile scopes.
func NewTargeting(random *Selectivity, e *Engine, key []byte,
	rates func(string, time.Time) (decimal.Decimal, bool), where func(string, time.Time) Where) *Targeting {
	t := &Targeting{random: random, key: key, rates: rates, where: where}
	t.Reload(e)
	return t
}

// enginePool hands out clones of one compiled engine: an engine is not
// safe for concurrent use.
type enginePool struct {
	sync.Pool
	profiles int
}

// Reload swaps in a newly compiled profile set; declarations being
// assessed finish on the old one.
func (t *Targeting) Reload(e *Engine) {
	p := &enginePool{profiles: e.Len()}
	p.New = func() any { return e.Clone() }
	t.engines.Store(p)
}

// Profiles is the number of active profiles in use.
func (t *Targeting) Profiles() int { return t.engines.Load().profiles }

// severity orders lanes: a stream can only make the outcome stricter.
var severity = map[declaration.Lane]int{declaration.LaneGreen: 0, declaration.LaneBlue: 1,
	declaration.LaneYellow: 2, declaration.LaneRed: 3}

// Assess implements declaration.RiskStage.
func (t *Targeting) Assess(ctx context.Context, d *declaration.Declaration, at time.Time) (declaration.RiskDecision, error) {
	decl, items, err := t.inputs(ctx, d)
	if err != nil {
		return declaration.RiskDecision{}, err
	}
	rd, err := t.random.Decide(d, at, decl.TraderGrade, t.Settings.measure(decl.TraderGrade))
	if err != nil {
		return rd, err
	}
	pool := t.engines.Load()
	e := pool.Get().(*Engine)
	hits, err := e.Match(&decl, items, t.where(decl.Office, decl.Date))
	pool.Put(e)
	if err != nil {
		return rd, err
	}
	t.target(&rd, d.ID, hits, &t.streaks)
	if t.Model != nil {
		if err := t.Model.Assess(ctx, d, &rd); err != nil {
			return rd, err
		}
	}
	t.topUp(&rd, d, at)
	return rd, nil
}

// inputs builds what profiles see, parties' grades and history included.
func (t *Targeting) inputs(ctx context.Context, d *declaration.Declaration) (DeclInput, []ItemInput, error) {
	decl, items := Inputs(d, t.rates)
	var err error
	if decl.TraderGrade, err = gradeOf(ctx, t.Credit, decl.Trader, decl.Date); err != nil {
		return decl, nil, err
	}
	if decl.AgentGrade, err = gradeOf(ctx, t.Credit, decl.Agent, decl.Date); err != nil {
		return decl, nil, err
	}
	th, ah := t.History.Of(decl.Trader, decl.Agent)
	fillHistory(&decl, th, ah)
	return decl, items, nil
}

// target records every hit, applies each profile's selection percentage
// and unselected-match limit, and raises the lane to the most severe
// selected hit (higher priority breaks ties).
func (t *Targeting) target(rd *declaration.RiskDecision, id int64, hits []Hit, st *streaks) {
	var best *Hit
	type choice struct {
		sel    bool
		forced int
	}
	chosen := map[*Profile]choice{} // one draw per profile and declaration, however many items match
	for i := range hits {
		h := &hits[i]
		c, ok := chosen[h.Profile]
		if !ok {
			c.sel, c.forced = st.selected(t.key, id, h.Profile, t.Settings.MaxUnselected)
			chosen[h.Profile] = c
		}
		sel, forced := c.sel, c.forced
		rd.Hits = append(rd.Hits, declaration.ProfileHit{ProfileID: h.Profile.ID, Version: h.Profile.Version,
			Title: h.Profile.Title, Item: h.Item, Lane: h.Profile.Action.Lane, Selected: sel, ForcedAfter: forced, Values: h.ValueMap()})
		if sel && (best == nil || severity[h.Profile.Action.Lane] > severity[best.Profile.Action.Lane] ||
			severity[h.Profile.Action.Lane] == severity[best.Profile.Action.Lane] && h.Profile.Priority > best.Profile.Priority) {
			best = h
		}
	}
	if best == nil || severity[best.Profile.Action.Lane] <= severity[rd.Lane] {
		if len(hits) > 0 {
			rd.ReasonZH += fmt.Sprintf("；命中布控规则 %d 条，均未提高通道", len(hits))
			rd.ReasonEN += fmt.Sprintf("; %d profile hit(s), none raised the lane", len(hits))
		}
		return
	}
	rd.Lane, rd.Stream = best.Profile.Action.Lane, "targeted"
	rd.ReasonZH, rd.ReasonEN = targetedReason(best, rd.Draw)
}

func targetedReason(h *Hit, draw float64) (zh, en string) {
	var vals []string
	for _, v := range h.Values {
		vals = append(vals, v.Name+"="+v.Value)
	}
	slices.Sort(vals)
	where := "整单"
	whereEN := "the declaration"
	if h.Item > 0 {
		where, whereEN = fmt.Sprintf("第 %d 项", h.Item), fmt.Sprintf("item %d", h.Item)
	}
	p := h.Profile
	zh = fmt.Sprintf("布控规则 %s v%d「%s」命中%s（%s）→ %s；%s", p.ID, p.Version, p.Title, where,
		strings.Join(vals, ", "), laneZH[p.Action.Lane], p.Action.Instruction)
	en = fmt.Sprintf("profile %s v%d \"%s\" matched %s (%s) → %s; random draw %.4f", p.ID, p.Version, p.Title,
		whereEN, strings.Join(vals, ", "), p.Action.Lane, draw)
	return zh, en
}

var laneZH = map[declaration.Lane]string{declaration.LaneRed: "查验", declaration.LaneYellow: "审单",
	declaration.LaneBlue: "稽查", declaration.LaneGreen: "直接放行"}
