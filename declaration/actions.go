package declaration

import (
	"context"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
)

// Inputs of the actions, decoded by the HTTP layer with DecodeStrict.
type (
	ResultInput struct {
		Outcome  string    `json:"outcome"` // no_finding | finding
		Findings []Finding `json:"findings,omitempty"`
		Note     string    `json:"note,omitempty"`
	}
	RerouteInput struct {
		Lane   Lane   `json:"lane"`
		Reason string `json:"reason"`
	}
	ReasonInput struct {
		Reason string `json:"reason"`
	}
	PaymentInput struct {
		Amount    decimal.Decimal `json:"amount"`
		Reference string          `json:"reference"`
	}
)

var findingKinds = []string{"hs", "value", "quantity", "origin", "prohibited", "other"}

// maxAdditionalDuty bounds one finding's amount (CNY) against typing errors.
var maxAdditionalDuty = decimal.New(1, 12)

var (
	officers  = []auth.Role{auth.RoleOfficer, auth.RoleAdmin}
	routers   = []auth.Role{auth.RoleOfficer, auth.RoleRiskAnalyst, auth.RoleAdmin}
	declarers = []auth.Role{auth.RoleDeclarant, auth.RoleAdmin}
	payers    = []auth.Role{auth.RoleDeclarant, auth.RoleOfficer, auth.RoleAdmin}
)

// change is what an action does to a loaded declaration inside the write
// transaction: it checks its preconditions, mutates d and returns the step
// to record.
type change func(ctx context.Context, tx Tx, d *Declaration, at time.Time) (step, error)

// act runs one person's action in the writer, then the automatic steps it
// unlocks, all in one savepoint.
func (s *Service) act(ctx context.Context, p auth.Principal, id int64, roles []auth.Role, itemsChanged bool, fn change) (*Declaration, error) {
	var out *Declaration
	asOf, past := ctx.Value(asOfKey{}).(time.Time) // the op runs under the writer's context
	err := s.commit.do(ctx, func(ctx context.Context, tx Tx) error {
		d, err := tx.Get(ctx, id)
		if err != nil {
			return err
		}
		if !visible(p, d) {
			return notFound()
		}
		if !slices.Contains(roles, p.Role) {
			return forbidden()
		}
		at, by := s.now(), Actor{p.User, string(p.Role)}
		if past {
			at = asOf
		}
		var bill string // the unpaid bill, void if d leaves the assessed state unpaid
		if d.Status == StatusAssessed && d.Tax != nil {
			bill = d.Tax.BillNo
		}
		st, err := fn(ctx, tx, d, at)
		if err != nil {
			return err
		}
		ev, err := transition(d, st.action, by, at, st.reason, st.data)
		if err != nil {
			return err
		}
		if bill != "" && s.billing != nil && st.action != ActPay && st.action != ActGuarantee {
			if err := s.billing.Cancel(ctx, tx, d, bill, by, at, st.reason); err != nil {
				return err
			}
		}
		more, err := s.advance(ctx, d, at)
		if err != nil {
			return err
		}
		d, evs, err := s.settle(ctx, tx, d, more)
		if err != nil {
			return err
		}
		if err := tx.Update(ctx, d, itemsChanged); err != nil {
			return err
		}
		out = d
		return tx.AppendEvents(ctx, append([]Event{ev}, evs...)...)
	})
	return forViewer(p, out), err
}

// RecordResult stores a review or inspection result (查验结果).
func (s *Service) RecordResult(ctx context.Context, p auth.Principal, id int64, in ResultInput) (*Declaration, error) {
	return s.act(ctx, p, id, officers, false, func(_ context.Context, _ Tx, d *Declaration, at time.Time) (step, error) {
		if err := can(ActRecordResult, d); err != nil {
			return step{}, err
		}
		if d.Risk != nil && d.Risk.DecidedBy == p.User {
			return step{}, jinguan.Errorf(jinguan.EFORBIDDEN, "选查处分离：布控人员不得查验本单",
				"separation of duties: the officer who selected may not inspect")
		}
		r, errs := checkResult(d, in, p.User, at)
		if len(errs) > 0 {
			return step{}, jinguan.Invalid(errs)
		}
		d.Inspection = r
		return step{ActRecordResult, in.Outcome, d.Inspection}, nil
	})
}

