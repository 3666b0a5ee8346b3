package risk

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/risk/model"
)

// ModelPolicy says how the model's scores select declarations for a check.
type ModelPolicy struct {
	// Capacity is the share of declarations the model stream sends to
	// Lane; Explore is the share of that capacity drawn at random among
	// the declarations the scores did not select, so that the model keeps
	// getting labels it did not choose.
	Capacity float64          `json:"capacity"`
	Explore  float64          `json:"explore"`
	Lane     declaration.Lane `json:"lane"`
	// Window is how many recent declarations the score threshold is the
	// quantile of.
	Window int `json:"window"`
	// Factors is how many contributions a decision explains.
	Factors int `json:"factors"`
}

// DefaultModelPolicy: 5 % of declarations to inspection, a fifth of them
// at random, the threshold over the last 2,000 declarations.
func DefaultModelPolicy() ModelPolicy {
	return ModelPolicy{Capacity: 0.05, Explore: 0.2, Lane: declaration.LaneRed, Window: 2000, Factors: 3}
}

// Check refuses a policy that cannot work.
func (p ModelPolicy) Check() error {
	switch {
	case p.Capacity < 0 || p.Capacity >= 1:
		return fmt.Errorf("risk model policy: capacity %v must be in [0, 1)", p.Capacity)
	case p.Explore < 0 || p.Explore > 1:
		return fmt.Errorf("risk model policy: explore %v must be in [0, 1]", p.Explore)
	case p.Lane != declaration.LaneRed && p.Lane != declaration.LaneYellow:
		return fmt.Errorf("risk model policy: lane %q must be red or yellow", p.Lane)
	case p.Window < 10:
		return fmt.Errorf("risk model policy: window %d must be at least 10", p.Window)
	}
	return nil
}

// ActiveModel is the model the stream scores with.
type ActiveModel struct {
	Version int
	Model   *model.Model
	// Reference are declaration scores of a recent period, sorted: the
	// threshold until the stream has seen enough live declarations.
	Reference []float64
}

// ModelStream is the model's stream of selection: it scores every item of
// a declaration with the active model, selects the declaration when its
// highest score is at or above the quantile of recent declarations that
// fills the capacity, or at random among the rest for exploration, and
// explains the score.
type ModelStream struct {
	policy ModelPolicy
	key    []byte
	rates  func(string, time.Time) (decimal.Decimal, bool)
	active atomic.Pointer[ActiveModel]

	mu     sync.Mutex
	recent []recentDecl // ring of the last Window declarations
	next   int
	sorted []float64 // their scores under the active model, sorted
}

type recentDecl struct {
	items []model.Record
	score float64
}

// warmUp is how many live declarations the threshold needs before it is
// taken from them rather than from the model's reference scores.
const warmUp = 100

// NewModelStream checks the policy; key seeds the exploration draws and
// rates converts values to CNY.
func NewModelStream(p ModelPolicy, key []byte, rates func(string, time.Time) (decimal.Decimal, bool)) (*ModelStream, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	return &ModelStream{policy: p, key: key, rates: rates}, nil
}

// Use makes a model the active one (nil: none). The recent declarations
// are scored again with it, so its threshold is right from the start.
func (s *ModelStream) Use(a *ActiveModel) error {
	if a != nil && (a.Model == nil || a.Model.Format != ModelFormat) {
		return fmt.Errorf("risk model v%d: trained on format %q, live declarations need %q", a.Version, formatOf(a), ModelFormat)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active.Store(a)
	s.sorted = s.sorted[:0]
	for i := range s.recent {
		if a != nil {
			s.recent[i].score = maxScore(a.Model.ScoreAll(s.recent[i].items))
			s.sorted = append(s.sorted, s.recent[i].score)
		}
	}
	slices.Sort(s.sorted)
	return nil
}

func formatOf(a *ActiveModel) string {
	if a.Model == nil {
		return ""
	}
	return a.Model.Format
}

// Active is the model in use, or nil.
func (s *ModelStream) Active() *ActiveModel { return s.active.Load() }

// Policy is the stream's configuration.
func (s *ModelStream) Policy() ModelPolicy { return s.policy }

func maxScore(scores []float64) float64 {
	m := math.Inf(-1)
	for _, v := range scores {
		m = max(m, v)
	}
	return m
}

// observe returns the threshold in force, then adds the declaration to
// the recent ones. ok is false while neither live nor reference scores
// can set a threshold.
func (s *ModelStream) observe(a *ActiveModel, items []model.Record, score float64) (threshold float64, ok bool) {
	q := 1 - s.policy.Capacity*(1-s.policy.Explore)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case len(s.sorted) >= min(warmUp, s.policy.Window):
		threshold, ok = quantile(s.sorted, q), true
	case len(a.Reference) > 0:
		threshold, ok = quantile(a.Reference, q), true
	}
	if len(s.recent) < s.policy.Window {
		s.recent = append(s.recent, recentDecl{items, score})
	} else {
		old := s.recent[s.next].score
		i, _ := slices.BinarySearch(s.sorted, old)
		s.sorted = slices.Delete(s.sorted, i, i+1)
		s.recent[s.next] = recentDecl{items, score}
		s.next = (s.next + 1) % s.policy.Window
	}
	i, _ := slices.BinarySearch(s.sorted, score)
	s.sorted = slices.Insert(s.sorted, i, score)
	return threshold, ok
}

