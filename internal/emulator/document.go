package emulator

import (
	"slices"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// narrowDocument keeps, of a document holding several operations, only the
// selected operation and the fragments it reaches. graphql-go checks the
// variables of every operation in a document, so without this a client that
// sends a whole .graphql file with operationName (valid GraphQL) would be
// told about variables of operations it did not ask for. Other definitions
// are blanked rather than removed so that error locations still point into
// the document the client sent.
func narrowDocument(query, operationName string) string {
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil || len(doc.Operations) < 2 {
		return query
	}
	op := doc.Operations.ForName(operationName)
	if op == nil {
		return query // graphql-go explains the missing or unknown name
	}

	keep := map[*ast.Position]bool{op.Position: true}
	for _, f := range reachedFragments(op, doc.Fragments) {
		keep[f.Position] = true
	}

	var starts []*ast.Position
	for _, o := range doc.Operations {
		starts = append(starts, o.Position)
	}
	for _, f := range doc.Fragments {
		starts = append(starts, f.Position)
	}
	slices.SortFunc(starts, func(a, b *ast.Position) int { return a.Start - b.Start })

	runes := []rune(query)
	for i, p := range starts {
		if keep[p] {
			continue
		}
		end := len(runes)
		if i+1 < len(starts) {
			end = starts[i+1].Start
		}
		for j := p.Start; j < end; j++ {
			if runes[j] != '\n' {
				runes[j] = ' '
			}
		}
	}
	return string(runes)
}

// reachedFragments returns the fragments op spreads, directly or through
// other fragments, in the order they are first reached. Unknown names are
// skipped: validation reports them.
func reachedFragments(op *ast.OperationDefinition, fragments ast.FragmentDefinitionList) []*ast.FragmentDefinition {
	var out []*ast.FragmentDefinition
	seen := map[string]bool{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				walk(sel.SelectionSet)
			case *ast.InlineFragment:
				walk(sel.SelectionSet)
			case *ast.FragmentSpread:
				if f := fragments.ForName(sel.Name); f != nil && !seen[sel.Name] {
					seen[sel.Name] = true
					out = append(out, f)
					walk(f.SelectionSet)
				}
			}
		}
	}
	walk(op.SelectionSet)
	return out
}
