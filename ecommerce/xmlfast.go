package ecommerce

import (
	"bytes"
	"encoding/xml"
	"reflect"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// A decoder for the plain XML that platforms send: elements, text,
// attributes, the five predefined entities and character references, an
// XML declaration in UTF-8. It fills the message types as encoding/xml
// does, and gives up at anything else (comments, CDATA, other entities,
// namespace declarations below a root, unknown or repeated elements, text
// beside elements, a malformed body): DecodeXML then reads the whole body
// with encoding/xml, which also words the receipts of malformed bodies.
// FuzzDecodeXMLFast checks that both give the same on any input.
// encoding/xml's tokenizer was three quarters of the CPU of a request.

// xnode maps a struct's element names to its fields.
type xnode struct {
	elems map[string]*xfield
	attrs map[string]uintptr // string attributes by local name
	name  uintptr            // offset of XMLName, or ^0
}

type xfield struct {
	bit  uint64
	kind byte // 's' string, 't' struct, 'p' pointer to struct, 'l' slice of structs
	off  uintptr
	typ  reflect.Type // the slice or the struct pointed to
	sub  *xnode
}

var xnodes = map[reflect.Type]*xnode{}

func xnodeOf(t reflect.Type) *xnode {
	if n := xnodes[t]; n != nil {
		return n
	}
	n := &xnode{elems: map[string]*xfield{}, attrs: map[string]uintptr{}, name: ^uintptr(0)}
	xnodes[t] = n
	for _, f := range reflect.VisibleFields(t) {
		if f.Anonymous || !f.IsExported() {
			continue
		}
		var off uintptr
		for i, x := 0, t; i < len(f.Index); i++ {
			sf := x.Field(f.Index[i])
			off += sf.Offset
			x = sf.Type
		}
		if f.Name == "XMLName" {
			n.name = off
			continue
		}
		tag := strings.Split(f.Tag.Get("xml"), ",")
		if len(tag) > 1 && tag[1] == "attr" {
			n.attrs[tag[0]] = off
			continue
		}
		x := &xfield{bit: 1 << (len(n.elems) % 64), off: off}
		switch {
		case f.Type.Kind() == reflect.String:
			x.kind = 's'
		case f.Type.Kind() == reflect.Struct:
			x.kind, x.sub = 't', xnodeOf(f.Type)
		case f.Type.Kind() == reflect.Pointer:
			x.kind, x.typ, x.sub = 'p', f.Type.Elem(), xnodeOf(f.Type.Elem())
		case f.Type.Kind() == reflect.Slice:
			x.kind, x.typ, x.sub = 'l', f.Type, xnodeOf(f.Type.Elem())
		default:
			panic("ecommerce: no fast XML for " + f.Type.String())
		}
		n.elems[tag[0]] = x
	}
	return n
}

// The schemas, built once at start-up.
var xroots = func() map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for _, v := range []any{CEB311Message{}, CEB411Message{}, CEB511Message{}, CEB621Message{}, CEB623Message{}, CEB625Message{}} {
		t := reflect.TypeOf(v)
		xnodeOf(t)
		m[t.Name()] = t
	}
	return m
}()

type xfast struct {
	b   []byte
	i   int
	buf []byte
}

// decodeXMLFast is DecodeXML for plain bodies; ok false: read it with
// encoding/xml instead.
func decodeXMLFast(body []byte) (docs []Doc, bad []Receipt, ok bool) {
	d := &xfast{b: body}
	if bytes.HasPrefix(d.b, []byte("<?xml")) && !d.declaration() {
		return nil, nil, false
	}
	var wrapper []byte // an open plain element around the messages
	for {
		d.space()
		if d.i == len(d.b) {
			return docs, nil, wrapper == nil
		}
		if d.b[d.i] != '<' {
			return nil, nil, false
		}
		if d.peek("</") {
			d.i += 2
			if name, ok := d.endTag(); !ok || wrapper == nil || !bytes.Equal(name, wrapper) {
				return nil, nil, false
			}
			wrapper = nil
			continue
		}
		d.i++
		raw, pb, lb, ok := d.name()
		if !ok {
			return nil, nil, false
		}
		prefix, local := string(pb), string(lb)
		attrs, empty, ok := d.attributes()
		if !ok {
			return nil, nil, false
		}
		space := ""
		for _, a := range attrs {
			if (prefix == "" && a.raw == "xmlns") || (prefix != "" && a.raw == "xmlns:"+prefix) {
				space = a.val
			}
		}
		t := xroots[local]
		if t == nil || space != Namespace {
			if wrapper == nil && len(docs) == 0 && prefix == "" && space == "" {
				for _, a := range attrs {
					if strings.HasPrefix(a.raw, "xmlns") {
						return nil, nil, false
					}
				}
				if !empty {
					wrapper = raw
				}
				continue
			}
			return nil, nil, false
		}
		msg := reflect.New(t)
		base := msg.UnsafePointer()
		n := xnodes[t]
		*(*xml.Name)(unsafe.Add(base, n.name)) = xml.Name{Space: Namespace, Local: local}
		setAttrs(n, base, attrs)
		if !empty && !d.elements(n, base, raw) {
			return nil, nil, false
		}
		docs = appendDocs(docs, msg.Interface())
		if len(docs) > MaxDocs {
			return docs[:MaxDocs], []Receipt{tooMany()}, true
		}
	}
}

