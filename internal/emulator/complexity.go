package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator"
)

// analyseDocument prices a document the way Buildkite describes it, before
// anything runs: objects cost 1, scalars and enums 0, and a connection costs
// its page size times the price of one item. It also coerces the variables
// against their declared types, which graphql-go leaves to resolvers; varErr
// is the spec-shaped error to answer with when they do not fit. A document
// that does not validate costs 0; graphql-go then answers with the
// validation errors.
func analyseDocument(query, operationName string, vars map[string]any, defaultPage int) (cost int, varErr map[string]any) {
	doc, errs := gqlparser.LoadQueryWithRules(parsedSchema(), query, nil)
	if len(errs) > 0 {
		return 0, nil
	}
	op := doc.Operations.ForName(operationName)
	if op == nil {
		return 0, nil
	}
	if _, err := validator.VariableValues(parsedSchema(), op, vars); err != nil {
		return 0, variableError(op, err)
	}
	p := pricer{vars: vars, defaultPage: defaultPage}
	return p.selections(op.SelectionSet), nil
}

// variableError rephrases gqlparser's coercion error in the form GraphQL
// servers use: which variable, what is wrong, where it is declared.
func variableError(op *ast.OperationDefinition, err error) map[string]any {
	msg := err.Error()
	var gqlErr *gqlerror.Error
	if errors.As(err, &gqlErr) {
		msg = gqlErr.Message
		if len(gqlErr.Path) >= 2 {
			name, _ := gqlErr.Path[1].(ast.PathName)
			for _, v := range op.VariableDefinitions {
				if v.Variable == string(name) && v.Position != nil {
					return map[string]any{
						"message":   fmt.Sprintf("Variable \"$%s\" of type \"%s\" got an invalid value: %s", string(name), v.Type, msg),
						"locations": []map[string]int{{"line": v.Position.Line, "column": v.Position.Column}},
					}
				}
			}
		}
	}
	return map[string]any{"message": "Invalid variables: " + msg}
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
