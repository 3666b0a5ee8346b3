package enterprise

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/refdata"
	"github.com/jinguan-customs/jinguan/uscc"
)

// Input is a registration or an update as submitted. The guarantee and
// the AEO certificate are not part of it: other modules record them.
type Input struct {
	SCC          string       `json:"scc"`
	NameZH       string       `json:"name_zh"`
	NameEN       string       `json:"name_en,omitempty"`
	Roles        []string     `json:"roles"`
	Customs      string       `json:"customs"`
	RegisteredAt string       `json:"registered_at"` // YYYY-MM-DD or RFC 3339
	Status       string       `json:"status,omitempty"`
	Address      string       `json:"address,omitempty"`
	LegalRep     *Person      `json:"legal_rep,omitempty"`
	Contacts     []Contact    `json:"contacts,omitempty"`
	AEOPartners  []AEOPartner `json:"aeo_partners,omitempty"`
}

// Validator checks inputs against the reference tables.
type Validator struct {
	Catalog *refdata.Catalog

	once   sync.Once
	alpha2 map[string]bool
}

const (
	maxContacts = 20
	maxPartners = 200
)

var (
	rePhone   = regexp.MustCompile(`^\+?[0-9][0-9 -]{4,19}$`)
	reEmail   = regexp.MustCompile(`^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,63}$`)
	reAEOCode = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{0,39}$`)
	reIDOther = regexp.MustCompile(`^[A-Z0-9-]{5,30}$`)
	idTypes   = []string{"resident_id", "passport", "other"}
)

// Validate checks in on the date and returns the enterprise to store, or
// every problem with its JSON pointer.
func (v *Validator) Validate(in *Input, on time.Time) (Enterprise, []jinguan.FieldError) {
	c := &check{}
	e := Enterprise{
		SCC:     strings.TrimSpace(in.SCC),
		NameZH:  c.text("/name_zh", in.NameZH, true, 100),
		NameEN:  c.text("/name_en", in.NameEN, false, 200),
		Customs: strings.TrimSpace(in.Customs),
		Address: c.text("/address", in.Address, false, 200),
		Status:  Status(in.Status),
	}
	switch p := uscc.Problem(e.SCC); {
	case e.SCC == "":
		c.add("/scc", "required", "必填", "required")
	case p == "format":
		c.add("/scc", "scc_format", "统一社会信用代码应为 18 位数字或大写字母（不含 I、O、Z、S、V）",
			"a unified social credit code is 18 digits or capital letters (without I, O, Z, S, V)")
	case p == "check":
		c.add("/scc", "scc_check", "统一社会信用代码校验位错误", "the credit code's check character is wrong")
	}
	if len(in.Roles) == 0 {
		c.add("/roles", "required", "至少登记一种企业类别", "register at least one role")
	}
	for i, r := range in.Roles {
		p := "/roles/" + strconv.Itoa(i)
		switch {
		case !slices.Contains(Roles, r):
			c.add(p, "unknown_role", "未知的企业类别", "unknown role")
		case slices.Contains(in.Roles[:i], r):
			c.add(p, "duplicate", "重复", "listed twice")
		default:
			e.Roles = append(e.Roles, r)
		}
	}
	switch {
	case e.Customs == "":
		c.add("/customs", "required", "必填", "required")
	case v.Catalog != nil && !v.Catalog.Has(refdata.CustomsDistrict, e.Customs, on):
		c.add("/customs", "unknown_district", "关区代码不存在或已停用", "unknown or retired customs district code")
	}
	switch t, ok := parseDay(in.RegisteredAt); {
	case in.RegisteredAt == "":
		c.add("/registered_at", "required", "必填", "required")
	case !ok:
		c.add("/registered_at", "date_format", "日期格式应为 YYYY-MM-DD", "a date must be YYYY-MM-DD")
	case t.After(on):
		c.add("/registered_at", "future_date", "注册日期不得晚于今天", "the registration date may not be in the future")
	case t.Year() < 1980:
		c.add("/registered_at", "too_early", "日期早于 1980-01-01", "the date is before 1980-01-01")
	default:
		e.RegisteredAt = t
	}
	if e.Status == "" {
		e.Status = StatusActive
	} else if !slices.Contains(Statuses, e.Status) {
		c.add("/status", "unknown_status", "未知的注册状态", "unknown status")
	}
	if p := in.LegalRep; p != nil {
		e.LegalRep = &Person{Name: c.text("/legal_rep/name", p.Name, true, 50), IDType: p.IDType,
			IDNumber: strings.ToUpper(strings.TrimSpace(p.IDNumber)), Phone: strings.TrimSpace(p.Phone)}
		c.identity("/legal_rep", e.LegalRep)
		c.phone("/legal_rep/phone", e.LegalRep.Phone)
	}
	if len(in.Contacts) > maxContacts {
		c.add("/contacts", "too_many", "联系人最多 20 个", "at most 20 contacts")
	}
	for i, k := range in.Contacts {
		p := "/contacts/" + strconv.Itoa(i)
		ct := Contact{Name: c.text(p+"/name", k.Name, true, 50), Duty: c.text(p+"/duty", k.Duty, false, 50),
			Phone: strings.TrimSpace(k.Phone), Email: strings.TrimSpace(k.Email)}
		c.phone(p+"/phone", ct.Phone)
		if ct.Email != "" && !reEmail.MatchString(ct.Email) {
			c.add(p+"/email", "email_format", "电子邮件地址格式错误", "not an e-mail address")
		}
		if ct.Phone == "" && ct.Email == "" {
			c.add(p, "no_channel", "联系人须有电话或电子邮件", "a contact needs a phone or an e-mail address")
		}
		e.Contacts = append(e.Contacts, ct)
	}
	if len(in.AEOPartners) > maxPartners {
		c.add("/aeo_partners", "too_many", "AEO 互认伙伴最多 200 个", "at most 200 AEO partners")
	}
	for i, ap := range in.AEOPartners {
		p := "/aeo_partners/" + strconv.Itoa(i)
		ap.Country, ap.Code = strings.ToUpper(strings.TrimSpace(ap.Country)), strings.ToUpper(strings.TrimSpace(ap.Code))
		ap.Name = c.text(p+"/name", ap.Name, false, 200)
		if !v.country(ap.Country) {
			c.add(p+"/country", "unknown_country", "应为 ISO 3166 两位国家（地区）代码", "an ISO 3166 alpha-2 country code")
		}
		if !reAEOCode.MatchString(ap.Code) {
			c.add(p+"/code", "aeo_code_format", "AEO 编码应为 1–40 位大写字母、数字或连字符", "an AEO code is 1–40 capital letters, digits or hyphens")
		}
		for _, q := range e.AEOPartners {
			if q.Country == ap.Country && q.Code == ap.Code {
				c.add(p, "duplicate", "重复", "listed twice")
			}
		}
		e.AEOPartners = append(e.AEOPartners, ap)
	}
	if len(c.errs) > 0 {
		return Enterprise{}, c.errs
	}
	return e, nil
}

// country reports whether code is the alpha-2 code of a country.
func (v *Validator) country(code string) bool {
	if v.Catalog == nil {
		return len(code) == 2
	}
	v.once.Do(func() {
		v.alpha2 = map[string]bool{}
		for _, e := range v.Catalog.Entries(refdata.Country, time.Now()) {
			if a := e.Attr("alpha2"); a != "" {
				v.alpha2[a] = true
			}
		}
	})
	return v.alpha2[code]
}

type check struct{ errs []jinguan.FieldError }

func (c *check) add(ptr, code, zh, en string) {
	c.errs = append(c.errs, jinguan.FieldError{Pointer: ptr, Code: code, MessageZH: zh, MessageEN: en})
}

func (c *check) text(ptr, s string, required bool, limit int) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "" && required:
		c.add(ptr, "required", "必填", "required")
	case !utf8.ValidString(s):
		c.add(ptr, "encoding", "含无效字符", "contains invalid characters")
	case utf8.RuneCountInString(s) > limit:
		c.add(ptr, "too_long", "不得超过 "+strconv.Itoa(limit)+" 个字符", "at most "+strconv.Itoa(limit)+" characters")
	}
	return s
}

func (c *check) phone(ptr, s string) {
	if s != "" && !rePhone.MatchString(s) {
		c.add(ptr, "phone_format", "电话号码格式错误", "not a phone number")
	}
}

// identity checks an identity document: resident identity numbers carry
// an ISO 7064 MOD 11-2 check character (GB 11643-1999).
func (c *check) identity(ptr string, p *Person) {
	switch {
	case p.IDNumber == "" && p.IDType == "":
	case !slices.Contains(idTypes, p.IDType):
		c.add(ptr+"/id_type", "unknown_id_type", "证件类型应为 resident_id、passport 或 other", "id_type is resident_id, passport or other")
	case p.IDNumber == "":
		c.add(ptr+"/id_number", "required", "必填", "required")
	case p.IDType == "resident_id" && !ResidentIDValid(p.IDNumber):
		c.add(ptr+"/id_number", "id_check", "居民身份证号码格式或校验位错误", "not a valid resident identity number")
	case p.IDType != "resident_id" && !reIDOther.MatchString(p.IDNumber):
		c.add(ptr+"/id_number", "id_format", "证件号码应为 5–30 位大写字母、数字或连字符", "5–30 capital letters, digits or hyphens")
	}
}

// ResidentIDValid checks an 18-character resident identity number.
func ResidentIDValid(id string) bool {
	if len(id) != 18 {
		return false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
		sum += int(id[i]-'0') * weights[i]
	}
	return id[17] == "10X98765432"[sum%11]
}

// parseDay reads YYYY-MM-DD as a Beijing date, or an RFC 3339 instant.
func parseDay(s string) (time.Time, bool) {
	if t, err := time.ParseInLocation(time.DateOnly, s, jinguan.China); err == nil {
		return t, true
	}
	t, err := time.Parse(time.RFC3339, s)
	return t, err == nil
}
