package risk

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/interpreter"

	"github.com/jinguan-customs/jinguan"
)

// Engine evaluates a set of active profiles. Each profile is filed under
// the keys of its most selective fixed conditions (see plan), so an item
// only runs the profiles that can match it. Profiles that read only the
// header run once per declaration; profiles with no fixed condition run
// for every item.
type Engine struct {
	entries    []entry
	byKey      map[key][]int32
	always     []int32  // item profiles with no fixed condition
	declAlways []int32  // header-only profiles with no fixed condition
	prefixLens [4][]int // code-prefix lengths present in keys: alone, with origin, office, trade mode
	lists      []key    // watch-list keys: (list, header field)
	stamp      []uint32
	round      uint32
	compiler   *Compiler
	// scratch, reused by Match
	cand, header []int32
	act          vars
	empty        ItemInput
	// Evaluated counts expression evaluations: what the index let through;
	// Interpreted those that needed CEL (see native.go).
	Evaluated, Interpreted uint64
	// InterpretOnly runs every condition in CEL, bypassing the native
	// translation: for comparison and as a fallback.
	InterpretOnly bool
	nenv          nenv
}

type entry struct {
	p        *Profile
	c        *compiled
	fields   []fieldRef // inputs the expression reads, reported on a hit
	declOnly bool       // reads no item: evaluated once per declaration
	native   nativePlan
	from, to int64 // validity in Unix seconds, to 0 when open
}

type fieldRef struct {
	onItem bool
	name   string
	index  int                // field index in DeclInput or ItemInput
	text   func(*nenv) string // formats a scalar field without reflection; nil: reflection
}

// Hit is a profile that matched an item (Item 0: the declaration as a
// whole), with the values it looked at.
type Hit struct {
	Profile *Profile
	Item    int
	Values  []FieldValue // the inputs the condition read, in the order it reads them
}

// FieldValue is one input a condition read, e.g. item.origin = VNM.
type FieldValue struct{ Name, Value string }

// ValueMap is the hit's values as the decision record keeps them.
func (h *Hit) ValueMap() map[string]string {
	m := make(map[string]string, len(h.Values))
	for _, v := range h.Values {
		m[v.Name] = v.Value
	}
	return m
}

// Engine compiles active profiles; a profile that fails to compile is an
// error naming it, so a bad rule never silently stops targeting.
func (c *Compiler) Engine(profiles []Profile) (*Engine, error) {
	e := &Engine{byKey: map[key][]int32{}, compiler: c}
	var lens [4]map[int]bool
	for i := range profiles {
		p := &profiles[i]
		if p.Status != Active {
			continue
		}
		cp, errs := c.Compile(p.Expr)
		if errs != nil {
			return nil, fmt.Errorf("profile %s: %s", p, errs[0].MessageEN)
		}
		n := int32(len(e.entries))
		root := cp.ast.NativeRep().Expr()
		en := entry{p: p, c: cp, fields: readFields(root), declOnly: !readsItem(root), native: planNative(root)}
		en.from, en.to = p.validity()
		e.entries = append(e.entries, en)
		keys := plan(root)
		switch {
		case len(keys) > 0:
			for _, k := range keys {
				if e.byKey[k] == nil && k.k1 == 'l' {
					e.lists = append(e.lists, k)
				}
				e.byKey[k] = append(e.byKey[k], n)
				if i, n := prefixSlot(k); i >= 0 {
					if lens[i] == nil {
						lens[i] = map[int]bool{}
					}
					lens[i][n] = true
				}
			}
		case en.declOnly:
			e.declAlways = append(e.declAlways, n)
		default:
			e.always = append(e.always, n)
		}
	}
	for i := range lens {
		for n := range lens[i] {
			e.prefixLens[i] = append(e.prefixLens[i], n)
		}
		slices.Sort(e.prefixLens[i])
	}
	e.stamp = make([]uint32, len(e.entries))
	return e, nil
}

// pairKinds are the header kinds a code prefix is paired with, by slot.
var pairKinds = [4]byte{0, 'o', 'f', 'm'}

