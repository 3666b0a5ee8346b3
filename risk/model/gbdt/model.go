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
	// LeafRows are the training rows in each leaf: the weights of the
	// expected values that explanations start from.
	LeafRows []int32 `json:"leaf_rows,omitempty"`
}

// Ensemble is a trained model: the sum of tree outputs plus a base margin,
// through the logistic function.
type Ensemble struct {
	Version  int         `json:"format_version"`
	Features []string    `json:"features"`
	Edges    [][]float64 `json:"bin_edges"`
	Base     float64     `json:"base_margin"`
	Trees    []Tree      `json:"trees"`

	once sync.Once // compiles on first use; scoring may then run concurrently
	flat *flat

	explainOnce sync.Once
	expected    [][]float64 // per tree: expected value of each inner node
}

// Limits of the compiled form: a feature index and a node index are one
// byte each. Training and Check enforce them.
const (
	MaxFeatures   = 256
	MaxTreeLeaves = 128
)

// RowBytes is the stride of a binned row given to MarginsBinned: one byte
// per feature, padded so that any feature byte indexes it without a check.
const RowBytes = 256

// flat holds every tree as a block of 256 one-word nodes: bits 0–7 left
// child, 8–15 right child, 16–23 feature, 24–31 bin. A leaf is a node whose
// children are itself, so every walk takes its tree's depth in steps with
// no data-dependent branch, and extra steps stay on the leaf; the fixed
// block size lets the compiler drop all bounds checks from the walk.
type flat struct {
	nodes  []uint32  // 256 per tree, padded to whole groups of eight trees
	values []float64 // leaf value of each node (0 inside), same layout
	depth  []uint8   // per tree
	group  []uint8   // per group of eight trees: the deepest
}

const treeBlock = 256

func node(left, right, feat, bin uint8) uint32 {
	return uint32(left) | uint32(right)<<8 | uint32(feat)<<16 | uint32(bin)<<24
}

func (e *Ensemble) compile() {
	f := &flat{}
	groups := (len(e.Trees) + 7) / 8
	f.nodes = make([]uint32, groups*8*treeBlock)
	f.values = make([]float64, groups*8*treeBlock)
	f.group = make([]uint8, groups)
	for k, t := range e.Trees {
		nodes, values := f.nodes[k*treeBlock:], f.values[k*treeBlock:]
		inner := len(t.Feature)
		local := func(c int32) uint8 { // leaves follow the inner nodes
			if c < 0 {
				return uint8(inner + int(^c))
			}
			return uint8(c)
		}
		for i := range t.Feature {
			nodes[i] = node(local(t.Left[i]), local(t.Right[i]), uint8(t.Feature[i]), t.Bin[i])
		}
		for i, v := range t.Leaf {
			self := uint8(inner + i)
			nodes[self] = node(self, self, 0, 255)
			values[self] = v
		}
		f.depth = append(f.depth, uint8(t.depth()))
		f.group[k/8] = max(f.group[k/8], f.depth[k])
	}
	e.flat = f
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
		xb[f] = BinOf(ed, x[f])
	}
}

// Margin is the raw score (log-odds) of one feature vector.
func (e *Ensemble) Margin(x []float64) float64 {
	var out [1]float64
	e.Margins([][]float64{x}, out[:])
	return out[0]
}

// Margins scores many feature vectors: it bins them and calls MarginsBinned.
func (e *Ensemble) Margins(X [][]float64, out []float64) {
	const block = 64
	xb := make([]uint8, min(block, len(X))*RowBytes)
	for lo := 0; lo < len(X); lo += block {
		rows := X[lo:min(lo+block, len(X))]
		for i, x := range rows {
			e.Bin(x, xb[i*RowBytes:(i+1)*RowBytes])
		}
		e.MarginsBinned(xb[:len(rows)*RowBytes], out[lo:lo+len(rows)])
	}
}

