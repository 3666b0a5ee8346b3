package http

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/risk"
)

// riskRoutes are the risk module's endpoints: the profile registry,
// watch-lists and reference prices, backtests, effectiveness and the
// "why selected" view.
func riskRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/risk/profiles", true, (*Server).riskProfiles},
		{"POST", "/api/v1/risk/profiles", true, (*Server).riskCreate},
		{"POST", "/api/v1/risk/profiles/import", true, (*Server).riskImport},
		{"GET", "/api/v1/risk/profiles/export", true, (*Server).riskExport},
		{"POST", "/api/v1/risk/profiles/check", true, (*Server).riskCheck},
		{"GET", "/api/v1/risk/profiles/{id}", true, (*Server).riskHistory},
		{"PUT", "/api/v1/risk/profiles/{id}", true, (*Server).riskEdit},
		{"GET", "/api/v1/risk/profiles/{id}/versions/{version}", true, (*Server).riskVersion},
		{"POST", "/api/v1/risk/profiles/{id}/versions/{version}/activate", true, (*Server).riskActivate},
		{"POST", "/api/v1/risk/profiles/{id}/versions/{version}/retire", true, (*Server).riskRetire},
		{"POST", "/api/v1/risk/backtest", true, (*Server).riskBacktest},
		{"GET", "/api/v1/risk/lists", true, (*Server).riskLists},
		{"PUT", "/api/v1/risk/lists/{name}", true, (*Server).riskPutList},
		{"DELETE", "/api/v1/risk/lists/{name}", true, (*Server).riskDeleteList},
		{"GET", "/api/v1/risk/ref-prices", true, (*Server).riskRefPrices},
		{"PUT", "/api/v1/risk/ref-prices", true, (*Server).riskPutRefPrices},
		{"GET", "/api/v1/risk/effectiveness", true, (*Server).riskEffectiveness},
		{"GET", "/api/v1/risk/decisions/{id}", true, (*Server).riskDecision},
	}
}

// Inputs of the risk endpoints.
type (
	// ProfileImport is a file of profiles, stored all or none.
	ProfileImport struct {
		Profiles []risk.Profile `json:"profiles"`
	}
	// BacktestInput asks how a profile would have done over the last days.
	BacktestInput struct {
		Profile risk.Profile `json:"profile"`
		Days    int          `json:"days"`
	}
	// RefPriceTable replaces the reference prices.
	RefPriceTable struct {
		Prices []risk.RefPrice `json:"prices"`
	}
	// ProfileHistory is every version of a profile and its audit trail.
	ProfileHistory struct {
		Versions []risk.Profile      `json:"versions"`
		Events   []risk.ProfileEvent `json:"events"`
	}
)

// maxBacktestMatches bounds the matches a backtest answer lists.
const maxBacktestMatches = 200

func (s *Server) riskProfiles(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	active := false
	switch r.URL.Query().Get("status") {
	case "", "current":
	case "active":
		active = true
	default:
		return queryError("status", "current or active")
	}
	ps, err := s.Risk.Registry.List(r.Context(), p, active)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"profiles": nonNil(ps)})
}

