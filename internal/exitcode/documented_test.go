package exitcode

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Every Code constant declared in this package is documented exactly once,
// in ascending order, with a meaning.
func TestDocumentedNamesEveryCode(t *testing.T) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "exitcode.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var declared []Code
	for _, decl := range file.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for _, v := range vs.Values {
				lit, ok := v.(*ast.BasicLit)
				if !ok {
					t.Fatalf("exit code %s is not a literal", vs.Names[0])
				}
				n, err := strconv.Atoi(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				declared = append(declared, Code(n))
			}
		}
	}
	if len(declared) < 10 {
		t.Fatalf("found only %d Code constants in exitcode.go", len(declared))
	}
	var documented []Code
	for _, m := range Documented {
		if strings.TrimSpace(m.Text) == "" {
			t.Errorf("exit code %d has no meaning", m.Code)
		}
		documented = append(documented, m.Code)
	}
	if !slices.IsSorted(documented) {
		t.Errorf("Documented is not in ascending order: %v", documented)
	}
	for _, c := range declared {
		n := 0
		for _, d := range documented {
			if d == c {
				n++
			}
		}
		if n != 1 {
			t.Errorf("exit code %d is documented %d times in Documented, want once", c, n)
		}
	}
	for _, c := range documented {
		if !slices.Contains(declared, c) {
			t.Errorf("Documented lists exit code %d, which exitcode.go does not declare", c)
		}
	}
}
