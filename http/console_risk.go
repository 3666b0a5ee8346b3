package http

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/risk"
)

// Console pages of risk management (风险布控): the profile list, the
// editor with its check and backtest, the "why selected" view of a
// declaration and the effectiveness table with its chart. Declarants do
// not see them: targeting logic stays with customs.

var _ = func() bool {
	layout := template.Must(template.ParseFS(consoleFS, "console/layout.html"))
	for _, name := range []string{"risk_profiles", "risk_profile", "risk_decision", "risk_effectiveness"} {
		t := template.Must(layout.Clone())
		pages[name] = template.Must(t.ParseFS(consoleFS, "console/"+name+".html", "console/risk_nav.html"))
	}
	return true
}()

func (s *Server) riskConsoleRoutes(mux *http.ServeMux, page func(string, func(*Server, http.ResponseWriter, *http.Request, *cview) error) http.Handler, cop *http.CrossOriginProtection) {
	mux.Handle("GET /console/risk/profiles", page("risk_profiles", (*Server).riskProfilesPage))
	mux.Handle("GET /console/risk/profiles/{id}", page("risk_profile", (*Server).riskProfilePage))
	mux.Handle("POST /console/risk/profiles/{id}/{action}", cop.Handler(page("risk_profile_post", (*Server).riskProfilePost)))
	mux.Handle("POST /console/risk/profiles/{id}/versions/{version}/{action}", cop.Handler(page("risk_status_post", (*Server).riskStatusPost)))
	mux.Handle("GET /console/risk/decisions/{id}", page("risk_decision", (*Server).riskDecisionPage))
	mux.Handle("GET /console/risk/effectiveness", page("risk_effectiveness", (*Server).riskEffectivenessPage))
}

var riskViewers = []auth.Role{auth.RoleOfficer, auth.RoleRiskAnalyst, auth.RoleAdmin}

// riskGate refuses declarants and a server without the risk module.
func (s *Server) riskGate(v *cview) error {
	if s.Risk == nil {
		return jinguan.NotFound("页面", "page")
	}
	if !slices.Contains(riskViewers, v.User.Role) {
		return jinguan.Errorf(jinguan.EFORBIDDEN, "当前角色无权查看风险布控", "your role may not see risk targeting")
	}
	return nil
}

// CanEditRisk: risk analysts and administrators maintain profiles.
func (v *cview) CanEditRisk() bool {
	return v.User != nil && (v.User.Role == auth.RoleRiskAnalyst || v.User.Role == auth.RoleAdmin)
}

// SeesRisk: the navigation shows the risk pages to customs staff.
func (v *cview) SeesRisk() bool { return v.User != nil && slices.Contains(riskViewers, v.User.Role) }

type riskProfilesData struct {
	Profiles []risk.Profile
	Flagged  map[string]bool
}

func (s *Server) riskProfilesPage(w http.ResponseWriter, r *http.Request, v *cview) error {
	if err := s.riskGate(v); err != nil {
		return err
	}
	ps, err := s.Risk.Registry.List(r.Context(), *v.User, false)
	if err != nil {
		return err
	}
	d := riskProfilesData{Profiles: ps, Flagged: map[string]bool{}}
	now := time.Now()
	if ev, err := s.Risk.Effectiveness(r.Context(), *v.User, now.AddDate(0, 0, -1), now, 24*time.Hour); err == nil {
		for _, p := range ev.Profiles {
			d.Flagged[p.ProfileID] = p.Flagged
		}
	}
	return s.render(w, http.StatusOK, "risk_profiles", v, d)
}

// riskProfileData is the editor page: the profile's versions and audit
// trail, the form (a version, or what was just posted) and the result of
// a check or backtest.
type riskProfileData struct {
	ID       string // "new" for a new profile
	Versions []risk.Profile
	Events   []risk.ProfileEvent
	Form     risk.Profile
	Days     int
	Checked  bool
	Backtest *risk.BacktestResult
	Fields   risk.InputFields
	Lanes    []declaration.Lane
	Levels   []string
	Channels []string
	Latest   int // the version an edit is based on
}

