package gbdt

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sync"
)

// FormatVersion is written into every model file; readers refuse others.
const FormatVersion = 1

// Tree is one regression tree in flattened arrays. Node i tests
// x[Feature[i]] <= Threshold[i]; a child index c < 0 is the leaf ^c.
type Tree struct {
	Feature   []int32   `json:"feature"`
	Bin       []uint8   `json:"bin"`
	Threshold []float64 `json:"threshold"`
	Left      []int32   `json:"left"`
	Right     []int32   `json:"right"`
	Leaf      []float64 `json:"leaf"`
}

// Ensemble is a trained model: the sum of tree outputs plus a base margin,
// through the logistic function.
type Ensemble struct {
	Version  int         `json:"format_version"`
	Features []string    `json:"features"`
	Edges    [][]float64 `json:"bin_edges"`
	Base     float64     `json:"base_margin"`
	Trees    []Tree      `json:"trees"`

	once     sync.Once // compiles on first use; scoring may then run concurrently
	compiled []uint64  // all trees, nodes local to each tree's span
	trees    []span    // per tree: first node and the fixed number of steps
	values   []float64 // leaf value of each compiled node, 0 inside
}

// A compiled node is one word, so a tree of 63 leaves takes 1 KB of cache:
// bits 0–15 left child, 16–31 right child, 32–47 feature, 48–55 bin. A leaf
// is a node whose children are itself, so every walk takes its tree's depth
// in steps with no data-dependent branch.
func node(left, right, feat uint16, bin uint8) uint64 {
	return uint64(left) | uint64(right)<<16 | uint64(feat)<<32 | uint64(bin)<<48
}

type span struct {
	first, end int32
	depth      int32
}

func (e *Ensemble) compile() {
	e.compiled, e.trees, e.values = nil, nil, nil
	for _, t := range e.Trees {
		first := int32(len(e.compiled))
		inner := int32(len(t.Feature))
		local := func(c int32) uint16 { // leaves follow the inner nodes
			if c < 0 {
				return uint16(inner + ^c)
			}
			return uint16(c)
		}
		for i := range t.Feature {
			e.compiled = append(e.compiled, node(local(t.Left[i]), local(t.Right[i]), uint16(t.Feature[i]), t.Bin[i]))
			e.values = append(e.values, 0)
		}
		for i, v := range t.Leaf {
			self := uint16(inner + int32(i))
			e.compiled = append(e.compiled, node(self, self, 0, 255))
			e.values = append(e.values, v)
		}
		e.trees = append(e.trees, span{first: first, end: int32(len(e.compiled)), depth: int32(t.depth())})
	}
}

// depth is the longest root-to-leaf path.
func (t *Tree) depth() int {
	if len(t.Feature) == 0 {
		return 0
	}
	d := make([]int, len(t.Feature))
	most := 0
	for i := range t.Feature { // parents come before children
		for _, c := range []int32{t.Left[i], t.Right[i]} {
			if c >= 0 {
				d[c] = d[i] + 1
			} else {
				most = max(most, d[i]+1)
			}
		}
	}
	return most
}

// Bin maps a feature vector to bins, as the trees test them.
func (e *Ensemble) Bin(x []float64, xb []uint8) {
	for f, ed := range e.Edges {
		xb[f] = binOf(ed, x[f])
	}
}

// Margin is the raw score (log-odds) of one feature vector.
func (e *Ensemble) Margin(x []float64) float64 {
	var out [1]float64
	e.Margins([][]float64{x}, out[:])
	return out[0]
}

// Margins scores many vectors. It walks one tree at a time for a block of
// items: the tree stays in L1 cache and the items' walks are independent,
// so the processor overlaps them instead of waiting on each.
func (e *Ensemble) Margins(X [][]float64, out []float64) {
	e.once.Do(e.compile)
	const block = 256
	nf := len(e.Edges)
	xb := make([]uint8, min(block, len(X))*nf)
	var at [block]uint16
	for lo := 0; lo < len(X); lo += block {
		rows := X[lo:min(lo+block, len(X))]
		o := out[lo : lo+len(rows)]
		for i, x := range rows {
			e.Bin(x, xb[i*nf:(i+1)*nf])
			o[i] = e.Base
		}
		pos := at[:len(rows)]
		for _, t := range e.trees {
			nodes := e.compiled[t.first:t.end]
			clear(pos)
			walk(nodes, xb, nf, pos, int(t.depth))
			v := e.values[t.first:t.end]
			for i, n := range pos {
				o[i] += v[n]
			}
		}
	}
}

