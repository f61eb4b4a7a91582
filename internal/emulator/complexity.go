package emulator

import (
	"encoding/json"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// queryComplexity prices a document the way Buildkite describes it, before
// anything runs: objects cost 1, scalars and enums 0, and a connection costs
// its page size times the price of one item. A document that does not
// validate costs 0; graphql-go then answers with the validation errors.
func queryComplexity(query, operationName string, vars map[string]any, defaultPage int) int {
	doc, errs := gqlparser.LoadQuery(parsedSchema(), query)
	if len(errs) > 0 {
		return 0
	}
	op := doc.Operations.ForName(operationName)
	if op == nil {
		return 0
	}
	p := pricer{vars: vars, defaultPage: defaultPage}
	return p.selections(op.SelectionSet)
}

type pricer struct {
	vars        map[string]any
	defaultPage int // page size assumed when a connection has no first/last
}

func (p pricer) selections(set ast.SelectionSet) int {
	total := 0
	for _, f := range fieldsOf(set) {
		total += p.field(f)
	}
	return total
}

func (p pricer) field(f *ast.Field) int {
	if len(f.SelectionSet) == 0 {
		return 0 // scalar or enum
	}
	if f.Definition == nil || !strings.HasSuffix(f.Definition.Type.Name(), "Connection") {
		return 1 + p.selections(f.SelectionSet)
	}
	// A connection: edges { node } and nodes repeat per item, the rest
	// (pageInfo, count) is paid once.
	perItem, once := 0, 0
	for _, child := range fieldsOf(f.SelectionSet) {
		switch child.Name {
		case "edges":
			perItem += p.selections(child.SelectionSet)
		case "nodes":
			perItem += p.field(child)
		default:
			once += p.field(child)
		}
	}
	return 1 + once + p.pageSize(f)*max(1, perItem)
}

// pageSize is the first (or last) argument, read from variables when
// needed.
func (p pricer) pageSize(f *ast.Field) int {
	for _, name := range []string{"first", "last"} {
		arg := f.Arguments.ForName(name)
		if arg == nil {
			continue
		}
		if n, ok := p.intValue(arg.Value); ok {
			return max(n, 0)
		}
	}
	return p.defaultPage
}

func (p pricer) intValue(v *ast.Value) (int, bool) {
	if v == nil {
		return 0, false
	}
	if v.Kind != ast.Variable {
		val, err := v.Value(nil)
		if err != nil {
			return 0, false
		}
		return toInt(val)
	}
	if raw, ok := p.vars[v.Raw]; ok {
		return toInt(raw)
	}
	if v.VariableDefinition != nil && v.VariableDefinition.DefaultValue != nil {
		return p.intValue(v.VariableDefinition.DefaultValue)
	}
	return 0, false
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int32:
		return int(n), true
	case int64:
		return int(n), true
	case float64:
		return int(n), true
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	}
	return 0, false
}

// fieldsOf flattens fragments. Inline fragments on different types are all
// counted: the price is an upper bound, like Buildkite's.
func fieldsOf(set ast.SelectionSet) []*ast.Field {
	var out []*ast.Field
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			out = append(out, sel)
		case *ast.InlineFragment:
			out = append(out, fieldsOf(sel.SelectionSet)...)
		case *ast.FragmentSpread:
			if sel.Definition != nil {
				out = append(out, fieldsOf(sel.Definition.SelectionSet)...)
			}
		}
	}
	return out
}