// elements fills the struct at base from its child elements up to the
// end tag of end.
func (d *xfast) elements(n *xnode, base unsafe.Pointer, end []byte) bool {
	var seen uint64
	for {
		d.space()
		if d.i == len(d.b) || d.b[d.i] != '<' {
			return false
		}
		if d.peek("</") {
			d.i += 2
			name, ok := d.endTag()
			return ok && bytes.Equal(name, end)
		}
		d.i++
		raw, _, local, ok := d.name()
		if !ok {
			return false
		}
		attrs, empty, ok := d.attributes()
		if !ok {
			return false
		}
		for _, a := range attrs {
			if strings.HasPrefix(a.raw, "xmlns") {
				return false
			}
		}
		f := n.elems[string(local)]
		if f == nil || (f.kind != 'l' && seen&f.bit != 0) {
			return false
		}
		seen |= f.bit
		at := unsafe.Add(base, f.off)
		switch f.kind {
		case 's':
			s := ""
			if !empty {
				if s, ok = d.text(raw); !ok {
					return false
				}
			}
			*(*string)(at) = s
		case 't':
			if !empty && !d.elements(f.sub, at, raw) {
				return false
			}
		case 'p':
			p := (*unsafe.Pointer)(at)
			if *p == nil {
				*p = reflect.New(f.typ).UnsafePointer()
			}
			if !empty && !d.elements(f.sub, *p, raw) {
				return false
			}
		case 'l':
			v := reflect.NewAt(f.typ, at).Elem()
			v.Set(reflect.Append(v, reflect.Zero(f.typ.Elem())))
			if !empty && !d.elements(f.sub, v.Index(v.Len()-1).Addr().UnsafePointer(), raw) {
				return false
			}
		}
	}
}

// setAttrs fills the string attributes of the struct at base.
func setAttrs(n *xnode, base unsafe.Pointer, attrs []xattr) {
	for _, a := range attrs {
		local := a.raw
		if j := strings.IndexByte(local, ':'); j >= 0 {
			local = local[j+1:]
		}
		if off, ok := n.attrs[local]; ok && !strings.HasPrefix(a.raw, "xmlns") {
			*(*string)(unsafe.Add(base, off)) = a.val
		}
	}
}

type xattr struct{ raw, val string }

// attributes reads a start tag's attributes up to > or />.
func (d *xfast) attributes() (attrs []xattr, empty, ok bool) {
	for {
		sp := d.space()
		if d.i == len(d.b) {
			return nil, false, false
		}
		switch d.b[d.i] {
		case '>':
			d.i++
			return attrs, false, true
		case '/':
			if !d.peek("/>") {
				return nil, false, false
			}
			d.i += 2
			return attrs, true, true
		}
		if !sp {
			return nil, false, false
		}
		raw, _, _, ok := d.name()
		if !ok {
			return nil, false, false
		}
		d.space()
		if d.i == len(d.b) || d.b[d.i] != '=' {
			return nil, false, false
		}
		d.i++
		d.space()
		if d.i == len(d.b) || (d.b[d.i] != '"' && d.b[d.i] != '\'') {
			return nil, false, false
		}
		q := d.b[d.i]
		d.i++
		j := bytes.IndexByte(d.b[d.i:], q)
		if j < 0 {
			return nil, false, false
		}
		v, ok := d.unescape(d.b[d.i:d.i+j], true)
		if !ok {
			return nil, false, false
		}
		d.i += j + 1
		for _, a := range attrs {
			if a.raw == string(raw) {
				return nil, false, false
			}
		}
		attrs = append(attrs, xattr{string(raw), v})
	}
}

// text reads an element's text and its end tag.
func (d *xfast) text(name []byte) (string, bool) {
	j := bytes.IndexByte(d.b[d.i:], '<')
	if j < 0 {
		return "", false
	}
	s, ok := d.unescape(d.b[d.i:d.i+j], false)
	d.i += j
	if !ok || !d.peek("</") {
		return "", false
	}
	d.i += 2
	end, ok := d.endTag()
	return s, ok && bytes.Equal(end, name)
}