func (s *Server) riskProfilePage(w http.ResponseWriter, r *http.Request, v *cview) error {
	if err := s.riskGate(v); err != nil {
		return err
	}
	switch r.URL.Query().Get("done") {
	case "save", "activate", "retire":
		v.Notice = v.T("rp.done." + r.URL.Query().Get("done"))
	}
	d, err := s.riskProfileData(r, v, r.PathValue("id"))
	if err != nil {
		return err
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("version")); err == nil {
		for _, x := range d.Versions {
			if x.Version == n {
				d.Form = x
			}
		}
	}
	return s.render(w, http.StatusOK, "risk_profile", v, d)
}

func (s *Server) riskProfileData(r *http.Request, v *cview, id string) (riskProfileData, error) {
	d := riskProfileData{ID: id, Days: 30, Fields: risk.Fields(),
		Lanes:  []declaration.Lane{declaration.LaneRed, declaration.LaneYellow, declaration.LaneBlue},
		Levels: []string{"national", "regional", "local"}, Channels: []string{"sea", "air", "land"}}
	if id == "new" {
		d.Form = risk.Profile{Scope: risk.Scope{Level: "national"}, ValidFrom: time.Now().In(jinguan.China),
			Owner: v.User.User, Action: risk.Action{Lane: declaration.LaneRed, Percent: 100}}
		return d, nil
	}
	vs, evs, err := s.Risk.Registry.History(r.Context(), *v.User, id)
	if err != nil {
		return d, err
	}
	d.Versions, d.Events, d.Form, d.Latest = vs, evs, vs[len(vs)-1], vs[len(vs)-1].Version
	return d, nil
}

// riskProfilePost saves, checks or backtests the posted form.
func (s *Server) riskProfilePost(w http.ResponseWriter, r *http.Request, v *cview) error {
	if err := s.riskGate(v); err != nil {
		return err
	}
	if err := parseConsoleForm(w, r, v); err != nil {
		return err
	}
	id := r.PathValue("id")
	d, err := s.riskProfileData(r, v, id)
	if err != nil {
		return err
	}
	prof, errs := profileFromForm(r)
	d.Form = prof
	if n, err := strconv.Atoi(formText(r, "days")); err == nil {
		d.Days = n
	}
	v.Path = "/console/risk/profiles/" + id
	if len(errs) > 0 {
		v.Err = jinguan.Invalid(errs)
		return s.render(w, http.StatusUnprocessableEntity, "risk_profile", v, d)
	}
	ctx, p := r.Context(), *v.User
	switch r.PathValue("action") {
	case "save":
		var saved risk.Profile
		if id == "new" {
			saved, err = s.Risk.Registry.Create(ctx, p, prof)
		} else {
			saved, err = s.Risk.Registry.Edit(ctx, p, id, prof)
		}
		if err == nil {
			http.Redirect(w, r, "/console/risk/profiles/"+url.PathEscape(saved.ID)+"?done=save", http.StatusSeeOther)
			return nil
		}
	case "check":
		if prof.Status == "" {
			prof.Status = risk.Draft
		}
		if cerrs := s.Risk.Registry.Check(&prof); len(cerrs) > 0 {
			err = jinguan.Invalid(cerrs)
		} else {
			d.Checked = true
		}
	case "backtest":
		var bt risk.BacktestResult
		if bt, err = s.Risk.Backtest(ctx, p, prof, d.Days, time.Now()); err == nil {
			if len(bt.Matches) > 50 {
				bt.Matches = bt.Matches[len(bt.Matches)-50:]
			}
			d.Backtest = &bt
		}
	default:
		return jinguan.NotFound("页面", "page")
	}
	code := http.StatusOK
	if err != nil {
		if c := jinguan.ErrorCode(err); c == jinguan.EINTERNAL || c == jinguan.EUNAVAIL {
			return err
		}
		v.Err = jinguan.AsError(err)
		code = statusOf[v.Err.Code]
	}
	return s.render(w, code, "risk_profile", v, d)
}

