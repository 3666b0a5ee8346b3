package http

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
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
		days, _ := strconv.ParseFloat(formText(r, "latest_days"), 64)
		if days < 0 || days > 366 {
			days = 0
		}
		if s.Risk.Projector != nil {
			err = s.Risk.Projector.Drain(ctx)
		}
		if err == nil {
			_, err = reg.Retrain(ctx, p, risk.RetrainOptions{Latest: time.Duration(days * float64(24*time.Hour)), Reason: reason})
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
// script): per week a box of the scores (10–90 % whiskers, 25–75 % box,
// median), and the hit rates of the model's own selections and of all
// checks as lines with points.
type driftChart struct {
	W, H             int
	Left, Right      int
	TopEdge, Bottom  int
	Boxes            []chartBox
	HitModel, HitAll chartLine
	Ticks, Labels    []chartTick
	Empty            bool
}

type chartBox struct{ X, X0, X1, BoxW, BoxH, P10, P25, P50, P75, P90 float64 }

type chartLine struct {
	Points string
	Dots   []chartTick
}

type chartTick struct {
	X, Y   float64
	X0, Y0 float64 // corner of a square marker
	Text   string
}

func newDriftChart(ws []risk.DriftWeek, lang string) driftChart {
	c := driftChart{W: 760, H: 260, Left: 44, Right: 744, TopEdge: 12, Bottom: 226, Empty: true}
	top := 0.1
	for _, w := range ws {
		if w.Declarations > 0 {
			c.Empty = false
			top = math.Max(top, w.Quantiles[4])
		}
		for _, h := range []risk.HitRate{w.ModelScore, w.All} {
			if h.Checked > 0 {
				top = math.Max(top, h.Rate)
			}
		}
	}
	top = math.Min(1, math.Ceil(top*10)/10)
	step := float64(c.Right-c.Left) / float64(max(len(ws), 1))
	x := func(i int) float64 { return float64(c.Left) + step*(float64(i)+0.5) }
	y := func(v float64) float64 { return float64(c.Bottom) - v/top*float64(c.Bottom-c.TopEdge) }
	line := func(l *chartLine, i int, h risk.HitRate) {
		if h.Checked == 0 {
			return
		}
		p := chartTick{X: x(i), Y: y(h.Rate), X0: x(i) - 3.5, Y0: y(h.Rate) - 3.5}
		l.Dots = append(l.Dots, p)
		l.Points += fmt.Sprintf("%.1f,%.1f ", p.X, p.Y)
	}
	for i, w := range ws {
		if w.Declarations > 0 {
			q := w.Quantiles
			c.Boxes = append(c.Boxes, chartBox{X: x(i), X0: x(i) - step*0.3, X1: x(i) + step*0.3, BoxW: step * 0.6,
				BoxH: y(q[1]) - y(q[3]), P10: y(q[0]), P25: y(q[1]), P50: y(q[2]), P75: y(q[3]), P90: y(q[4])})
		}
		line(&c.HitModel, i, w.ModelScore)
		line(&c.HitAll, i, w.All)
		if len(ws) <= 13 || i%2 == len(ws)%2 {
			label := w.Week.Format("01-02")
			if lang == "zh" {
				label = w.Week.Format("1月2日")
			}
			c.Labels = append(c.Labels, chartTick{X: x(i), Y: float64(c.Bottom + 18), Text: label})
		}
	}
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
