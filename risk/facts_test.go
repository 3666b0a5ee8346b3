package risk

import (
	"context"
	"testing"
)

// feedHeldElsewhere is a store whose remaining events another node is
// projecting: ProjectFacts skips them until that node is done.
type feedHeldElsewhere struct {
	Store
	held int // FeedPending calls until the other node commits
}

func (f *feedHeldElsewhere) ProjectFacts(context.Context, int, func([]FactEvent, map[int64]*Fact) ([]*Fact, error)) (int, error) {
	return 0, nil
}

func (f *feedHeldElsewhere) FeedPending(context.Context) (bool, error) {
	f.held--
	return f.held >= 0, nil
}

// Drain returns only once no event is left, its own or another node's.
func TestDrainWaitsForOtherNodes(t *testing.T) {
	st := &feedHeldElsewhere{held: 3}
	if err := (&Projector{Store: st}).Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st.held != -1 {
		t.Fatalf("Drain returned with events still held elsewhere (%d checks left)", st.held+1)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := (&Projector{Store: &feedHeldElsewhere{held: 1 << 30}}).Drain(ctx); err == nil {
		t.Fatal("Drain waited past its context")
	}
}
