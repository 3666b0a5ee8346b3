package model

import (
	"testing"

	"github.com/jinguan-customs/jinguan/risk/model/gbdt"
)

// The scorer's precomputed bins must equal binning the feature vector, for
// seen and unseen values, with the packed pair tables and without them.
func TestScorerBinsEqualFeatureBins(t *testing.T) {
	train := synthRecords(3000, 1, jan)
	scored := synthRecords(600, 2, jan.AddDate(1, 0, 0))
	for i := range scored {
		switch i % 5 {
		case 1:
			scored[i].Importer = "new importer"
		case 2:
			scored[i].HS6, scored[i].Office = "999999", "new office"
		case 3:
			scored[i].Extra = nil
		}
	}
	m := Mapping{Format: "test", Extra: map[string]string{"lane": "lane"}}
	p := gbdt.DefaultParams()
	p.Rounds, p.MinLeafRows = 30, 5
	mod, _, err := Train(train, nil, m, p)
	if err != nil {
		t.Fatal(err)
	}
	check := func(sc *scorer, what string) {
		want := make([]uint8, gbdt.RowBytes)
		var got [gbdt.RowBytes]uint8
		for i := range scored {
			mod.Trees.Bin(mod.Features.Vector(&scored[i]), want)
			sc.bins(&scored[i], &got)
			for j, name := range mod.Features.Names() {
				if got[j] != want[j] {
					t.Fatalf("%s: item %d, %s: bin %d, want %d", what, i, name, got[j], want[j])
				}
			}
		}
	}
	check(mod.scorer(), "pair tables")
	unpacked := *mod.scorer()
	unpacked.pairs = make([]pairTable, len(profileKeys))
	check(&unpacked, "profile maps")

	all := mod.ScoreAll(scored)
	for i := range scored {
		if one, viaVector := mod.Score(&scored[i]), mod.Trees.Predict(mod.Features.Vector(&scored[i])); one != all[i] || one != viaVector {
			t.Fatalf("item %d: single %v, batch %v, from the vector %v", i, one, all[i], viaVector)
		}
	}
}
