package risk

import (
	"reflect"
	"strings"
	"unsafe"

	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
)

// Most profiles are conjunctions of comparisons between input fields and
// constants. Interpreting them costs about a microsecond each, mostly in
// resolving fields through reflection; compiled here into Go closures over
// the input structs they cost tens of nanoseconds. nativeOf translates the
// subset whose meaning is plain Go: boolean logic, comparisons of strings,
// ints and doubles, `in` constant lists, startsWith/endsWith/contains
// with constants, double arithmetic, on_list() and ref_price(). The type
// checker has already ruled out mixed types, and nothing in the subset can
// fail at run time, so CEL's error-absorbing && and || are plain && and ||
// here. Expressions outside the subset run in CEL, behind a pre-filter of
// their translatable conjuncts. TestNativeAgreesWithCEL checks the two
// against each other.

// nenv is what a native predicate reads.
type nenv struct {
	d     *DeclInput
	it    *ItemInput
	lists *Lists
}

type nkind byte

const (
	nBool nkind = iota + 1
	nString
	nInt
	nDouble
)

// nval is a translated subexpression: one of the closures, by kind.
type nval struct {
	kind nkind
	b    func(*nenv) bool
	s    func(*nenv) string
	i    func(*nenv) int64
	d    func(*nenv) float64
}

// fieldOffsets locate the scalar fields of the inputs by CEL name.
type nfield struct {
	kind   nkind
	offset uintptr
}

var (
	nDeclFields = nativeFields(reflect.TypeOf(DeclInput{}))
	nItemFields = nativeFields(reflect.TypeOf(ItemInput{}))
)

func nativeFields(t reflect.Type) map[string]nfield {
	m := map[string]nfield{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		var k nkind
		switch f.Type.Kind() {
		case reflect.String:
			k = nString
		case reflect.Int:
			k = nInt
		case reflect.Float64:
			k = nDouble
		case reflect.Bool:
			k = nBool
		default:
			continue // slices and times stay with CEL
		}
		m[f.Tag.Get("cel")] = nfield{k, f.Offset}
	}
	return m
}

// selectField reads decl.f or item.f. The offsets come from reflection on
// the very struct types the closures receive, so the unsafe reads stay
// within the struct and have the field's type.
func selectField(e ast.Expr) (nval, bool) {
	if e.Kind() != ast.SelectKind || e.AsSelect().IsTestOnly() || e.AsSelect().Operand().Kind() != ast.IdentKind {
		return nval{}, false
	}
	s := e.AsSelect()
	var f nfield
	var ok, onItem bool
	switch s.Operand().AsIdent() {
	case "decl":
		f, ok = nDeclFields[s.FieldName()]
	case "item":
		f, ok = nItemFields[s.FieldName()]
		onItem = true
	}
	if !ok {
		return nval{}, false
	}
	ptr := func(n *nenv) unsafe.Pointer {
		if onItem {
			return unsafe.Add(unsafe.Pointer(n.it), f.offset)
		}
		return unsafe.Add(unsafe.Pointer(n.d), f.offset)
	}
	v := nval{kind: f.kind}
	switch f.kind {
	case nString:
		v.s = func(n *nenv) string { return *(*string)(ptr(n)) }
	case nInt:
		v.i = func(n *nenv) int64 { return int64(*(*int)(ptr(n))) }
	case nDouble:
		v.d = func(n *nenv) float64 { return *(*float64)(ptr(n)) }
	case nBool:
		v.b = func(n *nenv) bool { return *(*bool)(ptr(n)) }
	}
	return v, true
}

func literal(e ast.Expr) (nval, bool) {
	if e.Kind() != ast.LiteralKind {
		return nval{}, false
	}
	switch x := e.AsLiteral().(type) {
	case types.String:
		s := string(x)
		return nval{kind: nString, s: func(*nenv) string { return s }}, true
	case types.Int:
		i := int64(x)
		return nval{kind: nInt, i: func(*nenv) int64 { return i }}, true
	case types.Double:
		d := float64(x)
		return nval{kind: nDouble, d: func(*nenv) float64 { return d }}, true
	case types.Bool:
		b := bool(x)
		return nval{kind: nBool, b: func(*nenv) bool { return b }}, true
	}
	return nval{}, false
}

