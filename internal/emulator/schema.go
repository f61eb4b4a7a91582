package emulator

import (
	"sync"

	"github.com/tokenctl/tokenctl/internal/schema"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// parsedSchema is the project schema as gqlparser sees it. The complexity
// calculator and fixture validation read it; graphql-go executes against the
// same SDL, so both agree on what exists.
var parsedSchema = sync.OnceValue(func() *ast.Schema {
	return gqlparser.MustLoadSchema(&ast.Source{Name: "schema.graphql", Input: schema.SDL})
})

// enumValues lists the values of an enum in the project schema.
func enumValues(name string) []string {
	def := parsedSchema().Types[name]
	if def == nil {
		return nil
	}
	var vals []string
	for _, v := range def.EnumValues {
		vals = append(vals, v.Name)
	}
	return vals
}
