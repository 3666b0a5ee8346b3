package demo

import (
	"fmt"
	"math/rand/v2"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/credit"
	"github.com/jinguan-customs/jinguan/enterprise"
)

// CreditStep is one thing the demo's credit record does, in order:
// record an event, take a certification decision or apply for repair.
type CreditStep struct {
	SCC  string
	Do   string         // "event", "certify" or "repair"
	Body map[string]any // the API body
	// Ref names an earlier step whose stored event the body's refers_to
	// points at (−1: none).
	Ref int
	// AsEnterprise: the enterprise's own declarant acts (self-service).
	AsEnterprise bool
}

// CreditRecord gives the demo enterprises records across every grade of
// the 2026 model, relative to today: two advanced-certified traders and a
// certified one, a seriously dishonest one on a joint-punishment list,
// dishonest ones by the per-mille penalty rule and by unpaid taxes, one
// with a paid fine awaiting an officer's repair decision, and regular ones
// with the corrections, findings and late reports that move scores. Every
// enterprise gets twelve months of activity. The random stream then
// inspects them at visibly different rates.
func CreditRecord(ents []enterprise.Enterprise, today credit.Date) []CreditStep {
	r := rand.New(rand.NewPCG(2026, 4))
	var steps []CreditStep
	day := func(daysAgo int) string { return (today - credit.Date(daysAgo)).String() }
	add := func(i int, do string, ref int, body map[string]any) int {
		steps = append(steps, CreditStep{SCC: ents[i].SCC, Do: do, Body: body, Ref: ref})
		return len(steps) - 1
	}
	event := func(i int, kind string, daysAgo int, extra map[string]any) int {
		b := map[string]any{"scc": ents[i].SCC, "kind": kind, "on": day(daysAgo), "source": sourceOf[kind]}
		for k, v := range extra {
			b[k] = v
		}
		return add(i, "event", -1, b)
	}
	// Twelve months of volumes for everyone, and the year before for the
	// per-mille rule.
	for i := range ents {
		volume := 40 + r.IntN(300)
		if i == 10 {
			volume = 150 // Tianhe Toys: 1,800 documents a year
		}
		for m := 1; m <= 24; m++ {
			first := credit.Date(0)
			if d, ok := credit.ParseDate(today.Time().AddDate(0, -m, 0).Format("2006-01") + "-01"); ok {
				first = d
			}
			n := volume + r.IntN(volume/4+1) - volume/8
			lists := 0
			if isBroker(ents[i]) {
				lists = n / 5
			}
			steps = append(steps, CreditStep{SCC: ents[i].SCC, Do: "event", Ref: -1, Body: map[string]any{
				"scc": ents[i].SCC, "kind": "activity", "on": first.String(), "source": sourceOf["activity"],
				"counts": map[string]int{"declarations": n, "lists": lists, "manifests": 0, "inspections": n * (2 + r.IntN(5)) / 100}}})
		}
	}
	// 3 上海东方电子, 9 青岛港湾机械: advanced certification; 7 北京朝阳食品: certified.
	for _, c := range []struct {
		i       int
		level   string
		daysAgo int
	}{{3, "advanced", 700}, {9, "advanced", 400}, {7, "general", 200}} {
		add(c.i, "certify", -1, map[string]any{"action": "grant", "level": c.level,
			"number": fmt.Sprintf("AEOCN%s%06d", ents[c.i].Customs, 1000+c.i), "valid_from": day(c.daysAgo),
			"reference": fmt.Sprintf("署企认〔%d〕%d号", today.Year()-c.daysAgo/365, 30+c.i), "reason": "认证标准全部达标（内部控制、财务状况、守法规范、贸易安全）"})
	}
	// 8 天津滨海汽车配件: listed by the tax administration for major tax violations.
	event(8, "blacklist", 90, map[string]any{"department": "国家税务总局", "reference": "重大税收违法失信主体 2026-0117",
		"note": "虚开增值税专用发票"})
	// 10 广州天河玩具: three intentional penalties over 1,000,000 CNY within a year.
	for k, amt := range []string{"420000", "380000", "510000"} {
		event(10, "penalty", 300-k*110, map[string]any{"amount": amt, "intentional": true,
			"reference": fmt.Sprintf("穗关缉违字〔%d〕%d号", today.Year(), 101+k), "note": "申报不实，影响国家税款征收"})
	}
	// 12 苏州精密仪器: taxes four months overdue, not paid.
	event(12, "unpaid_tax", 100, map[string]any{"amount": "268450.37", "due_on": day(125), "reference": "税款缴款书 230120260318"})
	// 6 深圳福田服装: a fine seven months overdue, paid three weeks ago; the
	// enterprise has applied for repair.
	fine := event(6, "unpaid_fine", 200, map[string]any{"amount": "85000", "due_on": day(215), "reference": "深关缉违字〔2025〕88号"})
	steps = append(steps, CreditStep{SCC: ents[6].SCC, Do: "event", Ref: fine, Body: map[string]any{"scc": ents[6].SCC,
		"kind": "settlement", "on": day(21), "source": sourceOf["settlement"], "amount": "85000", "reference": "罚没款缴款书 530120260412"}})
	steps = append(steps, CreditStep{SCC: ents[6].SCC, Do: "repair", Ref: -1, AsEnterprise: true, Body: map[string]any{
		"reason": "罚款已全额缴纳，已完成内部整改并加强报关复核", "evidence": []map[string]any{
			{"kind": "fine_paid", "reference": "罚没款缴款书 530120260412"},
			{"kind": "rectified", "reference": "整改报告 2026-03", "note": "设立关务专岗，申报前双人复核"}}}})
	// Regular enterprises with what moves their scores.
	for _, d := range []int{20, 75, 140, 230} {
		event(4, "correction", d, map[string]any{"reference": "报关单修改 " + day(d)})
	}
	event(4, "inspection_finding", 60, map[string]any{"reference": "查验记录 2026-HM-17", "note": "实际货物与申报品名不符"})
	event(4, "penalty", 58, map[string]any{"amount": "30000", "intentional": false, "reference": "沪关缉违字〔2026〕21号"})
	event(11, "late_annual_report", 150, map[string]any{"reference": "2025 年度报告"})
	event(1, "rejection", 40, map[string]any{"reference": "退单 5300-2026-0412"})
	event(1, "rejection", 12, map[string]any{"reference": "退单 5300-2026-0533"})
	// 13 厦门海沧酒业: a case recorded against the wrong enterprise, withdrawn.
	wrong := event(13, "smuggling", 45, map[string]any{"amount": "96000", "reference": "厦关缉违字〔2026〕9号"})
	steps = append(steps, CreditStep{SCC: ents[13].SCC, Do: "event", Ref: wrong, Body: map[string]any{"scc": ents[13].SCC,
		"kind": "void", "on": day(44), "source": sourceOf["smuggling"], "note": "案件当事人认定错误，系同名企业"}})
	return steps
}

