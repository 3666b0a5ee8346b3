package risk

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/jinguan-customs/jinguan/declaration"
)

// Quota counts the declarations each office and direction sent to a check
// today, so that spare inspection capacity can be topped up. Counts are
// this node's (seeded from the day's facts at start): with several nodes
// each tops up towards the whole capacity, so give each node its share.
type Quota struct {
	mu     sync.Mutex
	day    time.Time
	counts map[quotaKey]int
}

type quotaKey struct {
	office, dir string
	lane        declaration.Lane
}

// NewQuota starts the day's counts from facts already decided today.
func NewQuota(today []Fact, now time.Time) *Quota {
	q := &Quota{day: chinaDate(now), counts: map[quotaKey]int{}}
	for _, f := range today {
		if checked(f.Lane) && chinaDate(f.DecidedAt).Equal(q.day) {
			q.counts[quotaKey{f.Office, f.Direction, f.Lane}]++
		}
	}
	return q
}

// add counts a decision; under reports whether the lane is behind the
// capacity's pace at t. Both roll over at Beijing midnight.
func (q *Quota) add(office, dir string, l declaration.Lane, t time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.roll(t)
	q.counts[quotaKey{office, dir, l}]++
}

func (q *Quota) under(office, dir string, l declaration.Lane, capacity int, t time.Time) (bool, int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.roll(t)
	n := q.counts[quotaKey{office, dir, l}]
	return float64(n) < float64(capacity)*dayShare(t), n
}

func (q *Quota) roll(t time.Time) {
	if d := chinaDate(t); !d.Equal(q.day) {
		q.day, q.counts = d, map[quotaKey]int{}
	}
}

// topUp selects a declaration the streams released for a check while
// the office is behind its capacity's pace, with the configured chance;
// then counts the final lane.
func (t *Targeting) topUp(rd *declaration.RiskDecision, d *declaration.Declaration, at time.Time) {
	if t.Quota == nil {
		return
	}
	office, dir := d.Head.CustomMaster, d.Head.IEFlag
	if c, ok := t.Settings.capacity(office, dir); ok && rd.Lane == declaration.LaneGreen && c.TopUp > 0 {
		u := keyedDraw(t.key, "top-up\x00", d.ID)
		for _, l := range []struct {
			lane declaration.Lane
			cap  int
		}{{declaration.LaneRed, c.Red}, {declaration.LaneYellow, c.Yellow}} {
			if behind, n := t.Quota.under(office, dir, l.lane, l.cap, at); behind && u < c.TopUp {
				rd.Lane, rd.Stream, rd.TopUp = l.lane, "top_up", true
				pace := strconv.Itoa(int(float64(l.cap) * dayShare(at)))
				rd.ReasonZH += fmt.Sprintf("；关区当日%s %d 票，低于能力进度 %s（日能力 %d），按 %.0f%% 补足抽中（抽签值 %.4f）",
					laneZH[l.lane], n, pace, l.cap, c.TopUp*100, u)
				rd.ReasonEN += fmt.Sprintf("; the office's %s checks today (%d) are behind its capacity pace %s (%d a day): topped up with chance %.0f%% (draw %.4f)",
					l.lane, n, pace, l.cap, c.TopUp*100, u)
				break
			}
		}
	}
	if checked(rd.Lane) {
		t.Quota.add(office, dir, rd.Lane, at)
	}
}
