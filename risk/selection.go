package risk

import (
	"crypto/sha256"
	"encoding/binary"
	"strconv"
	"sync"
	"sync/atomic"
)

// keyedDraw is a uniform number in [0,1) from the secret key, a label and
// a declaration id: reproducible for an audit, unpredictable without the
// key, and independent between labels.
func keyedDraw(key []byte, label string, id int64) float64 {
	h := sha256.New()
	h.Write(key)
	h.Write([]byte(label))
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(id))
	h.Write(b[:])
	return float64(binary.BigEndian.Uint64(h.Sum(nil)[:8])>>11) / (1 << 53)
}

// streaks counts, per profile version, the matches in a row its
// selection percentage left unselected (ASYCUDA's "maximum hits without
// selection"). Counts live in memory: a restart or another node starts
// from zero, which only delays a forced selection.
type streaks struct{ m sync.Map } // "id\x00version" → *atomic.Int64

// selected applies a profile's percentage with a keyed draw per
// declaration and profile, independent of the random stream's draw; a
// match that would be the max-th unselected one in a row is selected
// instead, and forced says after how many.
func (s *streaks) selected(key []byte, id int64, p *Profile, defaultMax int) (sel bool, forced int) {
	if p.Action.Percent >= 100 {
		return true, 0
	}
	if keyedDraw(key, "profile\x00"+p.ID+"\x00", id)*100 < p.Action.Percent {
		s.counter(p).Store(0)
		return true, 0
	}
	limit := p.Action.MaxUnselected
	if limit == 0 {
		limit = defaultMax
	}
	c := s.counter(p)
	n := c.Add(1)
	if limit > 0 && n > int64(limit) {
		c.Store(0)
		return true, limit
	}
	return false, 0
}

func (s *streaks) counter(p *Profile) *atomic.Int64 {
	k := p.ID + "\x00" + strconv.Itoa(p.Version)
	if c, ok := s.m.Load(k); ok {
		return c.(*atomic.Int64)
	}
	c, _ := s.m.LoadOrStore(k, new(atomic.Int64))
	return c.(*atomic.Int64)
}