// quantile of sorted values: the smallest value with at least a share q
// of the values below or at it.
func quantile(sorted []float64, q float64) float64 {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// Assess adds the model's decision to rd, raising its lane when the model
// selects the declaration; without an active model it does nothing.
func (s *ModelStream) Assess(_ context.Context, d *declaration.Declaration, rd *declaration.RiskDecision) error {
	a := s.active.Load()
	if a == nil || len(d.Items) == 0 {
		return nil
	}
	items := ModelRecords(d, s.rates)
	scores := a.Model.ScoreAll(items)
	top := 0
	for i, v := range scores {
		if v > scores[top] {
			top = i
		}
	}
	p := s.policy
	threshold, ok := s.observe(a, items, scores[top])
	md := &declaration.ModelDecision{Version: a.Version, Score: scores[top], Item: d.Items[top].GNo, Items: scores,
		Threshold: threshold, Capacity: p.Capacity, Explore: p.Explore, Window: p.Window, Draw: s.draw(d.ID)}
	if rest := 1 - p.Capacity*(1-p.Explore); rest > 0 {
		md.ExploreRate = p.Capacity * p.Explore / rest
	}
	switch {
	case ok && scores[top] >= threshold:
		md.Selected = "score"
	case md.Draw < md.ExploreRate:
		md.Selected = "exploration"
	}
	for _, f := range a.Model.Explain(&items[top], p.Factors) {
		md.Factors = append(md.Factors, declaration.ModelFactor{Feature: f.Feature, Effect: f.Effect, ZH: f.ZH, EN: f.EN})
	}
	rd.Model = md
	zh, en := modelReason(md, ok)
	if md.Selected != "" {
		md.Lane = p.Lane
		if severity[p.Lane] > severity[rd.Lane] {
			rd.Lane, rd.Stream = p.Lane, "model"
			if md.Selected == "exploration" {
				rd.Stream = "model_explore"
			}
			rd.ReasonZH, rd.ReasonEN = zh+"；"+rd.ReasonZH, en+"; "+rd.ReasonEN
			return nil
		}
	}
	rd.ReasonZH, rd.ReasonEN = rd.ReasonZH+"；"+zh, rd.ReasonEN+"; "+en
	return nil
}

// draw is the declaration's exploration number in [0,1): keyed like the
// random stream's, independent of it.
func (s *ModelStream) draw(id int64) float64 {
	h := sha256.New()
	h.Write(s.key)
	h.Write([]byte("model-explore\x00"))
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(id))
	h.Write(b[:])
	return float64(binary.BigEndian.Uint64(h.Sum(nil)[:8])>>11) / (1 << 53)
}

func modelReason(md *declaration.ModelDecision, haveThreshold bool) (zh, en string) {
	zh = fmt.Sprintf("风险模型 v%d：第 %d 项评分 %.3f", md.Version, md.Item, md.Score)
	en = fmt.Sprintf("risk model v%d: item %d scored %.3f", md.Version, md.Item, md.Score)
	share := md.Capacity * (1 - md.Explore) * 100
	switch {
	case !haveThreshold:
		zh += "，阈值尚未确定（近期申报不足）"
		en += ", no threshold yet (too few recent declarations)"
	case md.Selected == "score":
		zh += fmt.Sprintf("，不低于阈值 %.3f（近 %d 单评分最高的 %.3g%%）→ %s", md.Threshold, md.Window, share, laneZH[md.Lane])
		en += fmt.Sprintf(", at or above the threshold %.3f (the top %.3g%% of the last %d declarations) → %s", md.Threshold, share, md.Window, md.Lane)
	default:
		zh += fmt.Sprintf("，低于阈值 %.3f", md.Threshold)
		en += fmt.Sprintf(", below the threshold %.3f", md.Threshold)
	}
	if md.Selected == "exploration" {
		zh += fmt.Sprintf("；探索抽样：抽签值 %.4f < %.4f → %s", md.Draw, md.ExploreRate, laneZH[md.Lane])
		en += fmt.Sprintf("; exploration draw %.4f < %.4f → %s", md.Draw, md.ExploreRate, md.Lane)
	}
	if len(md.Factors) > 0 {
		var fz, fe []string
		for _, f := range md.Factors {
			fz, fe = append(fz, f.ZH), append(fe, f.EN)
		}
		zh += "。主要因素：" + strings.Join(fz, "；")
		en += ". Main factors: " + strings.Join(fe, "; ")
	}
	return zh, en
}
