package cli

import (
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/tokenctl/tokenctl/"

// commandDomains are the packages that hold one command group's logic:
// the group imports them, the plumbing every group shares does not.
var commandDomains = []string{
	"internal/history", "internal/hygiene", "internal/inactivity", "internal/orgsettings",
	"internal/revoke", "internal/scan", "internal/tokenfile", "internal/whoami",
}

// imports lists what the non-test Go files of dir import from the module,
// module prefix cut.
func imports(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, spec := range f.Imports {
			p, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				t.Fatal(err)
			}
			if rest, ok := strings.CutPrefix(p, module); ok && !slices.Contains(out, rest) {
				out = append(out, rest)
			}
		}
	}
	return out
}

// The arrows inside internal/cli point down only: the shared plumbing
// (cmdutil) imports no command folder and no command group's own logic,
// and no command folder imports another.
func TestCommandFoldersImportDownOnly(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var folders []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != "testdata" {
			folders = append(folders, "internal/cli/"+e.Name())
		}
	}
	if !slices.Contains(folders, "internal/cli/cmdutil") || len(folders) < 5 {
		t.Fatalf("command folders found: %v; the test no longer sees the tree", folders)
	}
	for _, folder := range folders {
		for _, imp := range imports(t, path.Base(folder)) {
			switch {
			case folder == "internal/cli/cmdutil" && (strings.HasPrefix(imp, "internal/cli") || slices.Contains(commandDomains, imp)):
				t.Errorf("cmdutil, the plumbing every command shares, imports %s: move what needs it into the command group that uses it, or the shared part down", imp)
			case imp == "internal/cli" || strings.HasPrefix(imp, "internal/cli/") && imp != "internal/cli/cmdutil":
				t.Errorf("%s imports %s: what several groups share belongs in internal/cli/cmdutil", folder, imp)
			}
		}
	}
}
