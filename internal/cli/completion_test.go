package cli

import (
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

func TestCompletionScripts(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	for shell, marker := range map[string]string{
		"bash":       "__start_tokenctl",
		"zsh":        "#compdef tokenctl",
		"fish":       "complete -c tokenctl",
		"powershell": "Register-ArgumentCompleter",
	} {
		t.Run(shell, func(t *testing.T) {
			r := h.run("completion", shell)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("completion %s failed:\n%s", shell, r)
			}
			mustContain(t, shell+" script", r.stdout, marker)
		})
	}
	r := h.run("completion", "tcsh")
	if exitcode.Code(r.code) != exitcode.Usage {
		t.Errorf("unknown shell: exit %d, want usage\n%s", r.code, r)
	}
	mustContain(t, "stderr", r.stderr, "tcsh")
}

// What the shell asks tokenctl when the user presses tab: flag names, and
// the values of flags with a fixed set.
func TestCompletionCandidates(t *testing.T) {
	cases := []struct {
		args []string
		want []string
		not  []string
	}{
		{[]string{"__complete", "revoke", "--to"}, []string{"--token", "--token-value-file"}, nil},
		{[]string{"__complete", "revoke", "-o", ""}, []string{"table", "wide", "json", "yaml", "csv"}, nil},
		{[]string{"__complete", "whoami", "--output", ""}, []string{"table", "json", "yaml"}, []string{"wide", "csv"}},
		{[]string{"__complete", "config", "view", "-o", ""}, []string{"table", "json", "yaml"}, []string{"wide", "csv"}},
		{[]string{"__complete", "policy", "show", "-o", ""}, []string{"table", "json", "csv"}, nil},
		{[]string{"__complete", ""}, []string{"revoke", "whoami", "policy", "completion"}, []string{"docs"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args[1:], " "), func(t *testing.T) {
			h := newHarness(t, emulator.Options{})
			r := h.run(c.args...)
			if r.code != 0 {
				t.Fatalf("completion failed:\n%s", r)
			}
			var candidates []string
			for _, line := range strings.Split(r.stdout, "\n") {
				if line == "" || strings.HasPrefix(line, ":") {
					continue
				}
				name, _, _ := strings.Cut(line, "\t")
				candidates = append(candidates, name)
			}
			got := "|" + strings.Join(candidates, "|") + "|"
			for _, w := range c.want {
				if !strings.Contains(got, "|"+w+"|") {
					t.Errorf("candidates %v lack %s", candidates, w)
				}
			}
			for _, w := range c.not {
				if strings.Contains(got, "|"+w+"|") {
					t.Errorf("candidates %v include %s", candidates, w)
				}
			}
		})
	}
}

// Each command prints the formats it declares: help and completion name
// them, --output refuses any other, and a default from the environment
// that the command does not print leaves it on its own default.
func TestOutputFormatsAreDeclaredPerCommand(t *testing.T) {
	refused := []struct {
		args   []string
		stderr string
	}{
		{[]string{"whoami", "-o", "csv"}, "--output csv: this command prints table, json or yaml"},
		{[]string{"whoami", "--output", "wide"}, "--output wide: this command prints table, json or yaml"},
		{[]string{"config", "view", "-o", "csv"}, "--output csv: this command prints table, json or yaml"},
	}
	for _, c := range refused {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			h := newHarness(t, emulator.Options{})
			r := h.run(c.args...)
			if exitcode.Code(r.code) != exitcode.Usage || r.stdout != "" {
				t.Fatalf("exit %d, want usage and no output\n%s", r.code, r)
			}
			mustContain(t, "stderr", r.stderr, c.stderr)
			if n := len(h.srv.Requests()); n != 0 {
				t.Errorf("a refused format sent %d requests", n)
			}
		})
	}

	h := newHarness(t, emulator.Options{})
	h.env["TOKENCTL_OUTPUT"] = "csv"
	r := h.run("whoami")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "FIELD ") {
		t.Errorf("whoami with TOKENCTL_OUTPUT=csv should print its table:\n%s", r)
	}
	if r := h.run("tokens", "list", "--org", "acme"); r.code != 0 || !strings.HasPrefix(r.stdout, "UUID,DESCRIPTION,") {
		t.Errorf("tokens list with TOKENCTL_OUTPUT=csv should print CSV:\n%s", r)
	}

	r = h.run("whoami", "--help")
	mustContain(t, "whoami help", r.stdout, "output format: table, json or yaml (env TOKENCTL_OUTPUT)")
}
