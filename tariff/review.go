package tariff

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/refdata"
)

// Batch re-review (批量复审): a rule picks items of released imports in a
// period, their taxes are computed again (after a classification or
// origin correction given as an override, or on the schedule as loaded
// now), and every difference becomes a supplementary (补税) or refund (退税)
// bill linked to the original — in one action, or listed first (dry run).

// ReviewInput asks for a re-review.
type ReviewInput struct {
	From     string        `json:"from"` // declaration dates, inclusive, YYYY-MM-DD
	To       string        `json:"to"`
	Rule     string        `json:"rule"`               // CEL over decl and item
	Override *ItemOverride `json:"override,omitempty"` // the correction; none: re-assessed as declared
	Reason   string        `json:"reason"`
	Apply    bool          `json:"apply"` // raise the bills; false lists the differences only
}

// ItemOverride corrects the items a rule picks before their taxes are
// computed again. Quantities are kept.
type ItemOverride struct {
	CodeTS    string  `json:"code_ts,omitempty"`        // reclassification (归类更正)
	Origin    string  `json:"origin_country,omitempty"` // origin correction
	Agreement *string `json:"agreement,omitempty"`      // "" withdraws a preference claimed without title
}

// TaxFigures are a declaration's taxes, or a difference of them.
type TaxFigures struct {
	Duty           decimal.Decimal `json:"duty"`
	RemedyDuty     decimal.Decimal `json:"remedy_duty"`
	ConsumptionTax decimal.Decimal `json:"consumption_tax"`
	VAT            decimal.Decimal `json:"vat"`
	Total          decimal.Decimal `json:"total"`
}

func (f TaxFigures) sub(g TaxFigures) TaxFigures {
	return TaxFigures{f.Duty.Sub(g.Duty), f.RemedyDuty.Sub(g.RemedyDuty), f.ConsumptionTax.Sub(g.ConsumptionTax),
		f.VAT.Sub(g.VAT), f.Total.Sub(g.Total)}
}

func (f TaxFigures) add(g TaxFigures) TaxFigures {
	return TaxFigures{f.Duty.Add(g.Duty), f.RemedyDuty.Add(g.RemedyDuty), f.ConsumptionTax.Add(g.ConsumptionTax),
		f.VAT.Add(g.VAT), f.Total.Add(g.Total)}
}

func figures(t *declaration.TaxAssessment) TaxFigures {
	if t == nil {
		return TaxFigures{}
	}
	return TaxFigures{t.Duty, t.RemedyDuty, t.ConsumptionTax, t.VAT, t.Total}
}

// ReviewDiff is one declaration whose taxes differ.
type ReviewDiff struct {
	DeclarationID int64      `json:"declaration_id"`
	EntryID       string     `json:"entry_id"`
	TradeCoScc    string     `json:"trade_co_scc"`
	DeclaredOn    string     `json:"declared_on"`
	Items         []int      `json:"items"`  // item numbers the rule picked
	Before        TaxFigures `json:"before"` // assessed, with earlier corrections
	After         TaxFigures `json:"after"`
	Difference    TaxFigures `json:"difference"`
	Kind          string     `json:"kind"`                  // supplementary | refund
	TimeBarred    bool       `json:"time_barred,omitempty"` // under-collection older than the recovery period: no bill
	Bill          string     `json:"bill,omitempty"`        // raised
	Error         string     `json:"error,omitempty"`       // could not be re-assessed
}

// Review is one run, kept as its own audit record.
type Review struct {
	ID            string          `json:"id"`
	ReviewInput                   // as asked
	By            string          `json:"by"`
	Role          string          `json:"role"`
	At            time.Time       `json:"at"`
	Scanned       int             `json:"scanned"` // released imports in the period
	Matched       int             `json:"matched"` // with an item the rule picked
	Diffs         []ReviewDiff    `json:"differences"`
	Supplementary decimal.Decimal `json:"supplementary"` // total to collect
	Refund        decimal.Decimal `json:"refund"`        // total to give back
	Bills         int             `json:"bills"`         // raised
	RuleErrors    int             `json:"rule_errors,omitempty"`
}

