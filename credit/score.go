package credit

import (
	"fmt"
	"strconv"
	"strings"
)

// Assessment is an enterprise's grade and score on a day with everything
// behind them: each score line names the events it counts, so the lines
// add up to the score and every point can be traced to a record.
type Assessment struct {
	SCC      string      `json:"scc"`
	On       Date        `json:"on"`
	Model    Model       `json:"model"`
	Grade    Grade       `json:"grade"`
	Score    int         `json:"score"`
	Lines    []ScoreLine `json:"lines"`
	Grounds  []Ground    `json:"grounds"`
	Measures Measures    `json:"measures"`
}

// ScoreLine is one term of the score.
type ScoreLine struct {
	Term   string  `json:"term"`
	Points int     `json:"points"`
	Events []int64 `json:"events,omitempty"`
	TextZH string  `json:"text_zh"`
	TextEN string  `json:"text_en"`
}

// Ground is a dishonest ground: a rule met by an event, in force from
// From until To (0: until repaired or delisted).
type Ground struct {
	Rule           string `json:"rule"`
	Event          int64  `json:"event"`
	From           Date   `json:"from"`
	To             Date   `json:"to,omitzero"`
	Grade          Grade  `json:"grade"`
	Active         bool   `json:"active"`
	Repaired       Date   `json:"repaired_on,omitzero"`
	RepairableFrom Date   `json:"repairable_from,omitzero"` // an active ground's first day a repair may be approved
	TextZH         string `json:"text_zh"`
	TextEN         string `json:"text_en"`
}

// Score terms.
const (
	TermBase       = "base"
	TermTenure     = "tenure"
	TermPenalty    = "penalty"
	TermSmuggling  = "smuggling"
	TermUnpaid     = "unpaid_overdue"
	TermPaidLate   = "paid_late"
	TermCorrection = "corrections"
	TermFinding    = "inspection_finding"
	TermLateReport = "late_annual_report"
	TermBlacklist  = "blacklist"
	TermAccuracy   = "accuracy_bonus"
	TermInspection = "inspection_bonus"
)

// tally adds points; with an Assessment it also writes the line that
// explains them. The daily run passes none and formats nothing.
type tally struct {
	total int
	ex    *Assessment
	pts   int
	term  string
}

// add counts pts and reports whether the caller should explain them.
func (t *tally) add(term string, pts int) bool {
	t.total += pts
	t.term, t.pts = term, pts
	return t.ex != nil && pts != 0
}

// explain writes the line for the last add.
func (t *tally) explain(events []int64, zh, en string) {
	t.ex.Lines = append(t.ex.Lines, ScoreLine{Term: t.term, Points: t.pts, Events: events, TextZH: zh, TextEN: en})
}

