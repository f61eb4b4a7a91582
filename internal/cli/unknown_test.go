package cli

import (
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

// A mistyped subcommand fails at every level, with or without flags: the
// error, the nearest subcommands and the group's usage on stderr, nothing
// on stdout. It used to print the group's help and exit 0, or, with a
// flag, blame the flag.
func TestUnknownSubcommandIsAUsageError(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	cases := []struct {
		args    []string
		word    string
		group   string
		suggest string
	}{
		{[]string{"tkens"}, "tkens", "tokenctl", "tokens"},
		{[]string{"tokens", "lst"}, "lst", "tokenctl tokens", "list"},
		{[]string{"tokens", "lst", "--org", "acme"}, "lst", "tokenctl tokens", "list"},
		{[]string{"tokens", "--org", "acme", "lst"}, "lst", "tokenctl tokens", "list"},
		{[]string{"tokens", "-o", "json", "lst"}, "lst", "tokenctl tokens", "list"},
		{[]string{"--debug", "tokens", "lst"}, "lst", "tokenctl tokens", "list"},
		{[]string{"config", "vew"}, "vew", "tokenctl config", "view"},
		{[]string{"config", "vew", "-o", "json"}, "vew", "tokenctl config", "view"},
		{[]string{"policy", "shw"}, "shw", "tokenctl policy", "show"},
		{[]string{"policy", "shw", "--org", "acme"}, "shw", "tokenctl policy", "show"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			r := h.run(c.args...)
			if exitcode.Code(r.code) != exitcode.Usage {
				t.Errorf("exit %d, want %d", r.code, exitcode.Usage)
			}
			if r.stdout != "" {
				t.Errorf("stdout is not empty:\n%s", r.stdout)
			}
			mustContain(t, "stderr", r.stderr,
				`tokenctl: unknown command "`+c.word+`" for "`+c.group+`"`,
				"\nDid you mean this?\n", "\t"+c.suggest+"\n",
				"Usage:\n  "+c.group+" [command]",
				"Available Commands:")
			if strings.Contains(r.stderr, "unknown flag") {
				t.Errorf("stderr blames a flag:\n%s", r.stderr)
			}
		})
	}
	if r := h.run(append([]string{"policy", "shw"}, "--org", "acme")...); r.code == 0 {
		t.Errorf("policy shw --org acme succeeded: %s", r)
	}
}

// What is right stays right: a group alone prints its help, a command
// with flags before it runs, and help for a command is help.
func TestKnownCommandsAreNotUnknown(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	for _, args := range [][]string{
		{"tokens"},
		{"tokens", "--help"},
		{"tokens", "list", "--help"},
		{"--debug", "version"},
		{"help", "tokens"},
		{"config", "set", "--help"},
	} {
		if r := h.run(args...); r.code != 0 || r.stdout == "" {
			t.Errorf("%v: %s", args, r)
		}
	}
}
