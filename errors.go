// Package jinguan holds what every module shares: the coded error type and
// the field-level problems of a rejected request.
package jinguan

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Error codes. They are stable API: clients branch on them, and the HTTP
// layer maps each to one status in one table.
const (
	EINVALID    = "invalid"            // the request breaks a rule; Fields says where
	ENOTFOUND   = "not_found"          // no such thing, or not visible to the caller
	ECONFLICT   = "conflict"           // e.g. an idempotency key reused with another body
	ETRANSITION = "illegal_transition" // the lifecycle does not allow this action now
	EUNAUTH     = "unauthenticated"    // no or unknown bearer token
	EFORBIDDEN  = "forbidden"          // the role may not do this
	EINTERNAL   = "internal"
	EUNAVAIL    = "unavailable" // shutting down or overloaded; retry later
)

// FieldError names one problem in a request body by its JSON pointer.
type FieldError struct {
	Pointer   string `json:"pointer"`
	Code      string `json:"code"`
	MessageZH string `json:"message_zh"`
	MessageEN string `json:"message_en"`
}

// Error is the one error type that crosses module boundaries.
type Error struct {
	Code      string       `json:"code"`
	MessageZH string       `json:"message_zh"`
	MessageEN string       `json:"message_en"`
	Fields    []FieldError `json:"errors,omitempty"`
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.MessageEN)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s (%d problems", e.Code, e.MessageEN, len(e.Fields))
	for i, f := range e.Fields {
		if i == 3 {
			b.WriteString(", …")
			break
		}
		fmt.Fprintf(&b, "; %s %s", f.Pointer, f.Code)
	}
	b.WriteString(")")
	return b.String()
}

// Errorf builds a coded error with both languages.
func Errorf(code, zh, en string, args ...any) *Error {
	return &Error{Code: code, MessageZH: fmt.Sprintf(zh, args...), MessageEN: fmt.Sprintf(en, args...)}
}

// Invalid wraps field problems into one EINVALID error.
func Invalid(fields []FieldError) *Error {
	return &Error{
		Code:      EINVALID,
		MessageZH: fmt.Sprintf("请求有 %d 处错误", len(fields)),
		MessageEN: fmt.Sprintf("the request has %d problem(s)", len(fields)),
		Fields:    fields,
	}
}

// ErrorCode returns the code of err, EINTERNAL for foreign errors and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// AsError returns err as *Error, wrapping foreign errors as EINTERNAL
// without exposing their text.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: EINTERNAL, MessageZH: "内部错误", MessageEN: "internal error"}
}

// NotFound is the error for a missing or invisible record.
func NotFound(whatZH, whatEN string) *Error {
	return &Error{Code: ENOTFOUND, MessageZH: "未找到" + whatZH, MessageEN: whatEN + " not found"}
}

// China is customs time: dates on declarations and effective dates of
// reference data are Beijing dates. China keeps no daylight saving, so a
// fixed zone is exact and needs no tz database.
var China = time.FixedZone("CST", 8*3600)