// endTag reads the name and > of an end tag after its </.
func (d *xfast) endTag() ([]byte, bool) {
	raw, _, _, ok := d.name()
	d.space()
	if !ok || d.i == len(d.b) || d.b[d.i] != '>' {
		return nil, false
	}
	d.i++
	return raw, true
}

// name reads an ASCII name, optionally prefix:local.
func (d *xfast) name() (raw, prefix, local []byte, ok bool) {
	start, colon := d.i, -1
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case (c >= '0' && c <= '9') || c == '-' || c == '.':
			if d.i == start || (colon >= 0 && d.i == colon+1) {
				return nil, nil, nil, false
			}
		case c == ':':
			if colon >= 0 || d.i == start {
				return nil, nil, nil, false
			}
			colon = d.i
		default:
			goto done
		}
		d.i++
	}
done:
	raw = d.b[start:d.i]
	if len(raw) == 0 || colon == d.i-1 {
		return nil, nil, nil, false
	}
	if colon < 0 {
		return raw, nil, raw, true
	}
	return raw, d.b[start:colon], d.b[colon+1 : d.i], true
}

// declaration reads <?xml …?>, which must say UTF-8 if it names an encoding.
func (d *xfast) declaration() bool {
	j := bytes.Index(d.b[d.i:], []byte("?>"))
	if j < 0 {
		return false
	}
	decl := string(d.b[d.i+len("<?xml") : d.i+j])
	d.i += j + 2
	if decl != "" && decl[0] != ' ' {
		return false
	}
	for _, f := range strings.Fields(decl) {
		k, v, ok := strings.Cut(f, "=")
		if !ok || len(v) < 2 || (v[0] != '"' && v[0] != '\'') || v[len(v)-1] != v[0] {
			return false
		}
		v = v[1 : len(v)-1]
		switch k {
		case "version":
			if v != "1.0" {
				return false
			}
		case "encoding":
			if !strings.EqualFold(v, "utf-8") {
				return false
			}
		case "standalone":
		default:
			return false
		}
	}
	return true
}

// unescape decodes the predefined entities and character references of
// text or an attribute value; false at anything encoding/xml might read
// otherwise (another entity, a carriage return, a character XML forbids).
func (d *xfast) unescape(b []byte, attr bool) (string, bool) {
	plain := true
	for _, c := range b {
		if c == '&' || c >= utf8.RuneSelf || c < 0x20 || (attr && c == '<') {
			plain = false
			break
		}
	}
	if plain {
		return string(b), true
	}
	out := d.buf[:0]
	for k := 0; k < len(b); {
		c := b[k]
		switch {
		case c == '&':
			e := bytes.IndexByte(b[k:], ';')
			if e < 0 {
				return "", false
			}
			r, ok := entity(b[k+1 : k+e])
			if !ok {
				return "", false
			}
			out = utf8.AppendRune(out, r)
			k += e + 1
			continue
		case c == '\r' || c == '<':
			return "", false
		case c < utf8.RuneSelf:
			if c < 0x20 && c != '\t' && c != '\n' {
				return "", false
			}
			if attr && (c == '\t' || c == '\n') {
				return "", false // attribute values are normalized; not here
			}
			out = append(out, c)
			k++
			continue
		}
		r, n := utf8.DecodeRune(b[k:])
		if (r == utf8.RuneError && n == 1) || !xmlChar(r) {
			return "", false
		}
		out = append(out, b[k:k+n]...)
		k += n
	}
	d.buf = out
	return string(out), true
}

func entity(name []byte) (rune, bool) {
	switch string(name) {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "apos":
		return '\'', true
	case "quot":
		return '"', true
	}
	if len(name) < 2 || name[0] != '#' || len(name) > 10 {
		return 0, false
	}
	base, digits := 10, name[1:]
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
	}
	if len(digits) == 0 {
		return 0, false
	}
	var r rune
	for _, c := range digits {
		var v rune
		switch {
		case c >= '0' && c <= '9':
			v = rune(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			v = rune(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			v = rune(c-'A') + 10
		default:
			return 0, false
		}
		r = r*rune(base) + v
	}
	return r, xmlChar(r) && r != '\r'
}

func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// space skips whitespace; true if there was some.
func (d *xfast) space() bool {
	start := d.i
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
			continue
		}
		break
	}
	return d.i > start
}

func (d *xfast) peek(s string) bool { return bytes.HasPrefix(d.b[d.i:], []byte(s)) }
