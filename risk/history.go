package risk

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// History answers what profiles see of a party's past (decl.trader_* and
// decl.agent_*) from memory: counts over the facts of the last Window,
// refreshed from the store after the projector has moved on.
type History struct {
	Store  Store
	Window time.Duration    // 0: 365 days
	Now    func() time.Time // nil: time.Now
	// MinRefresh spaces refreshes out under load (each sums a year of
	// facts); 0: 10 s.
	MinRefresh time.Duration

	counts atomic.Pointer[partyCounts]
	mu     sync.Mutex
	last   time.Time
}

type partyCounts struct {
	traders, agents map[string]PartyHistory
}

// Refresh reloads the counts unless the last refresh is very recent.
func (h *History) Refresh(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	every := h.MinRefresh
	if every == 0 {
		every = 10 * time.Second
	}
	if h.counts.Load() != nil && now.Sub(h.last) < every {
		return nil
	}
	return h.load(ctx, now)
}

// Reload reloads the counts now.
func (h *History) Reload(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.load(ctx, h.now())
}

func (h *History) load(ctx context.Context, now time.Time) error {
	w := h.Window
	if w == 0 {
		w = 365 * 24 * time.Hour
	}
	t, a, err := h.Store.PartyCounts(ctx, now.Add(-w))
	if err != nil {
		return err
	}
	h.counts.Store(&partyCounts{traders: t, agents: a})
	h.last = now
	return nil
}

func (h *History) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// Of returns the trader's and the agent's history; zero before the first
// refresh.
func (h *History) Of(trader, agent string) (PartyHistory, PartyHistory) {
	if h == nil {
		return PartyHistory{}, PartyHistory{}
	}
	c := h.counts.Load()
	if c == nil {
		return PartyHistory{}, PartyHistory{}
	}
	return c.traders[trader], c.agents[agent]
}

// fillHistory sets the history inputs of a declaration decided on day.
func fillHistory(in *DeclInput, trader, agent PartyHistory) {
	in.TraderDeclarations, in.TraderInspections, in.TraderFindings = trader.Declarations, trader.Inspections, trader.Findings
	in.AgentDeclarations, in.AgentInspections, in.AgentFindings = agent.Declarations, agent.Inspections, agent.Findings
	in.TraderDaysSinceFinding = -1
	if !trader.LastFinding.IsZero() {
		in.TraderDaysSinceFinding = int(in.Date.Sub(chinaDate(trader.LastFinding)).Hours() / 24)
	}
}
