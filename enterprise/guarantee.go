package enterprise

import (
	"context"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
)

// Guarantees answers whether an enterprise's general guarantee (总担保)
// secures a declaration's taxes. It caches the registry for a short while
// because the pipeline asks for every declaration. The guarantee has no
// balance yet: the tariff module's consolidated payment adds one.
type Guarantees struct {
	Store Store
	TTL   time.Duration

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	ok      bool
	expires time.Time
}

// Covers implements declaration.Guarantees.
func (g *Guarantees) Covers(ctx context.Context, scc string, _ decimal.Decimal) (bool, string, error) {
	now := time.Now()
	g.mu.Lock()
	c, hit := g.cache[scc]
	g.mu.Unlock()
	if !hit || now.After(c.expires) {
		e, err := g.Store.Enterprise(ctx, scc)
		switch {
		case jinguan.ErrorCode(err) == jinguan.ENOTFOUND:
			c.ok = false
		case err != nil:
			return false, "", err
		default:
			c.ok = e.Guarantee
		}
		c.expires = now.Add(g.TTL)
		g.mu.Lock()
		if g.cache == nil {
			g.cache = map[string]cached{}
		}
		g.cache[scc] = c
		g.mu.Unlock()
	}
	if !c.ok {
		return false, "", nil
	}
	return true, "GG-" + scc, nil
}