// rareTraders are the demo's dishonest traders (6 until its repair, 8, 10
// and 12 in CreditRecord): as in practice they declare far less than the
// others, so that their near-certain inspection does not swamp the traffic.
func rareTraders() map[string]bool {
	ents := Enterprises()
	return map[string]bool{ents[6].SCC: true, ents[8].SCC: true, ents[10].SCC: true, ents[12].SCC: true}
}

var sourceOf = map[string]string{
	"activity": "通关统计", "penalty": "行政处罚系统", "smuggling": "缉私案件系统", "unpaid_tax": "税费征收系统",
	"unpaid_fine": "罚没款管理系统", "settlement": "税费征收系统", "correction": "通关系统", "rejection": "通关系统",
	"inspection_finding": "查验系统", "late_annual_report": "企业年报系统", "blacklist": "全国信用信息共享平台",
}

// ListedGuarantee is the general guarantee 广州天河玩具 (dishonest by the
// per-mille penalty rule) lodged before its penalties: registered, with a
// balance, but its grade requires full guarantee, so its goods wait for
// payment all the same — next to the advanced-certified traders' goods
// released on their exemption.
func ListedGuarantee(ents []enterprise.Enterprise) enterprise.GuaranteeAccount {
	return enterprise.GuaranteeAccount{ID: "GA" + ents[10].Customs + "010", SCC: ents[10].SCC, Kind: enterprise.GuaranteeBankLetter,
		Amount: decimal.NewFromInt(20_000_000), ValidFrom: "2025-01-01"}
}
