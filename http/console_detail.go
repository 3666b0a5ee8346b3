package http

import (
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/refdata"
)

type detailData struct {
	D      *declaration.Declaration
	Head   []labelled
	Events []declaration.Event
	Rates  []labelled // lane rates of the risk decision, in lane order
	FX     []labelled // exchange rates used by the tax assessment
	Forms  map[string]bool
	Lanes  []declaration.Lane // where a reroute may send it
	Kinds  []string
	PayDue string
	// BillRows are the declaration's tax bills (console_tariff.go).
	BillRows []billRow
	// ReleaseByOther: the release waits for an officer other than this one.
	ReleaseByOther bool
	// AuditByOther: the audit waits for an officer who took no part.
	AuditByOther bool
	action       string
	posted       url.Values
}

// labelled is a field: Key is a message-table key, Value is data.
type labelled struct{ Key, Value string }

// Val refills a field of the form that was just posted and failed.
func (d detailData) Val(action, field string) string {
	if d.action != action {
		return ""
	}
	return d.posted.Get(field)
}

func newDetailData(v *cview, p auth.Principal, d *declaration.Declaration, evs []declaration.Event, action string, posted url.Values) detailData {
	out := detailData{D: d, Head: headFields(v, d), Events: evs, Forms: map[string]bool{},
		Kinds: []string{"hs", "value", "quantity", "origin", "prohibited", "other"}, action: action, posted: posted}
	if d.Risk != nil {
		for _, l := range allLanes {
			if r, ok := d.Risk.Rates[l]; ok {
				out.Rates = append(out.Rates, labelled{"lane." + string(l), fraction(r)})
			}
		}
	}
	if d.Tax != nil {
		keys := make([]string, 0, len(d.Tax.Rates))
		for k := range d.Tax.Rates {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out.FX = append(out.FX, labelled{k, d.Tax.Rates[k]})
		}
		out.PayDue = d.Tax.Total.StringFixed(2)
	}
	for name, a := range consoleActions {
		out.Forms[name] = declaration.Can(a.action, d.Status) && slices.Contains(a.roles, p.Role)
	}
	// Separation of duties (选查处分离): the service refuses a release by
	// whoever selected or inspected, so the form is not offered to them.
	if out.Forms["release"] && ((d.Inspection != nil && d.Inspection.Officer == p.User) || (d.Risk != nil && d.Risk.DecidedBy == p.User)) {
		out.Forms["release"], out.ReleaseByOther = false, true
	}
	if out.Forms["record_audit"] && ((d.Inspection != nil && d.Inspection.Officer == p.User) ||
		(d.Risk != nil && d.Risk.DecidedBy == p.User) || d.ReleasedBy == p.User) {
		out.Forms["record_audit"], out.AuditByOther = false, true
	}
	for _, l := range allLanes {
		if l != d.Lane {
			out.Lanes = append(out.Lanes, l)
		}
	}
	return out
}

// AnyForm reports whether any action form (or the note why not) is shown.
func (d detailData) AnyForm() bool {
	if d.ReleaseByOther || d.AuditByOther {
		return true
	}
	for _, ok := range d.Forms {
		if ok {
			return true
		}
	}
	return false
}

func headFields(v *cview, d *declaration.Declaration) []labelled {
	h := d.Head
	party := func(name, scc string) string {
		if scc == "" {
			return name
		}
		return strings.TrimSpace(name + " (" + scc + ")")
	}
	charge := func(c *declaration.Charge) string {
		switch {
		case c == nil:
			return ""
		case c.Mark == "1":
			return c.Rate.String() + "%"
		default:
			return strings.TrimSpace(c.Rate.String() + " " + c.Currency)
		}
	}
	fs := []labelled{
		{"f.entry_id", d.EntryID}, {"f.seq_no", d.SeqNo}, {"f.status", v.Status(d.Status)},
		{"f.declared_at", v.Time(d.DeclaredAt)}, {"f.updated_at", v.Time(d.UpdatedAt)}, {"f.submitter", d.Submitter},
		{"f.custom_master", v.Named(refdata.CustomsDistrict, h.CustomMaster)}, {"f.ie_port", v.Named(refdata.CustomsDistrict, h.IEPort)},
		{"f.ie_flag", v.IE(h.IEFlag)}, {"f.ie_date", h.IEDate},
		{"f.trade_co", party(h.TradeName, h.TradeCoScc)}, {"f.owner", party(h.OwnerName, h.OwnerCodeScc)},
		{"f.agent", party(h.AgentName, h.AgentCodeScc)},
		{"f.trade_mode", v.Named(refdata.TradeMode, h.TradeMode)}, {"f.cut_mode", v.Named(refdata.LevyNature, h.CutMode)},
		{"f.traf_mode", v.Named(refdata.TransportMode, h.TrafMode)}, {"f.traf_name", h.TrafName},
		{"f.voyage_no", h.VoyageNo}, {"f.bill_no", h.BillNo}, {"f.trans_mode", v.Named(refdata.TransactionTerm, h.TransMode)},
		{"f.fee", charge(h.Fee)}, {"f.insur", charge(h.Insur)}, {"f.other", charge(h.Other)},
		{"f.trade_area", v.Named(refdata.Country, h.TradeAreaCode)}, {"f.trade_country", v.Named(refdata.Country, h.TradeCountry)},
		{"f.distinate_port", h.DistinatePort},
		{"f.desp_port", h.DespPortCode}, {"f.enty_port", h.EntyPortCode},
		{"f.pack_no", strconv.Itoa(h.PackNo)}, {"f.wrap_type", v.Named(refdata.WrapType, h.WrapType)},
		{"f.gross_wet", h.GrossWet.String()}, {"f.net_wt", h.NetWt.String()},
		{"f.manual_no", h.ManualNo}, {"f.promise_items", h.PromiseItems}, {"f.decl_type", h.DeclType}, {"f.note_s", h.NoteS},
	}
	if d.LateDays > 0 {
		fs = append(fs, labelled{"f.late_days", strconv.Itoa(d.LateDays)})
	}
	if d.Amendments > 0 {
		fs = append(fs, labelled{"f.amendments", strconv.Itoa(d.Amendments)})
	}
	out := fs[:0]
	for _, f := range fs {
		if f.Value != "" {
			out = append(out, f)
		}
	}
	return out
}

// fraction shows a lane rate kept as a fraction ("0.05") in percent.
func fraction(s string) string {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return s
	}
	return d.Shift(2).String() + "%"
}
