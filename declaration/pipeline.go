package declaration

import (
	"context"
	"errors"
	"time"

	"github.com/jinguan-customs/jinguan"

	"github.com/shopspring/decimal"
)

// The pipeline's stages after validation and persistence. Each is an
// interface implemented by its module: risk.Targeting (profiles and the
// random stream) and tariff.Assessor (rate selection and taxes).

// RiskStage chooses the lane and says why.
type RiskStage interface {
	Assess(ctx context.Context, d *Declaration, at time.Time) (RiskDecision, error)
}

// TaxStage computes the taxes due.
type TaxStage interface {
	Assess(ctx context.Context, d *Declaration, at time.Time) (TaxAssessment, error)
}

// Billing is the tax-bill stage (tariff.Billing): the bill (税单) of an
// assessment, the guarantee that secures it, its payment. The methods that
// take a Tx run inside the write transaction, so a bill, a guarantee debit
// and the transition they go with commit together or not at all.
type Billing interface {
	// Plan numbers the bill of d's assessment and says how it is expected
	// to be secured before payment under the trader's credit measures: a
	// guarantee account, or the trader's exemption (nil = it waits for
	// payment). It only reads; the debit in Issue decides.
	Plan(ctx context.Context, d *Declaration) (billNo string, secured *Settlement, err error)
	// Issue stores the bill d.Tax.BillNo and, when d.Settlement secures it
	// before payment, debits the account as planned. It returns false,
	// having written nothing, when the account no longer covers the bill.
	Issue(ctx context.Context, tx Tx, d *Declaration) (bool, error)
	// Pay records payment of d's bill, late fee included.
	Pay(ctx context.Context, tx Tx, d *Declaration, in PaymentInput, by Actor, at time.Time) (*Settlement, error)
	// Guarantee secures d's unpaid bill on one of the trader's guarantee
	// accounts (account "" = any that covers it).
	Guarantee(ctx context.Context, tx Tx, d *Declaration, account string, by Actor, at time.Time) (*Settlement, error)
	// Cancel voids an unpaid bill whose declaration leaves the assessed
	// state without payment (amended, withdrawn, rejected).
	Cancel(ctx context.Context, tx Tx, d *Declaration, billNo string, by Actor, at time.Time, reason string) error
	// Supplement raises the supplementary bill (补税) of duty found after
	// release, linked to d's original bill; "" when none may be raised
	// any more (past the recovery period).
	Supplement(ctx context.Context, tx Tx, d *Declaration, duty decimal.Decimal, by Actor, at time.Time, reason string) (string, error)
}

// step records one automatic transition.
type step struct {
	action Action
	reason string
	data   any
}

// progress is what advance did: the events, and the bill work they need
// in the writer (see settle).
type progress struct {
	evs   []Event
	issue bool // a bill was numbered: store it
	// unsecured is the declaration as it stood before an optimistic
	// guarantee step, with the number of events up to there: what is
	// written instead if the debit fails.
	unsecured *Declaration
	kept      int
}

