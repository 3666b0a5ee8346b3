package model

import (
	"strings"
	"testing"

	"github.com/jinguan-customs/jinguan/risk/model/gbdt"
)

// In the synthetic history every seventh importer is a fraudster: for one
// of their items, the importer's history must lead the explanation, in
// words with the rate and how it compares with the average.
func TestExplainNamesTheImportersHistory(t *testing.T) {
	train := synthRecords(6000, 1, jan)
	m := Mapping{Format: "test", Extra: map[string]string{"lane": "lane"}}
	p := gbdt.DefaultParams()
	p.Rounds, p.MinLeafRows = 60, 5
	mod, _, err := Train(train, nil, m, p)
	if err != nil {
		t.Fatal(err)
	}
	r := synthRecords(1, 5, jan.AddDate(1, 0, 0))[0]
	r.Importer = "I14"
	fs := mod.Explain(&r, 3)
	if len(fs) == 0 || len(fs) > 3 {
		t.Fatalf("%d factors", len(fs))
	}
	for i, f := range fs {
		if f.Effect <= 0 || i > 0 && f.Effect > fs[i-1].Effect {
			t.Fatalf("factors not raising the score in falling order: %+v", fs)
		}
	}
	if !strings.Contains(fs[0].Feature, "importer") {
		t.Fatalf("top factor %+v, want the importer's history", fs[0])
	}
	if fs[0].Feature == "importer" && (!strings.Contains(fs[0].EN, "Importer's past finding rate") || !strings.Contains(fs[0].EN, "× average") ||
		!strings.Contains(fs[0].ZH, "既往查获率")) {
		t.Fatalf("words: %q / %q", fs[0].ZH, fs[0].EN)
	}
	t.Logf("%s | %s", fs[0].ZH, fs[0].EN)

	r.Importer = "never seen"
	for _, f := range mod.Explain(&r, 20) {
		if f.Feature == "importer" && !strings.Contains(f.EN, "no history") {
			t.Fatalf("unseen importer: %q", f.EN)
		}
	}
}
