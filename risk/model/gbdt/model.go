package gbdt

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
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

	flat   []node // all trees' nodes, built on first use
	root   []int32
	leaves []float64
}

type node struct {
	thr         float64
	feat        int32
	left, right int32 // >= 0: node in flat; < 0: ^leaf value index
}

// compile lays all trees out in one node array with leaf values inline so
// scoring walks a single contiguous slice.
func (e *Ensemble) compile() {
	e.flat = e.flat[:0]
	e.root = e.root[:0]
	var leaves []float64
	for _, t := range e.Trees {
		off := int32(len(e.flat))
		loff := int32(len(leaves))
		leaves = append(leaves, t.Leaf...)
		fix := func(c int32) int32 {
			if c < 0 {
				return ^(^c + loff)
			}
			return c + off
		}
		if len(t.Feature) == 0 { // a single leaf
			e.root = append(e.root, ^loff)
			continue
		}
		e.root = append(e.root, off)
		for i := range t.Feature {
			e.flat = append(e.flat, node{thr: t.Threshold[i], feat: t.Feature[i], left: fix(t.Left[i]), right: fix(t.Right[i])})
		}
	}
	e.leaves = leaves
}

// Margin is the raw score (log-odds) of one feature vector.
func (e *Ensemble) Margin(x []float64) float64 {
	if e.flat == nil && len(e.Trees) > 0 {
		e.compile()
	}
	s := e.Base
	flat := e.flat
	for _, n := range e.root {
		for n >= 0 {
			nd := &flat[n]
			if x[nd.feat] <= nd.thr {
				n = nd.left
			} else {
				n = nd.right
			}
		}
		s += e.leaves[^n]
	}
	return s
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
	for i, t := range e.Trees {
		n := len(t.Feature)
		if len(t.Threshold) != n || len(t.Left) != n || len(t.Right) != n || len(t.Leaf) != n+1 {
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