// nativeOf translates e, or reports that it is outside the subset.
func nativeOf(e ast.Expr) (nval, bool) {
	switch e.Kind() {
	case ast.LiteralKind:
		return literal(e)
	case ast.SelectKind:
		return selectField(e)
	case ast.CallKind:
		return nativeCall(e.AsCall())
	}
	return nval{}, false
}

func nativeCall(c ast.CallExpr) (nval, bool) {
	args := c.Args()
	if c.IsMemberFunction() {
		t, ok := nativeOf(c.Target())
		if !ok || t.kind != nString || len(args) != 1 {
			return nval{}, false
		}
		a, ok := nativeOf(args[0])
		if !ok || a.kind != nString {
			return nval{}, false
		}
		var f func(string, string) bool
		switch c.FunctionName() {
		case "startsWith":
			f = strings.HasPrefix
		case "endsWith":
			f = strings.HasSuffix
		case "contains":
			f = strings.Contains
		default:
			return nval{}, false
		}
		return boolOf(func(n *nenv) bool { return f(t.s(n), a.s(n)) }), true
	}
	switch fn := c.FunctionName(); fn {
	case operators.LogicalAnd, operators.LogicalOr:
		var parts []func(*nenv) bool
		for _, a := range args {
			v, ok := nativeOf(a)
			if !ok || v.kind != nBool {
				return nval{}, false
			}
			parts = append(parts, v.b)
		}
		if len(parts) != 2 {
			return nval{}, false
		}
		x, y := parts[0], parts[1]
		if fn == operators.LogicalAnd {
			return boolOf(func(n *nenv) bool { return x(n) && y(n) }), true
		}
		return boolOf(func(n *nenv) bool { return x(n) || y(n) }), true
	case operators.LogicalNot:
		v, ok := nativeOf(args[0])
		if !ok || v.kind != nBool {
			return nval{}, false
		}
		return boolOf(func(n *nenv) bool { return !v.b(n) }), true
	case operators.Equals, operators.NotEquals, operators.Less, operators.LessEquals, operators.Greater, operators.GreaterEquals:
		return compare(fn, args)
	case operators.In:
		return inList(args)
	case operators.Add, operators.Subtract, operators.Multiply, operators.Divide:
		return arithmetic(fn, args)
	case operators.Negate:
		v, ok := nativeOf(args[0])
		if !ok || v.kind != nDouble {
			return nval{}, false // int negation can overflow: CEL's error
		}
		return nval{kind: nDouble, d: func(n *nenv) float64 { return -v.d(n) }}, true
	case "on_list":
		name, ok := literal(args[0])
		v, ok2 := nativeOf(args[1])
		if !ok || !ok2 || name.kind != nString || v.kind != nString {
			return nval{}, false
		}
		ln := name.s(nil)
		return boolOf(func(n *nenv) bool {
			_, in := n.lists.Named[ln][v.s(n)]
			return in
		}), true
	case "ref_price":
		code, ok := nativeOf(args[0])
		origin, ok2 := nativeOf(args[1])
		if !ok || !ok2 || code.kind != nString || origin.kind != nString {
			return nval{}, false
		}
		return nval{kind: nDouble, d: func(n *nenv) float64 {
			return n.lists.RefPrices[code.s(n)+"|"+origin.s(n)]
		}}, true
	}
	return nval{}, false
}

func boolOf(f func(*nenv) bool) nval { return nval{kind: nBool, b: f} }

func compare(fn string, args []ast.Expr) (nval, bool) {
	x, ok := nativeOf(args[0])
	y, ok2 := nativeOf(args[1])
	if !ok || !ok2 || x.kind != y.kind {
		return nval{}, false
	}
	switch x.kind {
	case nString:
		return boolOf(ordered(fn, x.s, y.s)), true
	case nInt:
		return boolOf(ordered(fn, x.i, y.i)), true
	case nDouble:
		return boolOf(ordered(fn, x.d, y.d)), true
	case nBool:
		a, b := x.b, y.b
		switch fn {
		case operators.Equals:
			return boolOf(func(n *nenv) bool { return a(n) == b(n) }), true
		case operators.NotEquals:
			return boolOf(func(n *nenv) bool { return a(n) != b(n) }), true
		}
	}
	return nval{}, false
}

