// Package http serves the API, the OpenAPI document, health, metrics and
// the console. Handlers decode, call a service and encode; the services
// own every rule.
package http

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/credit"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/ecommerce"
	"github.com/jinguan-customs/jinguan/enterprise"
	"github.com/jinguan-customs/jinguan/refdata"
	"github.com/jinguan-customs/jinguan/risk"
	"github.com/jinguan-customs/jinguan/tariff"
)

// Server is the HTTP front of the program.
type Server struct {
	Declarations *declaration.Service
	Risk         *risk.Service
	Credit       *credit.Service    // nil: the credit routes answer 503
	Ecommerce    *ecommerce.Service // nil: e-commerce routes answer unavailable
	Billing      *tariff.Billing    // tax bills
	Guarantees   *enterprise.Ledger // guarantee accounts
	Calculator   *tariff.Calculator // policy calculator
	Reviews      *tariff.Reviewer   // batch re-reviews
	Users        auth.Store
	Catalog      *refdata.Catalog
	Log          *slog.Logger
	Registry     *prometheus.Registry
	Secret       []byte // signs console form tokens; shared by nodes of one deployment

	mux      *http.ServeMux
	once     sync.Once
	keyOnce  sync.Once
	tokens   sync.Map // token hash → cachedPrincipal
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	srv      *http.Server
}

type cachedPrincipal struct {
	p       auth.Principal
	expires time.Time
}

// Route is one API endpoint; the table is also what the OpenAPI test checks.
type Route struct {
	Method, Pattern string
	Auth            bool
	handler         func(*Server, http.ResponseWriter, *http.Request, auth.Principal) error
}

// Routes lists every endpoint served.
func Routes() []Route {
	return slices.Concat([]Route{
		{"GET", "/healthz", false, (*Server).health},
		{"GET", "/openapi.json", false, (*Server).openapi},
		{"GET", "/api/v1/whoami", true, (*Server).whoami},
		{"POST", "/api/v1/declarations", true, (*Server).submit},
		{"GET", "/api/v1/declarations", true, (*Server).list},
		{"GET", "/api/v1/declarations/{id}", true, (*Server).get},
		{"PUT", "/api/v1/declarations/{id}", true, (*Server).amend},
		{"GET", "/api/v1/declarations/{id}/events", true, (*Server).events},
		{"POST", "/api/v1/declarations/{id}/inspection-result", true, (*Server).recordResult},
		{"POST", "/api/v1/declarations/{id}/audit-result", true, (*Server).recordAudit},
		{"POST", "/api/v1/declarations/{id}/release", true, (*Server).release},
		{"POST", "/api/v1/declarations/{id}/reject", true, (*Server).reject},
		{"POST", "/api/v1/declarations/{id}/withdraw", true, (*Server).withdraw},
		{"POST", "/api/v1/declarations/{id}/reroute", true, (*Server).reroute},
		{"POST", "/api/v1/declarations/{id}/payment", true, (*Server).pay},
		{"POST", "/api/v1/declarations/{id}/guarantee", true, (*Server).guaranteeDeclaration},
		{"GET", "/api/v1/declarations/{id}/tax-bills", true, (*Server).declarationBills},
		{"POST", "/api/v1/tariff/calc", true, (*Server).calc},
		{"GET", "/api/v1/tax-bills", true, (*Server).listBills},
		{"GET", "/api/v1/tax-bills/{no}", true, (*Server).getBill},
		{"POST", "/api/v1/tax-bills/{no}/payment", true, (*Server).payBill},
		{"POST", "/api/v1/tax-bills/{no}/guarantee", true, (*Server).guaranteeBill},
		{"POST", "/api/v1/tax-bills/{no}/refund", true, (*Server).refundBill},
		{"GET", "/api/v1/guarantee-accounts", true, (*Server).listAccounts},
		{"GET", "/api/v1/guarantee-accounts/{id}", true, (*Server).getAccount},
		{"PUT", "/api/v1/guarantee-accounts/{id}", true, (*Server).putAccount},
		{"GET", "/api/v1/guarantee-accounts/{id}/statement", true, (*Server).statement},
		{"POST", "/api/v1/guarantee-accounts/{id}/consolidated-payment", true, (*Server).payConsolidated},
		{"POST", "/api/v1/tax-reviews", true, (*Server).runReview},
		{"GET", "/api/v1/tax-reviews", true, (*Server).listReviews},
		{"GET", "/api/v1/tax-reviews/{id}", true, (*Server).getReview},
		{"GET", "/api/v1/reference/{table}", true, (*Server).referenceTable},
		{"GET", "/api/v1/reference/{table}/{code}", true, (*Server).referenceEntry},
	}, riskRoutes(), creditRoutes(), ecommerceRoutes(), riskModelRoutes())
}

