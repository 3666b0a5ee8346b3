package risk

import (
	"fmt"
	"reflect"
	"sync/atomic"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/cost"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/ext"

	"github.com/jinguan-customs/jinguan"
)

// MaxCost bounds a profile's worst-case evaluation cost, estimated when it
// is saved, so that no analyst rule can slow the pipeline down.
const MaxCost = 10_000

// Lists are named watch-lists (enterprises, countries, HS prefixes, bill
// numbers, containers…) and reference unit prices, read by on_list() and
// ref_price() in profiles. They are replaced as a whole.
type Lists struct {
	Named map[string]map[string]struct{}
	// RefPrices: reference CNY per legal unit by commodity code + "|" + origin.
	RefPrices map[string]float64
}

// Compiler turns profile expressions into programs.
type Compiler struct {
	env   *cel.Env
	lists atomic.Pointer[Lists]
}

// NewCompiler prepares the environment: `decl` and `item` typed as
// DeclInput and ItemInput (fields by their snake_case `cel` names), plus
// on_list(name, value) and ref_price(code, origin).
func NewCompiler() (*Compiler, error) {
	c := &Compiler{}
	c.lists.Store(&Lists{})
	onList := func(name, value ref.Val) ref.Val {
		l := c.lists.Load().Named[string(name.(types.String))]
		_, ok := l[string(value.(types.String))]
		return types.Bool(ok)
	}
	refPrice := func(code, origin ref.Val) ref.Val {
		return types.Double(c.lists.Load().RefPrices[string(code.(types.String))+"|"+string(origin.(types.String))])
	}
	env, err := cel.NewEnv(
		ext.NativeTypes(reflect.TypeOf(DeclInput{}), reflect.TypeOf(ItemInput{}), ext.ParseStructTags(true)),
		cel.Variable("decl", cel.ObjectType("risk.DeclInput")),
		cel.Variable("item", cel.ObjectType("risk.ItemInput")),
		cel.Function("on_list", cel.Overload("on_list_string_string",
			[]*cel.Type{cel.StringType, cel.StringType}, cel.BoolType, cel.BinaryBinding(onList))),
		cel.Function("ref_price", cel.Overload("ref_price_string_string",
			[]*cel.Type{cel.StringType, cel.StringType}, cel.DoubleType, cel.BinaryBinding(refPrice))),
		ext.Strings(),
	)
	if err != nil {
		return nil, err
	}
	c.env = env
	return c, nil
}

// SetLists replaces the watch-lists and reference prices for all programs.
func (c *Compiler) SetLists(l *Lists) { c.lists.Store(l) }

// compiled is a checked profile expression.
type compiled struct {
	ast  *cel.Ast
	prog cel.Program
}

// Compile checks an expression: syntax, fields and types, a boolean
// result, and the cost bound. Problems come back as field errors at
// /expr with the line and column.
func (c *Compiler) Compile(expr string) (*compiled, []jinguan.FieldError) {
	ast, iss := c.env.Compile(expr)
	if iss != nil && iss.Err() != nil {
		var errs []jinguan.FieldError
		for _, e := range iss.Errors() {
			at := fmt.Sprintf("%d:%d", e.Location.Line(), e.Location.Column()+1)
			errs = append(errs, jinguan.FieldError{Pointer: "/expr", Code: "cel_compile",
				MessageZH: "表达式第 " + at + " 处错误：" + e.Message,
				MessageEN: "expression error at " + at + ": " + e.Message})
		}
		return nil, errs
	}
	if !ast.OutputType().IsExactType(cel.BoolType) {
		return nil, []jinguan.FieldError{{Pointer: "/expr", Code: "cel_type",
			MessageZH: "表达式结果须为布尔值，实为 " + ast.OutputType().String(),
			MessageEN: "the expression must yield a bool, not " + ast.OutputType().String()}}
	}
	est, err := c.env.EstimateCost(ast, sizes{})
	if err != nil || est.Max > MaxCost {
		return nil, []jinguan.FieldError{{Pointer: "/expr", Code: "cel_cost",
			MessageZH: fmt.Sprintf("表达式最坏情况开销 %d 超过上限 %d", est.Max, MaxCost),
			MessageEN: fmt.Sprintf("worst-case cost %d exceeds the limit %d", est.Max, MaxCost)}}
	}
	// The cost was bounded above; a runtime limit would allocate a tracker
	// on every evaluation.
	prog, err := c.env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, []jinguan.FieldError{{Pointer: "/expr", Code: "cel_program",
			MessageZH: "表达式无法执行：" + err.Error(), MessageEN: "the expression cannot run: " + err.Error()}}
	}
	return &compiled{ast: ast, prog: prog}, nil
}

// sizes bounds the inputs for cost estimation: strings are short codes and
// names, a declaration has at most a few hundred containers.
type sizes struct{}

func (sizes) EstimateSize(n cost.AstNode) *cost.SizeEstimate {
	if p := n.Path(); len(p) > 0 && (p[0] == "decl" || p[0] == "item") {
		if len(p) == 2 && p[1] == "containers" {
			return &cost.SizeEstimate{Min: 0, Max: 500}
		}
		return &cost.SizeEstimate{Min: 0, Max: 255}
	}
	return nil
}

func (sizes) EstimateCallCost(function, overloadID string, target *cost.AstNode, args []cost.AstNode) *cost.CallEstimate {
	switch function {
	case "on_list", "ref_price":
		return &cost.CallEstimate{CostEstimate: cost.CostEstimate{Min: 1, Max: 2}}
	}
	return nil
}
