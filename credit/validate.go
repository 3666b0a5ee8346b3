package credit

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/uscc"
)

// EventInput is an event as submitted: dates as YYYY-MM-DD strings so a
// bad date is reported at its own JSON pointer.
type EventInput struct {
	SCC         string           `json:"scc"`
	Kind        string           `json:"kind"`
	On          string           `json:"on"`
	Source      string           `json:"source"`
	Reference   string           `json:"reference,omitempty"`
	Amount      *decimal.Decimal `json:"amount,omitempty"`
	Intentional *bool            `json:"intentional,omitempty"`
	Criminal    *bool            `json:"criminal,omitempty"`
	DueOn       string           `json:"due_on,omitempty"`
	Until       string           `json:"until,omitempty"`
	Department  string           `json:"department,omitempty"`
	RefersTo    int              `json:"refers_to,omitempty"`
	Supersedes  int              `json:"supersedes,omitempty"`
	Counts      *Counts          `json:"counts,omitempty"`
	Note        string           `json:"note,omitempty"`
}

// EventBatch is an import: every event is stored, or none.
type EventBatch struct {
	Events []EventInput `json:"events"`
}

// MaxBatch bounds one import request; the CLI splits larger files.
const MaxBatch = 10000

// DecodeEvent parses one event body, naming every malformed field.
func DecodeEvent(body []byte) (EventInput, []jinguan.FieldError) {
	var in EventInput
	errs := declaration.DecodeStrict(body, &in)
	return in, errs
}

// DecodeBatch parses an import body.
func DecodeBatch(body []byte) (EventBatch, []jinguan.FieldError) {
	var b EventBatch
	errs := declaration.DecodeStrict(body, &b)
	return b, errs
}

// target is what validation needs to know of a stored event that a new
// one refers to.
type target struct {
	Kind     Kind
	On       Date
	Dead     bool // voided or superseded
	Settled  bool // a settlement refers to it
	Delisted bool // a delisting refers to it
}

// registry answers validation's questions about stored data.
type registry interface {
	known(scc string) bool
	target(scc string, id int64) (target, bool)
	activityOn(scc string, month Date) (int64, bool)
}

var (
	earliest   = Date(3652)         // 1980-01-01: nothing older is a credit record
	maxAmount  = decimal.New(1, 13) // 10 trillion CNY
	maxCount   = 10_000_000         // per month and kind
	maxText    = 200
	maxNote    = 1000
	moneyScale = int32(-2)
)

// validate checks a batch against the registry as of today and converts
// it; every problem is reported with its pointer under prefix.
func validate(ins []EventInput, prefix string, reg registry, today Date) ([]Event, []jinguan.FieldError) {
	var errs []jinguan.FieldError
	out := make([]Event, len(ins))
	// Later events of the batch see what earlier ones did to a target.
	touched := map[int64]target{}
	months := map[string]bool{} // activity of the batch, by enterprise and month
	for i := range ins {
		p := prefix
		if prefix != "" || len(ins) > 1 {
			p = prefix + "/" + strconv.Itoa(i)
		}
		v := &checker{p: p}
		out[i] = v.event(&ins[i], reg, today, touched)
		if e := out[i]; e.Kind == KindActivity && v.errs == nil {
			if k := e.SCC + e.On.String(); months[k] {
				v.add("on", "duplicate_month", "同一批中该月业务量重复", "the batch has this month's activity twice")
			} else {
				months[k] = true
			}
		}
		errs = append(errs, v.errs...)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

type checker struct {
	p    string
	errs []jinguan.FieldError
}

func (c *checker) add(field, code, zh, en string) {
	ptr := c.p
	if field != "" {
		ptr += "/" + field
	}
	c.errs = append(c.errs, jinguan.FieldError{Pointer: ptr, Code: code, MessageZH: zh, MessageEN: en})
}

func (c *checker) text(field, s string, required bool, limit int) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "" && required:
		c.add(field, "required", "必填", "required")
	case utf8.RuneCountInString(s) > limit:
		c.add(field, "too_long", "不得超过 "+strconv.Itoa(limit)+" 个字符", "at most "+strconv.Itoa(limit)+" characters")
	case !utf8.ValidString(s):
		c.add(field, "encoding", "含无效字符", "contains invalid characters")
	}
	return s
}

func (c *checker) date(field, s string, required bool, today Date) Date {
	if s == "" {
		if required {
			c.add(field, "required", "必填", "required")
		}
		return 0
	}
	d, ok := ParseDate(s)
	switch {
	case !ok:
		c.add(field, "date_format", "日期格式应为 YYYY-MM-DD", "a date must be YYYY-MM-DD")
	case d < earliest:
		c.add(field, "too_early", "日期早于 1980-01-01", "the date is before 1980-01-01")
	case today > 0 && d > today && field == "on":
		c.add(field, "future_date", "日期不得晚于今天", "the date may not be in the future")
	}
	return d
}