// Handler returns the mux, building it on first use.
func (s *Server) Handler() http.Handler {
	s.once.Do(s.build)
	return s.mux
}

func (s *Server) build() {
	if s.Log == nil {
		s.Log = slog.Default()
	}
	if s.Registry == nil {
		s.Registry = prometheus.NewRegistry()
	}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "jinguan_http_requests_total", Help: "HTTP requests by route and status.",
	}, []string{"route", "code"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "jinguan_http_request_seconds", Help: "HTTP request latency by route.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
	}, []string{"route"})
	s.Registry.MustRegister(s.requests, s.latency)

	s.mux = http.NewServeMux()
	for _, r := range Routes() {
		s.mux.Handle(r.Method+" "+r.Pattern, s.wrap(r))
	}
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{}))
	s.consoleRoutes(s.mux)
}

// statusWriter remembers the status for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

func (s *Server) wrap(r Route) http.Handler {
	name := r.Method + " " + r.Pattern
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: 200}
		var p auth.Principal
		defer func() {
			if v := recover(); v != nil {
				s.Log.Error("panic", "route", name, "panic", v)
				writeError(sw, jinguan.AsError(errors.New("panic")))
			}
			d := time.Since(start)
			s.requests.WithLabelValues(name, strconv.Itoa(sw.code)).Inc()
			s.latency.WithLabelValues(name).Observe(d.Seconds())
			if s.Log.Enabled(req.Context(), slog.LevelInfo) {
				s.Log.Info("request", "method", req.Method, "path", req.URL.Path, "status", sw.code,
					"ms", float64(d.Microseconds())/1000, "user", p.User)
			}
		}()
		if r.Auth {
			var err error
			if p, err = s.authenticate(req); err != nil {
				writeError(sw, err)
				return
			}
		}
		if err := r.handler(s, sw, req, p); err != nil {
			if jinguan.ErrorCode(err) == jinguan.EINTERNAL {
				s.Log.Error("request failed", "route", name, "err", err)
			}
			writeError(sw, err)
		}
	})
}

// authenticate maps the bearer token to a principal, caching for a minute.
func (s *Server) authenticate(r *http.Request) (auth.Principal, error) {
	token := bearer(r)
	if token == "" {
		return auth.Principal{}, errUnauthenticated
	}
	return s.principal(r.Context(), token)
}

func (s *Server) principal(ctx context.Context, token string) (auth.Principal, error) {
	h := auth.HashToken(token)
	if c, ok := s.tokens.Load(h); ok && time.Now().Before(c.(cachedPrincipal).expires) {
		return c.(cachedPrincipal).p, nil
	}
	u, err := s.Users.UserByTokenHash(ctx, h)
	if jinguan.ErrorCode(err) == jinguan.ENOTFOUND {
		return auth.Principal{}, errUnauthenticated
	} else if err != nil {
		return auth.Principal{}, err
	}
	p := auth.Principal{User: u.Name, Role: u.Role, Enterprise: u.Enterprise, Office: u.Office}
	s.tokens.Store(h, cachedPrincipal{p, time.Now().Add(time.Minute)})
	return p, nil
}

var errUnauthenticated = jinguan.Errorf(jinguan.EUNAUTH, "缺少或无效的访问令牌", "missing or unknown bearer token")

func bearer(r *http.Request) string {
	const prefix = "Bearer "
	if h := r.Header.Get("Authorization"); len(h) > len(prefix) && h[:len(prefix)] == prefix {
		return h[len(prefix):]
	}
	return "" // the console's session cookie is read by the console only, so the API is not open to cross-site requests
}

// ListenAndServe serves on addr until ctx ends, then shuts down gracefully.
func (s *Server) ListenAndServe(ctx context.Context, ln net.Listener) error {
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return s.srv.Shutdown(sctx)
	}
}
