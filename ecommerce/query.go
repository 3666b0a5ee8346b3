package ecommerce

import (
	"context"
	"slices"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
)

// Who may do what: declarants (platforms, their agents) submit and see
// the lists of the platforms registered to their enterprise; officers,
// analysts and admins see all; officers and admins record consolidated
// payments.

var errForbidden = jinguan.Errorf(jinguan.EFORBIDDEN, "无权进行此操作", "the role may not do this")

// SubmitAs checks the caller may submit documents, then submits them.
func (s *Service) SubmitAs(ctx context.Context, p auth.Principal, docs []Doc) ([]Receipt, error) {
	if p.Role != auth.RoleDeclarant && p.Role != auth.RoleAdmin {
		return nil, errForbidden
	}
	return s.Submit(ctx, docs)
}

// platforms returns the platform codes a declarant acts for; nil means
// the caller sees everything.
func (s *Service) platforms(p auth.Principal) ([]string, error) {
	switch p.Role {
	case auth.RoleOfficer, auth.RoleRiskAnalyst, auth.RoleAdmin:
		return nil, nil
	}
	var codes []string
	if m := s.deps.Parties.regs.Load(); m != nil {
		for code, r := range *m {
			if r.SCC == p.Enterprise && code != r.SCC && slices.Contains(r.Roles, RolePlatform) {
				codes = append(codes, code)
			}
		}
	}
	if len(codes) == 0 {
		return nil, errForbidden
	}
	slices.Sort(codes)
	return codes, nil
}

// Lists returns list summaries the caller may see.
func (s *Service) Lists(ctx context.Context, p auth.Principal, f Filter) ([]ListRow, error) {
	codes, err := s.platforms(p)
	if err != nil {
		return nil, err
	}
	if codes != nil {
		if f.EbpCode != "" && !slices.Contains(codes, f.EbpCode) {
			return nil, nil
		}
		if f.EbpCode == "" {
			f.EbpCode = codes[0]
		}
	}
	return s.deps.Store.Lists(ctx, f)
}

// ListView is one list with its decision, its three documents, its tax
// bill and its receipts.
type ListView struct {
	List     ListRow   `json:"list"`
	Decision ListDoc   `json:"decision"`
	Order    *Order    `json:"order,omitempty"`
	Payment  *Payment  `json:"payment,omitempty"`
	Waybill  *Waybill  `json:"waybill,omitempty"`
	Receipts []Receipt `json:"receipts"`
}

// List returns one list; ENOTFOUND also when the caller may not see it.
func (s *Service) List(ctx context.Context, p auth.Principal, id int64) (ListView, error) {
	codes, err := s.platforms(p)
	if err != nil {
		return ListView{}, err
	}
	row, err := s.deps.Store.List(ctx, id)
	if err != nil {
		return ListView{}, err
	}
	if codes != nil && !slices.Contains(codes, row.EbpCode) {
		return ListView{}, jinguan.NotFound("清单", "inventory list")
	}
	v := ListView{List: row}
	if v.Decision, err = DecodeList(row.Doc); err != nil {
		return v, err
	}
	h := &v.Decision.Inventory.Head
	ok, pk, wk := orderKey(h.EbpCode, h.OrderNo), paymentKey(h.EbpCode, h.OrderNo), waybillKey(h.LogisticsCode, h.LogisticsNo)
	docs, err := s.deps.Store.Docs(ctx, []string{ok, pk, wk})
	if err != nil {
		return v, err
	}
	if d, err := DecodeStored(KindOrder, docs[ok].Doc); err == nil {
		v.Order = d.Order
	}
	if d, err := DecodeStored(KindPayment, docs[pk].Doc); err == nil {
		v.Payment = d.Payment
	}
	if d, err := DecodeStored(KindWaybill, docs[wk].Doc); err == nil {
		v.Waybill = d.Waybill
	}
	v.Receipts, err = s.deps.Store.ListReceipts(ctx, id)
	return v, err
}

// Receipts returns the receipt log after a sequence number (officers and
// admins; platforms get theirs pushed).
func (s *Service) Receipts(ctx context.Context, p auth.Principal, after int64, limit int) ([]Receipt, error) {
	if codes, err := s.platforms(p); err != nil || codes != nil {
		return nil, errForbidden
	}
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rs, err := s.deps.Store.Receipts(ctx, after, limit)
	return durable(rs, s.DurableBefore()), err
}