// prefixSlot says which prefix-length list a key's code prefix belongs to.
func prefixSlot(k key) (int, int) {
	if k.k1 == 'h' {
		return 0, len(k.v1)
	}
	if k.k2 == 'h' {
		for i, p := range pairKinds {
			if p == k.k1 {
				return i, len(k.v2)
			}
		}
	}
	return -1, 0
}

// Len is the number of active profiles.
func (e *Engine) Len() int { return len(e.entries) }

// Where is the office context of a declaration: its channel and the
// directly-affiliated customs above it, for profile scopes.
type Where struct {
	Channel, Parent string
}

// vars is the activation: decl and item without a map per evaluation.
type vars struct {
	decl *DeclInput
	item *ItemInput
}

func (v *vars) ResolveName(name string) (any, bool) {
	switch name {
	case "decl":
		return v.decl, true
	case "item":
		return v.item, true
	}
	return nil, false
}

func (v *vars) Parent() interpreter.Activation { return nil }

// headerValue is the header field a list key checks.
func headerValue(d *DeclInput, f string) string {
	switch f {
	case "decl.trader":
		return d.Trader
	case "decl.owner":
		return d.Owner
	case "decl.agent":
		return d.Agent
	case "decl.bill_no":
		return d.BillNo
	case "decl.office":
		return d.Office
	case "decl.trading_country":
		return d.TradingCountry
	case "decl.departure_country":
		return d.DepartureCountry
	}
	return ""
}

// Match runs the candidate profiles. Not safe for concurrent use: give
// each goroutine its own Engine (Clone).
func (e *Engine) Match(d *DeclInput, items []ItemInput, w Where) ([]Hit, error) {
	var hits []Hit
	var vals []FieldValue // shared by the hits' Values: one allocation for most declarations
	nv := &e.nenv
	nv.d, nv.lists = d, e.compiler.lists.Load()
	day := d.Date.Unix()
	queue := func(ids []int32) {
		for _, id := range ids {
			if e.stamp[id] != e.round {
				e.stamp[id] = e.round
				e.cand = append(e.cand, id)
			}
		}
	}
	run := func(act *vars, no int) error {
		for _, id := range e.cand {
			en := &e.entries[id]
			if (no == 0) != en.declOnly || !en.p.applies(d.Office, w.Channel, w.Parent, d.Direction, day, en.from, en.to) {
				continue
			}
			e.Evaluated++
			nv.it = act.item
			var match bool
			switch {
			case e.InterpretOnly:
				e.Interpreted++
				out, _, err := en.c.prog.Eval(act)
				if err != nil {
					return jinguan.Errorf(jinguan.EINTERNAL, "布控规则 %s 执行失败：%v", "profile %s failed: %v", en.p, err)
				}
				match = out == types.True
			case en.native.full != nil:
				match = en.native.full(nv)
			case en.native.pre != nil && !en.native.pre(nv):
			default:
				e.Interpreted++
				out, _, err := en.c.prog.Eval(act)
				if err != nil {
					return jinguan.Errorf(jinguan.EINTERNAL, "布控规则 %s 执行失败：%v", "profile %s failed: %v", en.p, err)
				}
				match = out == types.True
			}
			if match {
				start := len(vals)
				vals = en.values(vals, nv)
				hits = append(hits, Hit{Profile: en.p, Item: no, Values: vals[start:len(vals):len(vals)]})
			}
		}
		return nil
	}
	// Header keys: the same candidates for every item.
	e.next()
	e.cand = e.cand[:0]
	for _, k := range [...]key{{k1: 't', v1: d.Trader}, {k1: 'w', v1: d.Owner}, {k1: 'a', v1: d.Agent},
		{k1: 'f', v1: d.Office}, {k1: 'm', v1: d.TradeMode}} {
		if k.v1 != "" {
			queue(e.byKey[k])
		}
	}
	if len(e.lists) > 0 {
		named := nv.lists.Named
		for _, k := range e.lists {
			if _, ok := named[k.v1][headerValue(d, k.v2)]; ok {
				queue(e.byKey[k])
			}
		}
	}
	e.header = append(e.header[:0], e.cand...)
	queue(e.declAlways)
	act := &e.act
	act.decl, act.item = d, &e.empty
	if err := run(act, 0); err != nil {
		return nil, err
	}
	for i := range items {
		it := &items[i]
		act.item = it
		e.next()
		e.cand = e.cand[:0]
		queue(e.header)
		queue(e.byKey[key{k1: 'o', v1: it.Origin}])
		pair := [4]string{"", it.Origin, d.Office, d.TradeMode}
		for slot, lens := range e.prefixLens {
			for _, n := range lens {
				if n > len(it.Code) {
					break
				}
				k := key{k1: 'h', v1: it.Code[:n]}
				if slot > 0 {
					k = key{k1: pairKinds[slot], v1: pair[slot], k2: 'h', v2: it.Code[:n]}
				}
				queue(e.byKey[k])
			}
		}
		queue(e.always)
		if err := run(act, it.No); err != nil {
			return nil, err
		}
	}
	return hits, nil
}

