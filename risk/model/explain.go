package model

import (
	"fmt"
	"math"
	"strings"

	"github.com/jinguan-customs/jinguan/risk/model/gbdt"
)

// Factor is one attribute's part in an item's score, in an officer's words.
type Factor struct {
	Feature string  // the attribute: importer, hs6_origin, unit_value, …
	Effect  float64 // how far it moved the score, in log-odds
	ZH, EN  string
}

// explainer groups the feature columns by attribute, once per model.
type explainer struct {
	group  []int    // column → attribute
	groups []string // attribute names, in column order
	col    map[string]int
}

func (m *Model) explainer() *explainer {
	m.explainOnce.Do(func() {
		ex := &explainer{col: map[string]int{}}
		at := map[string]int{}
		for i, name := range m.Features.Names() {
			ex.col[name] = i
			g := attribute(name)
			k, ok := at[g]
			if !ok {
				k = len(ex.groups)
				at[g] = k
				ex.groups = append(ex.groups, g)
			}
			ex.group = append(ex.group, k)
		}
		m.ex = ex
	})
	return m.ex
}

// Explain returns up to n attributes that raised the item's score most
// (path attribution over the trees, the columns of one attribute — its
// code, profile rate and count — added together). When nothing raised it,
// the attributes that moved it most either way.
func (m *Model) Explain(r *Record, n int) []Factor {
	ex := m.explainer()
	var xb [gbdt.RowBytes]uint8
	m.scorer().bins(r, &xb)
	c := make([]float64, len(ex.group))
	m.Trees.ContributionsBinned(xb[:len(ex.group)], c)
	effect := make([]float64, len(ex.groups))
	for i, v := range c {
		effect[ex.group[i]] += v
	}
	raised := false
	for _, e := range effect {
		raised = raised || e > 0
	}
	key := func(e float64) float64 { // what ranks: the rise, or the size when nothing rose
		if raised {
			return e
		}
		return math.Abs(e)
	}
	// The n largest by selection: n is small, and a sort of every attribute cost more than the walk.
	var fs []Factor
	taken := make([]bool, len(effect))
	for len(fs) < n {
		best := -1
		for k, e := range effect {
			if !taken[k] && (!raised || e > 0) && (best < 0 || key(e) > key(effect[best])) {
				best = k
			}
		}
		if best < 0 {
			break
		}
		taken[best] = true
		fs = append(fs, Factor{Feature: ex.groups[best], Effect: effect[best]})
	}
	x := m.Features.Vector(r)
	for i := range fs {
		fs[i].ZH, fs[i].EN = m.words(fs[i], r, x, ex.col)
	}
	return fs
}

func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// attribute is the attribute a feature column describes.
func attribute(name string) string {
	for _, p := range []string{"code_", "profile_", "count_"} {
		if s, ok := strings.CutPrefix(name, p); ok {
			return s
		}
	}
	return name
}

// attributeNames are zh and en names of attributes, the mappings' extra
// columns included.
var attributeNames = map[string][2]string{
	"office": {"关区", "customs office"}, "declarant": {"申报单位", "declaring agent"},
	"importer": {"收发货人", "importer"}, "seller": {"境外发货人", "seller"}, "courier": {"承运人", "courier"},
	"hs2": {"商品章", "HS chapter"}, "hs4": {"商品品目", "HS heading"}, "hs6": {"商品子目", "HS subheading"},
	"origin": {"原产国", "origin country"}, "departure": {"启运国", "departure country"}, "tax_type": {"征免方式", "tax type"},
	"hs6_origin":         {"该商品自该原产国", "this commodity from this origin"},
	"office_importer":    {"该收发货人在本关区", "this importer at this office"},
	"office_hs6":         {"本关区该商品", "this commodity at this office"},
	"declarant_importer": {"该申报单位代理该收发货人", "this agent for this importer"},
	"importer_hs6":       {"该收发货人的该商品", "this importer's imports of this commodity"},
	"seller_hs6":         {"该发货人的该商品", "this seller's shipments of this commodity"},
	"ie_port":            {"进出境口岸", "port of entry"}, "owner": {"消费使用单位", "consignee"},
	"trade_mode": {"监管方式", "trade mode"}, "traf_mode": {"运输方式", "transport mode"},
	"trans_mode": {"成交方式", "terms of sale"}, "trade_curr": {"币制", "currency"},
	"process_type": {"通关程序", "process type"}, "import_type": {"进口类型", "import type"},
	"import_use": {"进口用途", "import use"}, "payment_type": {"付款方式", "payment type"},
	"transport_mode": {"运输方式", "transport mode"}, "origin_indicator": {"原产地标识", "origin indicator"},
	"tax_rate": {"税率", "tax rate"}, "mass": {"净重", "net mass"}, "value": {"申报总价", "declared value"},
	"quantity": {"成交数量", "quantity"}, "unit_value": {"申报单价", "unit value"},
	"value_per_kg": {"每千克价值", "value per kg"}, "tax_amount": {"按税率计税额", "tax at the declared rate"},
	"month": {"申报月份", "month declared"}, "weekday": {"申报星期", "weekday declared"}, "day": {"申报日", "day of month declared"},
}

