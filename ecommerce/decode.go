package ecommerce

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// MaxDocs bounds the documents of one request.
const MaxDocs = 20000

// DecodeXML reads one or more CEB message roots (optionally inside any
// wrapping element) and returns their documents in order. A body that is
// not well-formed, an unknown root or a document over MaxDocs gets a
// CEB900 receipt naming the element; documents before it are kept.
func DecodeXML(r io.Reader) ([]Doc, []Receipt) {
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, []Receipt{syntaxReceipt(err)}
	}
	return DecodeXMLBytes(body)
}

// DecodeXMLBytes is DecodeXML over a body already read, without copying
// it again; the documents keep no reference to it.
func DecodeXMLBytes(body []byte) ([]Doc, []Receipt) {
	if docs, bad, ok := decodeXMLFast(body); ok {
		return docs, bad
	}
	return decodeXMLStd(body)
}

// decodeXMLStd is DecodeXML by encoding/xml.
func decodeXMLStd(body []byte) ([]Doc, []Receipt) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = true
	var docs []Doc
	var bad []Receipt
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if depth > 0 {
				bad = append(bad, schemaReceipt("", "", "/", "xml_syntax", "报文不完整", "the XML body ends inside an element"))
			}
			return docs, bad
		}
		if err != nil {
			return docs, append(bad, syntaxReceipt(err))
		}
		switch t := tok.(type) {
		case xml.EndElement:
			depth--
		case xml.StartElement:
			msg := newMessage(t.Name.Local)
			if msg == nil || t.Name.Space != Namespace {
				if depth == 0 && len(docs) == 0 && t.Name.Space == "" {
					depth++ // a plain wrapping element: look inside
					continue
				}
				bad = append(bad, schemaReceipt("", "", "/"+t.Name.Local, "unknown_message",
					"未知的报文类型 "+t.Name.Local, "unknown message type "+t.Name.Local))
				if err := dec.Skip(); err != nil {
					return docs, append(bad, syntaxReceipt(err))
				}
				continue
			}
			if err := dec.DecodeElement(msg, &t); err != nil {
				return docs, append(bad, syntaxReceipt(err))
			}
			docs = appendDocs(docs, msg)
			if len(docs) > MaxDocs {
				return docs[:MaxDocs], append(bad, tooMany())
			}
		}
	}
}

// DecodeJSON reads the JSON equivalent: an array of objects each holding
// one message under its root name, e.g. [{"CEB311Message": {...}}]. It
// reads the array as a stream, each message straight into its type: a
// message that does not fit its schema gets a CEB900 receipt and the rest
// go on; a body that is not well-formed JSON gets one receipt and nothing
// of it is taken.
func DecodeJSON(r io.Reader) ([]Doc, []Receipt) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	syntax := func(err error) ([]Doc, []Receipt) {
		return nil, []Receipt{schemaReceipt("", "", "/", "json_syntax", "JSON 格式错误: "+err.Error(), "malformed JSON: "+err.Error())}
	}
	if err := jsonDelim(dec, '['); err != nil {
		return syntax(err)
	}
	var docs []Doc
	var bad []Receipt
	for i := 0; dec.More(); i++ {
		if err := jsonDelim(dec, '{'); err != nil {
			return syntax(err)
		}
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				return syntax(err)
			}
			name, _ := t.(string)
			at := "/" + strconv.Itoa(i) + "/" + name
			msg := newMessage(name)
			if msg == nil {
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					return syntax(err)
				}
				bad = append(bad, schemaReceipt("", "", at, "unknown_message", "未知的报文类型 "+name, "unknown message type "+name))
				continue
			}
			// The decoder reads the whole value before filling msg, so a
			// value that does not fit is skipped and the stream goes on.
			if err := dec.Decode(msg); err != nil {
				if isJSONSyntax(err) {
					return syntax(err)
				}
				bad = append(bad, schemaReceipt("", "", at, "json_schema", "报文结构错误: "+err.Error(), "message does not fit the schema: "+err.Error()))
				continue
			}
			docs = appendDocs(docs, msg)
			if len(docs) > MaxDocs {
				return docs[:MaxDocs], append(bad, tooMany())
			}
		}
		if err := jsonDelim(dec, '}'); err != nil {
			return syntax(err)
		}
	}
	if err := jsonDelim(dec, ']'); err != nil {
		return syntax(err)
	}
	return docs, bad
}

// jsonDelim reads the next token, which must be the delimiter want.
func jsonDelim(dec *json.Decoder, want json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return fmt.Errorf("expected %q, found %v", rune(want), t)
	}
	return nil
}

