package http

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/ecommerce"
)

// maxMessages bounds an e-commerce batch body (many messages per request).
const maxMessages = 32 << 20

func ecommerceRoutes() []Route {
	return []Route{
		{"POST", "/api/v1/ecommerce/messages", true, (*Server).cbecSubmit},
		{"GET", "/api/v1/ecommerce/lists", true, (*Server).cbecLists},
		{"GET", "/api/v1/ecommerce/lists/{id}", true, (*Server).cbecList},
		{"POST", "/api/v1/ecommerce/lists/{id}/{action}", true, (*Server).cbecDecide},
		{"GET", "/api/v1/ecommerce/receipts", true, (*Server).cbecReceipts},
		{"GET", "/api/v1/ecommerce/tax-periods", true, (*Server).cbecPeriods},
		{"POST", "/api/v1/ecommerce/tax-periods/{assure}/{period}/payment", true, (*Server).cbecPay},
	}
}

func (s *Server) cbec() (*ecommerce.Service, error) {
	if s.Ecommerce == nil {
		return nil, jinguan.Errorf(jinguan.EUNAVAIL, "跨境电商模块未启用", "e-commerce clearance is not enabled")
	}
	return s.Ecommerce, nil
}

// cbecSubmit takes a batch of CEB messages as XML (any XML content type)
// or as JSON and answers with one receipt per document.
func (s *Server) cbecSubmit(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.cbec()
	if err != nil {
		return err
	}
	body, err := readLimited(w, r, maxMessages)
	if err != nil {
		return jinguan.Invalid([]jinguan.FieldError{{Code: "body_too_large", MessageZH: "请求体超过 32 MB 或读取失败",
			MessageEN: "the body exceeds 32 MB or could not be read"}})
	}
	var docs []ecommerce.Doc
	var bad []ecommerce.Receipt
	if strings.Contains(r.Header.Get("Content-Type"), "xml") {
		docs, bad = ecommerce.DecodeXMLBytes(body)
	} else {
		docs, bad = ecommerce.DecodeJSON(bytes.NewReader(body))
	}
	rs, err := svc.SubmitAs(r.Context(), p, docs)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"receipts": append(rs, bad...)})
}

func (s *Server) cbecLists(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.cbec()
	if err != nil {
		return err
	}
	f, err := listFilter(r)
	if err != nil {
		return err
	}
	rows, err := svc.Lists(r.Context(), p, f)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []ecommerce.ListRow{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"lists": rows})
}

func listFilter(r *http.Request) (ecommerce.Filter, error) {
	q := r.URL.Query()
	f := ecommerce.Filter{BuyerID: q.Get("buyer"), EbpCode: q.Get("ebp")}
	bad := func(name string) error {
		return jinguan.Invalid([]jinguan.FieldError{{Pointer: "/query/" + name, Code: "format", MessageZH: name + " 应为整数", MessageEN: name + " must be an integer"}})
	}
	for _, v := range q["status"] {
		for _, x := range strings.Split(v, ",") {
			n, err := strconv.Atoi(x)
			if err != nil {
				return f, bad("status")
			}
			f.Status = append(f.Status, ecommerce.Status(n))
		}
	}
	for name, dst := range map[string]*int64{"before": &f.Before} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return f, bad(name)
			}
			*dst = n
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return f, bad("limit")
		}
		f.Limit = n
	}
	return f, nil
}

func cbecID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, jinguan.NotFound("清单", "inventory list")
	}
	return id, nil
}

func (s *Server) cbecList(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.cbec()
	if err != nil {
		return err
	}
	id, err := cbecID(r)
	if err != nil {
		return err
	}
	v, err := svc.List(r.Context(), p, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

type cbecDecisionInput struct {
	Reason string `json:"reason"`
}

func (s *Server) cbecDecide(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.cbec()
	if err != nil {
		return err
	}
	id, err := cbecID(r)
	if err != nil {
		return err
	}
	var in cbecDecisionInput
	if err := decodeInput(w, r, &in); err != nil {
		return err
	}
	row, err := svc.Decide(r.Context(), p, id, r.PathValue("action"), in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, row)
}

func (s *Server) cbecReceipts(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.cbec()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	limit, _ := strconv.Atoi(q.Get("limit"))
	rs, err := svc.Receipts(r.Context(), p, after, limit)
	if err != nil {
		return err
	}
	if rs == nil {
		rs = []ecommerce.Receipt{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"receipts": rs})
}

func (s *Server) cbecPeriods(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.cbec()
	if err != nil {
		return err
	}
	ps, err := svc.TaxPeriods(r.Context(), p, r.URL.Query().Get("assure"))
	if err != nil {
		return err
	}
	if ps == nil {
		ps = []ecommerce.TaxPeriod{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"periods": ps})
}

func (s *Server) cbecPay(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.cbec()
	if err != nil {
		return err
	}
	tp, err := svc.PayPeriod(r.Context(), p, r.PathValue("assure"), r.PathValue("period"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, tp)
}
