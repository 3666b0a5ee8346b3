package declaration

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
)

// Config tunes the service.
type Config struct {
	CommitBatch   int           `json:"commit_batch"`   // most ops per transaction
	PipelineBatch int           `json:"pipeline_batch"` // most declarations advanced per worker round
	QueueSize     int           `json:"queue_size"`     // pipeline queue; overflow is recovered by scanning
	RecoverEvery  time.Duration `json:"-"`              // how often an overflow is rescanned
	// Inline runs the automatic stages on the submitting request and commits
	// them with the submission: one commit, and the answer carries the lane.
	// Off, every declaration goes through the queue (the scale-out shape).
	Inline bool `json:"inline"`
	// Worker runs the pipeline on this node. A scaled-out API node turns it
	// off and leaves the stages to worker nodes fed by the WorkQueue.
	Worker bool `json:"worker"`
}

// DefaultConfig suits the embedded store on a small machine.
func DefaultConfig() Config {
	return Config{CommitBatch: 512, PipelineBatch: 256, QueueSize: 65536, RecoverEvery: 2 * time.Second, Inline: true, Worker: true}
}

// Service is the declaration module's entry point: submission, queries,
// the automatic pipeline and the officers' and declarants' actions.
type Service struct {
	cfg       Config
	store     Store
	validator *Validator
	risk      RiskStage
	tax       TaxStage
	billing   Billing
	work      WorkQueue // nil: the in-process queue only
	commit    *committer
	queue     chan queued
	backlog   atomic.Bool
	log       *slog.Logger
	metrics   *Metrics
	now       func() time.Time

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Deps are the service's collaborators, wired in main.
type Deps struct {
	Store     Store
	Validator *Validator
	Risk      RiskStage
	Tax       TaxStage
	Billing   Billing   // nil: no tax bills; payment records the assessed total
	Queue     WorkQueue // nil: in-process pipeline queue (the embedded shape)
	Log       *slog.Logger
	Metrics   *Metrics         // nil: not collected
	Clock     func() time.Time // nil: time.Now
}

// NewService starts the committer, the pipeline worker and the recovery
// scan that resumes declarations left mid-pipeline by a restart.
func NewService(cfg Config, d Deps) *Service {
	s := &Service{cfg: cfg, store: d.Store, validator: d.Validator, risk: d.Risk, tax: d.Tax,
		billing: d.Billing, work: d.Queue, log: d.Log, metrics: d.Metrics, now: d.Clock,
		queue: make(chan queued, cfg.QueueSize)}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.commit = newCommitter(d.Store, cfg.CommitBatch, s.metrics.batch)
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	if !cfg.Worker {
		return s // an API node: the workers run the stages
	}
	s.wg.Add(2)
	go s.runPipeline(ctx)
	go s.recoverPending(ctx)
	if s.work != nil {
		s.wg.Add(1)
		go s.consume(ctx)
	}
	return s
}

// Close stops the pipeline and commits what is queued.
func (s *Service) Close() {
	s.cancel()
	s.wg.Wait()
	// Deliveries taken from the work queue but not run go back to it now,
	// rather than after the redelivery timeout.
	for {
		select {
		case q := <-s.queue:
			q.finish(errClosing)
			continue
		default:
		}
		break
	}
	s.commit.close()
}

var errClosing = jinguan.Errorf(jinguan.EUNAVAIL, "服务正在停止", "shutting down")

// Submission is the outcome of Submit.
type Submission struct {
	Declaration *Declaration
	Replayed    bool // the key was seen before: this is the stored declaration
}

// Submit validates and durably stores a declaration; it returns once the
// commit is on disk. A repeated client key returns the stored declaration;
// the same key with a different body is ECONFLICT.
func (s *Service) Submit(ctx context.Context, p auth.Principal, key string, body []byte) (Submission, error) {
	return s.submit(ctx, p, key, body, s.timeOf(ctx))
}

type asOfKey struct{}

// AsOf returns a context under which submissions and people's actions are
// recorded as of the past time at, the automatic stages they unlock
// included: for loading history (the demo's past weeks, a migration). It
// needs the inline pipeline; queued, the stages run as of now.
func AsOf(ctx context.Context, at time.Time) context.Context {
	return context.WithValue(ctx, asOfKey{}, at)
}

// timeOf is the time of a request: the AsOf time, or now.
func (s *Service) timeOf(ctx context.Context) time.Time {
	if at, ok := ctx.Value(asOfKey{}).(time.Time); ok {
		return at
	}
	return s.now()
}

func (s *Service) submit(ctx context.Context, p auth.Principal, key string, body []byte, at time.Time) (Submission, error) {
	if key == "" || len(key) > 64 {
		return Submission{}, jinguan.Invalid([]jinguan.FieldError{{Pointer: "", Code: "idempotency_key",
			MessageZH: "须提供 1–64 个字符的 Idempotency-Key 请求头", MessageEN: "an Idempotency-Key header of 1–64 characters is required"}})
	}
	if p.Role != auth.RoleDeclarant && p.Role != auth.RoleAdmin {
		return Submission{}, forbidden()
	}
	form, errs := DecodeForm(body)
	if errs != nil {
		return Submission{}, jinguan.Invalid(errs)
	}
	if errs := s.validator.Validate(form, at); len(errs) > 0 {
		s.metrics.rejected()
		return Submission{}, jinguan.Invalid(errs)
	}
	if p.Role == auth.RoleDeclarant && p.Enterprise != form.Head.AgentCodeScc && p.Enterprise != form.Head.TradeCoScc {
		return Submission{}, jinguan.Invalid([]jinguan.FieldError{{Pointer: "/head/agent_code_scc", Code: "not_your_enterprise",
			MessageZH: "申报单位或收发货人须为本企业", MessageEN: "the declaring agent or the trader must be your enterprise"}})
	}
	sum := sha256.Sum256(body)
	d := &Declaration{Form: *form, ClientKey: key, BodyHash: hex.EncodeToString(sum[:]),
		Submitter: p.User, DeclaredAt: at, UpdatedAt: at}
	d.LateDays = s.validator.Rules.LateDays(&d.Head, at)
	agent := d.Head.AgentCodeScc
	// Number, record and encode here, in parallel with other requests, so
	// that the writer only stores.
	var err error
	if d.ID, err = s.store.ReserveID(ctx); err != nil {
		return Submission{}, err
	}
	AssignNumbers(d)
	ev, err := transition(d, ActSubmit, Actor{p.User, string(p.Role)}, at, "", nil)
	if err != nil {
		return Submission{}, err
	}
	pr := progress{evs: []Event{ev}}
	if s.cfg.Inline {
		if more, err := s.advance(ctx, d, at); err != nil {
			// Stored as submitted all the same; the queue retries the stages.
			s.log.Warn("inline pipeline step failed", "err", err)
			d = s.resubmitted(d, ev)
		} else {
			pr.issue, pr.unsecured, pr.kept = more.issue, more.unsecured, 1+more.kept
			pr.evs = append(pr.evs, more.evs...)
		}
	}
	d.Seal()

	var out Submission
	err = s.commit.do(ctx, func(ctx context.Context, tx Tx) error {
		prior, err := tx.FindByKey(ctx, agent, key)
		if err != nil {
			return err
		}
		if prior != nil {
			if prior.BodyHash != d.BodyHash {
				return jinguan.Errorf(jinguan.ECONFLICT, "该 Idempotency-Key 已用于另一份报关单",
					"this Idempotency-Key was already used for a different declaration")
			}
			out = Submission{Declaration: prior, Replayed: true}
			return nil
		}
		d, evs, err := s.settle(ctx, tx, d, pr)
		if err != nil {
			return err
		}
		if err := tx.Insert(ctx, d); err != nil {
			return err
		}
		out = Submission{Declaration: d}
		return tx.AppendEvents(ctx, evs...)
	})
	if err != nil {
		return Submission{}, err
	}
	if d := out.Declaration; !out.Replayed {
		s.metrics.submitted()
		if d.Status != StatusSubmitted {
			s.metrics.advanced(d)
		} else {
			s.enqueue(d)
		}
	}
	out.Declaration = forViewer(p, out.Declaration)
	return out, nil
}

// resubmitted undoes a half-done inline advance: the declaration as it was
// right after the submit transition.
func (s *Service) resubmitted(d *Declaration, ev Event) *Declaration {
	c := *d
	c.Status, c.Version, c.UpdatedAt, c.Lane = ev.To, ev.Seq, ev.At, LaneNone
	c.Risk, c.Tax, c.Settlement = nil, nil, nil
	return &c
}

// Get returns a declaration the principal may see; others are ENOTFOUND
// so that existence does not leak.
func (s *Service) Get(ctx context.Context, p auth.Principal, id int64) (*Declaration, error) {
	d, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !visible(p, d) {
		return nil, notFound()
	}
	return forViewer(p, d), nil
}

// List returns summaries visible to the principal.
func (s *Service) List(ctx context.Context, p auth.Principal, f Filter) ([]Summary, string, error) {
	switch p.Role {
	case auth.RoleDeclarant:
		f.Enterprise = p.Enterprise
	case auth.RoleOfficer:
		f.OfficeArea = OfficeArea(p.Office)
	}
	return s.store.List(ctx, f)
}

// Events returns the declaration's events if the principal may see it.
func (s *Service) Events(ctx context.Context, p auth.Principal, id int64) ([]Event, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return nil, err
	}
	evs, err := s.store.Events(ctx, id)
	return eventsForViewer(p, evs), err
}