// checkResult validates a review, inspection or audit result against d's
// items and returns it with the findings' total duty and seizure.
func checkResult(d *Declaration, in ResultInput, officer string, at time.Time) (*InspectionResult, []jinguan.FieldError) {
	var errs []jinguan.FieldError
	switch in.Outcome {
	case "no_finding":
		if len(in.Findings) > 0 {
			errs = append(errs, field("/findings", "findings_with_no_finding", "无发现时不应列出问题", "no findings may be listed with outcome no_finding"))
		}
	case "finding":
		if len(in.Findings) == 0 {
			errs = append(errs, field("/findings", "required", "须列出查验发现", "findings are required"))
		}
	default:
		errs = append(errs, field("/outcome", "one_of", "取值应为 no_finding, finding 之一", "must be one of no_finding, finding"))
	}
	total, seized := decimal.Zero, false
	seen := map[Finding]bool{}
	for i, f := range in.Findings {
		p := "/findings/" + strconv.Itoa(i)
		if f.GNo < 1 || f.GNo > len(d.Items) {
			errs = append(errs, field(p+"/g_no", "unknown_item", "商品项号不存在", "no such item number"))
		}
		if !slices.Contains(findingKinds, f.Kind) {
			errs = append(errs, field(p+"/kind", "one_of", "问题类型无效", "kind must be one of hs, value, quantity, origin, prohibited, other"))
		}
		if k := (Finding{GNo: f.GNo, Kind: f.Kind}); seen[k] {
			errs = append(errs, field(p, "duplicate", "同一商品项的同类问题重复", "the same kind of finding on this item is listed twice"))
		} else {
			seen[k] = true
		}
		if f.AdditionalDuty.IsNegative() || f.AdditionalDuty.Exponent() < -2 || f.AdditionalDuty.GreaterThan(maxAdditionalDuty) {
			errs = append(errs, field(p+"/additional_duty", "amount", "补税金额须为不超过两位小数的非负数",
				"must be a non-negative amount with at most two decimals"))
		}
		errs = append(errs, textField(p+"/note", f.Note, 500, false)...)
		total, seized = total.Add(f.AdditionalDuty), seized || f.Seized
	}
	errs = append(errs, textField("/note", in.Note, 1000, false)...)
	if len(errs) > 0 {
		return nil, errs
	}
	return &InspectionResult{Outcome: in.Outcome, Findings: in.Findings, AdditionalDuty: total, Seized: seized,
		Note: in.Note, Officer: officer, RecordedAt: at}, nil
}

// Release lets the goods go. Selection, inspection and release are done by
// different people (选查处分离): whoever recorded the result or re-routed
// the lane may not release.
func (s *Service) Release(ctx context.Context, p auth.Principal, id int64, in ReasonInput) (*Declaration, error) {
	return s.act(ctx, p, id, officers, false, func(_ context.Context, _ Tx, d *Declaration, at time.Time) (step, error) {
		if err := can(ActRelease, d); err != nil {
			return step{}, err
		}
		if (d.Inspection != nil && d.Inspection.Officer == p.User) || (d.Risk != nil && d.Risk.DecidedBy == p.User) {
			return step{}, jinguan.Errorf(jinguan.EFORBIDDEN, "选查处分离：布控或查验人员不得放行本单",
				"separation of duties: the officer who selected or inspected may not release")
		}
		if errs := textField("/reason", in.Reason, 500, false); errs != nil {
			return step{}, jinguan.Invalid(errs)
		}
		return step{action: ActRelease, reason: in.Reason}, nil
	})
}

// Reject returns the declaration to the declarant (退单).
func (s *Service) Reject(ctx context.Context, p auth.Principal, id int64, in ReasonInput) (*Declaration, error) {
	return s.reasoned(ctx, p, id, officers, ActReject, in)
}

// Withdraw cancels the declaration at the declarant's request (撤单).
func (s *Service) Withdraw(ctx context.Context, p auth.Principal, id int64, in ReasonInput) (*Declaration, error) {
	return s.reasoned(ctx, p, id, declarers, ActWithdraw, in)
}