// isJSONSyntax: the body itself is broken, not a message's fit.
func isJSONSyntax(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

func newMessage(root string) any {
	switch root {
	case "CEB311Message":
		return &CEB311Message{}
	case "CEB411Message":
		return &CEB411Message{}
	case "CEB511Message":
		return &CEB511Message{}
	case "CEB621Message":
		return &CEB621Message{}
	case "CEB623Message":
		return &CEB623Message{}
	case "CEB625Message":
		return &CEB625Message{}
	}
	return nil
}

func appendDocs(docs []Doc, msg any) []Doc {
	switch m := msg.(type) {
	case *CEB311Message:
		for i := range m.Orders {
			docs = append(docs, Doc{Kind: KindOrder, MsgGuid: m.Guid, Order: &m.Orders[i]})
		}
	case *CEB411Message:
		for i := range m.Payments {
			docs = append(docs, Doc{Kind: KindPayment, MsgGuid: m.Guid, Payment: &m.Payments[i]})
		}
	case *CEB511Message:
		for i := range m.Waybills {
			docs = append(docs, Doc{Kind: KindWaybill, MsgGuid: m.Guid, Waybill: &m.Waybills[i]})
		}
	case *CEB621Message:
		for i := range m.Inventories {
			docs = append(docs, Doc{Kind: KindInventory, MsgGuid: m.Guid, Inventory: &m.Inventories[i]})
		}
	case *CEB623Message:
		for i := range m.Cancels {
			docs = append(docs, Doc{Kind: KindCancel, MsgGuid: m.Guid, Cancel: &m.Cancels[i]})
		}
	case *CEB625Message:
		for i := range m.Returns {
			docs = append(docs, Doc{Kind: KindReturn, MsgGuid: m.Guid, Return: &m.Returns[i]})
		}
	}
	return docs
}

// Messages groups documents back into message envelopes: consecutive
// documents of one kind and message guid share one envelope.
func Messages(docs []Doc) []any {
	var out []any
	for i := 0; i < len(docs); {
		j := i + 1
		for j < len(docs) && docs[j].Kind == docs[i].Kind && docs[j].MsgGuid == docs[i].MsgGuid {
			j++
		}
		g, v := docs[i].MsgGuid, "1.0"
		switch docs[i].Kind {
		case KindOrder:
			m := &CEB311Message{Guid: g, Version: v}
			for _, d := range docs[i:j] {
				m.Orders = append(m.Orders, *d.Order)
			}
			out = append(out, m)
		case KindPayment:
			m := &CEB411Message{Guid: g, Version: v}
			for _, d := range docs[i:j] {
				m.Payments = append(m.Payments, *d.Payment)
			}
			out = append(out, m)
		case KindWaybill:
			m := &CEB511Message{Guid: g, Version: v}
			for _, d := range docs[i:j] {
				m.Waybills = append(m.Waybills, *d.Waybill)
			}
			out = append(out, m)
		case KindInventory:
			m := &CEB621Message{Guid: g, Version: v}
			for _, d := range docs[i:j] {
				m.Inventories = append(m.Inventories, *d.Inventory)
			}
			out = append(out, m)
		case KindCancel:
			m := &CEB623Message{Guid: g, Version: v}
			for _, d := range docs[i:j] {
				m.Cancels = append(m.Cancels, *d.Cancel)
			}
			out = append(out, m)
		case KindReturn:
			m := &CEB625Message{Guid: g, Version: v}
			for _, d := range docs[i:j] {
				m.Returns = append(m.Returns, *d.Return)
			}
			out = append(out, m)
		}
		i = j
	}
	return out
}

// EncodeXML writes the documents as CEB messages, one root after another.
func EncodeXML(w io.Writer, docs []Doc) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	for _, m := range Messages(docs) {
		if err := enc.Encode(m); err != nil {
			return err
		}
	}
	return enc.Close()
}

// EncodeJSON writes the JSON equivalent of EncodeXML.
func EncodeJSON(w io.Writer, docs []Doc) error {
	var out []map[string]any
	for _, m := range Messages(docs) {
		name := fmt.Sprintf("%T", m)[len("*ecommerce."):]
		out = append(out, map[string]any{name: m})
	}
	return json.NewEncoder(w).Encode(out)
}

func syntaxReceipt(err error) Receipt {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return schemaReceipt("", "", "/", "xml_syntax", fmt.Sprintf("XML 格式错误（第 %d 行）: %s", se.Line, se.Msg),
			fmt.Sprintf("malformed XML (line %d): %s", se.Line, se.Msg))
	}
	return schemaReceipt("", "", "/", "xml_schema", "报文结构错误: "+err.Error(), "message does not fit the schema: "+err.Error())
}

func tooMany() Receipt {
	return schemaReceipt("", "", "/", "too_many_documents", fmt.Sprintf("一次最多 %d 份单证", MaxDocs),
		fmt.Sprintf("at most %d documents per request", MaxDocs))
}
