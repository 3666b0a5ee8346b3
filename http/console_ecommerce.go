package http

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/ecommerce"
)

// Console pages of e-commerce clearance: lists by status, and one list
// with its three documents, its tax bill and its receipts.

var _ = func() bool {
	layout := template.Must(template.ParseFS(consoleFS, "console/layout.html"))
	for _, name := range []string{"ecommerce_list", "ecommerce_detail"} {
		t := template.Must(layout.Clone())
		pages[name] = template.Must(t.ParseFS(consoleFS, "console/"+name+".html"))
	}
	return true
}()

func (s *Server) ecommerceConsoleRoutes(mux *http.ServeMux, page func(string, func(*Server, http.ResponseWriter, *http.Request, *cview) error) http.Handler, cop *http.CrossOriginProtection) {
	mux.Handle("GET /console/ecommerce", page("cbec_list", (*Server).cbecListPage))
	mux.Handle("GET /console/ecommerce/{id}", page("cbec_detail", (*Server).cbecDetailPage))
	mux.Handle("POST /console/ecommerce/{id}/{action}", cop.Handler(page("cbec_action", (*Server).cbecActionPost)))
}

var cbecStatuses = []ecommerce.Status{ecommerce.StatusWarehoused, ecommerce.StatusManualReview, ecommerce.StatusInspection,
	ecommerce.StatusReleased, ecommerce.StatusRejected, ecommerce.StatusReturned, ecommerce.StatusClosed}

type cbecListData struct {
	Statuses []ecommerce.Status
	Rows     []ecommerce.ListRow
	NextURL  string
}

func (s *Server) cbecListPage(w http.ResponseWriter, r *http.Request, v *cview) error {
	svc, err := s.cbec()
	if err != nil {
		return err
	}
	f, err := listFilter(r)
	if err != nil {
		return err
	}
	f.Limit = consolePageSize
	rows, err := svc.Lists(r.Context(), *v.User, f)
	if err != nil {
		return err
	}
	d := cbecListData{Statuses: cbecStatuses, Rows: rows}
	if len(rows) == consolePageSize {
		q := url.Values{}
		for k, vs := range r.URL.Query() {
			q[k] = vs
		}
		q.Set("before", strconv.FormatInt(rows[len(rows)-1].ID, 10))
		d.NextURL = "/console/ecommerce?" + q.Encode()
	}
	return s.render(w, http.StatusOK, "ecommerce_list", v, d)
}

type cbecDetailData struct {
	V         ecommerce.ListView
	CanDecide bool
}

func (s *Server) cbecDetailPage(w http.ResponseWriter, r *http.Request, v *cview) error {
	return s.renderCbec(w, r, v, http.StatusOK)
}

func (s *Server) renderCbec(w http.ResponseWriter, r *http.Request, v *cview, code int) error {
	svc, err := s.cbec()
	if err != nil {
		return err
	}
	id, err := cbecID(r)
	if err != nil {
		return err
	}
	lv, err := svc.List(r.Context(), *v.User, id)
	if err != nil {
		return err
	}
	held := lv.List.Status == ecommerce.StatusManualReview || lv.List.Status == ecommerce.StatusInspection
	officer := v.User.Role == auth.RoleOfficer || v.User.Role == auth.RoleAdmin
	return s.render(w, code, "ecommerce_detail", v, cbecDetailData{V: lv, CanDecide: held && officer})
}

func (s *Server) cbecActionPost(w http.ResponseWriter, r *http.Request, v *cview) error {
	svc, err := s.cbec()
	if err != nil {
		return err
	}
	if !v.csrfOK(r) {
		return jinguan.Errorf(jinguan.EFORBIDDEN, "表单已失效，请重试", "the form expired; try again")
	}
	id, err := cbecID(r)
	if err != nil {
		return err
	}
	if _, err := svc.Decide(r.Context(), *v.User, id, r.PathValue("action"), r.PostFormValue("reason")); err != nil {
		v.Err = jinguan.AsError(err)
		return s.renderCbec(w, r, v, statusOf[v.Err.Code])
	}
	http.Redirect(w, r, "/console/ecommerce/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// CbecStatus names a list status.
func (v *cview) CbecStatus(st ecommerce.Status) string {
	zh, en := ecommerce.StatusText(st)
	return v.Reason(zh, en)
}

// Fen shows an amount kept in fen.
func (v *cview) Fen(f int64) string { return v.Money(decimalFen(f)) }

// Masked shows an identity number with its middle hidden.
func (v *cview) Masked(id string) string {
	if len(id) < 8 {
		return id
	}
	return id[:4] + "**********" + id[len(id)-4:]
}
