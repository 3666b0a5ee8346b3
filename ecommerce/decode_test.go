package ecommerce

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func samples(t testing.TB) map[string][]byte {
	t.Helper()
	files, _ := filepath.Glob("testdata/ceb*.xml")
	if len(files) != 6 {
		t.Fatalf("want 6 samples, have %v", files)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	return out
}

func TestSamplesParseCheckAndRoundTrip(t *testing.T) {
	for name, b := range samples(t) {
		t.Run(name, func(t *testing.T) {
			docs, bad := DecodeXML(bytes.NewReader(b))
			if len(bad) > 0 || len(docs) != 1 {
				t.Fatalf("docs %d, receipts %+v", len(docs), bad)
			}
			if want := Kind(strings.ToUpper(name[:6])); docs[0].Kind != want {
				t.Fatalf("kind %s, want %s", docs[0].Kind, want)
			}
			if docs[0].Guid() == "" || docs[0].MsgGuid == "" {
				t.Fatalf("guids not read: %+v", docs[0])
			}
			if p := CheckDoc(&docs[0]); len(p) > 0 {
				t.Fatalf("sample has problems: %+v", p)
			}
			var x bytes.Buffer
			if err := EncodeXML(&x, docs); err != nil {
				t.Fatal(err)
			}
			again, bad := DecodeXML(&x)
			if len(bad) > 0 || !reflect.DeepEqual(again, docs) {
				t.Fatalf("XML round trip differs: %+v\n%s", bad, x.String())
			}
			var j bytes.Buffer
			if err := EncodeJSON(&j, docs); err != nil {
				t.Fatal(err)
			}
			fromJSON, bad := DecodeJSON(&j)
			if len(bad) > 0 || !reflect.DeepEqual(fromJSON, docs) {
				t.Fatalf("JSON round trip differs: %+v\n%s", bad, j.String())
			}
		})
	}
}

func TestBatchOfManyMessages(t *testing.T) {
	var body bytes.Buffer
	body.WriteString("<batch>")
	for _, b := range samples(t) {
		body.Write(bytes.TrimPrefix(b, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)))
	}
	body.WriteString("</batch>")
	docs, bad := DecodeXML(&body)
	if len(bad) > 0 || len(docs) != 6 {
		t.Fatalf("docs %d, receipts %+v", len(docs), bad)
	}
}

func TestMalformedGetsSchemaReceipt(t *testing.T) {
	order := string(samples(t)["ceb311-order.xml"])
	tests := []struct {
		name, body, code, element string
		check                     bool
	}{
		{"not well-formed", strings.Replace(order, "</ceb:orderNo>", "", 1), "xml_syntax", "/", false},
		{"unknown message", `<ceb:CEB999Message xmlns:ceb="http://www.chinaport.gov.cn/ceb"/>`, "unknown_message", "/CEB999Message", false},
		{"missing element", strings.Replace(order, "<ceb:orderNo>ORD20261111000001</ceb:orderNo>", "", 1), "required", "/OrderHead/orderNo", true},
		{"bad decimal", strings.Replace(order, "<ceb:goodsValue>300.00", "<ceb:goodsValue>3OO", 1), "format", "/OrderHead/goodsValue", true},
		{"paid equation", strings.Replace(order, "<ceb:acturalPaid>393.79", "<ceb:acturalPaid>390.00", 1), "amount_mismatch", "/OrderHead/acturalPaid", true},
		{"line total", strings.Replace(order, "<ceb:qty>2", "<ceb:qty>3", 1), "amount_mismatch", "/OrderList/0/totalPrice", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, bad := DecodeXML(strings.NewReader(tt.body))
			if !tt.check {
				if len(bad) != 1 || bad[0].Type != ReceiptSchema || bad[0].Code != tt.code || bad[0].Problems[0].Pointer != tt.element {
					t.Fatalf("receipts %+v", bad)
				}
				return
			}
			if len(docs) != 1 {
				t.Fatalf("docs %d %+v", len(docs), bad)
			}
			p := CheckDoc(&docs[0])
			if len(p) == 0 || p[0].Code != tt.code || p[0].Pointer != tt.element {
				t.Fatalf("problems %+v", p)
			}
		})
	}
}

