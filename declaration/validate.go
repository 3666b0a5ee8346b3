package declaration

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/refdata"
	"github.com/jinguan-customs/jinguan/uscc"
)

// Validator checks a form on its declaration date: presence, format,
// reference existence and cross-field consistency. It reports every
// problem, never just the first.
type Validator struct {
	Codes  Codes
	Tariff TariffLines
	Rules  Rules
}

var (
	reDigits4  = regexp.MustCompile(`^[0-9]{4}$`)
	reDigits3  = regexp.MustCompile(`^[0-9]{3}$`)
	reDigits5  = regexp.MustCompile(`^[0-9]{5}$`)
	reCodeTS   = regexp.MustCompile(`^[0-9]{10}$`)
	reManual   = regexp.MustCompile(`^[A-Z0-9]{12}$`)
	rePromise  = regexp.MustCompile(`^[019]{3,5}$`)
	reBill     = regexp.MustCompile(`^[A-Za-z0-9\-/_.*]{1,32}$`)
	reDate     = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	reCtnMd    = regexp.MustCompile(`^[A-Z0-9]{1,4}$`)
	reAgree    = regexp.MustCompile(`^[A-Z0-9]{1,10}$`)
	reEdocID   = regexp.MustCompile(`^[A-Za-z0-9\-/_.]{1,64}$`)
	rePortCode = regexp.MustCompile(`^[A-Z0-9]{3,6}$`)
)

// check collects problems for one form.
type check struct {
	v    *Validator
	on   time.Time
	errs []jinguan.FieldError
}

func (c *check) add(ptr, code string, args ...any) {
	m := messages[code]
	c.errs = append(c.errs, jinguan.FieldError{
		Pointer: ptr, Code: code,
		MessageZH: fmt.Sprintf(m[0], args...), MessageEN: fmt.Sprintf(m[1], args...),
	})
}

// Validate returns every problem of f for a declaration made at `at`.
func (v *Validator) Validate(f *Form, at time.Time) []jinguan.FieldError {
	c := &check{v: v, on: at}
	c.head(&f.Head, at)
	c.items(f)
	c.containers(f)
	for i, d := range f.Documents {
		p := "/documents/" + strconv.Itoa(i)
		c.code(p+"/edoc_code", d.EdocCode, refdata.DocumentType, true)
		c.pattern(p+"/edoc_id", d.EdocID, reEdocID, true, "1–64 letters, digits or -/_.")
	}
	for i, l := range f.Licences {
		p := "/licences/" + strconv.Itoa(i)
		c.code(p+"/docu_code", l.DocuCode, refdata.LicenceType, true)
		c.text(p+"/cert_code", l.CertCode, 32, true)
	}
	return c.errs
}

