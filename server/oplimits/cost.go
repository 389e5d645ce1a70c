package oplimits

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
)

// costCap is where cost stops growing: a bomb is refused at the cap without
// overflowing or walking on.
const costCap = math.MaxInt64 / 4

// Cost prices a validated operation from the schema's shape alone, with no
// annotations in the schema:
//
//   - one instance of an object, interface or union field costs 1, of a
//     scalar or enum field 0 (FieldCosts overrides both per "Type.field");
//     meta fields (__typename, __schema, __type) cost 0;
//   - a field with a `first` (or `last`) argument costs itself once plus its
//     selections times `first` — the value given, else the argument's
//     default, else AssumedListSize; the lists directly inside it (a
//     connection's nodes or edges) are the page, so they add no factor;
//   - a list field with a list argument (citizens(cprs: [...])) costs
//     (itself plus its selections) times the longest list argument's
//     length, from the literal or the variables;
//   - any other list field costs (itself plus its selections) times its
//     ListSizes entry, else AssumedListSize;
//   - fragments and inline fragments add up, whichever type they apply to.
//
// Since every object a query reaches is data some system must produce, and
// each connection or citizen is a read by key upstream, the cost is an upper
// bound of the work upstream, not an exact count.
func Cost(schema *ast.Schema, op *ast.OperationDefinition, frags ast.FragmentDefinitionList, vars map[string]any, c Config) int {
	c = c.withDefaults()
	cc := &coster{schema: schema, frags: frags, vars: vars, cfg: c, memo: map[string]int64{}}
	return int(min(cc.set(op.SelectionSet, false), costCap))
}

type coster struct {
	schema *ast.Schema
	frags  ast.FragmentDefinitionList
	vars   map[string]any
	cfg    Config
	memo   map[string]int64
}

// set prices a selection set. inPage says the set belongs to a field with
// `first`: its list fields without size arguments (nodes, edges) are the
// page itself, already counted by `first`.
func (c *coster) set(set ast.SelectionSet, inPage bool) int64 {
	var total int64
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			total = add(total, c.field(sel, inPage))
		case *ast.InlineFragment:
			total = add(total, c.set(sel.SelectionSet, inPage))
		case *ast.FragmentSpread:
			total = add(total, c.fragment(sel.Name, inPage))
		}
		if total >= costCap {
			return costCap
		}
	}
	return total
}

// fragment prices a named fragment once; its cost does not depend on where
// it is spread (only variables, which are fixed for the operation).
func (c *coster) fragment(name string, inPage bool) int64 {
	key := name
	if inPage {
		key += "\x00page"
	}
	if v, ok := c.memo[key]; ok {
		return v
	}
	f := c.frags.ForName(name)
	if f == nil {
		return 0
	}
	c.memo[key] = 0 // a cycle (validation forbids them) counts once
	v := c.set(f.SelectionSet, inPage)
	c.memo[key] = v
	return v
}

func (c *coster) field(f *ast.Field, inPage bool) int64 {
	if isMeta(f.Name) || f.Definition == nil {
		return 0
	}
	base := int64(0)
	if c.composite(f.Definition.Type) {
		base = 1
	}
	if f.ObjectDefinition != nil {
		if v, ok := c.cfg.FieldCosts[f.ObjectDefinition.Name+"."+f.Name]; ok {
			base = int64(v)
		}
	}
	if n, ok := c.pageSize(f); ok {
		return add(base, mul(n, c.set(f.SelectionSet, true)))
	}
	children := c.set(f.SelectionSet, false)
	if f.Definition.Type.Elem != nil {
		n := c.listArgLength(f)
		switch {
		case n >= 0:
		case inPage:
			n = 1
		default:
			n = c.assumedSize(f)
		}
		return mul(n, add(base, children))
	}
	return add(base, children)
}

// pageSize is the `first` (or `last`) of a field that has such an argument.
func (c *coster) pageSize(f *ast.Field) (int64, bool) {
	for _, name := range []string{"first", "last"} {
		def := f.Definition.Arguments.ForName(name)
		if def == nil {
			continue
		}
		if arg := f.Arguments.ForName(name); arg != nil {
			if n, ok := intValue(arg.Value, c.vars); ok {
				return max(n, 0), true
			}
		}
		if def.DefaultValue != nil {
			if n, ok := intValue(def.DefaultValue, c.vars); ok {
				return max(n, 0), true
			}
		}
		if name == "first" {
			return c.assumedSize(f), true
		}
	}
	return 0, false
}

// assumedSize is the length assumed for a list whose size no argument gives.
func (c *coster) assumedSize(f *ast.Field) int64 {
	if f.ObjectDefinition != nil {
		if v, ok := c.cfg.ListSizes[f.ObjectDefinition.Name+"."+f.Name]; ok {
			return int64(max(v, 0))
		}
	}
	return int64(c.cfg.AssumedListSize)
}

// listArgLength is the length of the longest list argument given, or -1.
func (c *coster) listArgLength(f *ast.Field) int64 {
	longest := int64(-1)
	for _, arg := range f.Arguments {
		def := f.Definition.Arguments.ForName(arg.Name)
		if def == nil || def.Type.Elem == nil {
			continue
		}
		if n, ok := listLength(arg.Value, c.vars); ok {
			longest = max(longest, n)
		}
	}
	return longest
}

func (c *coster) composite(t *ast.Type) bool {
	def := c.schema.Types[t.Name()]
	if def == nil {
		return false
	}
	switch def.Kind {
	case ast.Object, ast.Interface, ast.Union:
		return true
	}
	return false
}

func listLength(v *ast.Value, vars map[string]any) (int64, bool) {
	if v == nil {
		return 0, false
	}
	switch v.Kind {
	case ast.ListValue:
		return int64(len(v.Children)), true
	case ast.Variable:
		val, ok := vars[v.Raw]
		if !ok {
			if v.VariableDefinition != nil && v.VariableDefinition.DefaultValue != nil {
				return listLength(v.VariableDefinition.DefaultValue, nil)
			}
			return 0, false
		}
		if l, ok := val.([]any); ok {
			return int64(len(l)), true
		}
		if val != nil {
			return 1, true // a single value is coerced to a list of one
		}
	case ast.NullValue:
		return 0, true
	default:
		return 1, true
	}
	return 0, false
}

func intValue(v *ast.Value, vars map[string]any) (int64, bool) {
	if v == nil {
		return 0, false
	}
	var raw any
	if v.Kind == ast.Variable {
		val, ok := vars[v.Raw]
		if !ok && v.VariableDefinition != nil && v.VariableDefinition.DefaultValue != nil {
			return intValue(v.VariableDefinition.DefaultValue, nil)
		}
		raw = val
	} else if v.Kind == ast.IntValue {
		n, err := strconv.ParseInt(v.Raw, 10, 64)
		return n, err == nil
	}
	switch n := raw.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

func add(a, b int64) int64 {
	if a >= costCap-b {
		return costCap
	}
	return a + b
}

func mul(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a >= costCap/b {
		return costCap
	}
	return a * b
}