func TestResidentID(t *testing.T) {
	for id, want := range map[string]bool{
		"11010519491231002X": true, "11010519491231002x": true, "310115199003074827": true,
		"110105194912310021": false, "1101051949123100": false, "11010519491331002X": false, "A1010519491231002X": false,
	} {
		if got := ValidResidentID(id); got != want {
			t.Errorf("%s: %v, want %v", id, got, want)
		}
	}
}

func FuzzDecodeXML(f *testing.F) {
	for _, b := range samples(f) {
		f.Add(b)
	}
	f.Add([]byte("<a><ceb:CEB311Message xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\"><ceb:Order/></ceb:CEB311Message></a>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		docs, _ := DecodeXML(bytes.NewReader(b))
		for i := range docs {
			CheckDoc(&docs[i])
		}
		var buf bytes.Buffer
		if err := EncodeXML(&buf, docs); err == nil {
			DecodeXML(&buf)
		}
	})
}

func FuzzDecodeJSON(f *testing.F) {
	for _, b := range samples(f) {
		docs, _ := DecodeXML(bytes.NewReader(b))
		var j bytes.Buffer
		EncodeJSON(&j, docs)
		f.Add(j.Bytes())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		docs, _ := DecodeJSON(bytes.NewReader(b))
		for i := range docs {
			CheckDoc(&docs[i])
		}
	})
}

// JSON bodies: a message that does not fit gets its receipt and the rest
// of the request goes on; a body that is not JSON, or not an array of
// objects, gets one receipt and nothing of it is taken.
func TestMalformedJSON(t *testing.T) {
	docs, _ := DecodeXML(bytes.NewReader(samples(t)["ceb311-order.xml"]))
	var j bytes.Buffer
	if err := EncodeJSON(&j, docs); err != nil {
		t.Fatal(err)
	}
	var wrapped []map[string]json.RawMessage
	if err := json.Unmarshal(j.Bytes(), &wrapped); err != nil {
		t.Fatal(err)
	}
	order := string(wrapped[0]["CEB311Message"])
	tests := []struct {
		name, body string
		docs       int
		codes      []string
		pointers   []string
	}{
		{"good", `[{"CEB311Message":` + order + `}]`, 1, nil, nil},
		{"two messages in one object, in order", `[{"CEB311Message":` + order + `,"CEB999Message":{}}]`, 1,
			[]string{"unknown_message"}, []string{"/0/CEB999Message"}},
		{"unknown message", `[{"CEB999Message":{"x":[1,2]}},{"CEB311Message":` + order + `}]`, 1,
			[]string{"unknown_message"}, []string{"/0/CEB999Message"}},
		{"unknown field", `[{"CEB311Message":{"Bogus":1}},{"CEB311Message":` + order + `}]`, 1,
			[]string{"json_schema"}, []string{"/0/CEB311Message"}},
		{"wrong type", `[{"CEB311Message":` + order + `},{"CEB311Message":{"Order":5}}]`, 1,
			[]string{"json_schema"}, []string{"/1/CEB311Message"}},
		{"truncated", `[{"CEB311Message":` + order + `},{"CEB311Message":{"Order":[`, 0, []string{"json_syntax"}, []string{"/"}},
		{"not an array", `{"CEB311Message":` + order + `}`, 0, []string{"json_syntax"}, []string{"/"}},
		{"element not an object", `[{"CEB311Message":` + order + `},7]`, 0, []string{"json_syntax"}, []string{"/"}},
		{"empty", ``, 0, []string{"json_syntax"}, []string{"/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, bad := DecodeJSON(strings.NewReader(tt.body))
			if len(docs) != tt.docs || len(bad) != len(tt.codes) {
				t.Fatalf("%d documents, receipts %+v", len(docs), bad)
			}
			for i, r := range bad {
				if r.Type != ReceiptSchema || r.Code != tt.codes[i] || r.Problems[0].Pointer != tt.pointers[i] {
					t.Errorf("receipt %d: %+v", i, r)
				}
			}
			for i := range docs {
				if docs[i].Kind != KindOrder || docs[i].Order.Head.OrderNo == "" {
					t.Errorf("document %d: %+v", i, docs[i])
				}
			}
		})
	}
}