// next starts an evaluation round: a profile is queued once per round.
func (e *Engine) next() {
	e.round++
	if e.round == 0 { // wrapped: clear the stamps
		clear(e.stamp)
		e.round = 1
	}
}

// Clone shares the compiled profiles but has its own scratch state.
func (e *Engine) Clone() *Engine {
	c := *e
	c.stamp = make([]uint32, len(e.entries))
	c.round, c.cand, c.header = 0, nil, nil
	return &c
}

var (
	declFields = celFields(reflect.TypeOf(DeclInput{}))
	itemFields = celFields(reflect.TypeOf(ItemInput{}))
)

func celFields(t reflect.Type) map[string]int {
	m := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		m[t.Field(i).Tag.Get("cel")] = i
	}
	return m
}

// readsItem reports whether an expression mentions item at all.
func readsItem(e ast.Expr) bool {
	found := false
	ast.PostOrderVisit(e, ast.NewExprVisitor(func(x ast.Expr) {
		if x.Kind() == ast.IdentKind && x.AsIdent() == "item" {
			found = true
		}
	}))
	return found
}

// readFields lists the decl.x and item.x selections of an expression.
func readFields(e ast.Expr) []fieldRef {
	var out []fieldRef
	ast.PostOrderVisit(e, ast.NewExprVisitor(func(x ast.Expr) {
		if x.Kind() != ast.SelectKind {
			return
		}
		s := x.AsSelect()
		if s.Operand().Kind() != ast.IdentKind {
			return
		}
		onItem := s.Operand().AsIdent() == "item"
		fields := declFields
		if onItem {
			fields = itemFields
		}
		if i, ok := fields[s.FieldName()]; ok {
			r := fieldRef{onItem: onItem, name: s.Operand().AsIdent() + "." + s.FieldName(), index: i}
			if !slices.ContainsFunc(out, func(o fieldRef) bool { return o.name == r.name }) {
				r.text = textOf(x)
				out = append(out, r)
			}
		}
	}))
	return out
}

// values appends the inputs the entry's condition read.
func (en *entry) values(out []FieldValue, n *nenv) []FieldValue {
	for _, f := range en.fields {
		if f.text != nil {
			out = append(out, FieldValue{f.name, f.text(n)})
			continue
		}
		v := reflect.ValueOf(n.d).Elem().Field(f.index)
		if f.onItem {
			v = reflect.ValueOf(n.it).Elem().Field(f.index)
		}
		out = append(out, FieldValue{f.name, show(v)})
	}
	return out
}

// textOf formats a scalar field select as show would.
func textOf(x ast.Expr) func(*nenv) string {
	v, ok := selectField(x)
	if !ok {
		return nil
	}
	switch v.kind {
	case nString:
		return v.s
	case nInt:
		return func(n *nenv) string { return strconv.FormatInt(v.i(n), 10) }
	case nDouble:
		return func(n *nenv) string { return strconv.FormatFloat(v.d(n), 'f', -1, 64) }
	case nBool:
		return func(n *nenv) string { return strconv.FormatBool(v.b(n)) }
	}
	return nil
}

func show(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Int:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'f', -1, 64)
	case reflect.Slice:
		return strings.Join(v.Interface().([]string), ",")
	}
	if t, ok := v.Interface().(time.Time); ok {
		return t.Format("2006-01-02")
	}
	return fmt.Sprint(v.Interface())
}