// Reviewer runs re-reviews.
type Reviewer struct {
	Billing      *Billing
	Declarations *declaration.Service
	Assessor     *Assessor
	Catalog      *refdata.Catalog
}

var reviewers = []auth.Role{auth.RoleOfficer, auth.RoleAdmin}

// check validates the input, every problem at once.
func (r *Reviewer) check(in ReviewInput) (from, to time.Time, rule *reviewRule, err error) {
	var fs []jinguan.FieldError
	bad := func(ptr, code, zh, en string) {
		fs = append(fs, jinguan.FieldError{Pointer: ptr, Code: code, MessageZH: zh, MessageEN: en})
	}
	var e1, e2 error
	if from, e1 = time.ParseInLocation(time.DateOnly, in.From, jinguan.China); e1 != nil {
		bad("/from", "format", "日期格式应为 YYYY-MM-DD", "want a date YYYY-MM-DD")
	}
	if to, e2 = time.ParseInLocation(time.DateOnly, in.To, jinguan.China); e2 != nil {
		bad("/to", "format", "日期格式应为 YYYY-MM-DD", "want a date YYYY-MM-DD")
	} else if e1 == nil && to.Before(from) {
		bad("/to", "range", "截止日期不得早于起始日期", "must not be before from")
	}
	rule, errs := compileRule(in.Rule, "/rule")
	fs = append(fs, errs...)
	if o := in.Override; o != nil {
		if o.CodeTS != "" && (len(o.CodeTS) != 10 || !digits(o.CodeTS) || (e2 == nil && r.Assessor.Schedule.find(o.CodeTS, to) == nil)) {
			bad("/override/code_ts", "unknown_code", "税则中无此商品编号", "no such tariff line at the end of the period")
		}
		if o.Origin != "" && (e2 != nil || !r.Catalog.Has(refdata.Country, o.Origin, to)) {
			bad("/override/origin_country", "unknown_code", "国别代码不存在", "not a country code")
		}
		if o.Agreement != nil && *o.Agreement != "" && !reScheme.MatchString(*o.Agreement) {
			bad("/override/agreement", "format", "协定代码应为1–10位大写字母或数字", "want 1–10 upper-case letters or digits")
		}
	}
	switch n := len([]rune(strings.TrimSpace(in.Reason))); {
	case n == 0:
		bad("/reason", "required", "须说明复审原因", "a reason is required")
	case n > 500:
		bad("/reason", "too_long", "内容过长", "too long")
	}
	if len(fs) > 0 {
		return from, to, nil, jinguan.Invalid(fs)
	}
	return from, to, rule, nil
}

// Run re-reviews the released imports of the period the principal may
// see. progress, when set, is told how many declarations are done out of
// how many. With in.Apply the bills are raised, one declaration per
// transaction; a second run raises only what is still missing.
func (r *Reviewer) Run(ctx context.Context, p auth.Principal, in ReviewInput, progress func(done, total int)) (Review, error) {
	if !slices.Contains(reviewers, p.Role) {
		return Review{}, errBillAccess
	}
	from, to, rule, err := r.check(in)
	if err != nil {
		return Review{}, err
	}
	at := r.Billing.now()
	rv := Review{ID: fmt.Sprintf("RV%s%03d", at.In(jinguan.China).Format("20060102150405"), at.Nanosecond()/1e6),
		ReviewInput: in, By: p.User, Role: string(p.Role), At: at, Diffs: []ReviewDiff{},
		Supplementary: decimal.Zero, Refund: decimal.Zero}
	ids, err := r.released(ctx, p, from, to.AddDate(0, 0, 1))
	if err != nil {
		return rv, err
	}
	rv.Scanned = len(ids)
	barred := r.Billing.Config.recoveryCutoff(at)
	for i, id := range ids {
		if progress != nil {
			progress(i, len(ids))
		}
		d, err := r.Declarations.Get(ctx, p, id)
		if err != nil {
			return rv, err
		}
		diff, ok, errs := r.reassess(ctx, d, rule, in.Override)
		rv.RuleErrors += errs
		if !ok {
			continue
		}
		rv.Matched++
		if diff == nil {
			continue
		}
		diff.TimeBarred = diff.Kind == BillSupplementary && d.DeclaredAt.Before(barred)
		if in.Apply && !diff.TimeBarred && diff.Error == "" {
			if err := r.Billing.raise(ctx, p, d, diff, &rv); err != nil {
				return rv, err
			}
		}
		if diff.Kind == BillSupplementary && !diff.TimeBarred {
			rv.Supplementary = rv.Supplementary.Add(diff.Difference.Total)
		} else if diff.Kind == BillRefund {
			rv.Refund = rv.Refund.Sub(diff.Difference.Total)
		}
		rv.Diffs = append(rv.Diffs, *diff)
	}
	if progress != nil {
		progress(len(ids), len(ids))
	}
	return rv, r.Billing.Store.PutReview(ctx, rv)
}

