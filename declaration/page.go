package declaration

import (
	"encoding/base64"
	"strconv"

	"github.com/jinguan-customs/jinguan"
)

// Paging and HS-prefix rules of Filter, shared by every store.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// PageLimit is the page size for a requested Limit.
func PageLimit(n int) int {
	if n <= 0 {
		return DefaultLimit
	}
	return min(n, MaxLimit)
}

// EncodeCursor makes the cursor that follows id: the last id of the page,
// opaque to clients.
func EncodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString(strconv.AppendInt(nil, id, 10))
}

// DecodeCursor reads a cursor; a malformed one is EINVALID at /query/cursor.
func DecodeCursor(c string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		var id int64
		if id, err = strconv.ParseInt(string(b), 10, 64); err == nil && id > 0 {
			return id, nil
		}
	}
	return 0, jinguan.Invalid([]jinguan.FieldError{{Pointer: "/query/cursor", Code: "format",
		MessageZH: "分页游标无效", MessageEN: "malformed page cursor"}})
}

// OrderPriority lists priority-handled traders' declarations first.
const OrderPriority = "priority"

// EncodeQueueCursor makes the cursor that follows a row of a
// priority-first list: its priority and id.
func EncodeQueueCursor(priority bool, id int64) string {
	p := "0."
	if priority {
		p = "1."
	}
	return base64.RawURLEncoding.EncodeToString(strconv.AppendInt([]byte(p), id, 10))
}

// DecodeQueueCursor reads a cursor of a priority-first list; a malformed
// one is EINVALID at /query/cursor.
func DecodeQueueCursor(c string) (priority bool, id int64, err error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && len(b) > 2 && (b[0] == '0' || b[0] == '1') && b[1] == '.' {
		if id, err = strconv.ParseInt(string(b[2:]), 10, 64); err == nil && id > 0 {
			return b[0] == '1', id, nil
		}
	}
	return false, 0, jinguan.Invalid([]jinguan.FieldError{{Pointer: "/query/cursor", Code: "format",
		MessageZH: "分页游标无效", MessageEN: "malformed page cursor"}})
}

// HSRange turns a digit prefix into the half-open range of codes it starts:
// "8471" → ["8471", "8472"); a last digit 9 becomes ':', the next byte.
func HSRange(p string) (lo, hi string, err error) {
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' || i >= 10 {
			return "", "", jinguan.Invalid([]jinguan.FieldError{{Pointer: "/query/hs", Code: "format",
				MessageZH: "商品编号前缀应为 1 至 10 位数字", MessageEN: "an HS prefix is 1 to 10 digits"}})
		}
	}
	lo, hi = PrefixRange(p)
	return lo, hi, nil
}

// PrefixRange is the half-open range of strings starting with a non-empty
// prefix whose last byte is below 0xff.
func PrefixRange(p string) (lo, hi string) {
	return p, p[:len(p)-1] + string(p[len(p)-1]+1)
}
