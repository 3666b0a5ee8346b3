package http

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/credit"
	"github.com/jinguan-customs/jinguan/enterprise"
)

// Console pages of enterprise credit management (企业信用管理): the
// registry with grades, one enterprise's credit record with the score
// explained, the repair queue and the grade model. A declarant sees its own
// enterprise only (self-service).

var _ = func() bool {
	layout := template.Must(template.ParseFS(consoleFS, "console/layout.html"))
	funcs := template.FuncMap{
		"deref":  func(b *bool) bool { return b != nil && *b },
		"deref2": func(t *time.Time) time.Time { return *t },
		"list":   func(s ...string) []string { return s },
		"repairRows": func(v *cview, rows []credit.Repair, decides bool) repairRowsData {
			return repairRowsData{V: v, Rows: rows, Decides: decides, Names: repairNames(v)}
		},
	}
	for _, name := range []string{"credit_enterprises", "credit_enterprise", "credit_repairs", "credit_grades"} {
		t := template.Must(layout.Clone()).Funcs(funcs)
		pages[name] = template.Must(t.ParseFS(consoleFS, "console/"+name+".html", "console/credit_nav.html", "console/credit_repair_rows.html"))
	}
	return true
}()

// repairRowsData is what the repair table template needs, on the queue
// and on an enterprise's page.
type repairRowsData struct {
	V       *cview
	Rows    []credit.Repair
	Decides bool
	Names   map[string]string
}

func repairNames(v *cview) map[string]string {
	switch d := v.Data.(type) {
	case creditRepairsData:
		return d.Names
	case creditEnterpriseData:
		return map[string]string{d.E.SCC: v.Reason(d.E.NameZH, d.E.NameEN)}
	}
	return nil
}

func (s *Server) creditConsoleRoutes(mux *http.ServeMux, page func(string, func(*Server, http.ResponseWriter, *http.Request, *cview) error) http.Handler, cop *http.CrossOriginProtection) {
	mux.Handle("GET /console/enterprises", page("credit_enterprises", (*Server).creditEnterprisesPage))
	mux.Handle("GET /console/enterprises/{scc}", page("credit_enterprise", (*Server).creditEnterprisePage))
	mux.Handle("POST /console/enterprises/{scc}/{action}", cop.Handler(page("credit_post", (*Server).creditEnterprisePost)))
	mux.Handle("GET /console/credit/repairs", page("credit_repairs", (*Server).creditRepairsPage))
	mux.Handle("POST /console/credit/repairs/{id}/{action}", cop.Handler(page("credit_repair_post", (*Server).creditRepairPost)))
	mux.Handle("GET /console/credit/grades", page("credit_grades", (*Server).creditGradesPage))
}

func (s *Server) credit() (*credit.Service, error) {
	if s.Credit == nil {
		return nil, errNoCredit
	}
	return s.Credit, nil
}

// Helpers the credit templates use.

// CreditGrade is a grade in the page's language.
func (v *cview) CreditGrade(g credit.Grade) string { return v.Reason(g.NameZH(), g.NameEN()) }

// CreditGradeClass is the CSS class of a grade badge.
func (v *cview) CreditGradeClass(g credit.Grade) string { return "grade grade-" + g.Code() }

// CreditKind names a credit event kind.
func (v *cview) CreditKind(k credit.Kind) string { return v.Reason(k.NameZH(), k.NameEN()) }

// CreditRule names a dishonest rule or a score term.
func (v *cview) CreditRule(rule string) string { return v.T("credit.rule." + rule) }

// CreditDay shows a credit date, or a dash.
func (v *cview) CreditDay(d credit.Date) string {
	if d == 0 {
		return "—"
	}
	return d.String()
}

// CreditDate shows the Beijing date of an instant.
func (v *cview) CreditDate(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(jinguan.China).Format(time.DateOnly)
}

// CreditShare shows a fraction as a percentage.
func (v *cview) CreditShare(f float64) string { return strconv.FormatFloat(100*f, 'f', 1, 64) + "%" }

// CreditRole names a registry role.
func (v *cview) CreditRole(r string) string { return v.T("credit.role." + r) }

