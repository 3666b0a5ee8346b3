package tariff

import (
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/refdata"
)

// Policy calculator (政策计算器): what a trader would pay on one line and
// which licences it needs, before declaring.

// CalcInput describes one prospective import item.
type CalcInput struct {
	CodeTS    string              `json:"code_ts"`
	Origin    string              `json:"origin_country"`      // ISO alpha-3; empty = unknown
	Agreement string              `json:"agreement,omitempty"` // agreement claimed (certificate of origin held)
	Producer  string              `json:"producer,omitempty"`  // for producer-specific trade remedies
	Date      string              `json:"date"`                // YYYY-MM-DD, the rate and exchange-rate date
	TransMode string              `json:"trans_mode"`          // 成交方式 1 CIF … 7 EXW
	Price     decimal.Decimal     `json:"price"`               // total goods price in Currency
	Currency  string              `json:"currency"`
	Fee       *declaration.Charge `json:"fee,omitempty"`
	Insur     *declaration.Charge `json:"insur,omitempty"`
	Other     *declaration.Charge `json:"other,omitempty"`
	GrossWet  decimal.Decimal     `json:"gross_wet"` // kg, for freight per tonne
	FirstQty  decimal.Decimal     `json:"first_qty"` // in the line's first legal unit
	InQuota   bool                `json:"in_quota,omitempty"`
}

// CalcResult is the calculator's answer.
type CalcResult struct {
	CodeTS     string                    `json:"code_ts"`
	NameZH     string                    `json:"name_zh"`
	NameEN     string                    `json:"name_en"`
	FirstUnit  string                    `json:"first_unit"`
	SecondUnit string                    `json:"second_unit,omitempty"`
	Rates      []CandidateRate           `json:"rates"` // every rate the line has for this origin
	Rule       Rule                      `json:"rule"`  // what chose the duty rate
	Tax        declaration.TaxAssessment `json:"tax"`
	Licences   []Requirement             `json:"licences,omitempty"`
}

// CandidateRate is one rate of the line; Applied marks the chosen one.
type CandidateRate struct {
	Category string `json:"category"`
	Scheme   string `json:"scheme,omitempty"`
	Rate     string `json:"rate"` // text form: 10, 1.3/u, 5+2/u
	Applied  bool   `json:"applied"`
}