// advance applies every automatic transition the declaration's state
// allows, in order. It stops where a person has to act: review,
// inspection, payment without guarantee, or release of a red/yellow-lane
// declaration. It runs outside the writer: a guarantee is taken as
// covering when the account's last known balance covers it, and settle
// checks that with the debit.
func (s *Service) advance(ctx context.Context, d *Declaration, at time.Time) (progress, error) {
	var p progress
	apply := func(st step) error {
		ev, err := transition(d, st.action, System, at, st.reason, st.data)
		if err != nil {
			return err
		}
		p.evs = append(p.evs, ev)
		return nil
	}
	for {
		var st step
		switch d.Status {
		case StatusSubmitted, StatusAmended:
			rd, err := s.risk.Assess(ctx, d, at)
			if err != nil {
				return p, err
			}
			d.Risk, d.Lane = &rd, rd.Lane
			st = step{ActAssessRisk, rd.ReasonEN, rd}
		case StatusRiskAssessed:
			if d.Lane == LaneYellow || d.Lane == LaneRed {
				st = step{action: ActRoute, reason: "lane " + string(d.Lane)}
				break
			}
			fallthrough
		case StatusInspected:
			ta, err := s.tax.Assess(ctx, d, at)
			if err != nil {
				return p, err
			}
			if r := d.Inspection; r != nil && r.AdditionalDuty.IsPositive() {
				// What the check found is collected with the rest, on the same bill.
				ta.InspectionDuty = r.AdditionalDuty
				ta.Total = ta.Total.Add(r.AdditionalDuty)
			}
			d.Tax = &ta
			st = step{ActAssessTax, ta.Method, map[string]any{"duty": ta.Duty, "vat": ta.VAT,
				"inspection_duty": ta.InspectionDuty, "total": ta.Total}}
		case StatusAssessed:
			if d.Tax == nil || d.Tax.Total.IsZero() {
				d.Settlement = &Settlement{Kind: SettleNoneDue, Amount: decimal.Zero, At: at, By: System.Name}
				st = step{ActPay, "no tax due", d.Settlement}
				break
			}
			if s.billing == nil || d.Tax.BillNo != "" {
				return p, nil // waits for payment
			}
			no, sec, err := s.billing.Plan(ctx, d)
			if err != nil {
				return p, err
			}
			tax := *d.Tax
			tax.BillNo = no
			d.Tax, p.issue = &tax, true
			// Guarantee optimistically only after an assessment in this run:
			// a failed debit then falls back to that event, never to none.
			if !sec.SecuredBeforePayment() || len(p.evs) == 0 {
				return p, nil // waits for payment
			}
			u := *d
			p.unsecured, p.kept = &u, len(p.evs)
			sec.At, sec.By = at, System.Name
			d.Settlement = sec
			reason := "guarantee " + sec.Reference
			if sec.Kind == SettleExempt {
				reason = "guarantee exempt, credit grade " + sec.Grade
			}
			st = step{ActGuarantee, reason, d.Settlement}
		case StatusPaid, StatusGuaranteed:
			if d.Lane != LaneGreen && d.Lane != LaneBlue {
				return p, nil // an officer releases after review or inspection
			}
			st = step{action: ActRelease, reason: "automatic release, lane " + string(d.Lane)}
		default:
			return p, nil
		}
		if err := apply(st); err != nil {
			return p, err
		}
	}
}

// settle does the bill work of p inside the writer and returns what to
// store. When the guarantee no longer covers the bill, the declaration
// stays assessed, waiting for payment, with the events up to there.
func (s *Service) settle(ctx context.Context, tx Tx, d *Declaration, p progress) (*Declaration, []Event, error) {
	if !p.issue {
		return d, p.evs, nil
	}
	ok, err := s.billing.Issue(ctx, tx, d)
	if err != nil || ok {
		return d, p.evs, err
	}
	if p.unsecured == nil {
		return d, p.evs, errors.New("declaration: billing refused a bill without guarantee")
	}
	s.metrics.guaranteeShort()
	u := p.unsecured
	if _, err := s.billing.Issue(ctx, tx, u); err != nil {
		return d, p.evs, err
	}
	return u, p.evs[:p.kept], nil
}

// pipelineStatuses are the states the worker picks up.
var pipelineStatuses = []Status{StatusSubmitted, StatusAmended}

// queued is a declaration waiting for the pipeline: its id, and the
// snapshot the submitter committed when there is one (nil after a restart).
type queued struct {
	id   int64
	snap *Declaration
	done func(error) // acknowledges a WorkQueue delivery; nil for local work
}

func (q queued) finish(err error) {
	if q.done != nil {
		q.done(err)
	}
}

// runPipeline advances queued declarations in batches until ctx ends. The
// work — loading, risk, tax — happens here, outside the single writer; the
// writer only appends the events and rewrites the row.
func (s *Service) runPipeline(ctx context.Context) {
	defer s.wg.Done()
	batch := make([]queued, 0, s.cfg.PipelineBatch)
	for {
		batch = batch[:0]
		select {
		case q := <-s.queue:
			batch = append(batch, q)
		case <-ctx.Done():
			return
		}
	fill:
		for len(batch) < s.cfg.PipelineBatch {
			select {
			case q := <-s.queue:
				batch = append(batch, q)
			default:
				break fill
			}
		}
		ops, qs := make([]Op, 0, len(batch)), make([]queued, 0, len(batch))
		for _, q := range batch {
			op, err := s.prepare(ctx, q)
			if err != nil {
				s.stepFailed(q.id, err)
				q.finish(err)
				continue
			}
			if op == nil {
				q.finish(nil)
				continue
			}
			ops, qs = append(ops, op), append(qs, q)
		}
		for i, err := range s.commit.doAll(ctx, ops) {
			if err != nil {
				s.stepFailed(qs[i].id, err)
			}
			qs[i].finish(err)
		}
	}
}

func (s *Service) stepFailed(id int64, err error) {
	s.log.Error("pipeline step failed", "declaration", id, "err", err)
	s.metrics.pipelineError()
	s.backlog.Store(true) // retried by the next recovery scan
}

