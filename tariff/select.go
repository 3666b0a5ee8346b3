package tariff

import (
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
)

// Rule names what decided a rate: a stable code for programs and the
// reason in Chinese and English for people.
type Rule struct {
	Code string `json:"code"`
	ZH   string `json:"zh"`
	EN   string `json:"en"`
}

// Rate categories (税率类别).
const (
	CatMFN         = "mfn"
	CatAgreement   = "agreement"
	CatSpecial     = "special"
	CatGeneral     = "general"
	CatProvisional = "provisional"
	CatQuota       = "quota"
)

// The precedence rules of domain.md §2, one code each.
var (
	RuleMFN                  = Rule{"mfn", "原产于WTO成员或享受最惠国待遇的国家（地区），适用最惠国税率", "origin is a WTO/MFN partner: MFN rate"}
	RuleChineseOrigin        = Rule{"mfn_chinese_origin", "原产于中国的货物，适用最惠国税率", "goods of Chinese origin: MFN rate"}
	RuleMFNProvisional       = Rule{"mfn_provisional", "适用最惠国税率的货物有暂定税率，适用暂定税率", "MFN rate with a provisional rate: provisional rate"}
	RuleAgreement            = Rule{"agreement", "原产于协定成员且申报适用该协定，适用协定税率", "origin is party to the claimed agreement: agreement rate"}
	RuleAgreementProvisional = Rule{"agreement_provisional_lower", "协定税率与暂定税率从低，暂定税率较低", "agreement and provisional rates, the lower: provisional"}
	RuleAgreementLower       = Rule{"agreement_lower_than_provisional", "协定税率与暂定税率从低，协定税率不高于暂定税率", "agreement and provisional rates, the lower: agreement"}
	RuleMFNBelowAgreement    = Rule{"mfn_below_agreement", "最惠国税率低于协定税率且无暂定税率，适用最惠国税率", "MFN rate below the agreement rate and no provisional rate: MFN rate"}
	RuleSpecial              = Rule{"special", "原产于特惠国家（地区），适用特惠税率", "origin is a special-preference country: special preferential rate"}
	RuleSpecialProvisional   = Rule{"special_provisional_lower", "特惠税率与暂定税率从低，暂定税率较低", "special and provisional rates, the lower: provisional"}
	RuleSpecialLower         = Rule{"special_lower_than_provisional", "特惠税率与暂定税率从低，特惠税率不高于暂定税率", "special and provisional rates, the lower: special"}
	RuleGeneral              = Rule{"general", "原产于其他国家（地区），适用普通税率（不适用暂定税率）", "other origin: general rate (provisional never applies)"}
	RuleGeneralUnknown       = Rule{"general_unknown_origin", "原产地不明，适用普通税率", "origin unknown: general rate"}
	RuleQuota                = Rule{"quota", "关税配额内，适用配额税率", "in quota: tariff-quota rate"}
	RuleQuotaProvisional     = Rule{"quota_provisional_lower", "关税配额内且暂定税率较低，适用暂定税率", "in quota with a lower provisional rate: provisional rate"}
)

// Query is what rate selection needs about one item.
type Query struct {
	Code      string
	Origin    string // ISO alpha-3; "" or ZZZ = unknown
	Agreement string // agreement claimed by the item, "" = none
	Producer  string // for producer-specific trade remedies, "" = all others
	On        time.Time
	InQuota   bool
	// Value (CNY) and Qty (first legal quantity) decide "the lower" of
	// two rates when one of them is specific or compound.
	Value, Qty decimal.Decimal
}

// Selection is the rates that apply to an item and why.
type Selection struct {
	Line        Line
	Category    string
	Scheme      string // agreement or special scheme applied
	Duty        Rate
	Rule        Rule
	Remedies    []Remedy
	Consumption *Rate // nil: no consumption tax
}

