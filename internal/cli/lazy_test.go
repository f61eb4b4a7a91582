package cli

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/iostreams"
)

func subcommandNames(f *cmdutil.Factory, args []string) []string {
	var names []string
	for _, c := range newRootCmd(f, args).Commands() {
		names = append(names, c.Name())
	}
	slices.Sort(names)
	return names
}

// A run builds only the command it runs; help, completion and anything
// that is not one of the commands get the whole tree.
func TestRunBuildsOnlyTheCommandItRuns(t *testing.T) {
	ios, _, _ := iostreams.Test("")
	f := &cmdutil.Factory{IO: ios}
	all := subcommandNames(f, nil)
	for _, c := range topLevel {
		if !slices.Contains(all, c.name) {
			t.Errorf("%s is not a command of the whole tree %v", c.name, all)
		}
		if got := c.build(f).Name(); got != c.name {
			t.Errorf("topLevel names %q a command called %q", c.name, got)
		}
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"version"}, "version"},
		{[]string{"--timeout", "5s", "check", "--org", "acme"}, "check"},
		{[]string{"--debug", "tokens", "list"}, "tokens"},
		{[]string{"--api-token-file=x", "revoke", "--help"}, "revoke"},
	} {
		if got := subcommandNames(f, tt.args); !slices.Equal(got, []string{tt.want}) {
			t.Errorf("%q built %v, want only %s", tt.args, got, tt.want)
		}
	}
	for _, args := range [][]string{nil, {"--help"}, {"help", "check"}, {"completion", "bash"}, {"__complete", "ch"}, {"chek"}, {"--timeout", "check"}} {
		if got := subcommandNames(f, args); len(got) < len(topLevel) {
			t.Errorf("%q built %v, want the whole tree", args, got)
		}
	}
}

// Output for a file or a pipe is buffered and all of it is written by the
// time Run returns, the command's exit code unchanged.
func TestRunFlushesBufferedOutput(t *testing.T) {
	ios, out, _ := iostreams.Test("")
	ios.SetBufferedOut()
	f := &cmdutil.Factory{IO: ios}
	if code := Run(context.Background(), f, []string{"version"}); code != int(exitcode.OK) {
		t.Fatalf("exit %d", code)
	}
	if !strings.HasPrefix(out.String(), "tokenctl ") {
		t.Errorf("stdout %q after Run, want the version", out.String())
	}
}

// Running one command builds no completion command either: cobra would
// build one, with its four shells, at Execute.
func TestRunOfOneCommandBuildsNoCompletionCommand(t *testing.T) {
	ios, out, _ := iostreams.Test("")
	f := &cmdutil.Factory{IO: ios}
	root := newRootCmd(f, []string{"version"})
	root.SetArgs([]string{"version"})
	if _, err := root.ExecuteC(); err != nil || !strings.HasPrefix(out.String(), "tokenctl ") {
		t.Fatalf("version: %v, %q", err, out.String())
	}
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			t.Error("running version built the completion command")
		}
	}
	if !slices.Contains(subcommandNames(f, []string{"completion", "bash"}), "completion") {
		t.Error("completion bash has no completion command")
	}
}