// Counts is the number of declarations per status.
func (s *Service) Counts(ctx context.Context) (map[Status]int, error) {
	return s.store.CountByStatus(ctx)
}

func visible(p auth.Principal, d *Declaration) bool {
	switch p.Role {
	case auth.RoleDeclarant:
		return p.Enterprise != "" && slices.Contains(
			[]string{d.Head.TradeCoScc, d.Head.OwnerCodeScc, d.Head.AgentCodeScc}, p.Enterprise)
	case auth.RoleOfficer:
		return strings.HasPrefix(d.Head.CustomMaster, OfficeArea(p.Office))
	}
	return true
}

// OfficeArea is the prefix of the declaring-customs codes an officer's
// office covers: GACC (0000) every office, a directly-affiliated customs
// (code ending in 00, e.g. 2200 Shanghai) its whole district (22xx), any
// other office only itself. An officer without an office covers none.
func OfficeArea(office string) string {
	switch {
	case office == "":
		return "\x00none"
	case office == "0000":
		return ""
	case len(office) == 4 && strings.HasSuffix(office, "00"):
		return office[:2]
	}
	return office
}

func notFound() *jinguan.Error { return jinguan.NotFound("报关单", "declaration") }

func forbidden() *jinguan.Error {
	return jinguan.Errorf(jinguan.EFORBIDDEN, "当前角色无权执行该操作", "your role may not do this")
}
