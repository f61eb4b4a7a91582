package docscheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/config"
)

// tokenctlDirs returns the directories of the project's packages linked
// into cmd/tokenctl.
func tokenctlDirs(t *testing.T) []string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("listing tokenctl's packages needs the go command: %v", err)
	}
	cmd := exec.Command(goTool, "list", "-deps", "-f", "{{if .Module}}{{if .Module.Main}}{{.Dir}}{{end}}{{end}}", "./cmd/tokenctl")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./cmd/tokenctl: %v", err)
	}
	dirs := strings.Fields(string(out))
	if len(dirs) < 5 {
		t.Fatalf("go list found only %d of tokenctl's packages", len(dirs))
	}
	return dirs
}

var envName = regexp.MustCompile(`^(TOKENCTL|BUILDKITE|XDG)_[A-Z0-9_]+$`)

// envRead is what looks like reading an environment variable: a call of a
// function or method whose name says env (os.Getenv, os.LookupEnv, a
// factory's Env, an env or get helper) with a literal name.
func envRead(call *ast.CallExpr) (string, bool) {
	var name string
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		name = fn.Name
	case *ast.SelectorExpr:
		name = fn.Sel.Name
	default:
		return "", false
	}
	if len(call.Args) != 1 || (!strings.Contains(strings.ToLower(name), "env") && name != "get") {
		return "", false
	}
	lit, ok := call.Args[0].(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	v, err := strconv.Unquote(lit.Value)
	return v, err == nil
}

// Every environment variable tokenctl's code reads is in config.Environment,
// which the man pages' ENVIRONMENT section and the table in
// docs/contracts/configuration.md are generated from. Found are the names
// read by a call with a literal (os.Getenv("NO_COLOR"), get("HOME")) and
// every literal spelled like one of tokenctl's or Buildkite's variables.
func TestEveryEnvironmentVariableIsDocumented(t *testing.T) {
	var documented []string
	for _, e := range config.Environment() {
		documented = append(documented, e.Name)
	}
	found := map[string]string{} // name -> where
	fset := token.NewFileSet()
	base, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	where := func(pos token.Pos) string {
		p := fset.Position(pos)
		if rel, err := filepath.Rel(base, p.Filename); err == nil {
			p.Filename = filepath.ToSlash(rel)
		}
		return p.String()
	}
	for _, dir := range tokenctlDirs(t) {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					if name, ok := envRead(n); ok {
						found[name] = where(n.Pos())
					}
				case *ast.BasicLit:
					if v, err := strconv.Unquote(n.Value); err == nil && n.Kind == token.STRING && envName.MatchString(v) {
						found[v] = where(n.Pos())
					}
				}
				return true
			})
		}
	}
	for _, want := range []string{"BUILDKITE_API_TOKEN", "NO_COLOR", "XDG_CONFIG_HOME"} {
		if _, ok := found[want]; !ok {
			t.Errorf("the scan did not find %s, which tokenctl reads: it misses reads", want)
		}
	}
	for name, where := range found {
		if !slices.Contains(documented, name) {
			t.Errorf("%s: tokenctl reads %s, which config.Environment does not list: add it there and run `make docs`", where, name)
		}
	}
}
