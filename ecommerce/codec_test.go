package ecommerce

import (
	"bytes"
	"reflect"
	"testing"
	"time"
)

func TestStoredFormRoundTrip(t *testing.T) {
	for name, b := range samples(t) {
		docs, _ := DecodeXML(bytes.NewReader(b))
		d := docs[0]
		if d.Kind == KindCancel || d.Kind == KindReturn {
			continue
		}
		CheckDoc(&d)
		enc := EncodeStored(&d)
		back, err := DecodeStored(d.Kind, enc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		back.MsgGuid = d.MsgGuid
		if d.Inventory != nil {
			back.Inventory.raw = nil
			d.Inventory.raw = nil
		}
		if !reflect.DeepEqual(stripXMLNames(back), stripXMLNames(d)) {
			t.Fatalf("%s: stored form differs\n%+v\n%+v", name, back, d)
		}
	}
	tx := testTaxer(t)
	inv := sampleList(t)
	bill, _ := tx.Assess(inv, time.Date(2026, 11, 11, 12, 0, 0, 0, time.UTC))
	at := time.Date(2026, 11, 11, 4, 0, 0, 0, time.UTC)
	ld := ListDoc{Inventory: inv, Tax: &bill, Lane: LaneGreen, DecidedAt: &at, Hits: []Hit{{Profile: "X", Lane: LaneRed}}}
	got, err := DecodeList(encodeList(&ld))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Tax.ConsumptionTax.Equal(bill.ConsumptionTax) || got.Tax.RuleEN != bill.RuleEN || got.Tax.Items[0].Gcode != "3304100000" ||
		!got.DecidedAt.Equal(at) || got.Inventory.Head.BuyerName != "张三" || len(got.Hits) != 1 {
		t.Fatalf("list round trip: %+v %+v", got, got.Tax)
	}
}

// stripXMLNames clears what decoding XML records beside the elements.
func stripXMLNames(d Doc) Doc {
	d.MsgGuid = ""
	return d
}

func FuzzDecodeStored(f *testing.F) {
	f.Add([]byte("1a\x1fb"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, k := range []Kind{KindOrder, KindPayment, KindWaybill, KindInventory} {
			DecodeStored(k, b)
		}
		DecodeList(b)
	})
}
