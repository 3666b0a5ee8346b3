package declaration

import (
	"context"
	"sync"

	"github.com/jinguan-customs/jinguan"
)

// committer funnels every write through one goroutine. While one batch is
// being committed (and fsynced) new ops queue up and go into the next
// batch, so concurrent submissions share commits without any added wait.
type committer struct {
	store    Store
	reqs     chan commitReq
	maxBatch int
	batches  func(size int) // observes batch sizes (metrics)
	wg       sync.WaitGroup
	stop     chan struct{}
	mu       sync.RWMutex // held for reading while enqueuing, so close waits for enqueuers
	closed   bool
}

type commitReq struct {
	op   Op
	done chan error
}

func newCommitter(store Store, maxBatch int, observe func(int)) *committer {
	if observe == nil {
		observe = func(int) {}
	}
	c := &committer{store: store, reqs: make(chan commitReq, 4*maxBatch), maxBatch: maxBatch,
		batches: observe, stop: make(chan struct{})}
	c.wg.Add(1)
	go c.run()
	return c
}

// do runs op in the next batch and waits until it is durable or failed.
func (c *committer) do(ctx context.Context, op Op) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	done := make(chan error, 1)
	if !c.enqueue(commitReq{op, done}) {
		return errShutdown
	}
	// Once queued the op will run; wait for its outcome even if the caller
	// gives up, so a durable write is never reported as failed.
	return <-done
}

// enqueue hands r to the run loop unless the committer is closed.
func (c *committer) enqueue(r commitReq) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return false
	}
	c.reqs <- r // the run loop is alive until close, so this completes
	return true
}

// doAll queues several ops and waits for all of them.
func (c *committer) doAll(ctx context.Context, ops []Op) []error {
	dones := make([]chan error, len(ops))
	errs := make([]error, len(ops))
	for i, op := range ops {
		dones[i] = make(chan error, 1)
		if !c.enqueue(commitReq{op, dones[i]}) {
			dones[i] <- errShutdown
		}
	}
	for i := range dones {
		errs[i] = <-dones[i]
	}
	return errs
}

func (c *committer) run() {
	defer c.wg.Done()
	batch := make([]commitReq, 0, c.maxBatch)
	ops := make([]Op, 0, c.maxBatch)
	for {
		var first commitReq
		select {
		case first = <-c.reqs:
		case <-c.stop:
			c.drain()
			return
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < c.maxBatch {
			select {
			case r := <-c.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		c.commit(batch, ops[:0])
	}
}

func (c *committer) commit(batch []commitReq, ops []Op) {
	for _, r := range batch {
		ops = append(ops, r.op)
	}
	c.batches(len(ops))
	errs := c.store.WriteBatch(context.Background(), ops)
	for i, r := range batch {
		r.done <- errs[i]
	}
}

// drain commits what is still queued at shutdown.
func (c *committer) drain() {
	for {
		select {
		case r := <-c.reqs:
			c.commit([]commitReq{r}, nil)
		default:
			return
		}
	}
}

func (c *committer) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	close(c.stop)
	c.wg.Wait()
}

var errShutdown = jinguan.Errorf(jinguan.EUNAVAIL, "系统正在停止", "the service is shutting down")