// score is the points model over the window (day − WindowMonths, day].
func (x *engine) score(s *subject, ev *cols, day int32, sc *scratch, ex *Assessment) int {
	c := &x.cfg.Score
	t := tally{ex: ex}
	if t.add(TermBase, c.Base) {
		t.explain(nil, "基础分", "base points")
	}
	if years := tenureYears(s.registered, day); years > 0 {
		if t.add(TermTenure, min(years*c.TenurePerYear, c.TenureMax)) {
			t.explain(nil, fmt.Sprintf("在海关注册满 %d 年（每年 %+d，上限 %d）", years, c.TenurePerYear, c.TenureMax),
				fmt.Sprintf("registered %d full years (%+d a year, at most %d)", years, c.TenurePerYear, c.TenureMax))
		}
	}
	lo := addMonths(day, -c.WindowMonths)
	in := func(i int) bool { return !sc.dead[i] && ev.on[i] > lo && ev.on[i] <= day }
	var nCorr, nFind int
	var decls, inspections int64
	for i := 0; i < ev.len(); i++ {
		on, id := Date(ev.on[i]), ev.id[i]
		switch ev.kind[i] {
		case kPenalty:
			if !in(i) {
				continue
			}
			pts, amt := c.PenaltyUnintentional, 0
			if ev.flag[i]&fIntentional != 0 {
				pts = c.PenaltyIntentional
			}
			if c.PenaltyPer100K != 0 {
				amt = max(int(ev.amount[i]/10_000_000)*c.PenaltyPer100K, c.PenaltyAmountCap)
			}
			if t.add(TermPenalty, pts+amt) {
				how, howEN := "非故意", "unintentional"
				if ev.flag[i]&fIntentional != 0 {
					how, howEN = "故意", "intentional"
				}
				t.explain([]int64{id}, fmt.Sprintf("%s 行政处罚（%s %+d；罚款 %s 元 %+d）", on, how, pts, yuan(ev.amount[i]), amt),
					fmt.Sprintf("%s administrative penalty (%s %+d; CNY %s %+d)", on, howEN, pts, yuan(ev.amount[i]), amt))
			}
		case kSmuggling:
			if !in(i) {
				continue
			}
			if ev.flag[i]&fCriminal != 0 {
				if t.add(TermSmuggling, c.SmugglingCriminal) {
					t.explain([]int64{id}, on.String()+" 走私犯罪", on.String()+" smuggling crime")
				}
			} else if t.add(TermSmuggling, c.Smuggling) {
				t.explain([]int64{id}, on.String()+" 走私行为被行政处罚", on.String()+" smuggling case (administrative)")
			}
		case kUnpaidTax, kUnpaidFine:
			if sc.dead[i] || ev.on[i] > day {
				continue
			}
			due, paid := Date(ev.aux[i]), Date(sc.settled[i])
			what, whatEN := "税款", "taxes"
			if ev.kind[i] == kUnpaidFine {
				what, whatEN = "罚没款", "fine"
			}
			switch {
			case paid == 0 || int32(paid) > day: // still owed, however long ago it fell due
				if t.add(TermUnpaid, c.UnpaidOverdue) {
					t.explain([]int64{id}, fmt.Sprintf("%s %s 元逾期未缴（缴款期限 %s）", what, yuan(ev.amount[i]), due),
						fmt.Sprintf("%s of CNY %s unpaid since %s", whatEN, yuan(ev.amount[i]), due))
				}
			case paid > due && int32(paid) > lo:
				if t.add(TermPaidLate, c.PaidLate) {
					t.explain([]int64{id}, fmt.Sprintf("%s %s 元逾期缴纳（期限 %s，缴纳 %s）", what, yuan(ev.amount[i]), due, paid),
						fmt.Sprintf("%s of CNY %s paid late (due %s, paid %s)", whatEN, yuan(ev.amount[i]), due, paid))
				}
			}
		case kCorrection, kRejection:
			if in(i) {
				nCorr++
			}
		case kFinding:
			if in(i) {
				nFind++
				if t.add(TermFinding, c.InspectionFinding) {
					t.explain([]int64{id}, on.String()+" 查验发现问题", on.String()+" inspection finding")
				}
			}
		case kLateReport:
			if in(i) && t.add(TermLateReport, c.LateReport) {
				t.explain([]int64{id}, on.String()+" 未按时报送年报", on.String()+" annual report late")
			}
		case kBlacklist:
			if !sc.dead[i] && ev.on[i] <= day && (sc.ended[i] == 0 || day < sc.ended[i]) && t.add(TermBlacklist, c.Blacklist) {
				t.explain([]int64{id}, "列入联合惩戒名单（"+on.String()+" 起）", "on a joint-punishment list since "+on.String())
			}
		case kActivity:
			if in(i) {
				decls += int64(ev.aux[i])
				inspections += int64(ev.aux2[i])
			}
		}
	}
	// ids lists the events of the window of the given kinds, for lines
	// that count several.
	ids := func(kinds ...uint8) []int64 {
		var out []int64
		for i := 0; i < ev.len(); i++ {
			for _, k := range kinds {
				if ev.kind[i] == k && in(i) {
					out = append(out, ev.id[i])
				}
			}
		}
		return out
	}
	if nCorr > 0 && t.add(TermCorrection, max(nCorr*c.Correction, c.CorrectionCap)) {
		t.explain(ids(kCorrection, kRejection),
			fmt.Sprintf("报关单修改、撤销或退单 %d 次（每次 %+d，合计不低于 %d）", nCorr, c.Correction, c.CorrectionCap),
			fmt.Sprintf("%d declaration corrections or rejections (%+d each, %d at most)", nCorr, c.Correction, c.CorrectionCap))
	}
	if c.AccuracyMinDecl > 0 && decls >= int64(c.AccuracyMinDecl) && int64(nCorr)*1000 <= decls*int64(c.AccuracyMaxPerMille) &&
		t.add(TermAccuracy, c.AccuracyBonus) {
		t.explain(ids(kActivity, kCorrection, kRejection),
			fmt.Sprintf("申报 %d 票，修改撤销退单 %d 次（不超过千分之 %d）", decls, nCorr, c.AccuracyMaxPerMille),
			fmt.Sprintf("%d declarations with %d corrections or rejections (at most %d‰)", decls, nCorr, c.AccuracyMaxPerMille))
	}
	if c.InspectionMin > 0 && inspections >= int64(c.InspectionMin) && int64(nFind)*1000 <= inspections*int64(c.InspectionMaxPerMille) &&
		t.add(TermInspection, c.InspectionBonus) {
		t.explain(ids(kActivity, kFinding),
			fmt.Sprintf("查验 %d 票，发现问题 %d 次（不超过千分之 %d）", inspections, nFind, c.InspectionMaxPerMille),
			fmt.Sprintf("%d inspections with %d findings (at most %d‰)", inspections, nFind, c.InspectionMaxPerMille))
	}
	return t.total
}

