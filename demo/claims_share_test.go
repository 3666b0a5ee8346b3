package demo

import (
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan/refdata"
	"github.com/jinguan-customs/jinguan/tariff"
)

// Agreement claims show up in the demo: a fair share of imports claim one,
// and every claim is one the origin may make on the line.
func TestGeneratorClaimsAgreements(t *testing.T) {
	cat, err := refdata.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	sched, err := tariff.SampleSchedule(cat)
	if err != nil {
		t.Fatal(err)
	}
	ents := Enterprises()
	g := NewGenerator(5, cat, sched, ents, Users([]byte("k"), ents))
	now := time.Now()
	imports, claiming := 0, 0
	for range 2000 {
		f, _ := g.Form(now)
		if f.Head.IEFlag != "I" {
			continue
		}
		imports++
		claimed := false
		for _, it := range f.Items {
			if it.Agreement == "" {
				continue
			}
			claimed = true
			ok := false
			for _, s := range sched.Agreements(it.CodeTS, it.OriginCountry, now) {
				ok = ok || s == it.Agreement
			}
			if !ok {
				t.Errorf("item %s from %s claims %s", it.CodeTS, it.OriginCountry, it.Agreement)
			}
		}
		if claimed {
			claiming++
		}
	}
	t.Logf("%d of %d imports claim an agreement", claiming, imports)
	if claiming*20 < imports {
		t.Errorf("only %d of %d imports claim an agreement", claiming, imports)
	}
}
