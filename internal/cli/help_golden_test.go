package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/iostreams"
	"github.com/tokenctl/tokenctl/internal/testfiles"
)

// helpGoldenDir holds every command's --help, one file per command, so
// that a change to the interface (a flag, a usage line, an example) shows
// in review. Rewrite them with go test ./internal/cli -run HelpGolden -update.
const helpGoldenDir = "help"

// bareValueType is a flag whose help names its value by pflag's type
// (--org string, --token stringArray) rather than by what it is.
var bareValueType = regexp.MustCompile(`(?m)^\s+(-\w, )?--[\w-]+ (string|int|stringArray|strings|duration|uint|float|ints)\s`)

// TestHelpGolden walks the command tree and compares each command's help
// with its golden file; a golden file of a command that is gone fails too.
func TestHelpGolden(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	ios, _, _ := iostreams.Test("")
	root := NewRootCmd(&cmdutil.Factory{IO: ios})
	root.InitDefaultHelpCmd()
	want := map[string]bool{}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden {
			return
		}
		path := strings.Fields(c.CommandPath())[1:]
		name := "tokenctl"
		if len(path) > 0 {
			name += "_" + strings.Join(path, "_")
		}
		name += ".golden"
		want[name] = true
		r := h.run(append(path, "--help")...)
		if r.code != 0 || r.stderr != "" {
			t.Errorf("%s --help: %s", c.CommandPath(), r)
		}
		golden(t, filepath.Join(helpGoldenDir, name), r.stdout)
		if m := bareValueType.FindString(r.stdout); m != "" {
			t.Errorf("%s --help names a flag's value by its Go type: %q (name it with a `VALUE` in the usage)", c.CommandPath(), m)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if testfiles.Updating() {
		return
	}
	entries, err := os.ReadDir(filepath.Join("testdata", helpGoldenDir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !want[e.Name()] {
			t.Errorf("testdata/%s/%s is the help of no command: remove it", helpGoldenDir, e.Name())
		}
	}
}
