package risk

import (
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
)

// A key is one fixed condition: kind + value, and optionally a second one
// (a composite key): a commodity-code prefix together with the origin,
// office or trade mode, e.g. office 2200 with chapter 84. Kinds: t trader, w owner, a agent,
// f office, m trade mode, o origin, h commodity-code prefix, l a watch-list
// (value: list name) holding the field's value.
type key struct {
	k1 byte
	v1 string
	k2 byte
	v2 string
}

// cond is one indexable conjunct.
type cond struct {
	keys []key // alternatives: an `in` list gives several
	rank int
	kind byte
}

// plan chooses how to file a profile: the keys of its most selective
// fixed condition, paired with a second one when a code prefix and an
// origin, office or trade mode are both fixed; none when no conjunct is
// indexable. The index only
// narrows the candidates: every candidate still runs its expression.
func plan(e ast.Expr) []key {
	var conds []cond
	for _, c := range conjuncts(e, nil) {
		if cd, ok := condOf(c); ok {
			conds = append(conds, cd)
		}
	}
	best := -1
	for i, c := range conds {
		if best < 0 || c.rank > conds[best].rank {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	b := conds[best]
	if b.kind == 't' || b.kind == 'w' || b.kind == 'a' || b.kind == 'l' {
		return b.keys // a party or a list is selective on its own
	}
	second := -1
	for i, c := range conds {
		// Pairs are looked up as (header condition, item condition), so
		// pair a code prefix with an office, trade mode or origin.
		if i != best && c.kind != b.kind && c.kind != 'l' && (b.kind == 'h') != (c.kind == 'h') &&
			(second < 0 || c.rank > conds[second].rank) {
			second = i
		}
	}
	if second < 0 {
		return b.keys
	}
	s := conds[second]
	h, o := b, s
	if o.kind == 'h' {
		h, o = s, b
	}
	var keys []key
	for _, x := range o.keys {
		for _, y := range h.keys {
			keys = append(keys, key{x.k1, x.v1, y.k1, y.v1})
		}
	}
	return keys
}

func conjuncts(e ast.Expr, out []ast.Expr) []ast.Expr {
	if e.Kind() == ast.CallKind && e.AsCall().FunctionName() == operators.LogicalAnd {
		for _, a := range e.AsCall().Args() {
			out = conjuncts(a, out)
		}
		return out
	}
	return append(out, e)
}

// fieldKinds maps the indexable fields to their key kind and rank: a
// trader names few declarations, an office very many.
var fieldKinds = map[string]struct {
	kind byte
	rank int
}{
	"decl.trader": {'t', 50}, "decl.owner": {'w', 50}, "decl.agent": {'a', 45},
	"item.code": {'h', 0}, "item.hs6": {'h', 0}, "item.hs4": {'h', 0}, "item.chapter": {'h', 0},
	"item.origin": {'o', 15}, "decl.office": {'f', 5}, "decl.trade_mode": {'m', 1},
}

// condOf reads one conjunct: field == "v", "v" == field, field in ["v", …],
// item.code/hs6/hs4/chapter.startsWith("v"), or on_list("name", decl.x).
func condOf(e ast.Expr) (cond, bool) {
	if e.Kind() != ast.CallKind {
		return cond{}, false
	}
	call := e.AsCall()
	args := call.Args()
	switch call.FunctionName() {
	case operators.Equals:
		for _, o := range [][2]int{{0, 1}, {1, 0}} {
			if f, ok := field(args[o[0]]); ok {
				if v, ok := str(args[o[1]]); ok {
					return single(f, v)
				}
			}
		}
	case operators.In:
		f, ok := field(args[0])
		if !ok || args[1].Kind() != ast.ListKind {
			return cond{}, false
		}
		var c cond
		for _, el := range args[1].AsList().Elements() {
			v, ok := str(el)
			if !ok {
				return cond{}, false
			}
			s, ok := single(f, v)
			if !ok {
				return cond{}, false
			}
			c.keys, c.rank, c.kind = append(c.keys, s.keys...), s.rank, s.kind
		}
		c.rank -= len(c.keys) / 4 // a long list is less selective
		return c, len(c.keys) > 0
	case "startsWith":
		if call.IsMemberFunction() && len(args) == 1 {
			f, ok := field(call.Target())
			v, ok2 := str(args[0])
			if ok && ok2 && v != "" && fieldKinds[f].kind == 'h' {
				return single(f, v)
			}
		}
	case "on_list":
		name, ok := str(args[0])
		f, ok2 := field(args[1])
		if ok && ok2 && f[:5] == "decl." {
			return cond{keys: []key{{k1: 'l', v1: name, v2: f}}, rank: 60, kind: 'l'}, true
		}
	}
	return cond{}, false
}

func single(f, v string) (cond, bool) {
	k, ok := fieldKinds[f]
	if !ok {
		return cond{}, false
	}
	rank := k.rank
	if k.kind == 'h' {
		rank = 10 + 5*len(v) // a longer code prefix is more selective
	}
	return cond{keys: []key{{k1: k.kind, v1: v}}, rank: rank, kind: k.kind}, true
}

// field reads decl.x or item.x.
func field(e ast.Expr) (string, bool) {
	if e.Kind() != ast.SelectKind {
		return "", false
	}
	s := e.AsSelect()
	if s.Operand().Kind() != ast.IdentKind || s.IsTestOnly() {
		return "", false
	}
	return s.Operand().AsIdent() + "." + s.FieldName(), true
}

func str(e ast.Expr) (string, bool) {
	if e.Kind() != ast.LiteralKind {
		return "", false
	}
	s, ok := e.AsLiteral().(types.String)
	return string(s), ok
}
