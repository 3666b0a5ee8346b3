package ecommerce

import (
	"math/rand/v2"
	"testing"
)

// TestFIFO checks the chunked queue against a slice under random pushes
// and pops across chunk boundaries.
func TestFIFO(t *testing.T) {
	var q fifo[int]
	var model []int
	r := rand.New(rand.NewPCG(1, 2))
	next := 0
	for step := 0; step < 200000; step++ {
		if r.IntN(3) > 0 || len(model) == 0 {
			q.push(next)
			model = append(model, next)
			next++
		} else {
			if got := *q.front(); got != model[0] {
				t.Fatalf("step %d: front %d, want %d", step, got, model[0])
			}
			if got := q.pop(); got != model[0] {
				t.Fatalf("step %d: pop %d, want %d", step, got, model[0])
			}
			model = model[1:]
		}
		if q.len() != len(model) {
			t.Fatalf("step %d: len %d, want %d", step, q.len(), len(model))
		}
	}
	for len(model) > 0 {
		if got := q.pop(); got != model[0] {
			t.Fatalf("drain: pop %d, want %d", got, model[0])
		}
		model = model[1:]
	}
	if q.len() != 0 || len(q.chunks) != 1 || len(q.chunks[0]) != 0 {
		t.Fatalf("drained: len %d, %d chunks", q.len(), len(q.chunks))
	}
	q.push(1) // an empty queue fills its chunk again
	if q.pop() != 1 || q.len() != 0 {
		t.Fatal("push after draining")
	}
}
