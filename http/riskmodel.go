package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/risk"
)

func riskModelRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/risk/models", true, (*Server).riskModels},
		{"GET", "/api/v1/risk/models/drift", true, (*Server).riskModelDrift},
		{"GET", "/api/v1/risk/models/{version}", true, (*Server).riskModel},
		{"POST", "/api/v1/risk/models/retrain", true, (*Server).riskModelRetrain},
		{"POST", "/api/v1/risk/models/rollback", true, (*Server).riskModelRollback},
		{"POST", "/api/v1/risk/models/{version}/activate", true, (*Server).riskModelActivate},
	}
}

// RetrainInput asks for a retraining on the platform's history.
type RetrainInput struct {
	LatestDays float64 `json:"latest_days,omitempty"` // the latest period kept out of training, in days (fractions allowed); 0: 28
	Since      string  `json:"since,omitempty"`       // YYYY-MM-DD; empty: all history
	MinLatest  int     `json:"min_latest,omitempty"`  // checked declarations the latest period needs; 0: 30
	Reason     string  `json:"reason,omitempty"`
}

// ModelList is the stored versions with the latest actions and the policy.
type ModelList struct {
	Active int                `json:"active"` // 0: none
	Policy risk.ModelPolicy   `json:"policy"`
	Models []risk.StoredModel `json:"models"`
	Events []risk.ModelEvent  `json:"events"`
}

func (s *Server) models() (*risk.ModelRegistry, error) {
	if s.Risk == nil || s.Risk.Models == nil {
		return nil, jinguan.Errorf(jinguan.EUNAVAIL, "风险模型未配置", "the risk model is not configured")
	}
	return s.Risk.Models, nil
}

func (s *Server) riskModels(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	reg, err := s.models()
	if err != nil {
		return err
	}
	ms, evs, err := reg.Models(r.Context(), p)
	if err != nil {
		return err
	}
	out := ModelList{Models: nonNil(ms), Events: nonNil(evs)}
	if reg.Stream != nil {
		out.Policy = reg.Stream.Policy()
	}
	for _, m := range ms {
		if m.Status == risk.ModelActive {
			out.Active = m.Version
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

func modelVersion(r *http.Request) (int, error) {
	v, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || v < 1 {
		return 0, jinguan.NotFound("风险模型版本", "risk model version")
	}
	return v, nil
}

func (s *Server) riskModel(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	reg, err := s.models()
	if err != nil {
		return err
	}
	v, err := modelVersion(r)
	if err != nil {
		return err
	}
	m, err := reg.Model(r.Context(), p, v)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, m)
}

func (s *Server) riskModelRetrain(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	reg, err := s.models()
	if err != nil {
		return err
	}
	var in RetrainInput
	if err := decodeInput(w, r, &in); err != nil {
		return err
	}
	opt := risk.RetrainOptions{Latest: time.Duration(in.LatestDays * float64(24*time.Hour)), MinLatest: in.MinLatest, Reason: in.Reason}
	var errs []jinguan.FieldError
	if in.LatestDays < 0 || in.LatestDays > 366 {
		errs = append(errs, jinguan.FieldError{Pointer: "/latest_days", Code: "range", MessageZH: "应为 0 到 366 天", MessageEN: "must be 0 to 366 days"})
	}
	if in.MinLatest < 0 {
		errs = append(errs, jinguan.FieldError{Pointer: "/min_latest", Code: "range", MessageZH: "不能为负数", MessageEN: "must not be negative"})
	}
	if in.Since != "" {
		if opt.Since, err = time.ParseInLocation(time.DateOnly, in.Since, jinguan.China); err != nil {
			errs = append(errs, jinguan.FieldError{Pointer: "/since", Code: "format", MessageZH: "日期格式应为 YYYY-MM-DD", MessageEN: "must be a date YYYY-MM-DD"})
		}
	}
	if len(in.Reason) > 500 {
		errs = append(errs, jinguan.FieldError{Pointer: "/reason", Code: "max_length", MessageZH: "不超过 500 字节", MessageEN: "at most 500 bytes"})
	}
	if len(errs) > 0 {
		return jinguan.Invalid(errs)
	}
	// The latest results become facts before the history is read.
	if s.Risk.Projector != nil {
		if err := s.Risk.Projector.Drain(r.Context()); err != nil {
			return err
		}
	}
	m, err := reg.Retrain(r.Context(), p, opt)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, m)
}

func (s *Server) riskModelActivate(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	reg, err := s.models()
	if err != nil {
		return err
	}
	v, err := modelVersion(r)
	if err != nil {
		return err
	}
	in, err := modelReason(w, r)
	if err != nil {
		return err
	}
	m, err := reg.Activate(r.Context(), p, v, in.Reason)
	if err != nil {
		return err
	}
	m.File = nil
	return writeJSON(w, http.StatusOK, m)
}

func (s *Server) riskModelRollback(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	reg, err := s.models()
	if err != nil {
		return err
	}
	in, err := modelReason(w, r)
	if err != nil {
		return err
	}
	m, err := reg.Rollback(r.Context(), p, in.Reason)
	if err != nil {
		return err
	}
	m.File = nil
	return writeJSON(w, http.StatusOK, m)
}

// modelReason reads the required reason of an activation or rollback.
func modelReason(w http.ResponseWriter, r *http.Request) (declaration.ReasonInput, error) {
	var in declaration.ReasonInput
	if err := decodeInput(w, r, &in); err != nil {
		return in, err
	}
	if in.Reason == "" || len(in.Reason) > 500 {
		return in, jinguan.Invalid([]jinguan.FieldError{{Pointer: "/reason", Code: "required",
			MessageZH: "须说明理由（不超过 500 字节）", MessageEN: "a reason is required (at most 500 bytes)"}})
	}
	return in, nil
}

// Drift is the weekly view of the model's scores and hit rates.
type Drift struct {
	Active int              `json:"active"`
	Weeks  []risk.DriftWeek `json:"weeks"`
}

func (s *Server) riskModelDrift(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	reg, err := s.models()
	if err != nil {
		return err
	}
	d, err := s.drift(r, p, reg)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

func (s *Server) drift(r *http.Request, p auth.Principal, reg *risk.ModelRegistry) (Drift, error) {
	weeks := 12
	if q := r.URL.Query().Get("weeks"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil {
			return Drift{}, queryError("weeks", "a number of weeks, 1 to 104")
		}
		weeks = n
	}
	ws, err := reg.Drift(r.Context(), p, weeks)
	if err != nil {
		return Drift{}, err
	}
	d := Drift{Weeks: ws}
	if reg.Stream != nil {
		if a := reg.Stream.Active(); a != nil {
			d.Active = a.Version
		}
	}
	return d, nil
}