// Requirement is a licence or certificate the goods need.
type Requirement struct {
	Code   string `json:"code"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
}

// Calculator answers policy questions from the schedule and catalog.
type Calculator struct {
	Schedule *Schedule
	Catalog  *refdata.Catalog
	Config   TaxConfig
}

// Calc validates the input (coded errors with JSON pointers) and computes.
func (c *Calculator) Calc(in CalcInput) (CalcResult, error) {
	on, err := c.check(in)
	if err != nil {
		return CalcResult{}, err
	}
	cur := in.Currency
	if cur == "" {
		cur = "CNY"
	}
	d := &declaration.Declaration{DeclaredAt: on, Form: declaration.Form{
		Head: declaration.Head{IEFlag: "I", TransMode: in.TransMode, Fee: in.Fee, Insur: in.Insur, Other: in.Other, GrossWet: in.GrossWet},
		Items: []declaration.Item{{GNo: 1, CodeTS: in.CodeTS, DeclTotal: in.Price, TradeCurr: cur,
			OriginCountry: in.Origin, Agreement: in.Agreement, FirstQty: in.FirstQty}}}}
	if in.InQuota {
		d.Licences = []declaration.Licence{{DocuCode: QuotaCertificate}}
	}
	a := &Assessor{Schedule: c.Schedule, Rates: c.Catalog, Codes: c.Catalog, Config: c.Config}
	ta, err := a.assess(d, on, in.Producer)
	if err != nil {
		return CalcResult{}, err
	}
	it := ta.Items[0]
	sel, err := c.Schedule.Select(Query{Code: in.CodeTS, Origin: in.Origin, Agreement: in.Agreement, Producer: in.Producer,
		On: on, InQuota: in.InQuota, Value: it.CustomsValue, Qty: in.FirstQty})
	if err != nil {
		return CalcResult{}, err
	}
	l := sel.Line
	res := CalcResult{CodeTS: l.Code, NameZH: l.NameZH, NameEN: l.NameEN, FirstUnit: l.FirstUnit, SecondUnit: l.SecondUnit,
		Rule: sel.Rule, Tax: ta}
	res.Rates = c.candidates(sel, in, on)
	res.Licences = c.requirements(in.CodeTS, "I", on)
	if sel.Category == CatAgreement || sel.Category == CatSpecial {
		res.Licences = append(res.Licences, c.requirement("Y", on)) // certificate of origin backs the preference
	}
	return res, nil
}

// check turns every input problem into a field error.
func (c *Calculator) check(in CalcInput) (time.Time, error) {
	var fs []jinguan.FieldError
	bad := func(ptr, code, zh, en string) {
		fs = append(fs, jinguan.FieldError{Pointer: ptr, Code: code, MessageZH: zh, MessageEN: en})
	}
	on, err := time.ParseInLocation(time.DateOnly, in.Date, jinguan.China)
	if err != nil {
		bad("/date", "format", "日期格式应为 YYYY-MM-DD", "want a date YYYY-MM-DD")
	}
	if len(in.CodeTS) != 10 || !digits(in.CodeTS) {
		bad("/code_ts", "format", "商品编号应为10位数字", "want 10 digits")
	} else if err == nil && c.Schedule.find(in.CodeTS, on) == nil {
		bad("/code_ts", "unknown_code", "税则中无此商品编号", "no such tariff line on the date")
	}
	if in.Origin != "" && in.Origin != "ZZZ" && err == nil && !c.Catalog.Has(refdata.Country, in.Origin, on) {
		bad("/origin_country", "unknown_code", "国别代码不存在", "not a country code")
	}
	if in.Agreement != "" && !reScheme.MatchString(in.Agreement) {
		bad("/agreement", "format", "协定代码应为1–10位大写字母或数字", "want 1–10 upper-case letters or digits")
	}
	if err == nil && !c.Catalog.Has(refdata.TransactionTerm, in.TransMode, on) {
		bad("/trans_mode", "unknown_code", "成交方式代码不存在", "not a transaction-term code")
	}
	if in.Currency != "" && err == nil {
		if _, ok := c.Catalog.ExchangeRate(in.Currency, on); !ok {
			bad("/currency", "no_rate", "该日期无此币制的海关汇率", "no customs exchange rate for the currency on the date")
		}
	}
	if !in.Price.IsPositive() || outOfRange(in.Price) {
		bad("/price", "range", "价格应大于0且小于10^15", "must be positive and below 10^15")
	}
	if in.FirstQty.IsNegative() || outOfRange(in.FirstQty) {
		bad("/first_qty", "range", "数量不得为负且应小于10^15", "must not be negative and below 10^15")
	}
	if in.GrossWet.IsNegative() || outOfRange(in.GrossWet) {
		bad("/gross_wet", "range", "毛重不得为负且应小于10^15", "must not be negative and below 10^15")
	}
	for name, ch := range map[string]*declaration.Charge{"fee": in.Fee, "insur": in.Insur, "other": in.Other} {
		if ch == nil {
			continue
		}
		if ch.Mark != "1" && ch.Mark != "2" && ch.Mark != "3" {
			bad("/"+name+"/mark", "enum", "标记应为1（率）、2（单价）或3（总价）", "want 1 (rate), 2 (unit price) or 3 (total)")
		}
		if ch.Rate.IsNegative() || outOfRange(ch.Rate) {
			bad("/"+name+"/rate", "range", "不得为负且应小于10^15", "must not be negative and below 10^15")
		}
		if ch.Mark != "1" && err == nil {
			if _, ok := c.Catalog.ExchangeRate(ch.Currency, on); !ok {
				bad("/"+name+"/currency", "no_rate", "该日期无此币制的海关汇率", "no customs exchange rate for the currency on the date")
			}
		}
	}
	if len(fs) > 0 {
		slices.SortStableFunc(fs, func(a, b jinguan.FieldError) int { return strings.Compare(a.Pointer, b.Pointer) })
		return on, jinguan.Invalid(fs)
	}
	return on, nil
}

// maxAmount bounds amounts so that absurd input (1e999999) cannot make
// exact arithmetic run away.
var maxAmount = decimal.New(1, 15)

func outOfRange(d decimal.Decimal) bool {
	return d.Abs().GreaterThanOrEqual(maxAmount) || d.Exponent() < -12
}

// candidates lists the line's rates open to this origin on the date.
func (c *Calculator) candidates(sel Selection, in CalcInput, on time.Time) []CandidateRate {
	day, m, l := dayOf(on), &c.Schedule.m, sel.Line
	var out []CandidateRate
	add := func(cat, scheme string, r Rate) {
		out = append(out, CandidateRate{Category: cat, Scheme: scheme, Rate: r.String(),
			Applied: cat == sel.Category && scheme == sel.Scheme})
	}
	add(CatMFN, "", l.MFN)
	add(CatGeneral, "", l.General)
	if r, ok := current(m.provisional[in.CodeTS], day); ok {
		add(CatProvisional, "", r)
	}
	if r, ok := current(m.quota[in.CodeTS], day); ok {
		add(CatQuota, "", r)
	}
	for _, r := range m.agreement[in.CodeTS] {
		if r.in(day) && m.isParty(in.Origin, r.v.scheme, KindAgreement, day) {
			add(CatAgreement, r.v.scheme, r.v.rate)
		}
	}
	for _, r := range m.special[in.CodeTS] {
		if r.in(day) && m.isParty(in.Origin, r.v.scheme, KindSpecial, day) {
			add(CatSpecial, r.v.scheme, r.v.rate)
		}
	}
	return out
}

// requirements lists licences required for the line in a direction, by
// the licence rules of every prefix of its code.
func (c *Calculator) requirements(code, ie string, on time.Time) []Requirement {
	day := dayOf(on)
	var out []Requirement
	seen := map[string]bool{}
	for n := 2; n <= len(code); n++ {
		for _, r := range c.Schedule.m.licences[code[:n]] {
			if r.in(day) && (r.v.IEFlag == "" || r.v.IEFlag == ie) && !seen[r.v.Licence] {
				seen[r.v.Licence] = true
				out = append(out, c.requirement(r.v.Licence, on))
			}
		}
	}
	return out
}

func (c *Calculator) requirement(code string, on time.Time) Requirement {
	e, _ := c.Catalog.Lookup(refdata.LicenceType, code, on)
	return Requirement{Code: code, NameZH: e.NameZH, NameEN: e.NameEN}
}