// walk moves every item of a block down one tree. Each item goes all the
// way down in registers; four items at a time keep four independent chains
// of loads in flight.
func walk(nodes []uint64, xb []uint8, nf int, pos []uint16, depth int) {
	i := 0
	for ; i+4 <= len(pos); i += 4 {
		a, b, c, d := xb[i*nf:(i+1)*nf], xb[(i+1)*nf:(i+2)*nf], xb[(i+2)*nf:(i+3)*nf], xb[(i+3)*nf:(i+4)*nf]
		var na, nb, nc, nd uint64
		for range depth {
			na = step(nodes[na&0xffff], a)
			nb = step(nodes[nb&0xffff], b)
			nc = step(nodes[nc&0xffff], c)
			nd = step(nodes[nd&0xffff], d)
		}
		pos[i], pos[i+1], pos[i+2], pos[i+3] = uint16(na), uint16(nb), uint16(nc), uint16(nd)
	}
	for ; i < len(pos); i++ {
		var n uint64
		for range depth {
			n = step(nodes[n&0xffff], xb[i*nf:(i+1)*nf])
		}
		pos[i] = uint16(n)
	}
}

// step returns the child (in the low 16 bits) an item goes to: right when
// its bin is above the node's, from the sign bit of the difference rather
// than a branch the predictor would miss.
func step(w uint64, x []uint8) uint64 {
	right := uint(int(w>>48&0xff)-int(x[w>>32&0xffff])) >> 63
	return w >> (16 * (right & 1))
}

// Predict is the probability of the positive label.
func (e *Ensemble) Predict(x []float64) float64 { return sigmoid(e.Margin(x)) }

func sigmoid(m float64) float64 { return 1 / (1 + math.Exp(-m)) }

// Write encodes the model as JSON; the same model always gives the same bytes.
func (e *Ensemble) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	return enc.Encode(e)
}

// Read decodes a model written by Write and checks its shape.
func Read(r io.Reader) (*Ensemble, error) {
	var e Ensemble
	if err := json.NewDecoder(r).Decode(&e); err != nil {
		return nil, fmt.Errorf("gbdt model: %w", err)
	}
	if err := e.Check(); err != nil {
		return nil, err
	}
	return &e, nil
}

// Check verifies the ensemble's shape after decoding.
func (e *Ensemble) Check() error {
	if e.Version != FormatVersion {
		return fmt.Errorf("gbdt model: format version %d, want %d", e.Version, FormatVersion)
	}
	if len(e.Edges) != len(e.Features) || len(e.Features) > 1<<16 {
		return fmt.Errorf("gbdt model: %d bin edge lists for %d features", len(e.Edges), len(e.Features))
	}
	for i, t := range e.Trees {
		n := len(t.Feature)
		if len(t.Threshold) != n || len(t.Bin) != n || len(t.Left) != n || len(t.Right) != n || len(t.Leaf) != n+1 || 2*n+1 > 1<<16 {
			return fmt.Errorf("gbdt model: tree %d: inconsistent arrays", i)
		}
		for j := 0; j < n; j++ {
			if int(t.Feature[j]) < 0 || int(t.Feature[j]) >= len(e.Features) {
				return fmt.Errorf("gbdt model: tree %d node %d: feature %d out of range", i, j, t.Feature[j])
			}
			for _, c := range []int32{t.Left[j], t.Right[j]} {
				if (c >= 0 && (int(c) >= n || c <= int32(j))) || (c < 0 && int(^c) > n) {
					return fmt.Errorf("gbdt model: tree %d node %d: bad child %d", i, j, c)
				}
			}
		}
	}
	return nil
}
