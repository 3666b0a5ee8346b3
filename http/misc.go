package http

import (
	"net/http"
	"slices"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/refdata"
)

// health answers 200 when the store answers a query.
func (s *Server) health(w http.ResponseWriter, r *http.Request, _ auth.Principal) error {
	if _, _, err := s.Declarations.List(r.Context(), auth.Principal{Role: auth.RoleAdmin}, declaration.Filter{Limit: 1}); err != nil {
		return writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
	}
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) whoami(w http.ResponseWriter, _ *http.Request, p auth.Principal) error {
	return writeJSON(w, http.StatusOK, p)
}

func refDate(r *http.Request) (time.Time, error) {
	v := r.URL.Query().Get("on")
	if v == "" {
		return time.Now(), nil
	}
	t, err := time.ParseInLocation("2006-01-02", v, jinguan.China)
	if err != nil {
		return t, jinguan.Invalid([]jinguan.FieldError{{Pointer: "/query/on", Code: "format",
			MessageZH: "日期格式应为 YYYY-MM-DD", MessageEN: "expected YYYY-MM-DD"}})
	}
	return t, nil
}

func (s *Server) referenceTable(w http.ResponseWriter, r *http.Request, _ auth.Principal) error {
	table := r.PathValue("table")
	if !slices.Contains(s.Catalog.Tables(), table) {
		return jinguan.NotFound("代码表", "reference table")
	}
	on, err := refDate(r)
	if err != nil {
		return err
	}
	entries := s.Catalog.Entries(table, on)
	out := make([]entryView, len(entries))
	for i, e := range entries {
		out[i] = view(e)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"table": table, "entries": out})
}

func (s *Server) referenceEntry(w http.ResponseWriter, r *http.Request, _ auth.Principal) error {
	on, err := refDate(r)
	if err != nil {
		return err
	}
	e, ok := s.Catalog.Lookup(r.PathValue("table"), r.PathValue("code"), on)
	if !ok {
		return jinguan.NotFound("代码", "code")
	}
	return writeJSON(w, http.StatusOK, view(e))
}

// entryView is a reference entry as the API shows it.
type entryView struct {
	Code      string            `json:"code"`
	NameZH    string            `json:"name_zh"`
	NameEN    string            `json:"name_en"`
	ValidFrom time.Time         `json:"valid_from"`
	ValidTo   *time.Time        `json:"valid_to,omitempty"`
	Attrs     map[string]string `json:"attrs,omitempty"`
}

func view(e refdata.Entry) entryView {
	v := entryView{Code: e.Code, NameZH: e.NameZH, NameEN: e.NameEN, ValidFrom: e.ValidFrom, Attrs: e.Attrs}
	if !e.ValidTo.IsZero() {
		v.ValidTo = &e.ValidTo
	}
	return v
}
