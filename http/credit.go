package http

import (
	"io"
	"net/http"
	"strconv"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/credit"
)

// creditRoutes are the enterprise registry and credit endpoints.
func creditRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/enterprises", true, (*Server).enterprises},
		{"POST", "/api/v1/enterprises", true, (*Server).registerEnterprise},
		{"GET", "/api/v1/enterprises/{scc}", true, (*Server).enterprise},
		{"PUT", "/api/v1/enterprises/{scc}", true, (*Server).updateEnterprise},
		{"GET", "/api/v1/enterprises/{scc}/changes", true, (*Server).registryChanges},
		{"GET", "/api/v1/enterprises/{scc}/credit", true, (*Server).assessment},
		{"GET", "/api/v1/enterprises/{scc}/credit/events", true, (*Server).creditEvents},
		{"GET", "/api/v1/enterprises/{scc}/credit/grade-changes", true, (*Server).gradeChanges},
		{"POST", "/api/v1/enterprises/{scc}/credit/repairs", true, (*Server).applyRepair},
		{"GET", "/api/v1/enterprises/{scc}/certifications", true, (*Server).certifications},
		{"POST", "/api/v1/enterprises/{scc}/certifications", true, (*Server).certify},
		{"POST", "/api/v1/credit/events", true, (*Server).recordCreditEvent},
		{"POST", "/api/v1/credit/event-batches", true, (*Server).importCreditEvents},
		{"GET", "/api/v1/credit/repairs", true, (*Server).repairs},
		{"GET", "/api/v1/credit/repairs/{id}", true, (*Server).repair},
		{"POST", "/api/v1/credit/repairs/{id}/approve", true, (*Server).approveRepair},
		{"POST", "/api/v1/credit/repairs/{id}/reject", true, (*Server).rejectRepair},
		{"GET", "/api/v1/credit/grades", true, (*Server).gradeModel},
		{"POST", "/api/v1/credit/runs", true, (*Server).creditRun},
	}
}

var errNoCredit = jinguan.Errorf(jinguan.EUNAVAIL, "信用管理模块未启用", "the credit module is not running")

// creditBody reads a body for the credit service.
func (s *Server) creditBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if s.Credit == nil {
		return nil, errNoCredit
	}
	return readBody(w, r)
}

func (s *Server) enterprises(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if s.Credit == nil {
		return errNoCredit
	}
	q := r.URL.Query()
	f := credit.ListFilter{Grade: q.Get("grade"), Customs: q.Get("customs"), Query: q.Get("q"), Role: q.Get("role"),
		Status: q.Get("status"), After: q.Get("after")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return jinguan.Invalid([]jinguan.FieldError{{Pointer: "/query/limit", Code: "type",
				MessageZH: "应为正整数", MessageEN: "must be a positive integer"}})
		}
		f.Limit = n
	}
	rows, more, err := s.Credit.Enterprises(r.Context(), p, f)
	if err != nil {
		return err
	}
	page := map[string]any{"enterprises": rows}
	if more && len(rows) > 0 {
		page["next_after"] = rows[len(rows)-1].SCC
	}
	return writeJSON(w, http.StatusOK, page)
}

func (s *Server) registerEnterprise(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	b, err := s.creditBody(w, r)
	if err != nil {
		return err
	}
	v, err := s.Credit.Register(r.Context(), p, b)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/enterprises/"+v.SCC)
	return writeJSON(w, http.StatusCreated, v)
}

