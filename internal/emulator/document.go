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
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				walk(sel.SelectionSet)
			case *ast.InlineFragment:
				walk(sel.SelectionSet)
			case *ast.FragmentSpread:
				if f := doc.Fragments.ForName(sel.Name); f != nil && !keep[f.Position] {
					keep[f.Position] = true
					walk(f.SelectionSet)
				}
			}
		}
	}
	walk(op.SelectionSet)

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