func (s *Service) reasoned(ctx context.Context, p auth.Principal, id int64, roles []auth.Role, a Action, in ReasonInput) (*Declaration, error) {
	return s.act(ctx, p, id, roles, false, func(_ context.Context, _ Tx, d *Declaration, at time.Time) (step, error) {
		if err := can(a, d); err != nil {
			return step{}, err
		}
		if errs := textField("/reason", in.Reason, 500, true); errs != nil {
			return step{}, jinguan.Invalid(errs)
		}
		return step{action: a, reason: in.Reason}, nil
	})
}

// Reroute moves the declaration to another lane with a recorded reason.
func (s *Service) Reroute(ctx context.Context, p auth.Principal, id int64, in RerouteInput) (*Declaration, error) {
	return s.act(ctx, p, id, routers, false, func(_ context.Context, _ Tx, d *Declaration, at time.Time) (step, error) {
		if err := can(ActReroute, d); err != nil {
			return step{}, err
		}
		var errs []jinguan.FieldError
		if !slices.Contains([]Lane{LaneGreen, LaneYellow, LaneRed, LaneBlue}, in.Lane) {
			errs = append(errs, field("/lane", "one_of", "取值应为 green, yellow, red, blue 之一", "must be one of green, yellow, red, blue"))
		} else if in.Lane == d.Lane {
			errs = append(errs, field("/lane", "same_lane", "已在该通道", "the declaration is already in this lane"))
		} else if d.Risk != nil && LaneSeverity(in.Lane) < LaneSeverity(d.Risk.RandomLane) {
			// The random sample measures compliance only if what it drew is checked.
			errs = append(errs, field("/lane", "random_selection", "随机抽中的报关单不得降低通道",
				"a declaration drawn by the random stream may not be moved to a lighter lane"))
		} else if LaneSeverity(in.Lane) < LaneSeverity(d.Lane) && p.Role == auth.RoleOfficer {
			return step{}, jinguan.Errorf(jinguan.EFORBIDDEN, "降低通道须由风险分析人员决定",
				"only a risk analyst may move a declaration to a lighter lane")
		}
		errs = append(errs, textField("/reason", in.Reason, 500, true)...)
		if len(errs) > 0 {
			return step{}, jinguan.Invalid(errs)
		}
		prev := d.Lane
		rd := RiskDecision{Lane: in.Lane, Stream: "rerouted", Office: d.Head.CustomMaster, Direction: d.Head.IEFlag,
			ReasonZH: in.Reason, ReasonEN: in.Reason, DecidedAt: at, DecidedBy: p.User}
		if d.Risk != nil {
			rd.Draw, rd.Rates, rd.RuleSet, rd.Hits = d.Risk.Draw, d.Risk.Rates, d.Risk.RuleSet, d.Risk.Hits
			rd.RandomLane, rd.Grade, rd.Multiplier = d.Risk.RandomLane, d.Risk.Grade, d.Risk.Multiplier
			rd.DocumentReviewShare, rd.Priority = d.Risk.DocumentReviewShare, d.Risk.Priority
			prev := *d.Risk
			rd.Previous = &prev
		}
		d.Risk, d.Lane = &rd, in.Lane
		return step{ActReroute, in.Reason, map[string]Lane{"from": prev, "to": in.Lane}}, nil
	})
}

// Amend replaces the form (修改); the declaration is assessed again.
func (s *Service) Amend(ctx context.Context, p auth.Principal, id int64, body []byte) (*Declaration, error) {
	form, errs := DecodeForm(body)
	if errs != nil {
		return nil, jinguan.Invalid(errs)
	}
	return s.act(ctx, p, id, declarers, true, func(_ context.Context, _ Tx, d *Declaration, at time.Time) (step, error) {
		if err := can(ActAmend, d); err != nil {
			return step{}, err
		}
		if errs := s.validator.Validate(form, at); len(errs) > 0 {
			return step{}, jinguan.Invalid(errs)
		}
		if form.Head.AgentCodeScc != d.Head.AgentCodeScc {
			return step{}, jinguan.Invalid([]jinguan.FieldError{field("/head/agent_code_scc", "agent_changed",
				"修改不得变更申报单位", "an amendment may not change the declaring agent")})
		}
		prev := d.Form
		d.Form = *form
		d.Amendments++
		d.LateDays = s.validator.Rules.LateDays(&d.Head, d.DeclaredAt)
		d.Risk, d.Inspection, d.Tax, d.Settlement, d.Lane = nil, nil, nil, nil, LaneNone
		return step{ActAmend, "", map[string]Form{"previous": prev}}, nil
	})
}