func attributeName(a string) (zh, en string) {
	if n, ok := attributeNames[a]; ok {
		return n[0], n[1]
	}
	return a, strings.ReplaceAll(a, "_", " ")
}

// words describes one factor with the item's own values.
func (m *Model) words(f Factor, r *Record, x []float64, col map[string]int) (zh, en string) {
	nzh, nen := attributeName(f.Feature)
	dirZH, dirEN := "，推高风险", ", raises the score"
	if f.Effect < 0 {
		dirZH, dirEN = "，降低风险", ", lowers the score"
	}
	if i, ok := col["profile_"+f.Feature]; ok {
		rate, count := x[i], x[col["count_"+f.Feature]]
		prior := m.Features.Prior
		if count == 0 {
			return fmt.Sprintf("%s无历史记录，按平均查获率 %.2f 计%s", nzh, prior, dirZH),
				fmt.Sprintf("%s: no history, the average finding rate %.2f assumed%s", en1(nen), prior, dirEN)
		}
		ratio := ""
		ratioEN := ""
		if prior > 0 {
			ratio, ratioEN = fmt.Sprintf("，为平均水平的 %.1f 倍", rate/prior), fmt.Sprintf(", %.1f× average", rate/prior)
		}
		return fmt.Sprintf("%s既往查获率 %.2f%s（%d 项）%s", nzh, rate, ratio, int(count), dirZH),
			fmt.Sprintf("%s past finding rate %.2f%s (%d items)%s", possessive(nen), rate, ratioEN, int(count), dirEN)
	}
	if v, ok := m.attributeValue(f.Feature, r); ok {
		if v == "" {
			return nzh + "未申报" + dirZH, en1(nen) + " not declared" + dirEN
		}
		return fmt.Sprintf("%s %s%s", nzh, v, dirZH), fmt.Sprintf("%s %s%s", en1(nen), v, dirEN)
	}
	i, ok := col[f.Feature]
	if !ok {
		return nzh + dirZH, en1(nen) + dirEN
	}
	v := x[i]
	switch {
	case f.Feature == "origin_is_departure" && v == 1:
		return "原产国与启运国相同" + dirZH, "origin and departure country are the same" + dirEN
	case f.Feature == "origin_is_departure":
		return "原产国与启运国不同" + dirZH, "origin and departure country differ" + dirEN
	case v == Missing:
		return nzh + "未申报" + dirZH, en1(nen) + " not declared" + dirEN
	case f.Feature == "tax_rate":
		return fmt.Sprintf("%s %s%%%s", nzh, number(v), dirZH), fmt.Sprintf("%s %s%%%s", en1(nen), number(v), dirEN)
	case f.Feature == "mass":
		return fmt.Sprintf("%s %s 千克%s", nzh, number(v), dirZH), fmt.Sprintf("%s %s kg%s", en1(nen), number(v), dirEN)
	}
	return fmt.Sprintf("%s %s%s", nzh, number(v), dirZH), fmt.Sprintf("%s %s%s", en1(nen), number(v), dirEN)
}

// attributeValue is a categorical attribute's value in the record.
func (m *Model) attributeValue(a string, r *Record) (string, bool) {
	for _, k := range catKeys {
		if k.name == a {
			return k.of(r), true
		}
	}
	for j, e := range m.Features.Extra {
		if e == a {
			if j < len(r.Extra) {
				return r.Extra[j], true
			}
			return "", true
		}
	}
	return "", false
}

func en1(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func possessive(s string) string {
	if strings.HasPrefix(s, "this ") {
		return en1(s) + ":"
	}
	return en1(s) + "'s"
}

// number prints a value with a precision that suits its size.
func number(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1000:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.3g", v)
}
