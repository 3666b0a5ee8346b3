package gbdt

import (
	"bytes"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// synthetic: the label depends on two of four features with noise.
func synthetic(n int, seed uint64) Dataset {
	rng := rand.New(rand.NewPCG(seed, 7))
	d := Dataset{Features: []string{"a", "b", "c", "d"}}
	for range n {
		x := []float64{rng.Float64(), rng.NormFloat64(), float64(rng.IntN(5)), rng.Float64()}
		p := 0.1
		if x[0] > 0.7 && x[2] >= 3 {
			p = 0.8
		} else if x[1] > 1 {
			p = 0.5
		}
		y := 0.0
		if rng.Float64() < p {
			y = 1
		}
		d.X = append(d.X, x)
		d.Y = append(d.Y, y)
	}
	return d
}

func TestTrainLearnsAndIsDeterministic(t *testing.T) {
	tr, va := synthetic(6000, 1), synthetic(2000, 2)
	p := DefaultParams()
	p.Rounds, p.MaxLeaves, p.RowSample, p.ColSample = 120, 15, 0.8, 0.75
	var files [2][]byte
	for i := range files {
		e, res, err := Train(p, tr, &va)
		if err != nil {
			t.Fatal(err)
		}
		if res.BestAUC < 0.7 {
			t.Errorf("validation AUC %.3f, want >= 0.7", res.BestAUC)
		}
		var buf bytes.Buffer
		if err := e.Write(&buf); err != nil {
			t.Fatal(err)
		}
		files[i] = buf.Bytes()
		// Raw-feature scoring agrees with the binned walk used in training.
		e2, err := Read(bytes.NewReader(files[i]))
		if err != nil {
			t.Fatal(err)
		}
		for r := 0; r < 200; r++ {
			var m float64 = e.Base
			xb := binRows(e.Edges, va.X[r:r+1])
			for k := range e.Trees {
				m += e.Trees[k].binned(xb)
			}
			if got := e2.Margin(va.X[r]); math.Abs(got-m) > 1e-9 {
				t.Fatalf("row %d: margin %v, binned %v", r, got, m)
			}
		}
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Fatal("same data and seed gave different model files")
	}
}

func TestBinEdges(t *testing.T) {
	if e := binEdges([]float64{3, 1, 2, 2}, 255); len(e) != 2 || e[0] != 1.5 || e[1] != 2.5 {
		t.Fatalf("edges %v", e)
	}
	v := make([]float64, 10000)
	for i := range v {
		v[i] = float64(i)
	}
	e := binEdges(v, 255)
	if len(e) != 254 {
		t.Fatalf("%d edges, want 254", len(e))
	}
	if BinOf(e, -1) != 0 || BinOf(e, 1e9) != 254 {
		t.Fatal("out-of-range values must land in the end bins")
	}
}

func TestAUC(t *testing.T) {
	cases := []struct {
		s, y []float64
		want float64
	}{
		{[]float64{0.1, 0.4, 0.35, 0.8}, []float64{0, 0, 1, 1}, 0.75},
		{[]float64{1, 2, 3}, []float64{0, 1, 1}, 1},
		{[]float64{0.5, 0.5}, []float64{0, 1}, 0.5}, // a tie counts half
	}
	for _, c := range cases {
		if got := AUC(c.s, c.y); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("AUC(%v,%v) = %v, want %v", c.s, c.y, got, c.want)
		}
	}
}

func TestReadRejectsOtherVersions(t *testing.T) {
	if _, err := Read(bytes.NewBufferString(`{"format_version":99}`)); err == nil {
		t.Fatal("want an error for an unknown format version")
	}
}

func FuzzRead(f *testing.F) {
	f.Add(`{"format_version":1,"features":["a"],"bin_edges":[[0.5]],"trees":[{"feature":[0],"bin":[0],"threshold":[0.5],"left":[-1],"right":[-2],"leaf":[1,2]}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Read(bytes.NewBufferString(s))
		if err != nil {
			return
		}
		e.Margin(make([]float64, len(e.Features))) // a model that reads must score
	})
}

func TestBinOfMatchesSearch(t *testing.T) {
	edges := []float64{-1, 0.5, 0.5000001, 2, 7, 100}
	for _, x := range []float64{-5, -1, -0.5, 0.5, 0.50000005, 0.5000001, 1, 2, 6.9, 7, 99, 100, 1e9} {
		if got, want := BinOf(edges, x), uint8(sort.SearchFloat64s(edges, x)); got != want {
			t.Errorf("BinOf(%v) = %d, want %d", x, got, want)
		}
	}
	if BinOf(edges, math.NaN()) != 0 || BinOf(nil, 3) != 0 {
		t.Error("NaN and a constant feature go to bin 0")
	}
}

// The expected margin plus every feature's contribution is the margin, and
// the feature the label depends on most gets the largest share.
func TestContributionsAddUpToTheMargin(t *testing.T) {
	tr := synthetic(4000, 1)
	p := DefaultParams()
	p.Rounds, p.MaxLeaves, p.ColSample = 60, 15, 1
	e, _, err := Train(p, tr, nil)
	if err != nil {
		t.Fatal(err)
	}
	var share [4]float64
	for r := 0; r < 500; r++ {
		c := make([]float64, 4)
		base := e.Contributions(tr.X[r], c)
		sum := base
		for f, v := range c {
			sum += v
			share[f] += math.Abs(v)
		}
		if m := e.Margin(tr.X[r]); math.Abs(sum-m) > 1e-9 {
			t.Fatalf("row %d: expected %v + contributions = %v, margin %v", r, base, sum, m)
		}
	}
	if share[3] > share[0] || share[3] > share[2] {
		t.Errorf("noise feature d credited %v, more than a or c (%v)", share[3], share)
	}
}
