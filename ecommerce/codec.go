package ecommerce

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unsafe"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/tariff"
)

// Storage codec. Documents are stored positionally: the string elements
// of the head in field order separated by US (0x1f), each item after an
// RS (0x1e), its elements separated by US. Element names are not
// repeated, so a stored list is a third of its JSON. Schema checks refuse
// control characters, so the separators cannot occur in values. A
// leading version byte allows a later format.

const (
	codecV1 = '1'
	us      = 0x1f
	rs      = 0x1e
	gs      = 0x1d // separates a list from its decision
)

func appendFields(b []byte, base unsafe.Pointer, ms []fieldMeta) []byte {
	for i := range ms {
		if i > 0 {
			b = append(b, us)
		}
		b = append(b, *field(base, &ms[i])...)
	}
	return b
}

// encodeDoc encodes a head and its items.
func encodeDoc[I any](head unsafe.Pointer, hf []fieldMeta, items []I, itf []fieldMeta) []byte {
	n := 1
	for i := range hf {
		n += 1 + len(*field(head, &hf[i]))
	}
	for k := range items {
		for i := range itf {
			n += 1 + len(*field(unsafe.Pointer(&items[k]), &itf[i]))
		}
	}
	b := make([]byte, 0, n)
	b = append(b, codecV1)
	b = appendFields(b, head, hf)
	for k := range items {
		b = append(b, rs)
		b = appendFields(b, unsafe.Pointer(&items[k]), itf)
	}
	return b
}

// setFields fills the fields ms of the struct at base from b; the values
// share one string.
func setFields(b string, base unsafe.Pointer, ms []fieldMeta, name string) error {
	for i := range ms {
		j := strings.IndexByte(b, us)
		if i == len(ms)-1 {
			if j >= 0 {
				return fmt.Errorf("stored %s has more than %d elements", name, len(ms))
			}
			j = len(b)
		} else if j < 0 {
			return fmt.Errorf("stored %s has %d elements, want %d", name, i+1, len(ms))
		}
		*field(base, &ms[i]) = b[:j]
		if j < len(b) {
			b = b[j+1:]
		}
	}
	return nil
}

// decodeDoc fills head and, unless items is nil, the items.
func decodeDoc[I any](b []byte, head unsafe.Pointer, hf []fieldMeta, name string, items *[]I, itf []fieldMeta) error {
	if len(b) == 0 || b[0] != codecV1 {
		return fmt.Errorf("unknown stored document format")
	}
	all := string(b[1:])
	h, rest, more := strings.Cut(all, string(rune(rs)))
	if err := setFields(h, head, hf, name); err != nil {
		return err
	}
	if items == nil {
		if more {
			return fmt.Errorf("stored document has unexpected items")
		}
		return nil
	}
	if !more {
		*items = []I{}
		return nil
	}
	out := make([]I, strings.Count(rest, string(rune(rs)))+1)
	for i := range out {
		p, r, _ := strings.Cut(rest, string(rune(rs)))
		if err := setFields(p, unsafe.Pointer(&out[i]), itf, name+" item"); err != nil {
			return err
		}
		rest = r
	}
	*items = out
	return nil
}

// EncodeStored encodes an order, payment or waybill for the store.
func EncodeStored(d *Doc) []byte {
	switch d.Kind {
	case KindOrder:
		return encodeDoc(unsafe.Pointer(&d.Order.Head), orderHeadFields, d.Order.Items, orderItemFields)
	case KindPayment:
		return encodeDoc[struct{}](unsafe.Pointer(&d.Payment.Head), paymentHeadFields, nil, nil)
	case KindWaybill:
		return encodeDoc[struct{}](unsafe.Pointer(&d.Waybill.Head), waybillHeadFields, nil, nil)
	case KindInventory:
		return encodeDoc(unsafe.Pointer(&d.Inventory.Head), inventoryHeadFields, d.Inventory.Items, inventoryItemFields)
	}
	return nil
}

// DecodeStored decodes a stored document of a kind.
func DecodeStored(kind Kind, b []byte) (Doc, error) {
	d := Doc{Kind: kind}
	var err error
	switch kind {
	case KindOrder:
		d.Order = &Order{}
		err = decodeDoc(b, unsafe.Pointer(&d.Order.Head), orderHeadFields, "OrderHead", &d.Order.Items, orderItemFields)
	case KindPayment:
		d.Payment = &Payment{}
		err = decodeDoc[struct{}](b, unsafe.Pointer(&d.Payment.Head), paymentHeadFields, "PaymentHead", nil, nil)
	case KindWaybill:
		d.Waybill = &Waybill{}
		err = decodeDoc[struct{}](b, unsafe.Pointer(&d.Waybill.Head), waybillHeadFields, "WaybillHead", nil, nil)
	case KindInventory:
		d.Inventory = &Inventory{}
		err = decodeDoc(b, unsafe.Pointer(&d.Inventory.Head), inventoryHeadFields, "InventoryHead", &d.Inventory.Items, inventoryItemFields)
	default:
		err = fmt.Errorf("kind %s is not stored", kind)
	}
	return d, err
}

