package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// BuildFlags build tokenctl as its release archives do (.goreleaser.yaml):
// a static binary, so start-up includes no dynamic loader.
var BuildFlags = []string{"-trimpath", "-ldflags=-s -w"}

// BuildTokenctl builds cmd/tokenctl into dir as a release is built, its
// version, commit and date set through the linker (to BenchVersion): a
// build without them reads and parses Go's build information to describe
// itself, which a release never does.
func BuildTokenctl(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "tokenctl")
	const v = "github.com/tokenctl/tokenctl/internal/version."
	ldflags := "-ldflags=-s -w -X " + v + "Version=" + BenchVersion + " -X " + v + "Commit=bench -X " + v + "Date=bench"
	flags := slices.DeleteFunc(slices.Clone(BuildFlags), func(f string) bool { return strings.HasPrefix(f, "-ldflags=") })
	return bin, goBuild(ctx, "", bin, "github.com/tokenctl/tokenctl/cmd/tokenctl", append(flags, ldflags)...)
}

// BenchVersion is the version BuildTokenctl gives tokenctl.
const BenchVersion = "v0.0.0-bench"

// helloWorld is what any Go program pays before and after main.
const helloWorld = `package main

import "fmt"

func main() { fmt.Println("hello, world") }
`

// StackLibraries are the libraries tokenctl's design requires: the stack
// floor links them and runs nothing of them but their initialisation.
var StackLibraries = []string{
	"github.com/spf13/cobra",
	"github.com/spf13/viper",
	"github.com/olekukonko/tablewriter",
	"github.com/Khan/genqlient/graphql",
}

// stackFloorSource is the hello-world with StackLibraries imported: what a
// program built on them pays before its own first line runs.
func stackFloorSource() string { return floorSource(StackLibraries) }

// floorSource is the hello-world with libs imported for their
// initialisation alone.
func floorSource(libs []string) string {
	var b strings.Builder
	b.WriteString("package main\n\nimport (\n\t\"fmt\"\n\n")
	for _, lib := range libs {
		if lib != "fmt" {
			fmt.Fprintf(&b, "\t_ %q\n", lib)
		}
	}
	b.WriteString(")\n\nfunc main() { fmt.Println(\"hello, world\") }\n")
	return b.String()
}

// BuildHelloWorld builds a Go hello-world into dir, with the same go
// command and flags as BuildTokenctl, in a module of its own.
func BuildHelloWorld(ctx context.Context, dir string) (string, error) {
	src := filepath.Join(dir, "hello")
	if err := writeProgram(src, []byte("module hello\n"), nil, helloWorld); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "hello-world")
	return bin, goBuild(ctx, src, bin, ".")
}

// BuildStackFloor builds the stack floor into dir as BuildTokenctl builds
// tokenctl, in a module that requires what tokenctl's module does (its
// go.mod and go.sum, under another name), so the libraries' versions are
// tokenctl's.
func BuildStackFloor(ctx context.Context, dir string) (string, error) {
	return buildFloor(ctx, dir, "stackfloor", StackLibraries)
}

// BuildLibraryFloor builds, as BuildStackFloor does, a hello-world that
// imports every package from outside tokenctl's module that tokenctl's
// packages import (LibraryImports): all that tokenctl links but its own
// code, initialised, nothing run. tokenctl's start-up beyond it is what
// its own code costs.
func BuildLibraryFloor(ctx context.Context, dir string) (string, error) {
	libs, err := LibraryImports(ctx)
	if err != nil {
		return "", err
	}
	return buildFloor(ctx, dir, "libraryfloor", libs)
}

// LibraryImports are the packages, the standard library's included, that
// the packages of tokenctl's module linked into cmd/tokenctl import from
// outside the module.
func LibraryImports(ctx context.Context) ([]string, error) {
	out, err := exec.CommandContext(ctx, "go", "list", "-deps",
		"-f", "{{if .Module}}{{if .Module.Main}}{{join .Imports \"\\n\"}}{{end}}{{end}}",
		"github.com/tokenctl/tokenctl/cmd/tokenctl").Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w", err)
	}
	var libs []string
	for _, pkg := range strings.Fields(string(out)) {
		if pkg != "github.com/tokenctl/tokenctl" && !strings.HasPrefix(pkg, "github.com/tokenctl/tokenctl/") {
			libs = append(libs, pkg)
		}
	}
	slices.Sort(libs)
	return slices.Compact(libs), nil
}

// buildFloor builds a hello-world importing libs into dir, in a module
// named name that requires what tokenctl's module does.
func buildFloor(ctx context.Context, dir, name string, libs []string) (string, error) {
	modFile, err := mainModFile(ctx)
	if err != nil {
		return "", err
	}
	mod, err := os.ReadFile(modFile)
	if err != nil {
		return "", err
	}
	sum, err := os.ReadFile(filepath.Join(filepath.Dir(modFile), "go.sum"))
	if err != nil {
		return "", err
	}
	mod, err = renameModule(mod, name)
	if err != nil {
		return "", fmt.Errorf("%s: %w", modFile, err)
	}
	src := filepath.Join(dir, name)
	if err := writeProgram(src, mod, sum, floorSource(libs)); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, name+"-bin")
	return bin, goBuild(ctx, src, bin, ".")
}

// mainModFile is the go.mod of the module the bench runs in.
func mainModFile(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	path := strings.TrimSpace(string(out))
	if path == "" || path == os.DevNull {
		return "", fmt.Errorf("the bench must run inside tokenctl's module (go env GOMOD says %q)", path)
	}
	return path, nil
}

var moduleLine = regexp.MustCompile(`(?m)^module[ \t]+\S+[ \t]*$`)

// renameModule gives a go.mod another module path, keeping its
// requirements.
func renameModule(mod []byte, name string) ([]byte, error) {
	if !moduleLine.Match(mod) {
		return nil, fmt.Errorf("no module line")
	}
	return moduleLine.ReplaceAll(mod, []byte("module "+name)), nil
}

// writeProgram writes a one-file main package with its go.mod (and go.sum
// when given) into dir.
func writeProgram(dir string, mod, sum []byte, main string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	files := map[string][]byte{"go.mod": mod, "main.go": []byte(main)}
	if sum != nil {
		files["go.sum"] = sum
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// goBuild builds pkg into bin with flags, BuildFlags when none are given.
func goBuild(ctx context.Context, workDir, bin, pkg string, flags ...string) error {
	if len(flags) == 0 {
		flags = BuildFlags
	}
	args := append([]string{"build", "-o", bin}, flags...)
	cmd := exec.CommandContext(ctx, "go", append(args, pkg)...) //nolint:gosec // bin is a path in the bench's own temporary directory
	cmd.Dir = workDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
	}
	return nil
}