func queryError(k, want string) error {
	return jinguan.Invalid([]jinguan.FieldError{{Pointer: "/query/" + k, Code: "format",
		MessageZH: "查询参数格式错误，应为：" + want, MessageEN: "malformed query parameter; expected " + want}})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *Server) riskCreate(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var in risk.Profile
	if err := decodeInput(w, r, &in); err != nil {
		return err
	}
	out, err := s.Risk.Registry.Create(r.Context(), p, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/risk/profiles/"+out.ID)
	return writeJSON(w, http.StatusCreated, out)
}

func (s *Server) riskEdit(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var in risk.Profile
	if err := decodeInput(w, r, &in); err != nil {
		return err
	}
	out, err := s.Risk.Registry.Edit(r.Context(), p, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

func (s *Server) riskImport(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var in ProfileImport
	if err := decodeInput(w, r, &in); err != nil {
		return err
	}
	out, err := s.Risk.Registry.Import(r.Context(), p, in.Profiles)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ProfileImport{Profiles: nonNil(out)})
}

func (s *Server) riskExport(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	ps, err := s.Risk.Registry.List(r.Context(), p, r.URL.Query().Get("status") == "active")
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ProfileImport{Profiles: nonNil(ps)})
}

// riskCheck validates a profile without storing it: the editor's check.
func (s *Server) riskCheck(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var in risk.Profile
	if err := decodeInput(w, r, &in); err != nil {
		return err
	}
	if in.Status == "" {
		in.Status = risk.Draft
	}
	if errs := s.Risk.Registry.Check(&in); len(errs) > 0 {
		return jinguan.Invalid(errs)
	}
	return writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (s *Server) riskHistory(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	vs, evs, err := s.Risk.Registry.History(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ProfileHistory{Versions: vs, Events: nonNil(evs)})
}

func pathVersion(r *http.Request) (int, error) {
	v, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || v < 1 {
		return 0, jinguan.NotFound("布控规则版本", "profile version")
	}
	return v, nil
}

func (s *Server) riskVersion(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	v, err := pathVersion(r)
	if err != nil {
		return err
	}
	out, err := s.Risk.Registry.Get(r.Context(), p, r.PathValue("id"), v)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) riskActivate(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.riskStatus(w, r, p, s.Risk.Registry.Activate)
}

func (s *Server) riskRetire(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.riskStatus(w, r, p, s.Risk.Registry.Retire)
}

func (s *Server) riskStatus(w http.ResponseWriter, r *http.Request, p auth.Principal,
	fn func(ctx context.Context, p auth.Principal, id string, version int, reason string) (risk.Profile, error)) error {
	v, err := pathVersion(r)
	if err != nil {
		return err
	}
	var in declaration.ReasonInput
	if err := decodeInput(w, r, &in); err != nil {
		return err
	}
	out, err := fn(r.Context(), p, r.PathValue("id"), v, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) riskBacktest(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var in BacktestInput
	if err := decodeInput(w, r, &in); err != nil {
		return err
	}
	res, err := s.Risk.Backtest(r.Context(), p, in.Profile, in.Days, time.Now())
	if err != nil {
		return err
	}
	if len(res.Matches) > maxBacktestMatches {
		res.Matches = res.Matches[len(res.Matches)-maxBacktestMatches:] // the latest
	}
	res.Matches = nonNil(res.Matches)
	return writeJSON(w, http.StatusOK, res)
}

func (s *Server) riskLists(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	ls, err := s.Risk.Registry.WatchLists(r.Context(), p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"lists": nonNil(ls)})
}

func (s *Server) riskPutList(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var in risk.WatchList
	if err := decodeInput(w, r, &in); err != nil {
		return err
	}
	in.Name = r.PathValue("name")
	out, err := s.Risk.Registry.PutList(r.Context(), p, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) riskDeleteList(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if err := s.Risk.Registry.DeleteList(r.Context(), p, r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) riskRefPrices(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	ps, err := s.Risk.Registry.RefPrices(r.Context(), p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, RefPriceTable{Prices: nonNil(ps)})
}

func (s *Server) riskPutRefPrices(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var in RefPriceTable
	if err := decodeInput(w, r, &in); err != nil {
		return err
	}
	if err := s.Risk.Registry.PutRefPrices(r.Context(), p, in.Prices); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, RefPriceTable{Prices: nonNil(in.Prices)})
}

// effectivenessPeriod reads from/to (dates, to inclusive; default the last
// 7 days) and the bucket (5m, hour or day; default: chosen from the data).
func effectivenessPeriod(r *http.Request) (from, to time.Time, bucket time.Duration, err error) {
	q := r.URL.Query()
	to = time.Now()
	from = to.AddDate(0, 0, -7)
	var errs []jinguan.FieldError
	date := func(k string, dst *time.Time, addDay bool) {
		if v := q.Get(k); v != "" {
			t, perr := time.ParseInLocation("2006-01-02", v, jinguan.China)
			if perr != nil {
				errs = append(errs, jinguan.FieldError{Pointer: "/query/" + k, Code: "format",
					MessageZH: "日期格式应为 YYYY-MM-DD", MessageEN: "expected YYYY-MM-DD"})
				return
			}
			if addDay {
				t = t.AddDate(0, 0, 1)
			}
			*dst = t
		}
	}
	date("from", &from, false)
	date("to", &to, true)
	switch q.Get("bucket") {
	case "": // chosen from the data
	case "5m":
		bucket = risk.Bucket5m
	case "hour":
		bucket = risk.BucketHour
	case "day":
		bucket = risk.BucketDay
	default:
		errs = append(errs, jinguan.FieldError{Pointer: "/query/bucket", Code: "one_of",
			MessageZH: "取值应为 5m、hour 或 day", MessageEN: "must be 5m, hour or day"})
	}
	if bucket == risk.Bucket5m && to.Sub(from) > 2*24*time.Hour {
		errs = append(errs, jinguan.FieldError{Pointer: "/query/bucket", Code: "too_fine",
			MessageZH: "五分钟粒度最多两天", MessageEN: "five-minute buckets cover at most two days"})
	}
	if len(errs) > 0 {
		return from, to, bucket, jinguan.Invalid(errs)
	}
	return from, to, bucket, nil
}

func (s *Server) riskEffectiveness(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	from, to, bucket, err := effectivenessPeriod(r)
	if err != nil {
		return err
	}
	ev, err := s.Risk.Effectiveness(r.Context(), p, from, to, bucket)
	if err != nil {
		return err
	}
	ev.Profiles, ev.Series = nonNil(ev.Profiles), nonNil(ev.Series)
	ev.ByChapter, ev.ByOffice = nonNil(ev.ByChapter), nonNil(ev.ByOffice)
	return writeJSON(w, http.StatusOK, ev)
}

func (s *Server) riskDecision(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	// Visibility first: an officer sees only declarations of their area.
	if _, err := s.Declarations.Get(r.Context(), p, id); err != nil {
		return err
	}
	x, err := s.Risk.Explain(r.Context(), p, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, x)
}