// Select applies domain.md §2's precedence on the Beijing date of q.On.
func (s *Schedule) Select(q Query) (Selection, error) {
	v := s.find(q.Code, q.On)
	if v == nil {
		return Selection{}, jinguan.Errorf(jinguan.EINVALID, "%s 税则中无商品编号 %s", "no tariff line %[2]s on %[1]s",
			q.On.In(jinguan.China).Format(time.DateOnly), q.Code)
	}
	day := dayOf(q.On)
	sel := Selection{Line: v.l}
	m := &s.m
	prov, hasProv := current(m.provisional[q.Code], day)
	set := func(cat string, r Rate, rule Rule) { sel.Category, sel.Duty, sel.Rule = cat, r, rule }
	// lowerOf picks prov when strictly lower than base, else base.
	lowerOf := func(cat string, base Rate, provRule, baseRule Rule) {
		if prov.amount(q.Value, q.Qty).LessThan(base.amount(q.Value, q.Qty)) {
			set(CatProvisional, prov, provRule)
		} else {
			set(cat, base, baseRule)
		}
	}
	quota, hasQuota := current(m.quota[q.Code], day)
	unknown := q.Origin == "" || q.Origin == "ZZZ"
	switch {
	case q.InQuota && hasQuota:
		set(CatQuota, quota, RuleQuota)
		if hasProv {
			lowerOf(CatQuota, quota, RuleQuotaProvisional, RuleQuota)
		}
	case unknown:
		set(CatGeneral, v.l.General, RuleGeneralUnknown)
	case q.Origin == "CHN":
		set(CatMFN, v.l.MFN, RuleChineseOrigin)
		if hasProv {
			set(CatProvisional, prov, RuleMFNProvisional)
		}
	case q.Agreement != "" && m.isParty(q.Origin, q.Agreement, KindAgreement, day) && m.hasScheme(m.agreement, q.Code, q.Agreement, day):
		agr, _ := m.schemeRate(m.agreement, q.Code, q.Agreement, day)
		sel.Scheme = q.Agreement
		switch {
		case hasProv:
			lowerOf(CatAgreement, agr, RuleAgreementProvisional, RuleAgreementLower)
		case v.l.MFN.amount(q.Value, q.Qty).LessThan(agr.amount(q.Value, q.Qty)):
			set(CatMFN, v.l.MFN, RuleMFNBelowAgreement)
			sel.Scheme = ""
		default:
			set(CatAgreement, agr, RuleAgreement)
		}
	case m.specialFor(q.Origin, q.Code, day) != "":
		sel.Scheme = m.specialFor(q.Origin, q.Code, day)
		sp, _ := m.schemeRate(m.special, q.Code, sel.Scheme, day)
		set(CatSpecial, sp, RuleSpecial)
		if hasProv {
			lowerOf(CatSpecial, sp, RuleSpecialProvisional, RuleSpecialLower)
		}
	case m.mfnPartners == nil || hasDay(m.mfnPartners[q.Origin], day): // no partner table loaded: every known origin
		set(CatMFN, v.l.MFN, RuleMFN)
		if hasProv {
			set(CatProvisional, prov, RuleMFNProvisional)
		}
	default:
		set(CatGeneral, v.l.General, RuleGeneral)
	}
	if q.Origin != "CHN" {
		sel.Remedies = m.remediesFor(q.Code, q.Origin, q.Producer, day)
	}
	if ct, ok := current(m.consumption[q.Code], day); ok {
		sel.Consumption = &ct
	}
	return sel, nil
}

func hasDay[T any](vs []dated[T], day int32) bool {
	_, ok := current(vs, day)
	return ok
}

func (m *measures) isParty(country, scheme, kind string, day int32) bool {
	for _, p := range m.parties[country] {
		if p.in(day) && p.v.scheme == scheme && p.v.kind == kind {
			return true
		}
	}
	return false
}

func (m *measures) schemeRate(rates map[string][]dated[schemeRate], code, scheme string, day int32) (Rate, bool) {
	for _, r := range rates[code] {
		if r.in(day) && r.v.scheme == scheme {
			return r.v.rate, true
		}
	}
	return Rate{}, false
}

func (m *measures) hasScheme(rates map[string][]dated[schemeRate], code, scheme string, day int32) bool {
	_, ok := m.schemeRate(rates, code, scheme, day)
	return ok
}

// specialFor returns the special scheme giving the origin a rate on the
// line, "" when none.
func (m *measures) specialFor(origin, code string, day int32) string {
	for _, p := range m.parties[origin] {
		if p.in(day) && p.v.kind == KindSpecial && m.hasScheme(m.special, code, p.v.scheme, day) {
			return p.v.scheme
		}
	}
	return ""
}

// remediesFor picks, per measure, the most specific row in force: one
// naming the origin beats one for all origins, and one naming the
// producer beats the rate for all other producers.
func (m *measures) remediesFor(code, origin, producer string, day int32) []Remedy {
	var out []Remedy
	var score []int
	for _, r := range m.remedies[code] {
		x := r.v
		if !r.in(day) || (x.Origin != "" && x.Origin != origin) || (x.Producer != "" && x.Producer != producer) {
			continue
		}
		sc := 0
		if x.Origin != "" {
			sc += 2
		}
		if x.Producer != "" {
			sc++
		}
		found := false
		for i := range out {
			if out[i].Measure == x.Measure {
				found = true
				if sc > score[i] {
					out[i], score[i] = x, sc
				}
			}
		}
		if !found {
			out, score = append(out, x), append(score, sc)
		}
	}
	return out
}

// Agreements lists the agreements under which goods of origin on line
// code may claim a rate on the day of on: the origin is a party and the
// line has the agreement's rate (what a trader holding a certificate of
// origin would claim).
func (s *Schedule) Agreements(code, origin string, on time.Time) []string {
	day, m := dayOf(on), &s.m
	var out []string
	for _, r := range m.agreement[code] {
		if r.in(day) && m.isParty(origin, r.v.scheme, KindAgreement, day) && !slices.Contains(out, r.v.scheme) {
			out = append(out, r.v.scheme)
		}
	}
	return out
}
