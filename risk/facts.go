package risk

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"time"

	"github.com/jinguan-customs/jinguan/declaration"
)

// Project applies committed risk events to the facts of their
// declarations, in event order. An event older than what a fact already
// holds is skipped, so taking an event twice changes nothing. An event
// whose data cannot be read moves the fact's position on and changes
// nothing else: one bad record must not stop the feed.
func Project(evs []FactEvent, cur map[int64]*Fact) ([]*Fact, error) {
	var out []*Fact
	changed := map[int64]bool{}
	for _, ev := range evs {
		f := cur[ev.DeclarationID]
		if f == nil {
			f = &Fact{DeclarationID: ev.DeclarationID}
			cur[ev.DeclarationID] = f
		}
		if ev.Seq <= f.Seq {
			continue
		}
		switch ev.Action {
		case declaration.ActAssessRisk:
			var rd declaration.RiskDecision
			if json.Unmarshal(ev.Data, &rd) == nil {
				// A new assessment (after an amendment) starts the fact over.
				*f = decisionFact(ev, &rd)
			}
		case declaration.ActReroute:
			var lanes struct{ To declaration.Lane }
			if json.Unmarshal(ev.Data, &lanes) == nil && lanes.To != "" {
				f.Lane, f.Rerouted = lanes.To, true
			}
		case declaration.ActRecordResult:
			var ir declaration.InspectionResult
			if json.Unmarshal(ev.Data, &ir) == nil {
				f.Inspected, f.InspectedAt = true, ir.RecordedAt
				f.AdditionalDuty, f.Seized, f.Findings = ir.AdditionalDuty, ir.Seized, nil
				for _, x := range ir.Findings {
					f.Findings = append(f.Findings, factFinding(x))
				}
			}
		case declaration.ActRecordAudit:
			var ir declaration.InspectionResult
			if json.Unmarshal(ev.Data, &ir) == nil {
				f.Audit = &FactCheck{At: ir.RecordedAt, AdditionalDuty: ir.AdditionalDuty, Seized: ir.Seized}
				for _, x := range ir.Findings {
					f.Audit.Findings = append(f.Audit.Findings, factFinding(x))
				}
			}
		}
		f.Seq = ev.Seq
		if !changed[f.DeclarationID] {
			changed[f.DeclarationID] = true
			out = append(out, f)
		}
	}
	return out, nil
}

func factFinding(x declaration.Finding) FactFinding {
	return FactFinding{GNo: x.GNo, Kind: x.Kind, AdditionalDuty: x.AdditionalDuty, Seized: x.Seized}
}

func decisionFact(ev FactEvent, rd *declaration.RiskDecision) Fact {
	f := Fact{DeclarationID: ev.DeclarationID, DecidedAt: rd.DecidedAt, Office: rd.Office, Direction: rd.Direction,
		Trader: ev.Trader, Agent: ev.Agent, Stream: rd.Stream, Lane: rd.Lane, RandomLane: rd.RandomLane, TopUp: rd.TopUp}
	if f.RandomLane == "" && rd.Stream == "random" {
		f.RandomLane = rd.Lane // recorded before the random lane had its own field
	}
	for _, l := range []declaration.Lane{declaration.LaneRed, declaration.LaneYellow} {
		if x, err := strconv.ParseFloat(rd.Rates[l], 64); err == nil {
			f.RandomRate += x
		}
	}
	for _, c := range ev.Codes {
		ch := ""
		if len(c) >= 2 {
			ch = c[:2]
		}
		f.Chapters = append(f.Chapters, ch)
	}
	if m := rd.Model; m != nil && m.Selected != "" && checked(m.Lane) {
		f.Model = m.Selected
	}
	if m := rd.Model; m != nil {
		f.ModelVersion, f.ModelScore = m.Version, m.Score
	}
	for _, h := range rd.Hits {
		f.Hits = append(f.Hits, FactHit{ProfileID: h.ProfileID, Version: h.Version, Item: h.Item, Lane: h.Lane, Selected: h.Selected})
	}
	return f
}

// Checked reports whether the declaration was sent to a check: document
// review or inspection.
func checked(l declaration.Lane) bool { return l == declaration.LaneRed || l == declaration.LaneYellow }

// Found reports whether the check found something on item no (0: anywhere).
func (f *Fact) found(no int) bool {
	for _, x := range f.Findings {
		if no == 0 || x.GNo == no {
			return true
		}
	}
	return false
}

// Projector keeps the facts up to date with the declaration store.
type Projector struct {
	Store Store
	Log   *slog.Logger
	Batch int // events per transaction; 0: 500
	// After is called after each batch that changed facts (e.g. to
	// refresh party history); may be nil.
	After func(context.Context)
}

// Drain projects until no event is left, waiting for the events another
// node is projecting, so that the facts include every event committed
// before the call.
func (p *Projector) Drain(ctx context.Context) error {
	for {
		n, err := p.step(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		pending, err := p.Store.FeedPending(ctx)
		if err != nil || !pending {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func (p *Projector) batch() int {
	if p.Batch <= 0 {
		return 500
	}
	return p.Batch
}

func (p *Projector) step(ctx context.Context) (int, error) {
	n, err := p.Store.ProjectFacts(ctx, p.batch(), Project)
	if n > 0 && err == nil && p.After != nil {
		p.After(ctx)
	}
	return n, err
}

// Run projects every interval until ctx ends; a full batch is followed
// by the next one at once.
func (p *Projector) Run(ctx context.Context, every time.Duration) {
	for {
		n, err := p.step(ctx)
		if err != nil && ctx.Err() == nil && p.Log != nil {
			p.Log.Error("risk facts projection failed", "err", err)
		}
		if err == nil && n >= p.batch() {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