func (c *check) head(h *Head, at time.Time) {
	c.code("/head/custom_master", h.CustomMaster, refdata.CustomsDistrict, true)
	c.code("/head/ie_port", h.IEPort, refdata.CustomsDistrict, true)
	switch h.IEFlag {
	case "I", "E":
	case "":
		c.add("/head/ie_flag", "required")
	default:
		c.add("/head/ie_flag", "one_of", "I, E")
	}
	c.scc("/head/trade_co_scc", h.TradeCoScc, true)
	c.text("/head/trade_name", h.TradeName, 100, true)
	c.scc("/head/owner_code_scc", h.OwnerCodeScc, h.OwnerName != "")
	c.text("/head/owner_name", h.OwnerName, 100, h.OwnerCodeScc != "")
	c.scc("/head/agent_code_scc", h.AgentCodeScc, true)
	c.text("/head/agent_name", h.AgentName, 100, true)

	needsLedger := c.code("/head/trade_mode", h.TradeMode, refdata.TradeMode, true) &&
		c.v.Codes.Attr(refdata.TradeMode, h.TradeMode, "needs_ledger", c.on) == "1"
	c.code("/head/cut_mode", h.CutMode, refdata.LevyNature, false)
	if c.code("/head/traf_mode", h.TrafMode, refdata.TransportMode, true) &&
		c.v.Codes.Attr(refdata.TransportMode, h.TrafMode, "needs_bill", c.on) == "1" && h.BillNo == "" {
		c.add("/head/bill_no", "bill_required", h.TrafMode)
	}
	c.text("/head/traf_name", h.TrafName, 50, false)
	c.text("/head/voyage_no", h.VoyageNo, 32, false)
	c.pattern("/head/bill_no", h.BillNo, reBill, false, "≤ 32 letters, digits or -/_.*")
	if c.code("/head/trans_mode", h.TransMode, refdata.TransactionTerm, true) && (h.IEFlag == "I" || h.IEFlag == "E") {
		c.terms(h)
	}
	c.charge("/head/fee", h.Fee, true)
	c.charge("/head/insur", h.Insur, false)
	c.charge("/head/other", h.Other, false)

	c.code("/head/trade_area_code", h.TradeAreaCode, refdata.Country, true)
	c.code("/head/trade_country", h.TradeCountry, refdata.Country, true)
	c.pattern("/head/distinate_port", h.DistinatePort, rePortCode, false, "3–6 letters or digits")
	c.pattern("/head/desp_port_code", h.DespPortCode, rePortCode, false, "3–6 letters or digits")
	c.pattern("/head/enty_port_code", h.EntyPortCode, rePortCode, false, "3–6 letters or digits")

	if h.PackNo < 1 {
		c.add("/head/pack_no", "not_positive")
	}
	c.code("/head/wrap_type", h.WrapType, refdata.WrapType, false)
	gross := c.positive("/head/gross_wet", h.GrossWet, 5)
	net := c.positive("/head/net_wt", h.NetWt, 5)
	if gross && net && h.NetWt.GreaterThan(h.GrossWet) {
		c.add("/head/net_wt", "net_exceeds_gross", h.NetWt, h.GrossWet)
	}
	if h.ManualNo == "" && needsLedger {
		c.add("/head/manual_no", "ledger_required", h.TradeMode)
	}
	c.pattern("/head/manual_no", h.ManualNo, reManual, false, "12 upper-case letters or digits")
	c.pattern("/head/promise_items", h.PromiseItems, rePromise, false, "3–5 flags of 0, 1 or 9")
	c.text("/head/decl_type", h.DeclType, 3, false)
	c.text("/head/note_s", h.NoteS, 255, false)
	c.deadline(h, at)
}

// terms checks that freight and insurance are declared where the
// transaction terms leave them out of (import, to reach CIF) or in (export,
// to come down to FOB) the price.
func (c *check) terms(h *Head) {
	freightIn := c.v.Codes.Attr(refdata.TransactionTerm, h.TransMode, "freight_included", c.on) == "1"
	insurIn := c.v.Codes.Attr(refdata.TransactionTerm, h.TransMode, "insurance_included", c.on) == "1"
	needFreight, needInsur := !freightIn, !insurIn
	if h.IEFlag == "E" {
		needFreight, needInsur = freightIn, insurIn
	}
	if h.TransMode == "5" || h.TransMode == "6" { // market price, 垫仓: no valuation marks
		needFreight, needInsur = false, false
	}
	if needFreight && h.Fee == nil {
		c.add("/head/fee", "freight_required", h.TransMode)
	}
	if needInsur && h.Insur == nil {
		c.add("/head/insur", "insurance_required", h.TransMode)
	}
}

func (c *check) charge(ptr string, ch *Charge, perUnitAllowed bool) {
	if ch == nil {
		return
	}
	switch ch.Mark {
	case "1":
		if ch.Currency != "" {
			c.add(ptr+"/currency", "currency_with_rate")
		}
		if c.positive(ptr+"/rate", ch.Rate, 4) && ch.Rate.GreaterThan(decimal.NewFromInt(100)) {
			c.add(ptr+"/rate", "rate_over_100")
		}
		return
	case "2":
		if !perUnitAllowed {
			c.add(ptr+"/mark", "one_of", "1, 3")
			return
		}
	case "3":
	case "":
		c.add(ptr+"/mark", "required")
		return
	default:
		c.add(ptr+"/mark", "one_of", "1, 2, 3")
		return
	}
	c.positive(ptr+"/rate", ch.Rate, 4)
	c.code(ptr+"/currency", ch.Currency, refdata.Currency, true)
}