func (s *Server) enterprise(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if s.Credit == nil {
		return errNoCredit
	}
	v, err := s.Credit.Enterprise(r.Context(), p, r.PathValue("scc"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

func (s *Server) updateEnterprise(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	b, err := s.creditBody(w, r)
	if err != nil {
		return err
	}
	v, err := s.Credit.Update(r.Context(), p, r.PathValue("scc"), b)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

func (s *Server) registryChanges(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if s.Credit == nil {
		return errNoCredit
	}
	cs, err := s.Credit.RegistryChanges(r.Context(), p, r.PathValue("scc"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"changes": cs})
}

func (s *Server) assessment(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if s.Credit == nil {
		return errNoCredit
	}
	var on credit.Date
	if v := r.URL.Query().Get("on"); v != "" {
		var ok bool
		if on, ok = credit.ParseDate(v); !ok {
			return jinguan.Invalid([]jinguan.FieldError{{Pointer: "/query/on", Code: "date_format",
				MessageZH: "日期格式应为 YYYY-MM-DD", MessageEN: "expected YYYY-MM-DD"}})
		}
	}
	a, err := s.Credit.Assess(r.Context(), p, r.PathValue("scc"), on)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a)
}

func (s *Server) creditEvents(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if s.Credit == nil {
		return errNoCredit
	}
	es, err := s.Credit.Events(r.Context(), p, r.PathValue("scc"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"events": es})
}

func (s *Server) gradeChanges(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if s.Credit == nil {
		return errNoCredit
	}
	cs, err := s.Credit.GradeChanges(r.Context(), p, r.PathValue("scc"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"grade_changes": cs})
}

func (s *Server) applyRepair(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	b, err := s.creditBody(w, r)
	if err != nil {
		return err
	}
	rp, err := s.Credit.ApplyRepair(r.Context(), p, r.PathValue("scc"), b)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/credit/repairs/"+strconv.FormatInt(rp.ID, 10))
	return writeJSON(w, http.StatusCreated, rp)
}

func (s *Server) certifications(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if s.Credit == nil {
		return errNoCredit
	}
	cs, err := s.Credit.Certifications(r.Context(), p, r.PathValue("scc"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"certifications": cs})
}

func (s *Server) certify(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	b, err := s.creditBody(w, r)
	if err != nil {
		return err
	}
	c, err := s.Credit.Certify(r.Context(), p, r.PathValue("scc"), b)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, c)
}

func (s *Server) recordCreditEvent(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	b, err := s.creditBody(w, r)
	if err != nil {
		return err
	}
	rec, err := s.Credit.RecordEvent(r.Context(), p, b)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, rec)
}

func (s *Server) importCreditEvents(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if s.Credit == nil {
		return errNoCredit
	}
	b, err := readLargeBody(w, r, 16<<20) // up to 10,000 events
	if err != nil {
		return err
	}
	rec, err := s.Credit.ImportEvents(r.Context(), p, b)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, rec)
}

func (s *Server) repairs(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if s.Credit == nil {
		return errNoCredit
	}
	q := r.URL.Query()
	f := credit.RepairFilter{SCC: q.Get("scc"), Status: credit.RepairStatus(q.Get("status"))}
	switch f.Status {
	case "", credit.RepairPending, credit.RepairApproved, credit.RepairRejected:
	default:
		return jinguan.Invalid([]jinguan.FieldError{{Pointer: "/query/status", Code: "unknown_status",
			MessageZH: "应为 pending、approved 或 rejected", MessageEN: "pending, approved or rejected"}})
	}
	rs, err := s.Credit.Repairs(r.Context(), p, f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"repairs": rs})
}

func repairID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, jinguan.NotFound("信用修复申请", "repair application")
	}
	return id, nil
}

func (s *Server) repair(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if s.Credit == nil {
		return errNoCredit
	}
	id, err := repairID(r)
	if err != nil {
		return err
	}
	rp, err := s.Credit.Repair(r.Context(), p, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rp)
}

func (s *Server) decideRepair(w http.ResponseWriter, r *http.Request, p auth.Principal, approve bool) error {
	b, err := s.creditBody(w, r)
	if err != nil {
		return err
	}
	id, err := repairID(r)
	if err != nil {
		return err
	}
	d, err := s.Credit.DecideRepair(r.Context(), p, id, approve, b)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

func (s *Server) approveRepair(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.decideRepair(w, r, p, true)
}

func (s *Server) rejectRepair(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.decideRepair(w, r, p, false)
}

// GradeModel is the grade model in force: its grades with their names,
// how many enterprises hold each and the measures each earns.
type GradeModel struct {
	Model  credit.Model `json:"model"`
	Grades []GradeInfo  `json:"grades"`
}

// GradeInfo is one grade of the model.
type GradeInfo struct {
	Grade       credit.Grade    `json:"grade"`
	NameZH      string          `json:"name_zh"`
	NameEN      string          `json:"name_en"`
	Enterprises int             `json:"enterprises"`
	Measures    credit.Measures `json:"measures"`
}

func (s *Server) gradeModel(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if s.Credit == nil {
		return errNoCredit
	}
	return writeJSON(w, http.StatusOK, gradeModel(s.Credit))
}

func gradeModel(svc *credit.Service) GradeModel {
	cfg := svc.Config()
	counts := svc.Book().GradeCounts()
	m := GradeModel{Model: cfg.Model}
	for _, g := range cfg.Model.Grades() {
		m.Grades = append(m.Grades, GradeInfo{Grade: g, NameZH: g.NameZH(), NameEN: g.NameEN(), Enterprises: counts[g],
			Measures: cfg.Measures[g]})
	}
	return m
}

func (s *Server) creditRun(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if s.Credit == nil {
		return errNoCredit
	}
	if p.Role != auth.RoleAdmin {
		return jinguan.Errorf(jinguan.EFORBIDDEN, "仅管理员可启动评分", "only an administrator starts a run")
	}
	st, err := s.Credit.Run(r.Context(), nil)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st)
}

// readLargeBody is readBody with a larger limit, for imports.
func readLargeBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return nil, jinguan.Invalid([]jinguan.FieldError{{Pointer: "", Code: "body_too_large",
			MessageZH: "请求体超过 16 MB 或读取失败", MessageEN: "the body exceeds 16 MB or could not be read"}})
	}
	return b, nil
}