// released lists the ids of the released imports declared in [from, to),
// audited ones included.
func (r *Reviewer) released(ctx context.Context, p auth.Principal, from, to time.Time) ([]int64, error) {
	f := declaration.Filter{Status: []declaration.Status{declaration.StatusReleased, declaration.StatusAudited}, IEFlag: "I", From: from, To: to,
		Limit: declaration.MaxLimit}
	var ids []int64
	for {
		rows, next, err := r.Declarations.List(ctx, p, f)
		if err != nil {
			return nil, err
		}
		for _, row := range rows {
			ids = append(ids, row.ID)
		}
		if next == "" {
			slices.Sort(ids)
			return ids, nil
		}
		f.Cursor = next
	}
}

// reassess applies the rule and the override to d and computes its taxes
// again. ok reports whether the rule picked an item; the diff is nil when
// the taxes come out the same as assessed with earlier corrections.
func (r *Reviewer) reassess(ctx context.Context, d *declaration.Declaration, rule *reviewRule, o *ItemOverride) (*ReviewDiff, bool, int) {
	facts, items := reviewFacts(d)
	var picked []int
	errs := 0
	c := *d
	c.Items = slices.Clone(d.Items)
	for i := range items {
		hit, err := rule.matches(&facts, &items[i])
		if err != nil {
			errs++
		}
		if !hit {
			continue
		}
		picked = append(picked, d.Items[i].GNo)
		if o != nil {
			it := &c.Items[i]
			if o.CodeTS != "" {
				it.CodeTS = o.CodeTS
			}
			if o.Origin != "" {
				it.OriginCountry = o.Origin
			}
			if o.Agreement != nil {
				it.Agreement = *o.Agreement
			}
		}
	}
	if len(picked) == 0 {
		return nil, false, errs
	}
	diff := &ReviewDiff{DeclarationID: d.ID, EntryID: d.EntryID, TradeCoScc: d.Head.TradeCoScc,
		DeclaredOn: d.DeclDate().Format(time.DateOnly), Items: picked}
	before, err := r.Billing.assessedWithCorrections(ctx, d)
	if err != nil {
		diff.Error = err.Error()
		return diff, true, errs
	}
	ta, err := r.Assessor.assess(&c, d.DeclaredAt, "")
	if err != nil {
		diff.Error = jinguan.AsError(err).MessageEN
		return diff, true, errs
	}
	diff.Before, diff.After = before, figures(&ta)
	diff.Difference = diff.After.sub(diff.Before)
	switch diff.Difference.Total.Sign() {
	case 0:
		return nil, true, errs
	case 1:
		diff.Kind = BillSupplementary
	default:
		diff.Kind = BillRefund
	}
	return diff, true, errs
}

// Reviews lists the latest re-reviews (officers).
func (r *Reviewer) Reviews(ctx context.Context, p auth.Principal, limit int) ([]Review, error) {
	if !slices.Contains(reviewers, p.Role) {
		return nil, errBillAccess
	}
	return r.Billing.Store.Reviews(ctx, limit)
}

// Review returns one re-review with its differences (officers).
func (r *Reviewer) Review(ctx context.Context, p auth.Principal, id string) (Review, error) {
	if !slices.Contains(reviewers, p.Role) {
		return Review{}, errBillAccess
	}
	return r.Billing.Store.Review(ctx, id)
}