// forbid reports fields that are set but mean nothing for the kind.
func (c *checker) forbid(set bool, field string, k Kind) {
	if set {
		c.add(field, "not_allowed", "「"+k.NameZH()+"」事件不应有此字段", "not allowed on a "+string(k)+" event")
	}
}

func (c *checker) event(in *EventInput, reg registry, today Date, touched map[int64]target) Event {
	e := Event{Kind: Kind(in.Kind)}
	e.SCC = strings.TrimSpace(in.SCC)
	switch prob := uscc.Problem(e.SCC); {
	case e.SCC == "":
		c.add("scc", "required", "必填", "required")
	case prob == "format":
		c.add("scc", "scc_format", "统一社会信用代码应为 18 位数字或大写字母（不含 I、O、Z、S、V）",
			"a unified social credit code is 18 digits or capital letters (without I, O, Z, S, V)")
	case prob == "check":
		c.add("scc", "scc_check", "统一社会信用代码校验位错误", "the credit code's check character is wrong")
	case !reg.known(e.SCC):
		c.add("scc", "unknown_enterprise", "企业未在海关注册", "no enterprise with this credit code is registered")
	}
	k := e.Kind
	if _, ok := kindNames[k]; !ok {
		if in.Kind == "" {
			c.add("kind", "required", "必填", "required")
		} else {
			c.add("kind", "unknown_kind", "未知的事件类型", "unknown event kind")
		}
		return e // the other fields' rules depend on the kind
	}
	e.On = c.date("on", in.On, true, today)
	e.Source = c.text("source", in.Source, true, maxText)
	e.Reference = c.text("reference", in.Reference, false, maxText)
	e.Note = c.text("note", in.Note, false, maxNote)
	e.Department = c.text("department", in.Department, k == KindBlacklist, maxText)
	c.forbid(e.Department != "" && k != KindBlacklist && k != KindDelisting, "department", k)

	// Amounts: required and positive for penalties and unpaid sums,
	// optional for smuggling and settlements, absent elsewhere.
	needAmount := k == KindPenalty || k == KindUnpaidTax || k == KindUnpaidFine
	mayAmount := needAmount || k == KindSmuggling || k == KindSettlement
	switch a := in.Amount; {
	case a == nil && needAmount:
		c.add("amount", "required", "必填（人民币元）", "required (CNY)")
	case a == nil:
	case !mayAmount:
		c.forbid(true, "amount", k)
	case a.Exponent() < moneyScale && !a.Equal(a.Round(2)):
		c.add("amount", "amount_places", "金额最多两位小数", "an amount has at most two decimals")
	case a.Sign() < 0 || (needAmount && a.Sign() == 0):
		c.add("amount", "amount_positive", "金额应大于零", "the amount must be positive")
	case a.GreaterThanOrEqual(maxAmount):
		c.add("amount", "amount_range", "金额过大", "the amount is too large")
	default:
		e.Amount = a.Round(2)
	}

	if k == KindPenalty {
		if in.Intentional == nil {
			c.add("intentional", "required", "须说明是否故意违法", "say whether the violation was intentional")
		}
		e.Intentional = in.Intentional
	} else {
		c.forbid(in.Intentional != nil, "intentional", k)
	}
	if k == KindSmuggling {
		e.Criminal = in.Criminal != nil && *in.Criminal
	} else {
		c.forbid(in.Criminal != nil, "criminal", k)
	}

	unpaid := k == KindUnpaidTax || k == KindUnpaidFine
	if unpaid {
		e.DueOn = c.date("due_on", in.DueOn, true, 0)
		if e.DueOn > 0 && e.On > 0 && e.DueOn > e.On {
			c.add("due_on", "not_yet_due", "记录欠缴时缴款期限应已届满", "an unpaid sum is recorded after its due date")
		}
	} else {
		c.forbid(in.DueOn != "", "due_on", k)
	}
	if k == KindBlacklist {
		e.Until = c.date("until", in.Until, false, 0)
		if e.Until > 0 && e.On > 0 && e.Until <= e.On {
			c.add("until", "until_before_on", "截止日期应晚于列入日期", "the end must be after the listing date")
		}
	} else {
		c.forbid(in.Until != "", "until", k)
	}

	if k == KindActivity {
		switch n := in.Counts; {
		case n == nil:
			c.add("counts", "required", "必填", "required")
		default:
			for _, f := range []struct {
				name string
				v    int
			}{{"declarations", n.Declarations}, {"lists", n.Lists}, {"manifests", n.Manifests}, {"inspections", n.Inspections}} {
				if f.v < 0 || f.v > maxCount {
					c.add("counts/"+f.name, "count_range", "数量应在 0 到 10,000,000 之间", "a count is between 0 and 10,000,000")
				}
			}
			if n.Inspections > n.Declarations+n.Lists {
				c.add("counts/inspections", "count_range", "查验票数不得多于申报票数", "more inspections than declarations and lists")
			}
			e.Counts = n
		}
		if e.On > 0 && e.On.Time().Day() != 1 {
			c.add("on", "month_start", "业务量按月报送，日期应为当月 1 日", "activity is monthly: on must be the first day of the month")
		} else if id, dup := reg.activityOn(e.SCC, e.On); e.On > 0 && dup && int64(in.Supersedes) != id {
			c.add("on", "duplicate_month", "该月业务量已记录（编号 "+itoa(id)+"），更正请用 supersedes",
				"this month's activity is recorded (event "+itoa(id)+"); correct it with supersedes")
		}
	} else {
		c.forbid(in.Counts != nil, "counts", k)
	}

	c.links(in, &e, reg, touched)
	return e
}