func ordered[T string | int64 | float64](fn string, a, b func(*nenv) T) func(*nenv) bool {
	switch fn {
	case operators.Equals:
		return func(n *nenv) bool { return a(n) == b(n) }
	case operators.NotEquals:
		return func(n *nenv) bool { return a(n) != b(n) }
	case operators.Less:
		return func(n *nenv) bool { return a(n) < b(n) }
	case operators.LessEquals:
		return func(n *nenv) bool { return a(n) <= b(n) }
	case operators.Greater:
		return func(n *nenv) bool { return a(n) > b(n) }
	}
	return func(n *nenv) bool { return a(n) >= b(n) }
}

// inList handles x in [constants] for strings and ints.
func inList(args []ast.Expr) (nval, bool) {
	x, ok := nativeOf(args[0])
	if !ok || args[1].Kind() != ast.ListKind || (x.kind != nString && x.kind != nInt) {
		return nval{}, false
	}
	strs, ints := map[string]bool{}, map[int64]bool{}
	for _, el := range args[1].AsList().Elements() {
		v, ok := literal(el)
		if !ok || v.kind != x.kind {
			return nval{}, false
		}
		if v.kind == nString {
			strs[v.s(nil)] = true
		} else {
			ints[v.i(nil)] = true
		}
	}
	if x.kind == nString {
		if len(strs) <= 8 { // a short list is faster scanned than hashed
			list := make([]string, 0, len(strs))
			for s := range strs {
				list = append(list, s)
			}
			return boolOf(func(n *nenv) bool {
				v := x.s(n)
				for _, s := range list {
					if s == v {
						return true
					}
				}
				return false
			}), true
		}
		return boolOf(func(n *nenv) bool { return strs[x.s(n)] }), true
	}
	return boolOf(func(n *nenv) bool { return ints[x.i(n)] }), true
}

// arithmetic handles doubles only: int arithmetic in CEL fails on
// overflow, which Go would not notice.
func arithmetic(fn string, args []ast.Expr) (nval, bool) {
	x, ok := nativeOf(args[0])
	y, ok2 := nativeOf(args[1])
	if !ok || !ok2 || x.kind != nDouble || y.kind != nDouble {
		return nval{}, false
	}
	a, b := x.d, y.d
	var f func(*nenv) float64
	switch fn {
	case operators.Add:
		f = func(n *nenv) float64 { return a(n) + b(n) }
	case operators.Subtract:
		f = func(n *nenv) float64 { return a(n) - b(n) }
	case operators.Multiply:
		f = func(n *nenv) float64 { return a(n) * b(n) }
	default:
		f = func(n *nenv) float64 { return a(n) / b(n) }
	}
	return nval{kind: nDouble, d: f}, true
}

// nativePlan is how an entry is evaluated: full is the whole expression
// when it translates; otherwise pre holds the conjuncts that translate,
// which must all hold before CEL runs (nil: none).
type nativePlan struct {
	full func(*nenv) bool
	pre  func(*nenv) bool
}

func planNative(root ast.Expr) nativePlan {
	if v, ok := nativeOf(root); ok && v.kind == nBool {
		return nativePlan{full: v.b}
	}
	var pres []func(*nenv) bool
	for _, c := range conjuncts(root, nil) {
		if v, ok := nativeOf(c); ok && v.kind == nBool {
			pres = append(pres, v.b)
		}
	}
	switch len(pres) {
	case 0:
		return nativePlan{}
	case 1:
		return nativePlan{pre: pres[0]}
	}
	return nativePlan{pre: func(n *nenv) bool {
		for _, p := range pres {
			if !p(n) {
				return false
			}
		}
		return true
	}}
}