// deadline applies the import abandonment limit and the export lead time.
func (c *check) deadline(h *Head, at time.Time) {
	if h.IEDate == "" {
		if h.IEFlag == "I" {
			c.add("/head/ie_date", "required")
		}
		return
	}
	d, ok := parseDate(h.IEDate)
	if !ok {
		c.add("/head/ie_date", "format", "YYYY-MM-DD")
		return
	}
	day := dateOf(at)
	switch h.IEFlag {
	case "I":
		if day.Sub(d) > time.Duration(c.v.Rules.AbandonAfterDays)*24*time.Hour {
			c.add("/head/ie_date", "import_abandoned", c.v.Rules.AbandonAfterDays)
		}
	case "E":
		lead := (c.v.Rules.ExportLeadHours + 23) / 24
		if d.Before(day.AddDate(0, 0, lead)) {
			c.add("/head/ie_date", "export_too_late", c.v.Rules.ExportLeadHours)
		}
	}
}

// LateDays is how many days past the limit an import was declared; the
// late-declaration fee (滞报金) accrues on them.
func (r Rules) LateDays(h *Head, at time.Time) int {
	if h.IEFlag != "I" {
		return 0
	}
	d, ok := parseDate(h.IEDate)
	if !ok {
		return 0
	}
	days := int(dateOf(at).Sub(d).Hours() / 24)
	if days > r.LateAfterDays {
		return days - r.LateAfterDays
	}
	return 0
}

func parseDate(s string) (time.Time, bool) {
	if !reDate.MatchString(s) {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation("2006-01-02", s, jinguan.China)
	return t, err == nil
}

func dateOf(t time.Time) time.Time {
	t = t.In(jinguan.China)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, jinguan.China)
}

// code checks a reference code; it reports whether the code is present and valid.
func (c *check) code(ptr, code, table string, required bool) bool {
	if code == "" {
		if required {
			c.add(ptr, "required")
		}
		return false
	}
	if len(code) > 20 {
		c.add(ptr, "too_long", 20)
		return false
	}
	if !c.v.Codes.Has(table, code, c.on) {
		c.add(ptr, "unknown_code", code, table, c.on.In(jinguan.China).Format("2006-01-02"))
		return false
	}
	return true
}

func (c *check) scc(ptr, code string, required bool) {
	if code == "" {
		if required {
			c.add(ptr, "required")
		}
		return
	}
	switch uscc.Problem(code) {
	case "format":
		c.add(ptr, "format", "18 characters of 0-9 and A-Y without I, O, S, V, Z")
	case "check":
		c.add(ptr, "uscc_check")
	}
}

func (c *check) text(ptr, s string, max int, required bool) {
	if s == "" {
		if required {
			c.add(ptr, "required")
		}
		return
	}
	if !utf8.ValidString(s) {
		c.add(ptr, "format", "valid UTF-8")
	} else if utf8.RuneCountInString(s) > max {
		c.add(ptr, "too_long", max)
	}
}

func (c *check) pattern(ptr, s string, re *regexp.Regexp, required bool, want string) {
	if s == "" {
		if required {
			c.add(ptr, "required")
		}
		return
	}
	if !re.MatchString(s) {
		c.add(ptr, "format", want)
	}
}

// maxAmount bounds every quantity, price and weight: far above any real
// consignment, low enough that arithmetic on them stays cheap.
var maxAmount = decimal.New(1, 15)

// positive checks 0 < d ≤ 10^15 with at most `scale` decimals.
func (c *check) positive(ptr string, d decimal.Decimal, scale int32) bool {
	if !d.IsPositive() {
		c.add(ptr, "not_positive")
		return false
	}
	if d.GreaterThan(maxAmount) {
		c.add(ptr, "too_large")
		return false
	}
	if -d.Exponent() > scale && !d.Equal(d.Truncate(scale)) {
		c.add(ptr, "too_many_decimals", scale)
		return false
	}
	return true
}
