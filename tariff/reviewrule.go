package tariff

import (
	"fmt"
	"reflect"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/cost"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/ext"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
)

// A batch re-review's rule is a CEL expression over `decl` and `item`
// (ReviewDecl, ReviewItem): it picks the items whose taxes are computed
// again, e.g. `item.code_ts == "8471300000" && item.origin_country == "KOR"`.

// ReviewDecl is what a rule sees of the declaration.
type ReviewDecl struct {
	EntryID   string  `cel:"entry_id"`
	Trader    string  `cel:"trader"` // trade_co_scc
	Agent     string  `cel:"agent"`
	Office    string  `cel:"office"` // custom_master
	TradeMode string  `cel:"trade_mode"`
	Terms     string  `cel:"terms"` // trans_mode
	Country   string  `cel:"trading_country"`
	Lane      string  `cel:"lane"`
	Date      string  `cel:"date"` // declaration date YYYY-MM-DD
	TaxTotal  float64 `cel:"tax_total"`
}

// ReviewItem is what a rule sees of one item and its assessment.
type ReviewItem struct {
	GNo          int64   `cel:"g_no"`
	CodeTS       string  `cel:"code_ts"`
	Name         string  `cel:"g_name"`
	Origin       string  `cel:"origin_country"`
	Agreement    string  `cel:"agreement"`
	Total        float64 `cel:"decl_total"` // in the trade currency
	Currency     string  `cel:"trade_curr"`
	FirstQty     float64 `cel:"first_qty"`
	CustomsValue float64 `cel:"customs_value"` // CNY
	DutyCategory string  `cel:"duty_category"`
	DutyRule     string  `cel:"duty_rule"` // the deciding rule's code
	DutyRate     float64 `cel:"duty_rate"`
	Duty         float64 `cel:"duty"`
}

// maxRuleCost bounds a rule's worst-case evaluation cost.
const maxRuleCost = 10_000

var reviewEnv = func() *cel.Env {
	env, err := cel.NewEnv(
		ext.NativeTypes(reflect.TypeOf(ReviewDecl{}), reflect.TypeOf(ReviewItem{}), ext.ParseStructTags(true)),
		cel.Variable("decl", cel.ObjectType("tariff.ReviewDecl")),
		cel.Variable("item", cel.ObjectType("tariff.ReviewItem")),
		ext.Strings(),
	)
	if err != nil {
		panic(err) // fixed types: a test catches it
	}
	return env
}()

// reviewRule is a checked rule.
type reviewRule struct{ prog cel.Program }

// compileRule checks a rule: syntax, fields, a boolean result and the cost
// bound; problems are field errors at ptr with line and column.
func compileRule(expr, ptr string) (*reviewRule, []jinguan.FieldError) {
	bad := func(code, zh, en string) []jinguan.FieldError {
		return []jinguan.FieldError{{Pointer: ptr, Code: code, MessageZH: zh, MessageEN: en}}
	}
	if expr == "" || len(expr) > 4000 {
		return nil, bad("length", "规则须为1至4000个字符的CEL表达式", "a rule is a CEL expression of 1 to 4000 characters")
	}
	ast, iss := reviewEnv.Compile(expr)
	if iss != nil && iss.Err() != nil {
		var errs []jinguan.FieldError
		for _, e := range iss.Errors() {
			at := fmt.Sprintf("%d:%d", e.Location.Line(), e.Location.Column()+1)
			errs = append(errs, jinguan.FieldError{Pointer: ptr, Code: "cel_compile",
				MessageZH: "规则第 " + at + " 处错误：" + e.Message, MessageEN: "rule error at " + at + ": " + e.Message})
		}
		return nil, errs
	}
	if !ast.OutputType().IsExactType(cel.BoolType) {
		return nil, bad("cel_type", "规则结果须为布尔值，实为 "+ast.OutputType().String(),
			"the rule must yield a bool, not "+ast.OutputType().String())
	}
	est, err := reviewEnv.EstimateCost(ast, ruleSizes{})
	if err != nil || est.Max > maxRuleCost {
		return nil, bad("cel_cost", fmt.Sprintf("规则最坏情况开销超过上限 %d", maxRuleCost),
			fmt.Sprintf("the rule's worst-case cost exceeds the limit %d", maxRuleCost))
	}
	prog, err := reviewEnv.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, bad("cel_program", "规则无法执行："+err.Error(), "the rule cannot run: "+err.Error())
	}
	return &reviewRule{prog: prog}, nil
}

// matches evaluates the rule; an evaluation error (e.g. a division by
// zero) counts as no match and is reported.
func (r *reviewRule) matches(d *ReviewDecl, it *ReviewItem) (bool, error) {
	out, _, err := r.prog.Eval(map[string]any{"decl": d, "item": it})
	if err != nil {
		return false, err
	}
	b, ok := out.(types.Bool)
	return ok && bool(b), nil
}

// ruleSizes bounds inputs for cost estimation: strings are short codes
// and names.
type ruleSizes struct{}

func (ruleSizes) EstimateSize(n cost.AstNode) *cost.SizeEstimate {
	if p := n.Path(); len(p) > 0 && (p[0] == "decl" || p[0] == "item") {
		return &cost.SizeEstimate{Min: 0, Max: 255}
	}
	return nil
}

func (ruleSizes) EstimateCallCost(string, string, *cost.AstNode, []cost.AstNode) *cost.CallEstimate {
	return nil
}

// reviewFacts builds what a rule sees of d and its items.
func reviewFacts(d *declaration.Declaration) (ReviewDecl, []ReviewItem) {
	rd := ReviewDecl{EntryID: d.EntryID, Trader: d.Head.TradeCoScc, Agent: d.Head.AgentCodeScc, Office: d.Head.CustomMaster,
		TradeMode: d.Head.TradeMode, Terms: d.Head.TransMode, Country: d.Head.TradeCountry, Lane: string(d.Lane),
		Date: d.DeclDate().Format("2006-01-02")}
	items := make([]ReviewItem, len(d.Items))
	for i, it := range d.Items {
		items[i] = ReviewItem{GNo: int64(it.GNo), CodeTS: it.CodeTS, Name: it.GName, Origin: it.OriginCountry,
			Agreement: it.Agreement, Total: it.DeclTotal.InexactFloat64(), Currency: it.TradeCurr,
			FirstQty: it.FirstQty.InexactFloat64()}
	}
	if d.Tax != nil {
		rd.TaxTotal = d.Tax.Total.InexactFloat64()
		for _, x := range d.Tax.Items {
			for i := range items {
				if items[i].GNo == int64(x.GNo) {
					it := &items[i]
					it.CustomsValue, it.DutyCategory, it.DutyRule = x.CustomsValue.InexactFloat64(), x.DutyCategory, x.DutyRuleCode
					it.DutyRate, it.Duty = x.DutyRate.InexactFloat64(), x.Duty.InexactFloat64()
				}
			}
		}
	}
	return rd, items
}
