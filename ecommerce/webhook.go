package ecommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// Webhook pushes the list receipt log to a subscriber's URL. The log in
// the store is the durable outbox: the pusher posts receipts after its
// cursor in order, in batches, and moves the cursor only after a 2xx
// answer, so a crash or an unreachable subscriber means a retry (at least
// once), never a loss. Failures back off up to MaxBackoff.
type Webhook struct {
	Name string `json:"name"` // names the cursor
	URL  string `json:"url"`
}

// Pusher delivers one webhook.
type Pusher struct {
	Hook       Webhook
	Store      Store
	Client     *http.Client
	Batch      int
	Poll       time.Duration // how often to look for new receipts when idle
	MaxBackoff time.Duration
	Log        *slog.Logger
	// Before, when set, bounds the receipts pushed to those known to be on
	// the disk (Service.DurableBefore).
	Before func() int64
}

func (p *Pusher) defaults() {
	if p.Client == nil {
		p.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if p.Batch <= 0 {
		p.Batch = 500
	}
}

// Run pushes until ctx ends.
func (p *Pusher) Run(ctx context.Context) {
	p.defaults()
	if p.Poll <= 0 {
		p.Poll = 500 * time.Millisecond
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = time.Minute
	}
	if p.Log == nil {
		p.Log = slog.Default()
	}
	backoff := time.Duration(0)
	for {
		wait := p.Poll
		n, err := p.Once(ctx)
		switch {
		case err != nil:
			backoff = min(max(2*backoff, time.Second), p.MaxBackoff)
			wait = backoff
			p.Log.Warn("ecommerce webhook failed", "hook", p.Hook.Name, "err", err, "retry_in", wait)
		case n > 0:
			backoff, wait = 0, 0
		default:
			backoff = 0
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// Once posts the next batch; it returns how many receipts were delivered.
func (p *Pusher) Once(ctx context.Context) (int, error) {
	p.defaults()
	cur, err := p.Store.Cursor(ctx, "webhook:"+p.Hook.Name)
	if err != nil {
		return 0, err
	}
	rs, err := p.Store.Receipts(ctx, cur, p.Batch)
	if p.Before != nil {
		rs = durable(rs, p.Before())
	}
	if err != nil || len(rs) == 0 {
		return 0, err
	}
	body, err := json.Marshal(map[string]any{"receipts": rs})
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.Hook.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.Client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return 0, fmt.Errorf("%s answered %s", p.Hook.URL, resp.Status)
	}
	return len(rs), p.Store.SetCursor(ctx, "webhook:"+p.Hook.Name, rs[len(rs)-1].Seq)
}
