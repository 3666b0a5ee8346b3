package ecommerce

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
)

// Strings that exercise every escape: HTML characters, controls, invalid
// UTF-8, the JavaScript line separators, Chinese text.
var awkward = []string{"", "a", "放行", `<&>"\`, "\b\f\n\r\t\x00\x1f\x7f", "\xff\xfe", "a\u2028b\u2029", "无效\xe4\xb8", "T2991-3301960EBP-ORD1-1796220009314685"}

func randString(r *rand.Rand) string {
	if r.IntN(2) == 0 {
		return awkward[r.IntN(len(awkward))]
	}
	b := make([]byte, r.IntN(12))
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	return string(b)
}

func randDecimal(r *rand.Rand) decimal.Decimal {
	return decimal.New(r.Int64N(2_000_000)-1_000_000, -int32(r.IntN(6)))
}

func randReceipt(r *rand.Rand) Receipt {
	rc := Receipt{Seq: r.Int64N(3) * r.Int64(), Type: randString(r), Guid: randString(r), Key: randString(r), ListID: r.Int64N(2) * r.Int64N(1e9),
		Status: Status(r.IntN(900)), Code: randString(r), InfoZH: randString(r), InfoEN: randString(r), Actor: randString(r),
		At: time.Unix(r.Int64N(4e9), r.Int64N(1e9)).UTC()}
	if r.IntN(5) == 0 {
		rc.At = rc.At.In(jinguan.China)
	}
	for range r.IntN(3) {
		rc.Problems = append(rc.Problems, jinguan.FieldError{Pointer: randString(r), Code: randString(r), MessageZH: randString(r), MessageEN: randString(r)})
	}
	if r.IntN(4) == 0 {
		rc.Problems = []jinguan.FieldError{}
	}
	return rc
}

func randDecision(r *rand.Rand) storedDecision {
	sd := storedDecision{Lane: randString(r), LaneWhy: randString(r), DecidedAt: r.Int64N(2) * r.Int64()}
	for range r.IntN(3) {
		sd.Reasons = append(sd.Reasons, Reason{Code: randString(r), Element: randString(r), ZH: randString(r), EN: randString(r)})
	}
	for range r.IntN(3) {
		sd.Hits = append(sd.Hits, Hit{Profile: randString(r), Lane: randString(r), Selected: r.IntN(2) == 0, Facts: randString(r)})
	}
	if r.IntN(3) > 0 {
		t := &storedTax{TaxNo: randString(r), Status: randString(r), Channel: randString(r), Rule: randString(r)}
		for i := range t.Sums {
			t.Sums[i] = randDecimal(r)
		}
		n := r.IntN(4) - 1
		if n >= 0 {
			t.Items = make([][4]decimal.Decimal, n)
		}
		for i := range t.Items {
			for j := range t.Items[i] {
				t.Items[i][j] = randDecimal(r)
			}
		}
		sd.Tax = t
	}
	return sd
}

func TestJSONMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	for i := range 50_000 {
		rc := randReceipt(r)
		want, err := json.Marshal(&rc)
		got, err2 := rc.AppendJSON([]byte("prefix"))
		if err != nil || err2 != nil || !bytes.Equal(got[6:], want) || string(got[:6]) != "prefix" {
			t.Fatalf("receipt %d:\n%s %v\n%s %v", i, got, err2, want, err)
		}
		sd := randDecision(r)
		want, err = json.Marshal(&sd)
		if got := appendStoredDecision(nil, &sd); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("decision %d:\n%s\n%s %v", i, got, want, err)
		}
	}
	// What encoding/json refuses, AppendJSON refuses.
	rc := Receipt{Type: ReceiptInventory, At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := rc.AppendJSON(nil); err == nil {
		t.Fatal("year 10000 encoded")
	}
}

func FuzzJSONMatchesEncodingJSON(f *testing.F) {
	for _, s := range awkward {
		f.Add(s, int64(1), int64(1796220009314685))
	}
	f.Fuzz(func(t *testing.T, s string, n int64, at int64) {
		rc := Receipt{Seq: n, Type: s, Guid: s, Key: s, ListID: n, Status: Status(n % 1000), Code: s, InfoZH: s, InfoEN: s, Actor: s,
			Problems: []jinguan.FieldError{{Pointer: s, Code: s, MessageZH: s, MessageEN: s}}, At: time.UnixMicro(at).UTC()}
		want, err := json.Marshal(&rc)
		got, err2 := rc.AppendJSON(nil)
		if (err == nil) != (err2 == nil) || err == nil && !bytes.Equal(got, want) {
			t.Fatalf("receipt:\n%s %v\n%s %v", got, err2, want, err)
		}
		sd := storedDecision{Reasons: []Reason{{s, s, s, s}}, Lane: s, LaneWhy: s, Hits: []Hit{{s, s, n > 0, s}}, DecidedAt: at,
			Tax: &storedTax{TaxNo: s, Status: s, Channel: s, Rule: s, Items: [][4]decimal.Decimal{{decimal.New(n, -2)}}}}
		want, _ = json.Marshal(&sd)
		if got := appendStoredDecision(nil, &sd); !bytes.Equal(got, want) {
			t.Fatalf("decision:\n%s\n%s", got, want)
		}
	})
}