// Pay records payment of the assessed taxes: the bill's amount and any
// late fee (without billing, the assessed total).
func (s *Service) Pay(ctx context.Context, p auth.Principal, id int64, in PaymentInput) (*Declaration, error) {
	return s.act(ctx, p, id, payers, false, func(ctx context.Context, tx Tx, d *Declaration, at time.Time) (step, error) {
		if err := can(ActPay, d); err != nil {
			return step{}, err
		}
		if s.billing != nil && d.Tax != nil && !d.Tax.Total.IsZero() {
			st, err := s.billing.Pay(ctx, tx, d, in, Actor{p.User, string(p.Role)}, at)
			if err != nil {
				return step{}, err
			}
			d.Settlement = st
			return step{ActPay, "payment " + st.Reference, st}, nil
		}
		var errs []jinguan.FieldError
		if d.Tax != nil && !in.Amount.Equal(d.Tax.Total) {
			errs = append(errs, field("/amount", "amount_mismatch", "缴款金额须等于应缴税款 "+d.Tax.Total.StringFixed(2),
				"the amount must equal the taxes due, "+d.Tax.Total.StringFixed(2)))
		}
		errs = append(errs, textField("/reference", in.Reference, 64, true)...)
		if len(errs) > 0 {
			return step{}, jinguan.Invalid(errs)
		}
		d.Settlement = &Settlement{Kind: "paid", Amount: in.Amount, Reference: in.Reference, At: at, By: p.User}
		return step{ActPay, "payment " + in.Reference, d.Settlement}, nil
	})
}

// GuaranteeInput names the guarantee account to secure the taxes on; ""
// takes the first of the trader's accounts that covers them.
type GuaranteeInput struct {
	Account string `json:"account,omitempty"`
}

// Guarantee secures the assessed taxes on a guarantee account (担保放行)
// so that the goods can be released before payment.
func (s *Service) Guarantee(ctx context.Context, p auth.Principal, id int64, in GuaranteeInput) (*Declaration, error) {
	return s.act(ctx, p, id, payers, false, func(ctx context.Context, tx Tx, d *Declaration, at time.Time) (step, error) {
		if err := can(ActGuarantee, d); err != nil {
			return step{}, err
		}
		if s.billing == nil || d.Tax == nil || d.Tax.BillNo == "" {
			return step{}, jinguan.Errorf(jinguan.ETRANSITION, "本单无待缴税单", "the declaration has no unpaid tax bill")
		}
		st, err := s.billing.Guarantee(ctx, tx, d, in.Account, Actor{p.User, string(p.Role)}, at)
		if err != nil {
			return step{}, err
		}
		d.Settlement = st
		if st.Kind == SettleExempt {
			return step{ActGuarantee, "guarantee exempt, credit grade " + st.Grade, st}, nil
		}
		return step{ActGuarantee, "guarantee " + st.Reference, st}, nil
	})
}

func can(a Action, d *Declaration) error {
	if !Can(a, d.Status) {
		return illegal(a, d.Status)
	}
	return nil
}

func field(ptr, code, zh, en string) jinguan.FieldError {
	return jinguan.FieldError{Pointer: ptr, Code: code, MessageZH: zh, MessageEN: en}
}

func textField(ptr, s string, max int, required bool) []jinguan.FieldError {
	switch {
	case s == "" && required:
		return []jinguan.FieldError{field(ptr, "required", "必填项缺失", "is required")}
	case utf8.RuneCountInString(s) > max:
		return []jinguan.FieldError{field(ptr, "too_long", "内容过长", "too long")}
	}
	return nil
}