// durable is the part of a run of receipts, in sequence order, before the
// first that may not be on the disk yet.
func durable(rs []Receipt, before int64) []Receipt {
	for i, r := range rs {
		if r.Seq >= before {
			return rs[:i]
		}
	}
	return rs
}

// TaxPeriods returns the consolidated tax periods.
func (s *Service) TaxPeriods(ctx context.Context, p auth.Principal, assure string) ([]TaxPeriod, error) {
	if codes, err := s.platforms(p); err != nil || codes != nil {
		return nil, errForbidden
	}
	return s.deps.Store.TaxPeriods(ctx, assure)
}

// PayPeriod records the consolidated payment (汇总缴税) of a guarantor's
// period; the store gives the period's guarantee debits back.
func (s *Service) PayPeriod(ctx context.Context, p auth.Principal, assure, period string) (TaxPeriod, error) {
	if p.Role != auth.RoleOfficer && p.Role != auth.RoleAdmin {
		return TaxPeriod{}, errForbidden
	}
	return s.deps.Store.PayPeriod(ctx, assure, period, s.deps.Now())
}

// Officer decisions on lists held for review (300) or inspection (500).
const (
	ActionRelease = "release"
	ActionReject  = "reject"
)

// Decide releases or rejects a held list; a rejection gives back the
// buyer's quota and takes the tax out of its period. The officer and the reason are on the receipt.
func (s *Service) Decide(ctx context.Context, p auth.Principal, id int64, action, why string) (ListRow, error) {
	if p.Role != auth.RoleOfficer && p.Role != auth.RoleAdmin {
		return ListRow{}, errForbidden
	}
	if why == "" {
		return ListRow{}, jinguan.Invalid([]jinguan.FieldError{{Pointer: "/reason", Code: "required", MessageZH: "须填写理由", MessageEN: "a reason is required"}})
	}
	row, err := s.deps.Store.List(ctx, id)
	if err != nil {
		return row, err
	}
	if row.Status != StatusManualReview && row.Status != StatusInspection {
		zh, en := StatusText(row.Status)
		return row, &jinguan.Error{Code: jinguan.ETRANSITION, MessageZH: "清单当前状态（" + zh + "）不能" + action,
			MessageEN: "a list in status " + en + " cannot be " + action + "d"}
	}
	d, err := DecodeList(row.Doc)
	if err != nil {
		return row, err
	}
	now := s.deps.Now()
	row.ExpectStatus, row.UpdatedAt = row.Status, now.UTC()
	u := &Unit{List: &row}
	u.Refuse = func(string) { u.List, u.Quota, u.Period, u.Receipts = nil, nil, nil, nil }
	var r Reason
	switch action {
	case ActionRelease:
		row.Status, r = StatusReleased, reason("officer_release", "", "关员放行："+why, "released by the officer: "+why)
	case ActionReject:
		row.Status, r = StatusRejected, reason("officer_reject", "", "关员退单："+why, "rejected by the officer: "+why)
		if d.Tax != nil {
			d.Tax.Status = BillCancelled
			u.Quota = &QuotaDelta{BuyerID: row.BuyerID, Year: year(row.DeclaredAt), DeltaFen: -row.ValueFen}
			u.Period = &PeriodDelta{AssureCode: row.AssureCode, Period: row.Period, Bills: -1, TaxFen: -row.TaxFen}
		}
	default:
		return row, jinguan.NotFound("操作", "action")
	}
	d.Reasons = append(d.Reasons, r)
	row.Doc = encodeList(&d)
	rc := listReceipt(&row, []Reason{r}, now)
	rc.Code, rc.Actor = r.Code, p.User
	u.Receipts = []Receipt{rc}
	if err := s.deps.Store.Apply(ctx, []*Unit{u}); err != nil {
		return row, err
	}
	if u.Refused != "" {
		return row, jinguan.Errorf(jinguan.ECONFLICT, "清单状态已变化，请刷新", "the list changed meanwhile; reload it")
	}
	return row, nil
}
