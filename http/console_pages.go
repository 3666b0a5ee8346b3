package http

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
)

const consolePageSize = 50

type listData struct {
	Q          url.Values // the filter as submitted, to refill the form
	Statuses   []declaration.Status
	Lanes      []declaration.Lane
	Counts     []statusCount
	Total      int
	ShowCounts bool
	Rows       []declaration.Summary
	NextURL    string
	Paged      bool // a cursor is in use: offer the first page
}

type statusCount struct {
	Status declaration.Status
	N      int
	Queue  bool // an officers' queue: priority-handled traders first
}

// queueStatuses wait for an officer's review or inspection.
var queueStatuses = []declaration.Status{declaration.StatusUnderReview, declaration.StatusUnderInspection}

var allLanes = []declaration.Lane{declaration.LaneGreen, declaration.LaneYellow, declaration.LaneRed, declaration.LaneBlue}

func (s *Server) listPage(w http.ResponseWriter, r *http.Request, v *cview) error {
	ctx, p := r.Context(), *v.User
	q := r.URL.Query()
	d := listData{Q: q, Statuses: declaration.Statuses, Lanes: allLanes, Paged: q.Get("cursor") != ""}
	if p.Role != auth.RoleDeclarant {
		counts, err := s.Declarations.Counts(ctx)
		if err != nil {
			return err
		}
		d.ShowCounts = true
		for _, st := range declaration.Statuses {
			if n := counts[st]; n > 0 {
				d.Counts = append(d.Counts, statusCount{st, n, slices.Contains(queueStatuses, st)})
				d.Total += n
			}
		}
	}
	f, err := parseFilter(q)
	if err != nil {
		v.Err = jinguan.AsError(err)
		return s.render(w, http.StatusUnprocessableEntity, "list", v, d)
	}
	if f.Limit == 0 {
		f.Limit = consolePageSize
	}
	rows, next, err := s.Declarations.List(ctx, p, f)
	if err != nil {
		if jinguan.ErrorCode(err) == jinguan.EINVALID { // e.g. a stale cursor
			v.Err = jinguan.AsError(err)
			return s.render(w, http.StatusUnprocessableEntity, "list", v, d)
		}
		return err
	}
	d.Rows = rows
	if next != "" {
		nq := url.Values{}
		for k, vs := range q {
			nq[k] = vs
		}
		nq.Del("lang")
		nq.Set("cursor", next)
		d.NextURL = "/console/declarations?" + nq.Encode()
	}
	return s.render(w, http.StatusOK, "list", v, d)
}

// TaxCell is a row's tax total, or a dash while none has been assessed.
func (v *cview) TaxCell(r declaration.Summary) string {
	if r.TaxTotal.IsZero() && !slices.Contains(taxedStatuses, r.Status) {
		return "—"
	}
	return v.Money(r.TaxTotal)
}

// taxedStatuses are the states a declaration reaches only after its
// taxes were assessed.
var taxedStatuses = []declaration.Status{declaration.StatusAssessed, declaration.StatusPaid,
	declaration.StatusGuaranteed, declaration.StatusReleased, declaration.StatusAudited}

// FirstURL is the list with the same filter and no cursor.
func (d listData) FirstURL() string {
	q := url.Values{}
	for k, vs := range d.Q {
		if k != "cursor" && k != "lang" {
			q[k] = vs
		}
	}
	return "/console/declarations?" + q.Encode()
}

func (s *Server) detailPage(w http.ResponseWriter, r *http.Request, v *cview) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if a := consoleActions[r.URL.Query().Get("done")]; a != nil {
		v.Notice = v.T("detail.done") + v.Action(a.action)
	}
	return s.renderDetail(w, r, v, id, http.StatusOK, "", nil)
}

// renderDetail shows declaration id; after a failed action it is called
// with the action and the posted form so the user can correct it.
func (s *Server) renderDetail(w http.ResponseWriter, r *http.Request, v *cview, id int64, code int, action string, posted url.Values) error {
	ctx, p := r.Context(), *v.User
	d, err := s.Declarations.Get(ctx, p, id)
	if err != nil {
		return err
	}
	evs, err := s.Declarations.Events(ctx, p, id)
	if err != nil {
		return err
	}
	v.at = d.DeclaredAt
	dd := newDetailData(v, p, d, evs, action, posted)
	var due string
	if dd.BillRows, due = s.declarationBillRows(ctx, p, d); due != "" {
		dd.PayDue = due // the bill with today's late fee
	}
	return s.render(w, code, "detail", v, dd)
}
