package risk

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
)

// Load compiles the active profiles from the store, with the watch-lists
// and the reference prices valid on the date.
func Load(ctx context.Context, st Store, c *Compiler, on time.Time) (*Engine, error) {
	ls, err := st.WatchLists(ctx)
	if err != nil {
		return nil, err
	}
	ps, err := st.RefPrices(ctx)
	if err != nil {
		return nil, err
	}
	profiles, err := st.Profiles(ctx, true)
	if err != nil {
		return nil, err
	}
	c.SetLists(compileLists(ls, ps, on))
	return c.Engine(profiles)
}

// Watcher keeps a Targeting on the store's active profiles: Reload after
// a change made here, Run to pick up changes made by other nodes or by
// the command line, and the reference prices of a new day.
type Watcher struct {
	Store     Store
	Compiler  *Compiler
	Targeting *Targeting
	Log       *slog.Logger
	Now       func() time.Time // nil: time.Now

	mu   sync.Mutex
	gen  int64
	day  time.Time
	seen bool
}

// Reload compiles and swaps in the current profile set. When the set
// does not compile the running one stays and the error is returned: a bad
// rule never silently stops targeting.
func (w *Watcher) Reload(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	gen, err := w.Store.Generation(ctx)
	if err != nil {
		return err
	}
	return w.reload(ctx, gen)
}

func (w *Watcher) reload(ctx context.Context, gen int64) error {
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	day := chinaDate(now())
	e, err := Load(ctx, w.Store, w.Compiler, day)
	if err != nil {
		return fmt.Errorf("risk profiles not reloaded: %w", err)
	}
	w.Targeting.Reload(e)
	w.gen, w.day, w.seen = gen, day, true
	if w.Log != nil {
		w.Log.Info("risk profiles loaded", "active", e.Len(), "generation", gen)
	}
	return nil
}

// Run polls the store every interval until ctx ends.
func (w *Watcher) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := w.check(ctx); err != nil && ctx.Err() == nil && w.Log != nil {
			w.Log.Error("risk profile reload failed", "err", err)
		}
	}
}

func (w *Watcher) check(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	gen, err := w.Store.Generation(ctx)
	if err != nil {
		return err
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	if w.seen && gen == w.gen && chinaDate(now()).Equal(w.day) {
		return nil
	}
	return w.reload(ctx, gen)
}

// System is the principal of automatic registry changes (seeding).
var System = auth.Principal{User: "system", Role: auth.RoleAdmin}

// Seed stores profiles and lists from files into an empty registry, so a
// deployment's config/profiles.json (or the demo set) is where the
// registry starts; once the registry holds anything, files are ignored.
func Seed(ctx context.Context, r *Registry, profiles []Profile, lists *Lists, from time.Time) (bool, error) {
	have, err := r.Store.Profiles(ctx, false)
	if err != nil || len(have) > 0 {
		return false, err
	}
	ls, err := r.Store.WatchLists(ctx)
	if err != nil || len(ls) > 0 {
		return false, err
	}
	if lists != nil {
		for name, set := range lists.Named {
			l := WatchList{Name: name, Kind: "other", Description: "imported from watch-lists.json"}
			for v := range set {
				l.Values = append(l.Values, v)
			}
			if _, err := r.PutList(ctx, System, l); err != nil {
				return false, fmt.Errorf("watch-list %s: %w", name, err)
			}
		}
		if len(lists.RefPrices) > 0 {
			if err := r.PutRefPrices(ctx, System, refPricesOf(lists, from, "watch-lists.json")); err != nil {
				return false, fmt.Errorf("reference prices: %w", err)
			}
		}
	}
	if len(profiles) > 0 {
		if _, err := r.Import(ctx, System, profiles); err != nil {
			return false, err
		}
	}
	return true, nil
}

// chinaDate is midnight of t's Beijing date.
func chinaDate(t time.Time) time.Time {
	t = t.In(jinguan.China)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, jinguan.China)
}
