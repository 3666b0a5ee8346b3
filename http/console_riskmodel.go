package http

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/risk"
)

// The risk model's console page: the active version and the selection
// policy, a chart and a table of the weekly scores and hit rates (drift),
// the stored versions with their figures, the audit trail, and for risk
// analysts the forms to retrain, activate and roll back.

var _ = func() bool {
	layout := template.Must(template.ParseFS(consoleFS, "console/layout.html"))
	pages["riskmodel"] = template.Must(template.Must(layout.Clone()).ParseFS(consoleFS, "console/riskmodel.html"))
	return true
}()

func (s *Server) riskModelConsoleRoutes(mux *http.ServeMux, page func(string, func(*Server, http.ResponseWriter, *http.Request, *cview) error) http.Handler, cop *http.CrossOriginProtection) {
	mux.Handle("GET /console/risk/model", page("riskmodel", (*Server).riskModelPage))
	mux.Handle("POST /console/risk/model/{action}", cop.Handler(page("riskmodel_action", (*Server).riskModelPost)))
}

type riskModelData struct {
	List     ModelList
	Drift    Drift
	Chart    driftChart
	Weeks    int
	CanAct   bool
	Versions []int // the forms' choices
}

func (s *Server) riskModelPage(w http.ResponseWriter, r *http.Request, v *cview) error {
	return s.renderRiskModel(w, r, v, http.StatusOK)
}

func (s *Server) renderRiskModel(w http.ResponseWriter, r *http.Request, v *cview, code int) error {
	reg, err := s.models()
	if err != nil {
		return err
	}
	ctx, p := r.Context(), *v.User
	ms, evs, err := reg.Models(ctx, p)
	if err != nil {
		return err
	}
	d := riskModelData{List: ModelList{Models: ms, Events: evs}, CanAct: p.Role == auth.RoleRiskAnalyst || p.Role == auth.RoleAdmin}
	if reg.Stream != nil {
		d.List.Policy = reg.Stream.Policy()
	}
	for _, m := range ms {
		d.Versions = append(d.Versions, m.Version)
		if m.Status == risk.ModelActive {
			d.List.Active = m.Version
		}
	}
	if d.Drift, err = s.drift(r, p, reg); err != nil {
		return err
	}
	d.Weeks = len(d.Drift.Weeks)
	d.Chart = newDriftChart(d.Drift.Weeks, v.Lang)
	if v.query.Get("done") != "" {
		v.Notice = v.T("model.done." + v.query.Get("done"))
	}
	return s.render(w, code, "riskmodel", v, d)
}

// riskModelPost runs a form, then redirects back to the page; a coded
// error shows the page again with the message.
func (s *Server) riskModelPost(w http.ResponseWriter, r *http.Request, v *cview) error {
	reg, err := s.models()
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil || !v.csrfOK(r) {
		return errCSRF
	}
	ctx, p, reason := r.Context(), *v.User, formText(r, "reason")
	action := r.PathValue("action")
	switch action {
	case "retrain":
		days, _ := strconv.Atoi(formText(r, "latest_days"))
		if s.Risk.Projector != nil {
			err = s.Risk.Projector.Drain(ctx)
		}
		if err == nil {
			_, err = reg.Retrain(ctx, p, risk.RetrainOptions{Latest: time.Duration(days) * 24 * time.Hour, Reason: reason})
		}
	case "rollback":
		if err = requireReason(reason); err == nil {
			_, err = reg.Rollback(ctx, p, reason)
		}
	case "activate":
		version, _ := strconv.Atoi(formText(r, "version"))
		if err = requireReason(reason); err == nil {
			_, err = reg.Activate(ctx, p, version, reason)
		}
	default:
		return jinguan.NotFound("页面", "page")
	}
	if err != nil {
		if c := jinguan.ErrorCode(err); c == jinguan.EINTERNAL || c == "" {
			return err
		}
		v.Err = jinguan.AsError(err)
		return s.renderRiskModel(w, r, v, statusOf[v.Err.Code])
	}
	http.Redirect(w, r, "/console/risk/model?done="+action, http.StatusSeeOther)
	return nil
}

func requireReason(reason string) error {
	if reason == "" || len(reason) > 500 {
		return jinguan.Invalid([]jinguan.FieldError{{Pointer: "/reason", Code: "required",
			MessageZH: "须说明理由（不超过 500 字节）", MessageEN: "a reason is required (at most 500 bytes)"}})
	}
	return nil
}

