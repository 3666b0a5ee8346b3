package declaration

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
)

// DecodeForm parses a submitted declaration. encoding/json stops at the
// first type error and loses array indices, so the body is first walked as
// a generic tree against Form's type: every unknown field, wrong type and
// malformed number is reported at once with its JSON pointer.
func DecodeForm(body []byte) (*Form, []jinguan.FieldError) {
	var f Form
	if errs := DecodeStrict(body, &f); len(errs) > 0 {
		return nil, errs
	}
	return &f, nil
}

// DecodeStrict decodes body into dst (a pointer to struct) the same way.
// Well-formed bodies take the fast path, one strict decode; only a failed
// decode pays for the walk that names every problem.
func DecodeStrict(body []byte, dst any) []jinguan.FieldError {
	if fastDecode(body, dst) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return []jinguan.FieldError{malformed(err)}
	}
	if _, err := dec.Token(); err != io.EOF {
		return []jinguan.FieldError{fe("", "malformed_json", "JSON 之后还有多余内容", "unexpected data after the JSON value")}
	}
	if _, ok := tree.(map[string]any); !ok {
		return []jinguan.FieldError{fe("", "type", "应为 JSON 对象", "must be a JSON object")}
	}
	var errs []jinguan.FieldError
	walk(tree, reflect.TypeOf(dst).Elem(), "", &errs)
	if len(errs) > 0 {
		return errs
	}
	// The walk accepts what the decoder rejected: report the decoder's words.
	err := json.Unmarshal(body, dst)
	if err == nil {
		err = errors.New("unexpected content")
	}
	return []jinguan.FieldError{fe("", "malformed_json", "无法解析: "+err.Error(), "cannot decode: "+err.Error())}
}

// fastDecode is a strict decode that reports only success. On failure dst
// is reset so the slow path starts clean.
func fastDecode(body []byte, dst any) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err == nil {
		if _, err := dec.Token(); err == io.EOF && body[firstNonSpace(body)] == '{' {
			return true
		}
	}
	v := reflect.ValueOf(dst).Elem()
	v.Set(reflect.Zero(v.Type()))
	return false
}

func firstNonSpace(b []byte) int {
	for i, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return i
		}
	}
	return 0
}

func malformed(err error) jinguan.FieldError {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fe("", "malformed_json", "JSON 语法错误（第 "+strconv.FormatInt(se.Offset, 10)+" 字节）",
			"JSON syntax error at byte "+strconv.FormatInt(se.Offset, 10))
	}
	return fe("", "malformed_json", "JSON 不完整", "incomplete JSON")
}

var decimalType = reflect.TypeOf(decimal.Decimal{})

// walk checks v against type t; ptr is v's JSON pointer.
func walk(v any, t reflect.Type, ptr string, errs *[]jinguan.FieldError) {
	if v == nil {
		return // null leaves the zero value
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == decimalType:
		s, ok := numberText(v)
		if !ok || !saneDecimal(s) {
			*errs = append(*errs, fe(ptr, "not_a_number", "应为十进制数", "must be a decimal number"))
		}
	case t.Kind() == reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			*errs = append(*errs, fe(ptr, "type", "应为对象", "must be an object"))
			return
		}
		fields := jsonFields(t)
		for _, k := range sortedKeys(m) {
			ft, ok := fields[k]
			if !ok {
				*errs = append(*errs, fe(ptr+"/"+escape(k), "unknown_field", "未知字段", "unknown field"))
				continue
			}
			walk(m[k], ft, ptr+"/"+escape(k), errs)
		}
	case t.Kind() == reflect.Slice:
		a, ok := v.([]any)
		if !ok {
			*errs = append(*errs, fe(ptr, "type", "应为数组", "must be an array"))
			return
		}
		for i, e := range a {
			walk(e, t.Elem(), ptr+"/"+strconv.Itoa(i), errs)
		}
	case t.Kind() == reflect.String:
		if _, ok := v.(string); !ok {
			*errs = append(*errs, fe(ptr, "type", "应为字符串", "must be a string"))
		}
	case t.Kind() == reflect.Int:
		n, ok := v.(json.Number)
		if _, err := strconv.ParseInt(string(n), 10, 32); !ok || err != nil {
			*errs = append(*errs, fe(ptr, "type", "应为整数", "must be an integer"))
		}
	case t.Kind() == reflect.Float64:
		if _, ok := v.(json.Number); !ok {
			*errs = append(*errs, fe(ptr, "type", "应为数字", "must be a number"))
		}
	case t.Kind() == reflect.Bool:
		if _, ok := v.(bool); !ok {
			*errs = append(*errs, fe(ptr, "type", "应为布尔值", "must be true or false"))
		}
	}
}

func numberText(v any) (string, bool) {
	switch x := v.(type) {
	case json.Number:
		return string(x), true
	case string:
		return x, true
	}
	return "", false
}

// saneDecimal bounds what arithmetic will see: at most 30 significant digits
// and 10 decimals, so no input can make rescaling explode.
func saneDecimal(s string) bool {
	if len(s) > 64 {
		return false
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return false
	}
	return d.Exponent() >= -10 && d.NumDigits()+int(d.Exponent()) <= 30 || d.IsZero()
}

// jsonFields maps JSON names to field types, following embedded structs.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if f.Anonymous && name == "" {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// escape encodes a key as a JSON pointer token (RFC 6901).
func escape(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

func fe(ptr, code, zh, en string) jinguan.FieldError {
	return jinguan.FieldError{Pointer: ptr, Code: code, MessageZH: zh, MessageEN: en}
}
