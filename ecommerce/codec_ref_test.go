package ecommerce

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"
)

// The stored-form codec as first written, field by field through
// reflection: the reference the offset-based codec is fuzzed against.

func refAppendFields(b []byte, v reflect.Value) []byte {
	for i, m := range metaOf(v.Type()) {
		if i > 0 {
			b = append(b, us)
		}
		b = append(b, v.FieldByIndex(fieldIndex(v.Type(), m.name)).String()...)
	}
	return b
}

// fieldIndex finds the field with the XML name (embedded App included).
func fieldIndex(t reflect.Type, name string) []int {
	for _, f := range reflect.VisibleFields(t) {
		if !f.Anonymous && f.Type.Kind() == reflect.String && tagName(f) == name {
			return f.Index
		}
	}
	panic("no field " + name)
}

func tagName(f reflect.StructField) string {
	n, _, _ := bytes.Cut([]byte(f.Tag.Get("xml")), []byte(","))
	return string(n)
}

func refEncodeDoc(head, items reflect.Value) []byte {
	b := []byte{codecV1}
	b = refAppendFields(b, head)
	if items.IsValid() {
		for i := 0; i < items.Len(); i++ {
			b = append(b, rs)
			b = refAppendFields(b, items.Index(i))
		}
	}
	return b
}

func refSetFields(b []byte, v reflect.Value) error {
	ms := metaOf(v.Type())
	parts := bytes.Split(b, []byte{us})
	if len(parts) != len(ms) {
		return fmt.Errorf("stored %s has %d elements, want %d", v.Type().Name(), len(parts), len(ms))
	}
	for i, m := range ms {
		v.FieldByIndex(fieldIndex(v.Type(), m.name)).SetString(string(parts[i]))
	}
	return nil
}

func refDecodeDoc(b []byte, head any, items any) error {
	if len(b) == 0 || b[0] != codecV1 {
		return fmt.Errorf("unknown stored document format")
	}
	parts := bytes.Split(b[1:], []byte{rs})
	if err := refSetFields(parts[0], reflect.ValueOf(head).Elem()); err != nil {
		return err
	}
	if items == nil {
		if len(parts) > 1 {
			return fmt.Errorf("stored document has unexpected items")
		}
		return nil
	}
	sl := reflect.ValueOf(items).Elem()
	sl.Set(reflect.MakeSlice(sl.Type(), len(parts)-1, len(parts)-1))
	for i, p := range parts[1:] {
		if err := refSetFields(p, sl.Index(i)); err != nil {
			return err
		}
	}
	return nil
}

func refEncodeStored(d *Doc) []byte {
	switch d.Kind {
	case KindOrder:
		return refEncodeDoc(reflect.ValueOf(&d.Order.Head).Elem(), reflect.ValueOf(d.Order.Items))
	case KindPayment:
		return refEncodeDoc(reflect.ValueOf(&d.Payment.Head).Elem(), reflect.Value{})
	case KindWaybill:
		return refEncodeDoc(reflect.ValueOf(&d.Waybill.Head).Elem(), reflect.Value{})
	case KindInventory:
		return refEncodeDoc(reflect.ValueOf(&d.Inventory.Head).Elem(), reflect.ValueOf(d.Inventory.Items))
	}
	return nil
}

func refDecodeStored(kind Kind, b []byte) (Doc, error) {
	d := Doc{Kind: kind}
	var err error
	switch kind {
	case KindOrder:
		d.Order = &Order{}
		err = refDecodeDoc(b, &d.Order.Head, &d.Order.Items)
	case KindPayment:
		d.Payment = &Payment{}
		err = refDecodeDoc(b, &d.Payment.Head, nil)
	case KindWaybill:
		d.Waybill = &Waybill{}
		err = refDecodeDoc(b, &d.Waybill.Head, nil)
	case KindInventory:
		d.Inventory = &Inventory{}
		err = refDecodeDoc(b, &d.Inventory.Head, &d.Inventory.Items)
	default:
		err = fmt.Errorf("kind %s is not stored", kind)
	}
	return d, err
}

var storedKinds = []Kind{KindOrder, KindPayment, KindWaybill, KindInventory}

// The codec agrees with the reference on synthetic sets, byte for byte
// and field for field.
func TestStoredFormMatchesReference(t *testing.T) {
	g := NewGenerator(3, 500, DemoDay)
	for range 500 {
		s := g.Next()
		for _, d := range []*Doc{&s.Order, &s.Payment, &s.Waybill, &s.List} {
			got, want := EncodeStored(d), refEncodeStored(d)
			if !bytes.Equal(got, want) {
				t.Fatalf("%s: encoded\n%q\nwant\n%q", d.Kind, got, want)
			}
			a, errA := DecodeStored(d.Kind, got)
			b, errB := refDecodeStored(d.Kind, got)
			if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
				t.Fatalf("%s: decoded %+v %v, reference %+v %v", d.Kind, a, errA, b, errB)
			}
		}
	}
}

// Any bytes: both decoders fail, or both give the same document, which
// encodes back to the same bytes.
func FuzzStoredFormMatchesReference(f *testing.F) {
	g := NewGenerator(5, 10, DemoDay)
	for range 4 {
		s := g.Next()
		for _, d := range []*Doc{&s.Order, &s.Payment, &s.Waybill, &s.List} {
			f.Add(EncodeStored(d))
		}
	}
	f.Add([]byte("1"))
	f.Add([]byte("1\x1e"))
	f.Add([]byte("1a\x1fb\x1e\x1e"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, k := range storedKinds {
			a, errA := DecodeStored(k, b)
			r, errB := refDecodeStored(k, b)
			if (errA == nil) != (errB == nil) {
				t.Fatalf("%s %q: error %v, reference %v", k, b, errA, errB)
			}
			if errA != nil {
				continue
			}
			if !reflect.DeepEqual(a, r) {
				t.Fatalf("%s %q: %+v, reference %+v", k, b, a, r)
			}
			if back := EncodeStored(&a); !bytes.Equal(back, b) {
				t.Fatalf("%s %q: encodes back to %q", k, b, back)
			}
		}
	})
}