// driftChart is the weekly chart drawn as inline SVG (the console loads no
// script): the 10–90 % and 25–75 % bands of the scores, their median, and
// the hit rates of the model's own selections and of all checks.
type driftChart struct {
	W, H           int
	Outer, Inner   string // polygons of the bands
	Median         string // polylines
	HitModel       string
	HitAll         string
	Ticks          []chartTick
	Labels         []chartTick
	Empty          bool
	Left, Bottom   int
	Right, TopEdge int
}

type chartTick struct {
	X, Y float64
	Text string
}

func newDriftChart(ws []risk.DriftWeek, lang string) driftChart {
	c := driftChart{W: 760, H: 260, Left: 44, Bottom: 226, Right: 744, TopEdge: 12}
	top := 0.1
	any := false
	for _, w := range ws {
		if w.Declarations > 0 {
			any = true
			top = math.Max(top, w.Quantiles[4])
		}
		for _, h := range []risk.HitRate{w.ModelScore, w.All} {
			if h.Checked > 0 {
				top = math.Max(top, h.Rate)
			}
		}
	}
	c.Empty = !any
	top = math.Min(1, math.Ceil(top*10)/10)
	x := func(i int) float64 {
		if len(ws) < 2 {
			return float64(c.Left+c.Right) / 2
		}
		return float64(c.Left) + float64(i)*float64(c.Right-c.Left)/float64(len(ws)-1)
	}
	y := func(v float64) float64 { return float64(c.Bottom) - v/top*float64(c.Bottom-c.TopEdge) }
	pt := func(i int, v float64) string { return fmt.Sprintf("%.1f,%.1f", x(i), y(v)) }
	var lo90, hi90, lo50, hi50, med, hm, ha []string
	for i, w := range ws {
		if w.Declarations > 0 {
			lo90, hi90 = append(lo90, pt(i, w.Quantiles[0])), append([]string{pt(i, w.Quantiles[4])}, hi90...)
			lo50, hi50 = append(lo50, pt(i, w.Quantiles[1])), append([]string{pt(i, w.Quantiles[3])}, hi50...)
			med = append(med, pt(i, w.Quantiles[2]))
		}
		if w.ModelScore.Checked > 0 {
			hm = append(hm, pt(i, w.ModelScore.Rate))
		}
		if w.All.Checked > 0 {
			ha = append(ha, pt(i, w.All.Rate))
		}
		if i%2 == 0 || len(ws) <= 8 {
			label := w.Week.Format("01-02")
			if lang == "zh" {
				label = w.Week.Format("1月2日")
			}
			c.Labels = append(c.Labels, chartTick{X: x(i), Y: float64(c.Bottom + 18), Text: label})
		}
	}
	c.Outer, c.Inner = strings.Join(append(lo90, hi90...), " "), strings.Join(append(lo50, hi50...), " ")
	c.Median, c.HitModel, c.HitAll = strings.Join(med, " "), strings.Join(hm, " "), strings.Join(ha, " ")
	for k := 0; k <= 4; k++ {
		v := top * float64(k) / 4
		c.Ticks = append(c.Ticks, chartTick{X: float64(c.Left - 6), Y: y(v), Text: strconv.FormatFloat(v, 'f', 2, 64)})
	}
	return c
}

// ModelStatus names a stored model's status.
func (v *cview) ModelStatus(s risk.ModelStatus) string { return v.T("model.status." + string(s)) }

// Rate shows a share as a percentage, or a dash without checks.
func (v *cview) Rate(h risk.HitRate) string {
	if h.Checked == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%% (%d/%d)", h.Rate*100, h.Findings, h.Checked)
}

// Fixed shows a number with n decimals.
func (v *cview) Fixed(x float64, n int) string { return strconv.FormatFloat(x, 'f', n, 64) }

// Share shows a fraction as a percentage.
func (v *cview) Share(x float64) string { return strconv.FormatFloat(x*100, 'g', 4, 64) + "%" }

// PrecisionAt is an evaluation's precision at a share, or a dash.
func (v *cview) PrecisionAt(e *risk.Evaluation, share float64) string {
	if e == nil {
		return "—"
	}
	for _, f := range e.At {
		if math.Abs(f.Share-share) < 1e-9 {
			return fmt.Sprintf("%.3f", f.Precision)
		}
	}
	return "—"
}

// ModelLane names the lane the model stream asks for.
func (v *cview) ModelLane(l declaration.Lane) string { return v.LaneName(l) }
