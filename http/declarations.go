package http

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
)

const maxBody = 1 << 20 // a 50-item declaration is well under 100 KB

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := readLimited(w, r, maxBody)
	if err != nil {
		return nil, jinguan.Invalid([]jinguan.FieldError{{Pointer: "", Code: "body_too_large",
			MessageZH: "请求体超过 1 MB 或读取失败", MessageEN: "the body exceeds 1 MB or could not be read"}})
	}
	return b, nil
}

// readLimited reads a body of at most limit bytes: into one buffer of its
// declared length when it has one, instead of a buffer grown by doubling
// (an e-commerce batch is megabytes, and the copies are garbage).
func readLimited(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	rd := http.MaxBytesReader(w, r.Body, limit)
	if n := r.ContentLength; n > 0 && n <= limit {
		b := make([]byte, n)
		if _, err := io.ReadFull(rd, b); err != nil {
			return nil, err
		}
		return b, nil
	}
	return io.ReadAll(rd)
}

func decodeInput(w http.ResponseWriter, r *http.Request, dst any) error {
	b, err := readBody(w, r)
	if err != nil {
		return err
	}
	if errs := declaration.DecodeStrict(b, dst); errs != nil {
		return jinguan.Invalid(errs)
	}
	return nil
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, jinguan.NotFound("报关单", "declaration")
	}
	return id, nil
}

func (s *Server) submit(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	sub, err := s.Declarations.Submit(r.Context(), p, r.Header.Get("Idempotency-Key"), body)
	if err != nil {
		return err
	}
	code := http.StatusCreated
	if sub.Replayed {
		code = http.StatusOK
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Location", "/api/v1/declarations/"+strconv.FormatInt(sub.Declaration.ID, 10))
	return writeDeclaration(w, code, sub.Declaration)
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.Declarations.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	return writeDeclaration(w, http.StatusOK, d)
}

func (s *Server) events(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	evs, err := s.Declarations.Events(r.Context(), p, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"events": evs})
}

var (
	reSCC    = regexp.MustCompile(`^[0-9A-Z]{18}$`)
	reOffice = regexp.MustCompile(`^[0-9]{4}$`)
	reHS     = regexp.MustCompile(`^[0-9]{2,10}$`)
)

// parseFilter reads list filters from the query, reporting every bad one.
func parseFilter(q map[string][]string) (declaration.Filter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	var f declaration.Filter
	var errs []jinguan.FieldError
	bad := func(k, want string) {
		errs = append(errs, jinguan.FieldError{Pointer: "/query/" + k, Code: "format",
			MessageZH: "查询参数格式错误，应为：" + want, MessageEN: "malformed query parameter; expected " + want})
	}
	if v := get("status"); v != "" {
		for _, st := range strings.Split(v, ",") {
			if !statusKnown(declaration.Status(st)) {
				bad("status", "a comma-separated list of statuses")
				break
			}
			f.Status = append(f.Status, declaration.Status(st))
		}
	}
	switch l := declaration.Lane(get("lane")); l {
	case "", declaration.LaneGreen, declaration.LaneYellow, declaration.LaneRed, declaration.LaneBlue:
		f.Lane = l
	default:
		bad("lane", "green, yellow, red or blue")
	}
	switch v := get("ie_flag"); v {
	case "", "I", "E":
		f.IEFlag = v
	default:
		bad("ie_flag", "I or E")
	}
	check := func(k string, re *regexp.Regexp, want string, dst *string) {
		if v := get(k); v != "" {
			if !re.MatchString(v) {
				bad(k, want)
			}
			*dst = v
		}
	}
	check("trader", reSCC, "an 18-character credit code", &f.Trader)
	check("office", reOffice, "a 4-digit customs code", &f.Office)
	check("hs", reHS, "2–10 digits", &f.HSPrefix)
	date := func(k string, dst *time.Time, addDay bool) {
		if v := get(k); v != "" {
			t, err := time.ParseInLocation("2006-01-02", v, jinguan.China)
			if err != nil {
				bad(k, "YYYY-MM-DD")
				return
			}
			if addDay {
				t = t.AddDate(0, 0, 1) // "to" is inclusive for people
			}
			*dst = t
		}
	}
	date("from", &f.From, false)
	date("to", &f.To, true)
	if v := get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			bad("limit", "1–500")
		}
		f.Limit = n
	}
	switch v := get("order"); v {
	case "", "newest":
	case declaration.OrderPriority:
		f.Order = v
	default:
		bad("order", "newest or priority")
	}
	f.Cursor = get("cursor")
	if len(errs) > 0 {
		return f, jinguan.Invalid(errs)
	}
	return f, nil
}

func statusKnown(s declaration.Status) bool {
	for _, k := range declaration.Statuses {
		if k == s {
			return true
		}
	}
	return false
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	rows, next, err := s.Declarations.List(r.Context(), p, f)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []declaration.Summary{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": rows, "next_cursor": next})
}

// act decodes an action's input and runs it through a service method.
func act[T any](w http.ResponseWriter, r *http.Request, p auth.Principal,
	fn func(context.Context, auth.Principal, int64, T) (*declaration.Declaration, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in T
	if err := decodeInput(w, r, &in); err != nil {
		return err
	}
	d, err := fn(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	return writeDeclaration(w, http.StatusOK, d)
}

func (s *Server) recordResult(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return act(w, r, p, s.Declarations.RecordResult)
}

func (s *Server) recordAudit(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return act(w, r, p, s.Declarations.RecordAudit)
}

func (s *Server) release(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return act(w, r, p, s.Declarations.Release)
}

func (s *Server) reject(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return act(w, r, p, s.Declarations.Reject)
}

func (s *Server) withdraw(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return act(w, r, p, s.Declarations.Withdraw)
}

func (s *Server) reroute(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return act(w, r, p, s.Declarations.Reroute)
}

func (s *Server) pay(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return act(w, r, p, s.Declarations.Pay)
}

func (s *Server) amend(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	d, err := s.Declarations.Amend(r.Context(), p, id, body)
	if err != nil {
		return err
	}
	return writeDeclaration(w, http.StatusOK, d)
}

// writeDeclaration answers with the document the service already encoded
// for the store when it has one; it is the same JSON.
func writeDeclaration(w http.ResponseWriter, code int, d *declaration.Declaration) error {
	if d.Doc == nil {
		return writeJSON(w, code, d)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	if _, err := w.Write(d.Doc); err != nil {
		return err
	}
	_, err := w.Write([]byte{'\n'})
	return err
}