// prepare advances a snapshot of the declaration and returns the op that
// writes the result, or nil when there is nothing to do. The event's
// (declaration, seq) key is the optimistic lock: if anyone changed the
// declaration since the snapshot, appending conflicts and the op redoes
// the step on the locked row instead.
func (s *Service) prepare(ctx context.Context, q queued) (Op, error) {
	d := q.snap
	if d == nil {
		var err error
		if d, err = s.store.Get(ctx, q.id); err != nil {
			return nil, err
		}
	}
	p, err := s.advance(ctx, d, s.now())
	if err != nil || (len(p.evs) == 0 && !p.issue) {
		return nil, err
	}
	d.Seal()
	return func(ctx context.Context, tx Tx) error {
		// The first event is the lock; the bill work comes after it, so a
		// conflict leaves nothing to undo. (A bill alone is its own lock:
		// its number is unique.)
		first := min(1, len(p.evs))
		err := tx.AppendEvents(ctx, p.evs[:first]...)
		if jinguan.ErrorCode(err) == jinguan.ECONFLICT {
			return s.advanceOp(q.id)(ctx, tx)
		}
		if err != nil {
			return err
		}
		d, evs, err := s.settle(ctx, tx, d, p)
		if err != nil {
			return err
		}
		if err := tx.AppendEvents(ctx, evs[first:]...); err != nil {
			return err
		}
		s.metrics.advanced(d)
		return tx.Update(ctx, d, false)
	}, nil
}

// advanceOp loads a declaration inside the batch and advances it.
func (s *Service) advanceOp(id int64) Op {
	return func(ctx context.Context, tx Tx) error {
		d, err := tx.Get(ctx, id)
		if err != nil {
			return err
		}
		p, err := s.advance(ctx, d, s.now())
		if err != nil || (len(p.evs) == 0 && !p.issue) {
			return err
		}
		d, evs, err := s.settle(ctx, tx, d, p)
		if err != nil {
			return err
		}
		if err := tx.Update(ctx, d, false); err != nil {
			return err
		}
		s.metrics.advanced(d)
		return tx.AppendEvents(ctx, evs...)
	}
}

// enqueue hands a committed declaration to the pipeline with a snapshot
// of it; when the queue is full the recovery scan picks it up later, so
// nothing is lost.
func (s *Service) enqueue(d *Declaration) {
	if s.work != nil {
		s.publish(d)
		return
	}
	snap := *d // advance replaces top-level fields only; the form is shared read-only
	select {
	case s.queue <- queued{id: d.ID, snap: &snap}:
	default:
		s.backlog.Store(true)
	}
}

// queueScanRounds spaces the unconditional scans of a scaled-out worker
// (with the default RecoverEvery, every 30 s).
const queueScanRounds = 15

// recover re-queues declarations left waiting by a restart or an overflow.
func (s *Service) recoverPending(ctx context.Context) {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.RecoverEvery)
	defer t.Stop()
	for round, first := 1, true; ; round, first = round+1, false {
		// Scaled out, a publish may have failed on another node: scan
		// every so often anyway. A declaration still in the work queue is
		// then advanced twice at worst, and the event sequence lets one win.
		if first || s.backlog.Swap(false) || s.work != nil && round%queueScanRounds == 0 {
			s.requeue(ctx)
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
}

func (s *Service) requeue(ctx context.Context) {
	const page = 1000
	ids, err := s.store.Pending(ctx, pipelineStatuses, page)
	if err != nil {
		s.log.Error("pending scan failed", "err", err)
		return
	}
	for _, id := range ids {
		select {
		case s.queue <- queued{id: id}:
		case <-ctx.Done():
			return
		}
	}
	if len(ids) == page {
		s.backlog.Store(true) // more may wait: scan again on the next tick
	}
}

// publish hands a committed declaration to the work queue. On failure the
// workers' recovery scan picks it up.
func (s *Service) publish(d *Declaration) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.work.Publish(ctx, d.ID, d.Version); err != nil {
		s.log.Warn("work queue publish failed; left to the recovery scan", "declaration", d.ID, "err", err)
		s.backlog.Store(true)
	}
}

// consume feeds the work queue's deliveries into the local pipeline until
// ctx ends, reconnecting after errors.
func (s *Service) consume(ctx context.Context) {
	defer s.wg.Done()
	for ctx.Err() == nil {
		err := s.work.Consume(ctx, func(id int64, done func(error)) {
			select {
			case s.queue <- queued{id: id, done: done}:
			case <-ctx.Done():
				done(ctx.Err())
			}
		})
		if err != nil && ctx.Err() == nil {
			s.log.Error("work queue consumer stopped; retrying", "err", err)
			select {
			case <-time.After(time.Second):
			case <-ctx.Done():
			}
		}
	}
}
