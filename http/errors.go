package http

import (
	"encoding/json"
	"net/http"

	"github.com/jinguan-customs/jinguan"
)

// statusOf is the one place error codes become HTTP statuses.
var statusOf = map[string]int{
	jinguan.EINVALID:    http.StatusUnprocessableEntity,
	jinguan.ENOTFOUND:   http.StatusNotFound,
	jinguan.ECONFLICT:   http.StatusConflict,
	jinguan.ETRANSITION: http.StatusConflict,
	jinguan.EUNAUTH:     http.StatusUnauthorized,
	jinguan.EFORBIDDEN:  http.StatusForbidden,
	jinguan.EINTERNAL:   http.StatusInternalServerError,
	jinguan.EUNAVAIL:    http.StatusServiceUnavailable,
}

func writeError(w http.ResponseWriter, err error) {
	e := jinguan.AsError(err)
	code, ok := statusOf[e.Code]
	if !ok {
		code = http.StatusInternalServerError
	}
	if code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="jinguan"`)
	}
	writeJSON(w, code, e)
}

func writeJSON(w http.ResponseWriter, code int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	return json.NewEncoder(w).Encode(v)
}