// tenureYears counts full years from registration to day.
func tenureYears(reg, day int32) int {
	if reg == 0 || reg > day {
		return 0
	}
	ry, rm, rd := civil(reg)
	y, m, d := civil(day)
	n := int(y - ry)
	if m < rm || (m == rm && d < rd) {
		n--
	}
	return n
}

// yuan formats fen as 1,234,567.89.
func yuan(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	whole := strconv.FormatInt(fen/100, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	fmt.Fprintf(&b, ".%02d", fen%100)
	return b.String()
}

// groundText says why a ground exists.
func groundText(rule string, ev *cols, i int, sc *scratch) (zh, en string) {
	on := Date(ev.on[i])
	switch rule {
	case RuleSmugglingCriminal:
		return on.String() + " 构成走私犯罪", on.String() + " smuggling crime"
	case RuleSmuggling:
		return on.String() + " 走私行为被海关行政处罚", on.String() + " smuggling penalised by customs"
	case RulePenaltyRatio:
		return on.String() + " 起一年内违反海关监管规定被处罚次数超过上年度单证票数的比例且罚款金额超过限额",
			"penalties in the year to " + on.String() + " exceed the share of last year's documents and the amount limit"
	case RuleUnpaidTax, RuleUnpaidFine:
		what, whatEN := "税款", "taxes"
		if rule == RuleUnpaidFine {
			what, whatEN = "罚没款", "fine"
		}
		zh = fmt.Sprintf("%s %s 元缴款期限 %s 届满后逾期未缴", what, yuan(ev.amount[i]), Date(ev.aux[i]))
		en = fmt.Sprintf("%s of CNY %s due %s left unpaid", whatEN, yuan(ev.amount[i]), Date(ev.aux[i]))
		if sc.settled[i] != 0 {
			zh += "（" + Date(sc.settled[i]).String() + " 已缴纳）"
			en += " (paid " + Date(sc.settled[i]).String() + ")"
		}
		return zh, en
	case RuleBlacklist:
		return on.String() + " 列入失信联合惩戒名单", on.String() + " put on a joint-punishment list"
	}
	return rule, rule
}
