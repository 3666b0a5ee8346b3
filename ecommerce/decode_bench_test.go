package ecommerce

import (
	"bytes"
	"io"
	"testing"
)

// BenchmarkDecode reads a request of 512 documents (128 sets) as the API
// does, in each wire format:
//
//	go test ./ecommerce -run '^$' -bench Decode -benchmem
func BenchmarkDecode(b *testing.B) {
	g := NewGenerator(9, 128, DemoDay)
	var docs []Doc
	for range 128 {
		s := g.Next()
		docs = append(docs, s.Order, s.Payment, s.Waybill, s.List)
	}
	for _, w := range []struct {
		name   string
		encode func(io.Writer, []Doc) error
		decode func([]byte) ([]Doc, []Receipt)
	}{
		{"xml", EncodeXML, DecodeXMLBytes},
		{"json", EncodeJSON, func(b []byte) ([]Doc, []Receipt) { return DecodeJSON(bytes.NewReader(b)) }},
	} {
		var body bytes.Buffer
		if err := w.encode(&body, docs); err != nil {
			b.Fatal(err)
		}
		b.Run(w.name, func(b *testing.B) {
			b.SetBytes(int64(body.Len()))
			for b.Loop() {
				got, bad := w.decode(body.Bytes())
				if len(got) != len(docs) || len(bad) != 0 {
					b.Fatalf("%d documents, %d refused", len(got), len(bad))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(docs)), "ns/doc")
		})
	}
}
