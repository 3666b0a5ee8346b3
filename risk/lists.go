package risk

import (
	"cmp"
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
)

// Watch-lists and reference prices are managed data: analysts replace
// them through the registry, and the engine reloads.

var (
	reListName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	reHSCode   = regexp.MustCompile(`^[0-9]{10}$`)
	reOrigin   = regexp.MustCompile(`^([A-Z]{3}|\*)$`)
	listKinds  = []string{"enterprise", "country", "hs", "bill", "container", "other"}
)

// MaxListValues bounds one watch-list.
const MaxListValues = 100_000

func fieldErr(ptr, code, zh, en string) jinguan.FieldError {
	return jinguan.FieldError{Pointer: ptr, Code: code, MessageZH: zh, MessageEN: en}
}

// Check validates a watch-list, reporting every problem.
func (l *WatchList) Check() []jinguan.FieldError {
	var errs []jinguan.FieldError
	if !reListName.MatchString(l.Name) {
		errs = append(errs, fieldErr("/name", "format", "名称应为 1–64 位小写字母、数字或 ._-", "1–64 lower-case letters, digits or ._-"))
	}
	if !slices.Contains(listKinds, l.Kind) {
		errs = append(errs, fieldErr("/kind", "one_of", "类型应为 enterprise, country, hs, bill, container, other 之一",
			"must be one of enterprise, country, hs, bill, container, other"))
	}
	if len([]rune(l.Description)) > 1000 {
		errs = append(errs, fieldErr("/description", "too_long", "长度不能超过 1000 个字符", "must be at most 1000 characters"))
	}
	if len(l.Values) > MaxListValues {
		errs = append(errs, fieldErr("/values", "too_many", "清单条目不能超过 100000 条", "at most 100,000 values"))
		return errs
	}
	for i, v := range l.Values {
		if v == "" || len(v) > 64 {
			errs = append(errs, fieldErr("/values/"+strconv.Itoa(i), "format", "条目应为 1–64 个字符", "each value must be 1–64 characters"))
			if len(errs) > 20 {
				break
			}
		}
	}
	return errs
}

// Check validates a reference price at index i of a table.
func (p *RefPrice) Check(i int) []jinguan.FieldError {
	at := "/" + strconv.Itoa(i)
	var errs []jinguan.FieldError
	if !reHSCode.MatchString(p.Code) {
		errs = append(errs, fieldErr(at+"/code", "format", "商品编号应为 10 位数字", "must be a 10-digit commodity code"))
	}
	if !reOrigin.MatchString(p.Origin) {
		errs = append(errs, fieldErr(at+"/origin", "format", "原产国应为 3 位字母代码或 *", "must be a 3-letter country code or *"))
	}
	if !p.Price.IsPositive() || p.Price.Exponent() < -4 {
		errs = append(errs, fieldErr(at+"/price", "amount", "参考价格须为正数，最多 4 位小数", "must be positive with at most 4 decimals"))
	}
	if p.ValidFrom.IsZero() {
		errs = append(errs, fieldErr(at+"/valid_from", "required", "必填项缺失", "is required"))
	} else if !p.ValidTo.IsZero() && !p.ValidTo.After(p.ValidFrom) {
		errs = append(errs, fieldErr(at+"/valid_to", "before_start", "截止日期须晚于起始日期", "must be after valid_from"))
	}
	return errs
}

// PutList creates or replaces a watch-list.
func (r *Registry) PutList(ctx context.Context, p auth.Principal, l WatchList) (WatchList, error) {
	if err := allowed(p, profileWriters); err != nil {
		return WatchList{}, err
	}
	if errs := l.Check(); len(errs) > 0 {
		return WatchList{}, jinguan.Invalid(errs)
	}
	l.Values = slices.Compact(slices.Sorted(slices.Values(l.Values)))
	l.UpdatedAt, l.UpdatedBy = r.now(), p.User
	if err := r.Store.PutList(ctx, l); err != nil {
		return WatchList{}, err
	}
	return l, r.changed(ctx)
}

// DeleteList removes a watch-list; profiles naming it then never match it.
func (r *Registry) DeleteList(ctx context.Context, p auth.Principal, name string) error {
	if err := allowed(p, profileWriters); err != nil {
		return err
	}
	if err := r.Store.DeleteList(ctx, name); err != nil {
		return err
	}
	return r.changed(ctx)
}

// WatchLists returns every list.
func (r *Registry) WatchLists(ctx context.Context, p auth.Principal) ([]WatchList, error) {
	if err := allowed(p, profileReaders); err != nil {
		return nil, err
	}
	return r.Store.WatchLists(ctx)
}

// PutRefPrices replaces the reference price table, all or nothing.
func (r *Registry) PutRefPrices(ctx context.Context, p auth.Principal, ps []RefPrice) error {
	if err := allowed(p, profileWriters); err != nil {
		return err
	}
	var errs []jinguan.FieldError
	type key struct {
		code, origin string
		from         time.Time
	}
	seen := map[key]bool{}
	for i := range ps {
		errs = append(errs, ps[i].Check(i)...)
		k := key{ps[i].Code, ps[i].Origin, ps[i].ValidFrom}
		if seen[k] {
			errs = append(errs, fieldErr("/"+strconv.Itoa(i), "duplicate", "同一商品、原产国和起始日期重复", "the same code, origin and start date twice"))
		}
		seen[k] = true
		if len(errs) > 100 {
			break
		}
	}
	if len(errs) > 0 {
		return jinguan.Invalid(errs)
	}
	if err := r.Store.PutRefPrices(ctx, ps); err != nil {
		return err
	}
	return r.changed(ctx)
}

// RefPrices returns the reference price table.
func (r *Registry) RefPrices(ctx context.Context, p auth.Principal) ([]RefPrice, error) {
	if err := allowed(p, profileReaders); err != nil {
		return nil, err
	}
	return r.Store.RefPrices(ctx)
}

// compileLists builds what on_list() and ref_price() read on a date.
func compileLists(ls []WatchList, ps []RefPrice, on time.Time) *Lists {
	out := &Lists{Named: map[string]map[string]struct{}{}, RefPrices: map[string]float64{}}
	for _, l := range ls {
		set := make(map[string]struct{}, len(l.Values))
		for _, v := range l.Values {
			set[v] = struct{}{}
		}
		out.Named[l.Name] = set
	}
	since := map[string]time.Time{}
	for _, p := range ps {
		if on.Before(p.ValidFrom) || (!p.ValidTo.IsZero() && !on.Before(p.ValidTo)) {
			continue
		}
		k := p.Code + "|" + p.Origin
		if prev, ok := since[k]; ok && prev.After(p.ValidFrom) {
			continue // the latest start wins where periods overlap
		}
		since[k] = p.ValidFrom
		out.RefPrices[k] = p.Price.InexactFloat64()
	}
	return out
}

// refPricesOf turns a Lists' prices into table rows valid from a date.
func refPricesOf(l *Lists, from time.Time, source string) []RefPrice {
	var out []RefPrice
	for k, v := range l.RefPrices {
		code, origin, ok := strings.Cut(k, "|")
		if !ok {
			continue
		}
		out = append(out, RefPrice{Code: code, Origin: origin, Price: decimal.NewFromFloat(v), ValidFrom: from, Source: source})
	}
	slices.SortFunc(out, func(a, b RefPrice) int {
		return cmp.Or(strings.Compare(a.Code, b.Code), strings.Compare(a.Origin, b.Origin))
	})
	return out
}

func invalid(errs ...jinguan.FieldError) error { return jinguan.Invalid(errs) }