// CreditPoints shows points with their sign.
func (v *cview) CreditPoints(n int) string {
	if n > 0 {
		return "+" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// canRecord mirrors the service's check, to decide which forms to show.
func canRecord(p auth.Principal) bool {
	return p.Role == auth.RoleCreditOfficer || p.Role == auth.RoleAdmin
}

type creditListData struct {
	Q       url.Values
	Grades  []gradeCount
	Rows    []credit.EnterpriseView
	NextURL string
	Roles   []string
}

type gradeCount struct {
	Grade credit.Grade
	N     int
}

func (s *Server) creditEnterprisesPage(w http.ResponseWriter, r *http.Request, v *cview) error {
	svc, err := s.credit()
	if err != nil {
		return err
	}
	p := *v.User
	if p.Role == auth.RoleDeclarant {
		http.Redirect(w, r, "/console/enterprises/"+url.PathEscape(p.Enterprise), http.StatusSeeOther)
		return nil
	}
	q := r.URL.Query()
	d := creditListData{Q: q, Roles: enterprise.Roles}
	counts := svc.Book().GradeCounts()
	for _, g := range svc.Config().Model.Grades() {
		d.Grades = append(d.Grades, gradeCount{g, counts[g]})
	}
	f := credit.ListFilter{Grade: q.Get("grade"), Customs: q.Get("customs"), Query: q.Get("q"), Role: q.Get("role"),
		Status: q.Get("status"), After: q.Get("after"), Limit: consolePageSize}
	rows, more, err := svc.Enterprises(r.Context(), p, f)
	if err != nil {
		if jinguan.ErrorCode(err) == jinguan.EINVALID {
			v.Err = jinguan.AsError(err)
			return s.render(w, http.StatusUnprocessableEntity, "credit_enterprises", v, d)
		}
		return err
	}
	d.Rows = rows
	if more && len(rows) > 0 {
		nq := url.Values{}
		for k, vs := range q {
			nq[k] = vs
		}
		nq.Del("lang")
		nq.Set("after", rows[len(rows)-1].SCC)
		d.NextURL = "/console/enterprises?" + nq.Encode()
	}
	return s.render(w, http.StatusOK, "credit_enterprises", v, d)
}

type creditEnterpriseData struct {
	E         credit.EnterpriseView
	A         *credit.Assessment
	Events    []credit.Event
	Changes   []credit.GradeChange
	Audit     []credit.RegistryChange
	Certs     []credit.Certification
	Repairs   []credit.Repair
	Kinds     []credit.Kind
	Evidence  []string
	CanRecord bool
	CanApply  bool
	Form      url.Values // what a failed form posted, to fill it again
	Failed    string     // which form failed
	On        string
}

// ActiveGrounds are the grounds in force.
func (d creditEnterpriseData) ActiveGrounds() []credit.Ground {
	var out []credit.Ground
	for _, g := range d.A.Grounds {
		if g.Active {
			out = append(out, g)
		}
	}
	return out
}

// F is a posted value of the failed form.
func (d creditEnterpriseData) F(form, key string) string {
	if d.Failed != form {
		return ""
	}
	return d.Form.Get(key)
}

func (s *Server) creditEnterprisePage(w http.ResponseWriter, r *http.Request, v *cview) error {
	creditNotice(r, v)
	return s.renderEnterprise(w, r, v, http.StatusOK, "", nil)
}

func (s *Server) renderEnterprise(w http.ResponseWriter, r *http.Request, v *cview, code int, failed string, form url.Values) error {
	svc, err := s.credit()
	if err != nil {
		return err
	}
	ctx, p, scc := r.Context(), *v.User, r.PathValue("scc")
	d := creditEnterpriseData{Kinds: credit.Kinds, Evidence: credit.EvidenceKinds, CanRecord: canRecord(p), Form: form, Failed: failed}
	if d.E, err = svc.Enterprise(ctx, p, scc); err != nil {
		return err
	}
	var on credit.Date
	if d.On = r.URL.Query().Get("on"); d.On != "" {
		var ok bool
		if on, ok = credit.ParseDate(d.On); !ok {
			return jinguan.Invalid([]jinguan.FieldError{{Pointer: "/query/on", Code: "date_format",
				MessageZH: "日期格式应为 YYYY-MM-DD", MessageEN: "expected YYYY-MM-DD"}})
		}
	}
	if d.A, err = svc.Assess(ctx, p, scc, on); err != nil {
		return err
	}
	if d.Events, err = svc.Events(ctx, p, scc); err != nil {
		return err
	}
	slices.Reverse(d.Events) // newest first
	if d.Changes, err = svc.GradeChanges(ctx, p, scc); err != nil {
		return err
	}
	if d.Audit, err = svc.RegistryChanges(ctx, p, scc); err != nil {
		return err
	}
	if d.Certs, err = svc.Certifications(ctx, p, scc); err != nil {
		return err
	}
	if d.Repairs, err = svc.Repairs(ctx, p, credit.RepairFilter{SCC: scc}); err != nil {
		return err
	}
	// The application form is offered once a ground may be repaired today.
	today := credit.DateOf(time.Now())
	for _, g := range d.ActiveGrounds() {
		if g.RepairableFrom != 0 && g.RepairableFrom <= today {
			d.CanApply = d.CanRecord || p.Role == auth.RoleDeclarant && p.Enterprise == scc
		}
	}
	return s.render(w, code, "credit_enterprise", v, d)
}

// creditEnterprisePost runs a form of the enterprise page: record an
// event, take a certification decision, apply for repair.
func (s *Server) creditEnterprisePost(w http.ResponseWriter, r *http.Request, v *cview) error {
	svc, err := s.credit()
	if err != nil {
		return err
	}
	if !v.csrfOK(r) {
		return errCSRF
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return jinguan.Invalid([]jinguan.FieldError{{Code: "body_too_large", MessageZH: "表单过大", MessageEN: "the form is too large"}})
	}
	ctx, p, scc, action := r.Context(), *v.User, r.PathValue("scc"), r.PathValue("action")
	var body []byte
	switch action {
	case "event":
		body = eventForm(r, scc)
		_, err = svc.RecordEvent(ctx, p, body)
	case "certify":
		body, _ = json.Marshal(nonEmpty(map[string]any{"action": formText(r, "action"), "level": formText(r, "level"),
			"number": formText(r, "number"), "valid_from": formText(r, "valid_from"), "valid_to": formText(r, "valid_to"),
			"reference": formText(r, "reference"), "reason": formText(r, "reason")}))
		_, err = svc.Certify(ctx, p, scc, body)
	case "repair":
		in := credit.RepairInput{Reason: formText(r, "reason"),
			Evidence: []credit.Evidence{{Kind: formText(r, "evidence_kind"), Reference: formText(r, "evidence_reference"), Note: formText(r, "evidence_note")}}}
		for _, g := range r.PostForm["ground"] {
			rule, id, _ := strings.Cut(g, ":")
			n, _ := strconv.ParseInt(id, 10, 64)
			in.Grounds = append(in.Grounds, credit.GroundRef{Rule: rule, Event: n})
		}
		body, _ = json.Marshal(in)
		_, err = svc.ApplyRepair(ctx, p, scc, body)
	default:
		return jinguan.NotFound("页面", "page")
	}
	if err != nil {
		e := jinguan.AsError(err)
		if e.Code != jinguan.EINVALID && e.Code != jinguan.ECONFLICT {
			return err
		}
		v.Err = e
		return s.renderEnterprise(w, r, v, statusOf[e.Code], action, r.PostForm)
	}
	http.Redirect(w, r, "/console/enterprises/"+url.PathEscape(scc)+"?done="+action, http.StatusSeeOther)
	return nil
}

// eventForm turns the event form into the API's JSON: empty fields are
// left out, so the service names what is missing.
func eventForm(r *http.Request, scc string) []byte {
	m := map[string]any{"scc": scc}
	for _, k := range []string{"kind", "on", "source", "reference", "amount", "due_on", "until", "department", "note"} {
		if x := formText(r, k); x != "" {
			m[k] = x
		}
	}
	switch formText(r, "intentional") {
	case "yes":
		m["intentional"] = true
	case "no":
		m["intentional"] = false
	}
	if formText(r, "criminal") == "yes" {
		m["criminal"] = true
	}
	for _, k := range []string{"refers_to", "supersedes"} {
		if x := formText(r, k); x != "" {
			n, err := strconv.Atoi(x)
			if err != nil {
				m[k] = x // reported as a type error at its pointer
			} else {
				m[k] = n
			}
		}
	}
	if formText(r, "kind") == "activity" {
		c := map[string]any{}
		for _, k := range []string{"declarations", "lists", "manifests", "inspections"} {
			n, err := strconv.Atoi(formText(r, k))
			if err != nil {
				n = 0
			}
			c[k] = n
		}
		m["counts"] = c
	}
	b, _ := json.Marshal(m)
	return b
}

func nonEmpty(m map[string]any) map[string]any {
	for k, x := range m {
		if x == "" {
			delete(m, k)
		}
	}
	return m
}

type creditRepairsData struct {
	Status  string
	Rows    []credit.Repair
	Names   map[string]string
	Decides bool
}

func (s *Server) creditRepairsPage(w http.ResponseWriter, r *http.Request, v *cview) error {
	creditNotice(r, v)
	return s.renderRepairs(w, r, v, http.StatusOK)
}

// creditNotice confirms the action a form just did (?done=).
func creditNotice(r *http.Request, v *cview) {
	switch done := r.URL.Query().Get("done"); done {
	case "event", "certify", "repair", "approve", "reject":
		v.Notice = v.T("credit.done." + done)
	}
}

func (s *Server) renderRepairs(w http.ResponseWriter, r *http.Request, v *cview, code int) error {
	svc, err := s.credit()
	if err != nil {
		return err
	}
	p := *v.User
	d := creditRepairsData{Status: r.URL.Query().Get("status"), Decides: canRecord(p), Names: map[string]string{}}
	if _, ok := r.URL.Query()["status"]; !ok && d.Decides {
		d.Status = string(credit.RepairPending) // an officer's queue
	}
	switch credit.RepairStatus(d.Status) {
	case "", credit.RepairPending, credit.RepairApproved, credit.RepairRejected:
	default:
		return jinguan.Invalid([]jinguan.FieldError{{Pointer: "/query/status", Code: "unknown_status",
			MessageZH: "应为 pending、approved 或 rejected", MessageEN: "pending, approved or rejected"}})
	}
	if d.Rows, err = svc.Repairs(r.Context(), p, credit.RepairFilter{Status: credit.RepairStatus(d.Status)}); err != nil {
		return err
	}
	for _, rp := range d.Rows {
		if _, ok := d.Names[rp.SCC]; !ok {
			if e, err := svc.Enterprise(r.Context(), p, rp.SCC); err == nil {
				d.Names[rp.SCC] = v.Reason(e.NameZH, e.NameEN)
			}
		}
	}
	return s.render(w, code, "credit_repairs", v, d)
}

func (s *Server) creditRepairPost(w http.ResponseWriter, r *http.Request, v *cview) error {
	svc, err := s.credit()
	if err != nil {
		return err
	}
	if !v.csrfOK(r) {
		return errCSRF
	}
	id, err := repairID(r)
	if err != nil {
		return err
	}
	action := r.PathValue("action")
	if action != "approve" && action != "reject" {
		return jinguan.NotFound("页面", "page")
	}
	body, _ := json.Marshal(credit.DecisionInput{Reason: formText(r, "reason")})
	if _, err := svc.DecideRepair(r.Context(), *v.User, id, action == "approve", body); err != nil {
		e := jinguan.AsError(err)
		switch e.Code {
		case jinguan.EINVALID, jinguan.ETRANSITION, jinguan.EFORBIDDEN:
			v.Err = e
			return s.renderRepairs(w, r, v, statusOf[e.Code])
		}
		return err
	}
	http.Redirect(w, r, "/console/credit/repairs?done="+action, http.StatusSeeOther)
	return nil
}

type creditGradesData struct {
	Model GradeModel
	Rates []gradeRate // inspection by grade over the last days
	Days  int
}

// gradeRate is how the random and targeted streams treated one grade's
// traders: declarations decided, and the share sent to each check lane.
type gradeRate struct {
	Grade            credit.Grade
	Declarations     int
	Red, Yellow      int
	RedShare, Checks float64
}

const gradeRateDays = 30

func (s *Server) creditGradesPage(w http.ResponseWriter, r *http.Request, v *cview) error {
	svc, err := s.credit()
	if err != nil {
		return err
	}
	if v.User.Role == auth.RoleDeclarant {
		return jinguan.Errorf(jinguan.EFORBIDDEN, "当前角色无权查看", "your role may not see this")
	}
	d := creditGradesData{Model: gradeModel(svc), Days: gradeRateDays}
	if s.Risk != nil && s.Risk.Store != nil {
		now := time.Now()
		facts, err := s.Risk.Store.Facts(r.Context(), now.AddDate(0, 0, -gradeRateDays), now)
		if err != nil {
			return err
		}
		by := map[credit.Grade]*gradeRate{}
		for _, g := range svc.Config().Model.Grades() {
			by[g] = &gradeRate{Grade: g}
			d.Rates = append(d.Rates, gradeRate{})
		}
		for _, f := range facts {
			g, _ := svc.Book().Lookup(f.Trader) // the grade today, not at the decision
			x := by[g]
			if x == nil {
				continue
			}
			x.Declarations++
			switch f.Lane {
			case "red":
				x.Red++
			case "yellow":
				x.Yellow++
			}
		}
		for i, g := range svc.Config().Model.Grades() {
			x := by[g]
			if x.Declarations > 0 {
				x.RedShare = float64(x.Red) / float64(x.Declarations)
				x.Checks = float64(x.Red+x.Yellow) / float64(x.Declarations)
			}
			d.Rates[i] = *x
		}
	}
	return s.render(w, http.StatusOK, "credit_grades", v, d)
}
