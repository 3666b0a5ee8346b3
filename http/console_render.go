package http

import (
	"bytes"
	"crypto/hmac"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/refdata"
)

//go:embed console
var consoleFS embed.FS

// pages are parsed once: each page template is layout.html plus its file.
var pages = func() map[string]*template.Template {
	layout := template.Must(template.ParseFS(consoleFS, "console/layout.html"))
	out := map[string]*template.Template{}
	for _, name := range []string{"login", "list", "detail", "error"} {
		t := template.Must(layout.Clone())
		out[name] = template.Must(t.ParseFS(consoleFS, "console/"+name+".html"))
	}
	return out
}()

func staticHandler() http.Handler {
	sub, err := fs.Sub(consoleFS, "console/static")
	if err != nil {
		panic(err)
	}
	files := http.StripPrefix("/console/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") { // no directory listings
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}

// cview is what every page template sees besides its own Data: the
// language, the user and the helpers that localize and format.
type cview struct {
	Lang    string
	User    *auth.Principal
	CSRF    string
	Path    string
	Notice  string
	Err     *jinguan.Error
	Data    any
	session string
	query   url.Values
	cat     *refdata.Catalog
	at      time.Time // the date reference names are looked up on
}

// T looks a UI string up in the message table.
func (v *cview) T(key string) string { return msg(v.Lang, key) }

// HTMLLang is the value of <html lang>.
func (v *cview) HTMLLang() string {
	if v.Lang == "en" {
		return "en"
	}
	return "zh-CN"
}

// SwitchURL is the current page in the other language.
func (v *cview) SwitchURL() string {
	q := url.Values{}
	for k, vs := range v.query {
		q[k] = vs
	}
	if v.Lang == "en" {
		q.Set("lang", "zh")
	} else {
		q.Set("lang", "en")
	}
	return v.Path + "?" + q.Encode()
}

func (v *cview) Status(s declaration.Status) string { return v.T("status." + string(s)) }
func (v *cview) Action(a declaration.Action) string { return v.T("action." + string(a)) }
func (v *cview) Role(r string) string               { return v.T("role." + r) }

func (v *cview) LaneName(l declaration.Lane) string {
	if l == declaration.LaneNone {
		return v.T("lane.none")
	}
	return v.T("lane." + string(l))
}

// LaneClass is the CSS class of a lane badge; only known lanes get a colour.
func (v *cview) LaneClass(l declaration.Lane) string {
	switch l {
	case declaration.LaneGreen, declaration.LaneYellow, declaration.LaneRed, declaration.LaneBlue:
		return "lane lane-" + string(l)
	}
	return "lane lane-none"
}

// IE names the direction.
func (v *cview) IE(flag string) string {
	if flag == "I" || flag == "E" {
		return v.T("ie." + flag)
	}
	return flag
}

// Time shows a timestamp in Beijing time, the customs clock.
func (v *cview) Time(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(jinguan.China).Format("2006-01-02 15:04:05")
}

// Money shows an amount with two decimals and thousands separators.
func (v *cview) Money(d decimal.Decimal) string {
	s := d.StringFixed(2)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return sign + b.String() + "." + frac
}

// Name is a code's name in the page language from the reference table,
// or the code itself when the table does not know it.
func (v *cview) Name(table, code string) string {
	if v.cat == nil || code == "" {
		return code
	}
	at := v.at
	if at.IsZero() {
		at = time.Now()
	}
	e, ok := v.cat.Lookup(table, code, at)
	if !ok {
		return code
	}
	if v.Lang == "en" && e.NameEN != "" {
		return e.NameEN
	}
	if e.NameZH != "" {
		return e.NameZH
	}
	return code
}

// Named is a code followed by its name.
func (v *cview) Named(table, code string) string {
	if n := v.Name(table, code); n != code {
		return code + " " + n
	}
	return code
}

// Pct shows a tax rate, which the tariff keeps in percent (13 = 13%).
func (v *cview) Pct(d decimal.Decimal) string { return d.String() + "%" }

// Reason picks the reason text in the page language.
func (v *cview) Reason(zh, en string) string {
	if v.Lang == "en" && en != "" {
		return en
	}
	if zh == "" {
		return en
	}
	return zh
}

// ErrMsg and FieldMsg localize coded errors.
func (v *cview) ErrMsg(e *jinguan.Error) string { return v.Reason(e.MessageZH, e.MessageEN) }

func (v *cview) FieldMsg(f jinguan.FieldError) string {
	label := f.Pointer
	k := strings.TrimPrefix(strings.TrimPrefix(f.Pointer, "/query"), "/")
	if k != "" {
		if l := msg(v.Lang, "field."+k); l != "field."+k {
			label = l
		}
	}
	text := v.Reason(f.MessageZH, f.MessageEN)
	if label == "" {
		return text
	}
	return label + ": " + text
}

func (v *cview) csrfOK(r *http.Request) bool {
	got := r.PostFormValue("csrf")
	return v.session != "" && v.CSRF != "" && hmac.Equal([]byte(got), []byte(v.CSRF))
}

// render writes a whole page or nothing: the template runs into a buffer
// so that a template error becomes an error page, not half a page.
func (s *Server) render(w http.ResponseWriter, code int, name string, v *cview, data any) error {
	v.Data = data
	var b bytes.Buffer
	if err := pages[name].ExecuteTemplate(&b, "layout", v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, err := w.Write(b.Bytes())
	return err
}

// renderError shows a coded error as a page with the status the API would
// use; a missing declaration is the same 404 page as one never created.
func (s *Server) renderError(w http.ResponseWriter, v *cview, err error) {
	e := jinguan.AsError(err)
	code, ok := statusOf[e.Code]
	if !ok {
		code = http.StatusInternalServerError
	}
	v.Err = e
	if rerr := s.render(w, code, "error", v, code); rerr != nil {
		s.Log.Error("console render failed", "err", rerr)
		http.Error(w, http.StatusText(code), code)
	}
}

// EventReason is an event's reason in the page's language. People write
// their own reasons; the pipeline's steps are described from their data.
func (v *cview) EventReason(e declaration.Event) string {
	if e.Role != declaration.System.Role {
		return e.Reason
	}
	switch e.Action {
	case declaration.ActAssessRisk:
		var rd declaration.RiskDecision
		if json.Unmarshal(e.Data, &rd) == nil {
			return v.Reason(rd.ReasonZH, rd.ReasonEN)
		}
	case declaration.ActRoute:
		return v.T("reason.route." + string(e.To))
	case declaration.ActAssessTax:
		var t struct{ Duty, VAT, Total decimal.Decimal }
		if json.Unmarshal(e.Data, &t) == nil {
			return fmt.Sprintf(v.T("reason.assess_tax"), t.Duty.StringFixed(2), t.VAT.StringFixed(2), t.Total.StringFixed(2))
		}
	case declaration.ActPay:
		return v.T("reason.none_due")
	case declaration.ActGuarantee:
		var st declaration.Settlement
		if json.Unmarshal(e.Data, &st) == nil {
			return fmt.Sprintf(v.T("reason.guarantee"), st.Reference)
		}
	case declaration.ActRelease:
		return v.T("reason.auto_release")
	}
	return e.Reason
}
