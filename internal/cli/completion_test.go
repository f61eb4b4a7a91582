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
		{[]string{"__complete", "whoami", "--output", ""}, []string{"json", "yaml"}, nil},
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