func parseConsoleForm(w http.ResponseWriter, r *http.Request, v *cview) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return jinguan.Invalid([]jinguan.FieldError{{Code: "body_too_large",
			MessageZH: "表单过大或无法读取", MessageEN: "the form is too large or unreadable"}})
	}
	if !v.csrfOK(r) {
		return errCSRF
	}
	return nil
}

// profileFromForm reads the editor; numbers and dates that do not parse
// are reported at their JSON pointers like the API's.
func profileFromForm(r *http.Request) (risk.Profile, []jinguan.FieldError) {
	var errs []jinguan.FieldError
	bad := func(ptr, zh, en string) {
		errs = append(errs, jinguan.FieldError{Pointer: ptr, Code: "format", MessageZH: zh, MessageEN: en})
	}
	num := func(k, ptr string, dst *float64) {
		if t := formText(r, k); t != "" {
			f, err := strconv.ParseFloat(t, 64)
			if err != nil {
				bad(ptr, "应为数字", "must be a number")
			}
			*dst = f
		}
	}
	integer := func(k, ptr string, dst *int) {
		if t := formText(r, k); t != "" {
			n, err := strconv.Atoi(t)
			if err != nil {
				bad(ptr, "应为整数", "must be a whole number")
			}
			*dst = n
		}
	}
	date := func(k, ptr string, dst *time.Time) {
		if t := formText(r, k); t != "" {
			d, err := time.ParseInLocation("2006-01-02", t, jinguan.China)
			if err != nil {
				bad(ptr, "日期格式应为 YYYY-MM-DD", "expected YYYY-MM-DD")
			}
			*dst = d
		}
	}
	p := risk.Profile{ID: formText(r, "id"), Title: formText(r, "title"), Rationale: formText(r, "rationale"),
		Owner: formText(r, "owner"), Direction: formText(r, "direction"),
		Expr:   strings.ReplaceAll(r.PostFormValue("expr"), "\r\n", "\n"),
		Scope:  risk.Scope{Level: formText(r, "scope_level")},
		Action: risk.Action{Lane: declaration.Lane(formText(r, "lane")), Instruction: formText(r, "instruction")}}
	switch p.Scope.Level {
	case "regional":
		p.Scope.Channel = formText(r, "scope_channel")
	case "local":
		p.Scope.Office = formText(r, "scope_office")
	}
	num("percent", "/action/percent", &p.Action.Percent)
	integer("max_unselected", "/action/max_unselected", &p.Action.MaxUnselected)
	integer("priority", "/priority", &p.Priority)
	integer("version", "/version", &p.Version)
	date("valid_from", "/valid_from", &p.ValidFrom)
	date("valid_to", "/valid_to", &p.ValidTo)
	return p, errs
}

func (s *Server) riskStatusPost(w http.ResponseWriter, r *http.Request, v *cview) error {
	if err := s.riskGate(v); err != nil {
		return err
	}
	if err := parseConsoleForm(w, r, v); err != nil {
		return err
	}
	id, action := r.PathValue("id"), r.PathValue("action")
	version, err := strconv.Atoi(r.PathValue("version"))
	if err != nil {
		return jinguan.NotFound("布控规则版本", "profile version")
	}
	fn := map[string]func(context.Context, auth.Principal, string, int, string) (risk.Profile, error){
		"activate": s.Risk.Registry.Activate, "retire": s.Risk.Registry.Retire}[action]
	if fn == nil {
		return jinguan.NotFound("页面", "page")
	}
	if _, err = fn(r.Context(), *v.User, id, version, formText(r, "reason")); err == nil {
		http.Redirect(w, r, "/console/risk/profiles/"+url.PathEscape(id)+"?done="+action, http.StatusSeeOther)
		return nil
	}
	if c := jinguan.ErrorCode(err); c == jinguan.ENOTFOUND || c == jinguan.EINTERNAL {
		return err
	}
	v.Err, v.Path = jinguan.AsError(err), "/console/risk/profiles/"+id
	d, derr := s.riskProfileData(r, v, id)
	if derr != nil {
		return derr
	}
	return s.render(w, statusOf[v.Err.Code], "risk_profile", v, d)
}

