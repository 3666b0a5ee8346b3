package http

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jinguan-customs/jinguan"
)

// The console: server-rendered pages for officers and declarants. The
// session cookie carries the API token itself, so the console and the API
// share one principal lookup; only the console reads the cookie.
const (
	sessionCookie = "jinguan_session"
	langCookie    = "lang"
	consoleHome   = "/console/declarations"
	loginPath     = "/console/login"
)

// csrfToken signs a session's form token with the server's secret (the
// data folder's key, shared by every node), or a per-process key when none
// is configured.
func (s *Server) csrfToken(session string) string {
	m := hmac.New(sha256.New, s.formKey())
	m.Write([]byte("console-form\x00" + session))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) formKey() []byte {
	s.keyOnce.Do(func() {
		if len(s.Secret) == 0 {
			s.Secret = make([]byte, 32)
			if _, err := rand.Read(s.Secret); err != nil {
				panic(err)
			}
		}
	})
	return s.Secret
}

func (s *Server) consoleRoutes(mux *http.ServeMux) {
	// Browsers send Sec-Fetch-Site/Origin: cross-site POSTs (login CSRF
	// included) are refused before any handler runs.
	cop := http.NewCrossOriginProtection()
	page := func(name string, h func(*Server, http.ResponseWriter, *http.Request, *cview) error) http.Handler {
		return s.consoleWrap(name, true, h)
	}
	open := func(name string, h func(*Server, http.ResponseWriter, *http.Request, *cview) error) http.Handler {
		return s.consoleWrap(name, false, h)
	}
	mux.Handle("GET /{$}", http.RedirectHandler(consoleHome, http.StatusFound))
	mux.Handle("GET /console/{$}", http.RedirectHandler(consoleHome, http.StatusFound))
	mux.Handle("GET /console/static/", staticHandler())
	mux.Handle("GET "+loginPath, open("login", (*Server).loginForm))
	mux.Handle("POST "+loginPath, cop.Handler(open("login", (*Server).login)))
	mux.Handle("POST /console/logout", cop.Handler(page("logout", (*Server).logout)))
	mux.Handle("GET /console/declarations", page("list", (*Server).listPage))
	mux.Handle("GET /console/declarations/{id}", page("detail", (*Server).detailPage))
	mux.Handle("POST /console/declarations/{id}/{action}", cop.Handler(page("action", (*Server).actionPost)))
	mux.Handle("GET /console/audits", page("audits", (*Server).auditsPage))
	s.ecommerceConsoleRoutes(mux, page, cop)
	s.riskModelConsoleRoutes(mux, page, cop)
	s.riskConsoleRoutes(mux, page, cop)
	s.creditConsoleRoutes(mux, page, cop)
	s.tariffConsoleRoutes(mux, page, cop)
	mux.Handle("GET /console/", page("notfound", func(_ *Server, w http.ResponseWriter, _ *http.Request, v *cview) error {
		return jinguan.NotFound("页面", "page")
	}))
}

// consoleWrap resolves language and session, counts the request and turns
// a returned error into an error page.
func (s *Server) consoleWrap(name string, needSession bool, h func(*Server, http.ResponseWriter, *http.Request, *cview) error) http.Handler {
	route := "console " + name
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: 200}
		v := &cview{Lang: pickLang(sw, r), Path: r.URL.Path, query: r.URL.Query(), cat: s.Catalog}
		defer func() {
			if p := recover(); p != nil {
				s.Log.Error("panic", "route", route, "panic", p)
				s.renderError(sw, v, errors.New("panic"))
			}
			s.requests.WithLabelValues(route, strconv.Itoa(sw.code)).Inc()
			s.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
		}()
		securityHeaders(sw.Header())
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			p, err := s.principal(r.Context(), c.Value)
			switch {
			case err == nil:
				v.User, v.session, v.CSRF = &p, c.Value, s.csrfToken(c.Value)
			case jinguan.ErrorCode(err) == jinguan.EUNAUTH:
				clearSession(sw, r)
			default:
				s.renderError(sw, v, err)
				return
			}
		}
		if needSession && v.User == nil {
			target := loginPath
			if r.Method == http.MethodGet {
				target += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(sw, r, target, http.StatusSeeOther)
			return
		}
		if err := h(s, sw, r, v); err != nil {
			if jinguan.ErrorCode(err) == jinguan.EINTERNAL {
				s.Log.Error("console request failed", "route", route, "err", err)
			}
			s.renderError(sw, v, err)
		}
	})
}

func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// pickLang: ?lang= (remembered in a cookie), else the cookie, else
// Accept-Language, else Chinese.
func pickLang(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "zh" || l == "en" {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "zh" || c.Value == "en") {
		return c.Value
	}
	return acceptLang(r.Header.Get("Accept-Language"))
}

// acceptLang returns the supported language with the highest q, zh on ties
// and when neither is listed.
func acceptLang(h string) string {
	best, bestQ := "zh", 0.0
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if (base == "zh" || base == "en") && q > bestQ {
			best, bestQ = base, q
		}
	}
	return best
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request, v *cview) error {
	if v.User != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	return s.render(w, http.StatusOK, "login", v, loginData{Next: r.URL.Query().Get("next")})
}

type loginData struct {
	Next  string
	Error string
}

func (s *Server) login(w http.ResponseWriter, r *http.Request, v *cview) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	token := strings.TrimSpace(r.PostFormValue("token"))
	next := r.PostFormValue("next")
	if token == "" {
		return s.render(w, http.StatusUnauthorized, "login", v, loginData{Next: next, Error: v.T("login.bad_token")})
	}
	if _, err := s.principal(r.Context(), token); err != nil {
		if jinguan.ErrorCode(err) != jinguan.EUNAUTH {
			return err
		}
		return s.render(w, http.StatusUnauthorized, "login", v, loginData{Next: next, Error: v.T("login.bad_token")})
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, v *cview) error {
	if !v.csrfOK(r) {
		return errCSRF
	}
	clearSession(w, r)
	http.Redirect(w, r, loginPath, http.StatusSeeOther)
	return nil
}

func clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
}

// safeNext keeps redirects inside the console: no open redirect.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/console/") && !strings.ContainsAny(next, "\\\r\n") && !strings.HasPrefix(next, loginPath) {
		return next
	}
	return consoleHome
}

var errCSRF = jinguan.Errorf(jinguan.EFORBIDDEN, "表单已过期，请刷新页面后重试", "the form has expired; reload the page and try again")