// storedDecision is the decision part of a stored list, short names.
type storedDecision struct {
	Reasons   []Reason   `json:"r,omitempty"`
	Tax       *storedTax `json:"t,omitempty"`
	Lane      string     `json:"l,omitempty"`
	LaneWhy   string     `json:"w,omitempty"`
	Hits      []Hit      `json:"h,omitempty"`
	DecidedAt int64      `json:"a,omitempty"`
}

type storedTax struct {
	TaxNo   string               `json:"n"`
	Status  string               `json:"s"`
	Channel string               `json:"c"`
	Rule    string               `json:"r"`
	Sums    [5]decimal.Decimal   `json:"v"` // duty, VAT, CT, total, value
	Items   [][4]decimal.Decimal `json:"i"` // taxPrice, duty, VAT, CT

	fen *billFen // the amounts in fen, when the bill has them: written as the decimals would be
}

var retailRules = map[string]tariff.Rule{}

func init() {
	for _, r := range []tariff.Rule{tariff.RuleRetailWithin, tariff.RuleRetailFull, tariff.RuleRetailOverYear, tariff.RuleRetailOverTxn} {
		retailRules[r.Code] = r
	}
}

// encodeList encodes a list with its decision for the store.
func encodeList(d *ListDoc) []byte {
	raw := d.Inventory.raw
	if raw == nil {
		raw = encodeDoc(unsafe.Pointer(&d.Inventory.Head), inventoryHeadFields, d.Inventory.Items, inventoryItemFields)
	}
	b := make([]byte, 0, len(raw)+512)
	b = append(b, raw...)
	sd := storedDecision{Reasons: d.Reasons, Lane: d.Lane, LaneWhy: d.LaneWhy, Hits: d.Hits}
	if d.DecidedAt != nil {
		sd.DecidedAt = d.DecidedAt.UnixMicro()
	}
	if t := d.Tax; t != nil {
		st := &storedTax{TaxNo: t.TaxNo, Status: t.Status, Channel: t.Channel, Rule: t.Rule, fen: t.fen}
		if t.fen == nil {
			st.Sums = [5]decimal.Decimal{t.CustomsTax, t.ValueAddedTax, t.ConsumptionTax, t.Total, t.Value}
			for _, it := range t.Items {
				st.Items = append(st.Items, [4]decimal.Decimal{it.TaxPrice, it.CustomsTax, it.ValueAddedTax, it.ConsumptionTax})
			}
		}
		sd.Tax = st
	}
	b = append(b, gs)
	return appendStoredDecision(b, &sd)
}

// DecodeList decodes a stored list with its decision.
func DecodeList(b []byte) (ListDoc, error) {
	var d ListDoc
	i := bytes.LastIndexByte(b, gs)
	if i < 0 {
		return d, fmt.Errorf("stored list has no decision part")
	}
	inv, err := DecodeStored(KindInventory, b[:i])
	if err != nil {
		return d, err
	}
	d.Inventory = inv.Inventory
	var sd storedDecision
	if err := json.Unmarshal(b[i+1:], &sd); err != nil {
		return d, err
	}
	d.Reasons, d.Lane, d.LaneWhy, d.Hits = sd.Reasons, sd.Lane, sd.LaneWhy, sd.Hits
	if sd.DecidedAt != 0 {
		t := time.UnixMicro(sd.DecidedAt).UTC()
		d.DecidedAt = &t
	}
	if st := sd.Tax; st != nil {
		h := &d.Inventory.Head
		r := retailRules[st.Rule]
		t := &TaxBill{InvtNo: h.InvtNo, TaxNo: st.TaxNo, OrderNo: h.OrderNo, LogisticsNo: h.LogisticsNo, AssureCode: h.AssureCode,
			EbcCode: h.EbcCode, LogisticsCode: h.LogisticsCode, AgentCode: h.AgentCode, CustomsCode: h.CustomsCode,
			CustomsTax: st.Sums[0], ValueAddedTax: st.Sums[1], ConsumptionTax: st.Sums[2], Total: st.Sums[3], Value: st.Sums[4],
			Status: st.Status, Channel: st.Channel, Rule: st.Rule, RuleZH: r.ZH, RuleEN: r.EN}
		for k, it := range st.Items {
			ti := TaxItem{TaxPrice: it[0], CustomsTax: it[1], ValueAddedTax: it[2], ConsumptionTax: it[3]}
			if k < len(d.Inventory.Items) {
				fmt.Sscan(d.Inventory.Items[k].Gnum, &ti.Gnum)
				ti.Gcode = d.Inventory.Items[k].Gcode
			}
			t.Items = append(t.Items, ti)
		}
		d.Tax = t
	}
	return d, nil
}