// links checks refers_to and supersedes against the stored record and
// the batch so far.
func (c *checker) links(in *EventInput, e *Event, reg registry, touched map[int64]target) {
	k := e.Kind
	lookup := func(field string, id int) (target, bool) {
		if id <= 0 {
			c.add(field, "unknown_event", "事件编号应为正整数", "an event id is a positive integer")
			return target{}, false
		}
		if t, ok := touched[int64(id)]; ok {
			return t, true
		}
		t, ok := reg.target(e.SCC, int64(id))
		if !ok {
			c.add(field, "unknown_event", "该企业没有此编号的事件", "the enterprise has no event with this id")
		}
		return t, ok
	}
	wants := map[Kind][]Kind{
		KindSettlement: {KindUnpaidTax, KindUnpaidFine, KindPenalty},
		KindDelisting:  {KindBlacklist},
	}
	needRef := k == KindSettlement || k == KindDelisting || k == KindVoid
	switch {
	case in.RefersTo == 0 && needRef:
		c.add("refers_to", "required", "须指明所涉事件编号", "name the event concerned")
	case in.RefersTo != 0 && !needRef:
		c.forbid(true, "refers_to", k)
	case in.RefersTo != 0:
		t, ok := lookup("refers_to", in.RefersTo)
		if !ok {
			break
		}
		e.RefersTo = int64(in.RefersTo)
		switch {
		case t.Dead:
			c.add("refers_to", "already_withdrawn", "所涉事件已被撤销或更正", "that event was withdrawn or corrected")
		case k == KindVoid && t.Kind == KindVoid:
			c.add("refers_to", "wrong_target", "不能撤销撤销记录", "a withdrawal cannot be withdrawn")
		case k != KindVoid && !kindIn(t.Kind, wants[k]):
			c.add("refers_to", "wrong_target", "所涉事件类型不符", "the event concerned is of the wrong kind")
		case k == KindSettlement && t.Settled, k == KindDelisting && t.Delisted:
			c.add("refers_to", "already_settled", "所涉事件已处理", "that event is already settled")
		case e.On > 0 && e.On < t.On:
			c.add("on", "before_target", "日期早于所涉事件", "the date is before the event concerned")
		}
		if c.errs == nil {
			switch k {
			case KindVoid:
				t.Dead = true
			case KindSettlement:
				t.Settled = true
			case KindDelisting:
				t.Delisted = true
			}
			touched[e.RefersTo] = t
		}
	}
	if in.Supersedes != 0 {
		if k == KindVoid || k == KindSettlement || k == KindDelisting {
			c.forbid(true, "supersedes", k)
			return
		}
		t, ok := lookup("supersedes", in.Supersedes)
		switch {
		case !ok:
		case t.Dead:
			c.add("supersedes", "already_withdrawn", "被更正的事件已被撤销或更正", "that event was already withdrawn or corrected")
		case t.Kind != k:
			c.add("supersedes", "wrong_target", "更正事件应与原事件类型相同", "a correction has the kind of the event it corrects")
		default:
			e.Supersedes = int64(in.Supersedes)
			t.Dead = true
			touched[e.Supersedes] = t
		}
	}
}

func kindIn(k Kind, ks []Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// stamp sets what the service, not the submitter, decides.
func stamp(es []Event, by string, at time.Time) {
	for i := range es {
		es[i].RecordedBy, es[i].RecordedAt = by, at.UTC()
	}
}
