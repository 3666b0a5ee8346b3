package risk

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/risk/model"
	"github.com/jinguan-customs/jinguan/risk/model/gbdt"
)

// ModelRegistry trains risk models on the platform's own checks, promotes
// a new one only when it beats the active one on the latest period, keeps
// every version for a rollback, and keeps the stream on the active one.
type ModelRegistry struct {
	Store        ModelStore
	Facts        FactSource        // which declarations were checked, and when
	Declarations DeclarationGetter // their items and results
	Stream       *ModelStream      // swapped on every change; nil on the command line
	Rates        func(string, time.Time) (decimal.Decimal, bool)
	Params       gbdt.Params // zero: gbdt.DefaultParams
	Now          func() time.Time
	Log          *slog.Logger
}

// FactSource reads risk facts (Store has it).
type FactSource interface {
	Facts(ctx context.Context, from, to time.Time) ([]Fact, error)
}

// RetrainOptions say what history a retraining reads.
type RetrainOptions struct {
	Latest    time.Duration // the latest period, kept out of training to compare on; 0: 28 days
	Since     time.Time     // history from; zero: all of it
	MinLatest int           // checked declarations the latest period needs; 0: 30
	Reason    string
}

func (r *ModelRegistry) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *ModelRegistry) params() gbdt.Params {
	if r.Params.Rounds == 0 {
		return gbdt.DefaultParams()
	}
	return r.Params
}

func notEnough(zh, en string, args ...any) error {
	return jinguan.Errorf(jinguan.EINVALID, "查验结果不足以训练风险模型："+zh, "not enough checked declarations to train the risk model: "+en, args...)
}

