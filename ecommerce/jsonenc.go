package ecommerce

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Hand-written JSON for the two records written for every list: the
// stored decision and the receipt. The output is byte for byte what
// encoding/json gives for the same values (jsonenc_test.go fuzzes the
// two against each other), so readers decode it with encoding/json.

const hexDigits = "0123456789abcdef"

// appendJSONString is encoding/json's string encoding with HTML escaping.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// field appends ,"name": (or { for the first field).
func appendKey(b []byte, first *bool, name string) []byte {
	if *first {
		*first = false
		b = append(b, '{')
	} else {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

func closeObject(b []byte, first bool) []byte {
	if first {
		return append(b, '{', '}')
	}
	return append(b, '}')
}

// appendFenRow writes amounts in fen as their decimals' JSON, then "]".
func appendFenRow(b []byte, fen []int64) []byte {
	for i, f := range fen {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = appendFen(b, f)
		b = append(b, '"')
	}
	return append(b, ']')
}

// appendFen is decimal.New(f, -2).String(): trailing zeros of the fraction
// dropped.
func appendFen(b []byte, f int64) []byte {
	u := uint64(f)
	if f < 0 {
		b = append(b, '-')
		u = -u
	}
	b = strconv.AppendUint(b, u/100, 10)
	switch c := u % 100; {
	case c == 0:
	case c%10 == 0:
		b = append(b, '.', byte('0'+c/10))
	default:
		b = append(b, '.', byte('0'+c/10), byte('0'+c%10))
	}
	return b
}

func appendDecimal(b []byte, d decimal.Decimal) []byte {
	b = append(b, '"')
	b = append(b, d.String()...)
	return append(b, '"')
}

// appendTime is time.Time's JSON; ok is false where encoding/json would
// fail (a year outside 0–9999 or an odd zone offset).
func appendTime(b []byte, t time.Time) ([]byte, bool) {
	if y := t.Year(); y < 0 || y > 9999 {
		return b, false
	}
	if _, off := t.Zone(); off%60 != 0 || off <= -24*3600 || off >= 24*3600 {
		return b, false
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), true
}

func appendReasons(b []byte, rs []Reason) []byte {
	b = append(b, '[')
	for i := range rs {
		r := &rs[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"code":`...)
		b = appendJSONString(b, r.Code)
		if r.Element != "" {
			b = append(b, `,"element":`...)
			b = appendJSONString(b, r.Element)
		}
		b = append(b, `,"zh":`...)
		b = appendJSONString(b, r.ZH)
		b = append(b, `,"en":`...)
		b = appendJSONString(b, r.EN)
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendStoredDecision is json.Marshal(sd).
func appendStoredDecision(b []byte, sd *storedDecision) []byte {
	first := true
	if len(sd.Reasons) > 0 {
		b = appendKey(b, &first, "r")
		b = appendReasons(b, sd.Reasons)
	}
	if t := sd.Tax; t != nil {
		b = appendKey(b, &first, "t")
		b = append(b, `{"n":`...)
		b = appendJSONString(b, t.TaxNo)
		b = append(b, `,"s":`...)
		b = appendJSONString(b, t.Status)
		b = append(b, `,"c":`...)
		b = appendJSONString(b, t.Channel)
		b = append(b, `,"r":`...)
		b = appendJSONString(b, t.Rule)
		b = append(b, `,"v":[`...)
		if f := t.fen; f != nil {
			b = appendFenRow(b, f.sums[:])
			b = append(b, `,"i":`...)
			if f.items == nil {
				b = append(b, "null"...)
			} else {
				b = append(b, '[')
				for i := range f.items {
					if i > 0 {
						b = append(b, ',')
					}
					b = append(b, '[')
					b = appendFenRow(b, f.items[i][:])
				}
				b = append(b, ']')
			}
			return closeDecision(b, sd, first)
		}
		for i, d := range t.Sums {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendDecimal(b, d)
		}
		b = append(b, `],"i":`...)
		if t.Items == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for i, it := range t.Items {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, '[')
				for j, d := range it {
					if j > 0 {
						b = append(b, ',')
					}
					b = appendDecimal(b, d)
				}
				b = append(b, ']')
			}
			b = append(b, ']')
		}
	}
	return closeDecision(b, sd, first)
}

// closeDecision ends the tax (when there is one) and writes the rest.
func closeDecision(b []byte, sd *storedDecision, first bool) []byte {
	if sd.Tax != nil {
		b = append(b, '}')
	}
	if sd.Lane != "" {
		b = appendKey(b, &first, "l")
		b = appendJSONString(b, sd.Lane)
	}
	if sd.LaneWhy != "" {
		b = appendKey(b, &first, "w")
		b = appendJSONString(b, sd.LaneWhy)
	}
	if len(sd.Hits) > 0 {
		b = appendKey(b, &first, "h")
		b = append(b, '[')
		for i := range sd.Hits {
			h := &sd.Hits[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"profile":`...)
			b = appendJSONString(b, h.Profile)
			b = append(b, `,"lane":`...)
			b = appendJSONString(b, h.Lane)
			b = append(b, `,"selected":`...)
			b = strconv.AppendBool(b, h.Selected)
			b = append(b, `,"facts":`...)
			b = appendJSONString(b, h.Facts)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if sd.DecidedAt != 0 {
		b = appendKey(b, &first, "a")
		b = strconv.AppendInt(b, sd.DecidedAt, 10)
	}
	return closeObject(b, first)
}

// AppendJSON appends json.Marshal(r) to b.
func (r *Receipt) AppendJSON(b []byte) ([]byte, error) {
	start := len(b)
	first := true
	if r.Seq != 0 {
		b = appendKey(b, &first, "seq")
		b = strconv.AppendInt(b, r.Seq, 10)
	}
	b = appendKey(b, &first, "type")
	b = appendJSONString(b, r.Type)
	if r.Guid != "" {
		b = append(b, `,"guid":`...)
		b = appendJSONString(b, r.Guid)
	}
	if r.Key != "" {
		b = append(b, `,"key":`...)
		b = appendJSONString(b, r.Key)
	}
	if r.ListID != 0 {
		b = append(b, `,"list_id":`...)
		b = strconv.AppendInt(b, r.ListID, 10)
	}
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(r.Status), 10)
	for _, f := range [...]struct{ name, v string }{{"code", r.Code}, {"info_zh", r.InfoZH}, {"info_en", r.InfoEN}} {
		if f.v != "" {
			b = append(b, ',', '"')
			b = append(b, f.name...)
			b = append(b, '"', ':')
			b = appendJSONString(b, f.v)
		}
	}
	if len(r.Problems) > 0 {
		b = append(b, `,"problems":[`...)
		for i := range r.Problems {
			p := &r.Problems[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"pointer":`...)
			b = appendJSONString(b, p.Pointer)
			b = append(b, `,"code":`...)
			b = appendJSONString(b, p.Code)
			b = append(b, `,"message_zh":`...)
			b = appendJSONString(b, p.MessageZH)
			b = append(b, `,"message_en":`...)
			b = appendJSONString(b, p.MessageEN)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if r.Actor != "" {
		b = append(b, `,"actor":`...)
		b = appendJSONString(b, r.Actor)
	}
	b = append(b, `,"at":`...)
	b, ok := appendTime(b, r.At)
	if !ok {
		j, err := json.Marshal(r) // fails as encoding/json does
		return append(b[:start], j...), err
	}
	return append(b, '}'), nil
}