func (s *Server) riskDecisionPage(w http.ResponseWriter, r *http.Request, v *cview) error {
	if err := s.riskGate(v); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.Declarations.Get(r.Context(), *v.User, id) // the officer's area
	if err != nil {
		return err
	}
	x, err := s.Risk.Explain(r.Context(), *v.User, id)
	if err != nil {
		return err
	}
	v.at = d.DeclaredAt
	return s.render(w, http.StatusOK, "risk_decision", v, riskDecisionData{X: x, D: d})
}

type riskDecisionData struct {
	X risk.Explanation
	D *declaration.Declaration
}

// Chain lists the decision and the ones re-routings replaced, newest first.
func (d riskDecisionData) Chain() []*declaration.RiskDecision {
	var out []*declaration.RiskDecision
	for rd := d.X.Decision; rd != nil && len(out) < 20; rd = rd.Previous {
		out = append(out, rd)
	}
	return out
}

// Rates shows a decision's lane rates in lane order.
func (v *cview) Rates(rd *declaration.RiskDecision) []labelled {
	var out []labelled
	for _, l := range allLanes {
		if r, ok := rd.Rates[l]; ok {
			out = append(out, labelled{"lane." + string(l), fraction(r)})
		}
	}
	return out
}

// Percent shows a fraction as a percentage.
func (v *cview) Percent(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" }

// Grade names a credit grade.
func (v *cview) Grade(g string) string {
	if g == "" {
		return "—"
	}
	return v.T("grade." + g)
}

type riskEffData struct {
	E         risk.Effectiveness
	From, To  string
	Bucket    string // as measured
	Asked     string // as chosen in the form ("" for automatic)
	Streams   []string
	HitChart  template.HTML
	SelChart  template.HTML
	FlagCount int
}

func (s *Server) riskEffectivenessPage(w http.ResponseWriter, r *http.Request, v *cview) error {
	if err := s.riskGate(v); err != nil {
		return err
	}
	from, to, bucket, err := effectivenessPeriod(r)
	if err != nil {
		return err
	}
	e, err := s.Risk.Effectiveness(r.Context(), *v.User, from, to, bucket)
	if err != nil {
		return err
	}
	d := riskEffData{E: e, From: from.In(jinguan.China).Format("2006-01-02"),
		To: to.Add(-time.Second).In(jinguan.China).Format("2006-01-02"), Bucket: e.Bucket, Asked: r.URL.Query().Get("bucket"),
		Streams: risk.Streams}
	labels := map[string]string{}
	for _, st := range risk.Streams {
		labels[st] = v.T("eff.stream." + st)
	}
	d.HitChart = lineChart(e.Series, labels, v.T("eff.chart.hit_rate"), func(c risk.Counts) (float64, bool) {
		return c.HitRate * 100, c.Inspections > 0
	}, "%")
	d.SelChart = lineChart(e.Series, labels, v.T("eff.chart.selections"), func(c risk.Counts) (float64, bool) {
		return float64(c.Selections), true
	}, "")
	for _, p := range e.Profiles {
		if p.Flagged {
			d.FlagCount++
		}
	}
	return s.render(w, http.StatusOK, "risk_effectiveness", v, d)
}

// Date is a date input's value in Beijing time ("" for none).
func (v *cview) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(jinguan.China).Format("2006-01-02")
}
