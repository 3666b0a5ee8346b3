package ecommerce

import (
	"bytes"
	"reflect"
	"testing"
	"time"
)

// fastSeeds are bodies the fast decoder must read itself: the samples,
// generated batches, and the same with CRLF line ends, entities, a
// wrapping element and self-closing elements.
func fastSeeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, b := range samples(t) {
		out = append(out, b)
	}
	g := NewGenerator(5, 1000, time.Date(2026, 11, 11, 0, 0, 0, 0, time.UTC))
	for _, n := range []int{1, 3, 40} {
		var docs []Doc
		for range n {
			s := g.Next()
			docs = append(docs, s.Order, s.Payment, s.Waybill, s.List)
		}
		var b bytes.Buffer
		if err := EncodeXML(&b, docs); err != nil {
			t.Fatal(err)
		}
		out = append(out, b.Bytes())
	}
	last := out[len(out)-1]
	out = append(out,
		bytes.ReplaceAll(last, []byte("\n"), []byte("\r\n")),
		bytes.Replace(last, []byte("<ceb:note>"), []byte("<ceb:note>a &amp; b &lt;c&gt; &#x4E2D;&#22269;"), 1),
		append(append([]byte("<batch>\n"), bytes.TrimPrefix(last, []byte(`<?xml version="1.0" encoding="UTF-8"?>`))...), "\n</batch>"...),
		bytes.ReplaceAll(last, []byte("<ceb:note></ceb:note>"), []byte("<ceb:note/>")),
	)
	return out
}

func TestFastXMLMatchesEncodingXML(t *testing.T) {
	for i, b := range fastSeeds(t) {
		docs, bad, ok := decodeXMLFast(b)
		if !ok {
			t.Fatalf("seed %d: the fast decoder gave up", i)
		}
		wd, wb := decodeXMLStd(b)
		if !reflect.DeepEqual(docs, wd) || !reflect.DeepEqual(bad, wb) {
			t.Fatalf("seed %d differs:\nfast %+v %+v\nstd  %+v %+v", i, docs, bad, wd, wb)
		}
		if len(docs) == 0 {
			t.Fatalf("seed %d: no documents", i)
		}
	}
	// What it must leave to encoding/xml.
	for _, b := range []string{
		`<?xml version="1.0" encoding="GBK"?><ceb:CEB311Message xmlns:ceb="` + Namespace + `"/>`,
		`<ceb:CEB311Message xmlns:ceb="` + Namespace + `"><!-- x --></ceb:CEB311Message>`,
		`<ceb:CEB311Message xmlns:ceb="` + Namespace + `"><ceb:Order><ceb:OrderHead><ceb:note><![CDATA[x]]></ceb:note></ceb:OrderHead></ceb:Order></ceb:CEB311Message>`,
		`<ceb:CEB311Message xmlns:ceb="` + Namespace + `"><ceb:Order></ceb:Orders></ceb:CEB311Message>`,
		`<ceb:CEB999Message xmlns:ceb="` + Namespace + `"/>`,
		`<ceb:CEB311Message xmlns:ceb="` + Namespace + `"><ceb:Order>`,
	} {
		if _, _, ok := decodeXMLFast([]byte(b)); ok {
			t.Errorf("fast decoder took %s", b)
		}
	}
}

// On any input the fast decoder gives up or gives what encoding/xml gives.
func FuzzDecodeXMLFast(f *testing.F) {
	for _, b := range fastSeeds(f) {
		if len(b) < 20000 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		docs, bad, ok := decodeXMLFast(b)
		if !ok {
			return
		}
		wd, wb := decodeXMLStd(b)
		if !reflect.DeepEqual(docs, wd) || !reflect.DeepEqual(bad, wb) {
			t.Fatalf("differs on %q:\nfast %+v %+v\nstd  %+v %+v", b, docs, bad, wd, wb)
		}
	})
}