// Retrain trains on the checked declarations decided before the latest
// period, calibrates its scores on the checked items of the latest period
// (Platt: a score then reads as the chance that a check finds something),
// measures the new model and the active one on those items, and promotes
// the new one only if its AUC there is higher (above 0.5 when there is no
// active model). Calibration does not change a ranking, so neither the
// AUC nor the precision. Either way the new
// version is stored with its figures and the reason, and audited.
func (r *ModelRegistry) Retrain(ctx context.Context, p auth.Principal, opt RetrainOptions) (*StoredModel, error) {
	if err := allowed(p, profileWriters); err != nil {
		return nil, err
	}
	if opt.Latest <= 0 {
		opt.Latest = 28 * 24 * time.Hour
	}
	if opt.MinLatest <= 0 {
		opt.MinLatest = 30
	}
	now := r.now()
	since := opt.Since
	if since.IsZero() {
		since = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	cut := now.Add(-opt.Latest)
	hist, recent, err := r.history(ctx, since, now)
	if err != nil {
		return nil, err
	}
	var train []model.Record
	var latest []labelled
	var first time.Time
	findings := 0
	for _, d := range hist {
		if !d.decided.Before(cut) {
			latest = append(latest, d)
			continue
		}
		if first.IsZero() || d.decided.Before(first) {
			first = d.decided
		}
		for _, it := range d.items {
			train = append(train, it)
			if it.Fraud {
				findings++
			}
		}
	}
	if len(latest) < opt.MinLatest {
		return nil, notEnough("最近 %.4g 天仅 %d 票（至少 %d 票）", "the latest %.4g days have %d (at least %d)",
			opt.Latest.Hours()/24, len(latest), opt.MinLatest)
	}
	if findings == 0 || findings == len(train) {
		return nil, notEnough("训练期 %d 项中有 %d 项有发现，须两类都有", "the training period has %d items, %d with findings; both kinds are needed",
			len(train), findings)
	}
	mapping, err := model.BuiltinMapping(ModelFormat)
	if err != nil {
		return nil, err
	}
	cand, _, err := model.Train(train, nil, mapping, r.params())
	if err != nil {
		return nil, err
	}
	calibrate(cand, latest)
	shares := EvaluationShares(r.capacity())
	sm := &StoredModel{CreatedAt: now, CreatedBy: p.User, Source: "history", Trees: len(cand.Trees.Trees),
		TrainFrom: first, TrainTo: cut, TrainItems: len(train), TrainFindings: findings,
		Latest: evaluate(cand, latest, cut, now, shares), Reference: ReferenceScores(cand, recent)}
	active, err := r.activeModel(ctx)
	if err != nil {
		return nil, err
	}
	promote := sm.Latest.AUC > 0.5
	sm.ReasonZH = fmt.Sprintf("最近一期 AUC %.4f；无启用模型，须高于 0.5", sm.Latest.AUC)
	sm.ReasonEN = fmt.Sprintf("latest period AUC %.4f; no active model, above 0.5 needed", sm.Latest.AUC)
	if active != nil {
		sm.Baseline = evaluate(active.model, latest, cut, now, shares)
		promote = sm.Latest.AUC > sm.Baseline.AUC
		sm.ReasonZH = fmt.Sprintf("最近一期 AUC %.4f，启用模型 v%d 为 %.4f", sm.Latest.AUC, active.Version, sm.Baseline.AUC)
		sm.ReasonEN = fmt.Sprintf("latest period AUC %.4f against %.4f of the active model v%d", sm.Latest.AUC, sm.Baseline.AUC, active.Version)
	}
	if promote {
		sm.Status, sm.ReasonZH, sm.ReasonEN = ModelCandidate, sm.ReasonZH+"：启用", sm.ReasonEN+": promoted"
	} else {
		sm.Status, sm.ReasonZH, sm.ReasonEN = ModelRejected, sm.ReasonZH+"：不启用", sm.ReasonEN+": not promoted"
	}
	if sm.File, sm.SHA256, sm.Size, err = PackModel(cand); err != nil {
		return nil, err
	}
	reason := opt.Reason
	if reason == "" {
		reason = sm.ReasonEN
	}
	ev := ModelEvent{Action: "train", Actor: p.User, Role: string(p.Role), At: now, Reason: reason}
	if sm.Version, err = r.Store.PutModel(ctx, sm, ev); err != nil {
		return nil, err
	}
	if promote {
		from := 0
		if active != nil {
			from = active.Version
		}
		if err := r.activate(ctx, p, sm.Version, from, "promote", sm.ReasonEN); err != nil {
			return sm, err
		}
		sm.Status = ModelActive
	}
	sm.File = nil
	return sm, nil
}

// history reads the checked declarations decided in [from, to) with
// their labels, and the items of the most recent declarations, checked or
// not, for the reference scores.
func (r *ModelRegistry) history(ctx context.Context, from, to time.Time) ([]labelled, [][]model.Record, error) {
	facts, err := r.Facts.Facts(ctx, from, to)
	if err != nil {
		return nil, nil, err
	}
	slices.SortStableFunc(facts, func(a, b Fact) int { return a.DecidedAt.Compare(b.DecidedAt) })
	window := DefaultModelPolicy().Window
	if r.Stream != nil {
		window = r.Stream.policy.Window
	}
	var out []labelled
	var recent [][]model.Record
	for i, f := range facts {
		isRecent := i >= len(facts)-window
		if !f.Inspected && !isRecent {
			continue
		}
		d, err := r.Declarations.Get(ctx, f.DeclarationID)
		if err != nil {
			return nil, nil, err
		}
		items := ModelRecords(d, r.Rates)
		if isRecent {
			recent = append(recent, items)
		}
		found, ok := ItemFindings(d)
		if !f.Inspected || !ok {
			continue
		}
		labelledItems := make([]model.Record, len(items))
		copy(labelledItems, items)
		for j := range labelledItems {
			labelledItems[j].Fraud = found[j]
		}
		out = append(out, labelled{decided: f.DecidedAt, items: labelledItems})
	}
	return out, recent, nil
}

func (r *ModelRegistry) capacity() float64 {
	if r.Stream != nil {
		return r.Stream.policy.Capacity
	}
	return DefaultModelPolicy().Capacity
}

type loadedModel struct {
	*StoredModel
	model *model.Model
}

// activeModel loads the active version, or nil when there is none.
func (r *ModelRegistry) activeModel(ctx context.Context) (*loadedModel, error) {
	v, err := r.Store.ActiveModelVersion(ctx)
	if err != nil || v == 0 {
		return nil, err
	}
	return r.load(ctx, v)
}

func (r *ModelRegistry) load(ctx context.Context, version int) (*loadedModel, error) {
	sm, err := r.Store.Model(ctx, version)
	if err != nil {
		return nil, err
	}
	m, err := sm.Unpack()
	if err != nil {
		return nil, err
	}
	return &loadedModel{sm, m}, nil
}

// activate records the activation and puts the model in the stream.
func (r *ModelRegistry) activate(ctx context.Context, p auth.Principal, version, from int, action, reason string) error {
	ev := ModelEvent{Action: action, Actor: p.User, Role: string(p.Role), At: r.now(), Reason: reason}
	if err := r.Store.ActivateModel(ctx, version, from, ev); err != nil {
		return err
	}
	return r.Sync(ctx)
}

// Activate makes a stored version the active one: an analyst's choice,
// e.g. a model imported from a file or one retraining rejected.
func (r *ModelRegistry) Activate(ctx context.Context, p auth.Principal, version int, reason string) (*StoredModel, error) {
	if err := allowed(p, profileWriters); err != nil {
		return nil, err
	}
	m, err := r.load(ctx, version)
	if err != nil {
		return nil, err
	}
	if m.model.Format != ModelFormat {
		return nil, jinguan.Errorf(jinguan.EINVALID, "风险模型 v%d 的格式为 %s，无法为申报打分", "risk model v%d has format %s and cannot score declarations",
			version, m.model.Format)
	}
	from, err := r.Store.ActiveModelVersion(ctx)
	if err != nil {
		return nil, err
	}
	if err := r.activate(ctx, p, version, from, "activate", reason); err != nil {
		return nil, err
	}
	return r.Store.Model(ctx, version)
}

// Rollback brings back the version that was active before the current
// one.
func (r *ModelRegistry) Rollback(ctx context.Context, p auth.Principal, reason string) (*StoredModel, error) {
	if err := allowed(p, profileWriters); err != nil {
		return nil, err
	}
	cur, err := r.Store.ActiveModelVersion(ctx)
	if err != nil {
		return nil, err
	}
	evs, err := r.Store.ModelEvents(ctx, 1000)
	if err != nil {
		return nil, err
	}
	prev := 0
	for _, e := range evs { // newest first: the current activation, then the one before it
		if e.Action != "promote" && e.Action != "activate" && e.Action != "rollback" || e.Version == cur {
			continue
		}
		prev = e.Version
		break
	}
	if cur == 0 || prev == 0 {
		return nil, jinguan.Errorf(jinguan.ECONFLICT, "没有可回退的先前模型", "there is no earlier active model to roll back to")
	}
	if err := r.activate(ctx, p, prev, cur, "rollback", reason); err != nil {
		return nil, err
	}
	return r.Store.Model(ctx, prev)
}

// Install stores a model trained elsewhere (a file, the demo) as a
// candidate, and activates it when asked.
func (r *ModelRegistry) Install(ctx context.Context, p auth.Principal, m *model.Model, sm StoredModel, activate bool) (*StoredModel, error) {
	if err := allowed(p, profileWriters); err != nil {
		return nil, err
	}
	if m.Format != ModelFormat {
		return nil, jinguan.Errorf(jinguan.EINVALID, "模型格式为 %s，申报打分需要 %s", "the model has format %s; scoring declarations needs %s",
			m.Format, ModelFormat)
	}
	var err error
	sm.Status, sm.CreatedAt, sm.CreatedBy, sm.Trees = ModelCandidate, r.now(), p.User, len(m.Trees.Trees)
	if sm.File, sm.SHA256, sm.Size, err = PackModel(m); err != nil {
		return nil, err
	}
	ev := ModelEvent{Action: "import", Actor: p.User, Role: string(p.Role), At: sm.CreatedAt, Reason: sm.ReasonEN}
	if sm.Version, err = r.Store.PutModel(ctx, &sm, ev); err != nil {
		return nil, err
	}
	if activate {
		from, err := r.Store.ActiveModelVersion(ctx)
		if err != nil {
			return nil, err
		}
		if err := r.activate(ctx, p, sm.Version, from, "activate", sm.ReasonEN); err != nil {
			return nil, err
		}
		sm.Status = ModelActive
	}
	sm.File = nil
	return &sm, nil
}

// Sync puts the store's active model in the stream if another one is in
// use: after a change here, on another node or from the command line.
func (r *ModelRegistry) Sync(ctx context.Context) error {
	if r.Stream == nil {
		return nil
	}
	v, err := r.Store.ActiveModelVersion(ctx)
	if err != nil {
		return err
	}
	if cur := r.Stream.Active(); cur != nil && cur.Version == v || cur == nil && v == 0 {
		return nil
	}
	if v == 0 {
		return r.Stream.Use(nil)
	}
	m, err := r.load(ctx, v)
	if err != nil {
		return err
	}
	if err := r.Stream.Use(&ActiveModel{Version: v, Model: m.model, Reference: m.Reference}); err != nil {
		return err
	}
	if r.Log != nil {
		r.Log.Info("risk model in use", "version", v, "trees", m.Trees)
	}
	return nil
}

// Run keeps the stream on the active model until ctx ends.
func (r *ModelRegistry) Run(ctx context.Context, every time.Duration) {
	for {
		if err := r.Sync(ctx); err != nil && ctx.Err() == nil && r.Log != nil {
			r.Log.Error("risk model sync failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// Models lists the stored versions, newest first.
func (r *ModelRegistry) Models(ctx context.Context, p auth.Principal) ([]StoredModel, []ModelEvent, error) {
	if err := allowed(p, profileReaders); err != nil {
		return nil, nil, err
	}
	ms, err := r.Store.Models(ctx)
	if err != nil {
		return nil, nil, err
	}
	evs, err := r.Store.ModelEvents(ctx, 200)
	return ms, evs, err
}

// Model returns one stored version, without its file.
func (r *ModelRegistry) Model(ctx context.Context, p auth.Principal, version int) (*StoredModel, error) {
	if err := allowed(p, profileReaders); err != nil {
		return nil, err
	}
	m, err := r.Store.Model(ctx, version)
	if err != nil {
		return nil, err
	}
	m.File = nil
	return m, nil
}