// MarginsBinned writes the margins of binned rows (RowBytes apart, one
// byte per feature, as Bin fills them) into out. Groups of eight items walk
// one tree at a time, so the tree stays in L1 cache and the eight walks are
// interleaved: the processor overlaps their loads instead of waiting on
// each. Items left over walk eight trees at a time for the same reason.
// Either way every item adds its trees' values in tree order, so an item
// gets the same margin alone as in a batch.
func (e *Ensemble) MarginsBinned(xb []uint8, out []float64) {
	e.once.Do(e.compile)
	f := e.flat
	n := len(out)
	if len(xb) < n*RowBytes {
		panic("gbdt: binned rows shorter than the scores")
	}
	full := n - n%8
	for i := range out {
		out[i] = e.Base
	}
	for k, depth := range f.depth {
		nodes := (*[treeBlock]uint32)(f.nodes[k*treeBlock:])
		values := (*[treeBlock]float64)(f.values[k*treeBlock:])
		for i := 0; i < full; i += 8 {
			x := (*[8 * RowBytes]uint8)(xb[i*RowBytes:])
			var n0, n1, n2, n3, n4, n5, n6, n7 uint8
			for range depth {
				n0 = step(nodes[n0], x, 0*RowBytes)
				n1 = step(nodes[n1], x, 1*RowBytes)
				n2 = step(nodes[n2], x, 2*RowBytes)
				n3 = step(nodes[n3], x, 3*RowBytes)
				n4 = step(nodes[n4], x, 4*RowBytes)
				n5 = step(nodes[n5], x, 5*RowBytes)
				n6 = step(nodes[n6], x, 6*RowBytes)
				n7 = step(nodes[n7], x, 7*RowBytes)
			}
			o := out[i : i+8 : i+8]
			o[0] += values[n0]
			o[1] += values[n1]
			o[2] += values[n2]
			o[3] += values[n3]
			o[4] += values[n4]
			o[5] += values[n5]
			o[6] += values[n6]
			o[7] += values[n7]
		}
	}
	for i := full; i < n; i++ {
		out[i] = f.margin((*[RowBytes]uint8)(xb[i*RowBytes:]), e.Base)
	}
}

// margin walks one item through eight trees at a time.
func (f *flat) margin(x *[RowBytes]uint8, m float64) float64 {
	for g, depth := range f.group {
		t := (*[8 * treeBlock]uint32)(f.nodes[g*8*treeBlock:])
		var n0, n1, n2, n3, n4, n5, n6, n7 int
		for range depth {
			n0 = stepTree(t, 0*treeBlock, n0, x)
			n1 = stepTree(t, 1*treeBlock, n1, x)
			n2 = stepTree(t, 2*treeBlock, n2, x)
			n3 = stepTree(t, 3*treeBlock, n3, x)
			n4 = stepTree(t, 4*treeBlock, n4, x)
			n5 = stepTree(t, 5*treeBlock, n5, x)
			n6 = stepTree(t, 6*treeBlock, n6, x)
			n7 = stepTree(t, 7*treeBlock, n7, x)
		}
		v := (*[8 * treeBlock]float64)(f.values[g*8*treeBlock:])
		for k, at := range [8]int{n0, n1, n2, n3, n4, n5, n6, n7} {
			if g*8+k < len(f.depth) { // padding trees have no value, but keep the sum's order exact
				m += v[k*treeBlock+at]
			}
		}
	}
	return m
}

// step returns the child an item goes to: right when its bin is above the
// node's, from the sign bit of the difference rather than a branch the
// predictor would miss.
func step(w uint32, x *[8 * RowBytes]uint8, row int) uint8 {
	right := (w>>24 - uint32(x[row+int(uint8(w>>16))])) >> 31
	return uint8(w >> (right << 3))
}

// stepTree is step for the tree at offset tree within a group.
func stepTree(t *[8 * treeBlock]uint32, tree, at int, x *[RowBytes]uint8) int {
	w := t[tree+int(uint8(at))]
	right := (w>>24 - uint32(x[uint8(w>>16)])) >> 31
	return int(uint8(w >> (right << 3)))
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
	if len(e.Edges) != len(e.Features) || len(e.Features) > MaxFeatures {
		return fmt.Errorf("gbdt model: %d bin edge lists for %d features", len(e.Edges), len(e.Features))
	}
	for i, t := range e.Trees {
		n := len(t.Feature)
		if len(t.Threshold) != n || len(t.Bin) != n || len(t.Left) != n || len(t.Right) != n || len(t.Leaf) != n+1 || n+1 > MaxTreeLeaves ||
			len(t.LeafRows) != 0 && len(t.LeafRows) != n+1 {
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
