package revoke

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/cli/clitest"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/iostreams"
)

// Which tokens revoke acts on, for each way of naming them, and which
// combinations it refuses: Complete and Validate alone, through runF, with
// no API to talk to (the endpoints point nowhere). It is long because it
// is one table, a row per combination.
func TestRevokeFlagCombinations(t *testing.T) {
	const (
		u1 = "11111111-1111-4111-8111-111111111111"
		u2 = "22222222-2222-4222-8222-222222222222"
		u3 = "33333333-3333-4333-8333-333333333333"
	)
	dir := t.TempDir()
	write := func(name, content string) string { return clitest.WritePrivateFile(t, dir, name, content) }
	list := write("tokens.txt", "# leavers\n"+u2+"\n\n"+u3+"  # old laptop\n")
	leaked := write("leaked", et.CIDeployBotToken+"\n")
	orgsFile := write("orgs.txt", "# where the bot ran\nglobex\n\nacme  # ours\n")
	missing := filepath.Join(dir, "nope")

	cases := []struct {
		name   string
		args   []string
		stdin  string
		tty    bool
		tokens []string // tokens named, in order
		filter bool     // tokens selected by filter
		value  string   // the leaked value read
		orgs   []string // the organizations named for a leaked value
		err    string   // a usage error containing this
	}{
		{name: "tokens", args: []string{"--org", "acme", "--token", u1, "--token", u2}, tokens: []string{u1, u2}},
		{name: "file", args: []string{"--org", "acme", "--from-file", list}, tokens: []string{u2, u3}},
		{name: "tokens and file", args: []string{"--org", "acme", "--token", u1, "--from-file", list}, tokens: []string{u1, u2, u3}},
		{name: "file on stdin", args: []string{"--org", "acme", "--from-file", "-"}, stdin: u3 + "\n", tokens: []string{u3}},
		{name: "filter with --yes", args: []string{"--org", "acme", "--stale", "90d", "--yes"}, filter: true},
		{name: "filter, dry run", args: []string{"--org", "acme", "--never-used", "--dry-run"}, filter: true},
		{name: "filter on a terminal", args: []string{"--org", "acme", "--admin-capable"}, tty: true, filter: true},
		{name: "leaked value", args: []string{"--org", "acme", "--token-value-file", leaked}, value: et.CIDeployBotToken},
		{name: "leaked value, all orgs", args: []string{"--token-value-file", leaked, "--all-orgs", "--yes"}, value: et.CIDeployBotToken},
		{name: "leaked value, all orgs, nobody to ask", args: []string{"--token-value-file", leaked, "--all-orgs"}, err: "--all-orgs selects the tokens to revoke rather than naming each one"},
		{name: "leaked value, orgs named", args: []string{"--org", "acme", "--org", "globex", "--token-value-file", leaked}, value: et.CIDeployBotToken, orgs: []string{"acme", "globex"}},
		{name: "leaked value, orgs file", args: []string{"--org", "initech", "--orgs-file", orgsFile, "--token-value-file", leaked}, value: et.CIDeployBotToken, orgs: []string{"initech", "globex", "acme"}},
		{name: "leaked value, orgs file on stdin", args: []string{"--orgs-file", "-", "--token-value-file", leaked}, stdin: "acme\n", value: et.CIDeployBotToken, orgs: []string{"acme"}},
		{name: "leaked value on stdin", args: []string{"--token-value-file", "-", "--everywhere", "--yes"}, stdin: et.CIDeployBotToken, value: et.CIDeployBotToken},

		{name: "nothing", args: []string{"--org", "acme"}, err: "no token given"},
		{name: "no organization", args: []string{"--token", u1}, err: "no organization given"},
		{name: "not a token", args: []string{"--org", "acme", "--token", "11111111-1111-4111-8111"}, err: "a part missing"},
		{name: "an opaque id", args: []string{"--org", "acme", "--token", "QVBJQWNjZXNz"}, tokens: []string{"QVBJQWNjZXNz"}},
		{name: "missing file", args: []string{"--org", "acme", "--from-file", missing}, err: "cannot read it"},
		{name: "empty file name", args: []string{"--org", "acme", "--from-file", " "}, err: "empty file name"},
		{name: "filter needs confirmation", args: []string{"--org", "acme", "--stale", "90d"}, err: "needs confirmation"},
		{name: "filter and tokens", args: []string{"--org", "acme", "--stale", "90d", "--token", u1, "--yes"}, err: "select the tokens themselves"},
		{name: "filter and file", args: []string{"--org", "acme", "--stale", "90d", "--from-file", list, "--yes"}, err: "select the tokens themselves"},
		{name: "empty filter value", args: []string{"--org", "acme", "--owner", " ", "--yes"}, err: "--owner: empty value"},
		{name: "filters that never match", args: []string{"--org", "acme", "--stale", "90d", "--never-used", "--yes"}, err: "never"},
		{name: "bad duration", args: []string{"--org", "acme", "--stale", "soon", "--yes"}, err: "--stale"},
		{name: "leaked and file", args: []string{"--org", "acme", "--token-value-file", leaked, "--from-file", list}, err: "do not combine it with --from-file"},
		{name: "leaked and filter", args: []string{"--org", "acme", "--token-value-file", leaked, "--stale", "90d"}, err: "do not combine it with --from-file or filters"},
		{name: "leaked and token", args: []string{"--org", "acme", "--token-value-file", leaked, "--token", u1}, err: "mutually exclusive"},
		{name: "all orgs and everywhere", args: []string{"--token-value-file", leaked, "--all-orgs", "--everywhere"}, err: "mutually exclusive"},
		{name: "all orgs and org", args: []string{"--org", "acme", "--token-value-file", leaked, "--all-orgs"}, err: "--org and --orgs-file cannot be combined with --all-orgs"},
		{name: "all orgs and orgs file", args: []string{"--orgs-file", orgsFile, "--token-value-file", leaked, "--all-orgs"}, err: "cannot be combined with --all-orgs"},
		{name: "everywhere and orgs", args: []string{"--org", "acme", "--org", "globex", "--token-value-file", leaked, "--everywhere"}, err: "cannot be combined with --everywhere"},
		{name: "orgs file without value", args: []string{"--orgs-file", orgsFile}, err: "give its value with --token-value-file"},
		{name: "orgs file missing", args: []string{"--orgs-file", missing, "--token-value-file", leaked}, err: "cannot read it"},
		{name: "orgs file names none", args: []string{"--orgs-file", "-", "--token-value-file", leaked}, stdin: "# nobody\n", err: "names no organization"},
		{name: "repeated org without a leaked value", args: []string{"--org", "acme", "--org", "globex", "--token", u1}, err: "--org was given 2 times"},
		{name: "scan and repeated org", args: []string{"--org", "acme", "--org", "globex", "--from-scan", list}, err: "for --token-value-file only"},
		{name: "scan and orgs file", args: []string{"--orgs-file", orgsFile, "--from-scan", list}, err: "for --token-value-file only"},
		{name: "orgs file and value on stdin", args: []string{"--orgs-file", "-", "--token-value-file", "-"}, stdin: "acme\n", err: "both want standard input"},
		{name: "all orgs without value", args: []string{"--all-orgs"}, err: "give its value with --token-value-file"},
		{name: "leaked value on a terminal", args: []string{"--org", "acme", "--token-value-file", "-"}, tty: true, err: "standard input is a terminal"},
		{name: "leaked value missing", args: []string{"--org", "acme", "--token-value-file", missing}, err: "cannot read it"},
		{name: "two readers of stdin", args: []string{"--org", "acme", "--api-token-file", "-", "--from-file", "-"}, stdin: et.DemoToken, err: "both want standard input"},
		{name: "unknown format", args: []string{"--org", "acme", "--token", u1, "-o", "xml"}, err: "--output xml: this command prints table, wide, json, yaml or csv"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{
				"BUILDKITE_API_TOKEN":         et.DemoToken,
				"BUILDKITE_GRAPHQL_ENDPOINT":  "http://127.0.0.1:1/v1",
				"BUILDKITE_REST_API_ENDPOINT": "http://127.0.0.1:1",
				"XDG_CONFIG_HOME":             dir,
				"HOME":                        dir,
			}
			ios, _, _ := iostreams.Test(c.stdin)
			if c.tty {
				ios.SetTTY(true, true, true)
			}
			clitest.SetEnv(t, env)
			f := &cmdutil.Factory{IO: ios, Now: func() time.Time { return clitest.Now }}
			var got *RevokeOptions
			cmd := NewCmdRevoke(f, func(_ context.Context, o *RevokeOptions) error { got = o; return nil })
			cmd.PersistentFlags().String("api-token-file", "", "")
			cmd.PersistentFlags().Bool("debug", false, "")
			cmd.SetArgs(c.args)
			cmd.SetOut(io.Discard)
			cmd.SetErr(io.Discard)
			err := cmd.Execute()

			if c.err != "" {
				if err == nil || exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error = %v (exit %d), want a usage error containing %q", err, exitcode.Of(err), c.err)
				}
				if got != nil {
					t.Error("the run was reached despite the error")
				}
				return
			}
			if err != nil || got == nil {
				t.Fatalf("error = %v, run reached: %v", err, got != nil)
			}
			var tokens []string
			for _, tok := range append(got.Tokens, got.Bulk.listed...) {
				tokens = append(tokens, tok.String())
			}
			if strings.Join(tokens, " ") != strings.Join(c.tokens, " ") {
				t.Errorf("tokens = %q, want %q", tokens, c.tokens)
			}
			if got.Bulk.selecting != c.filter || (c.filter && got.Bulk.filter.IsZero()) {
				t.Errorf("selecting by filter = %v (%+v), want %v", got.Bulk.selecting, got.Bulk.filter, c.filter)
			}
			var orgs []string
			for _, org := range got.Leaked.orgs {
				orgs = append(orgs, org.String())
			}
			if strings.Join(orgs, " ") != strings.Join(c.orgs, " ") {
				t.Errorf("organizations named = %q, want %q", orgs, c.orgs)
			}
			if v := got.Leaked.value.Reveal(); v != c.value {
				t.Errorf("leaked value read = %d bytes, want %d", len(v), len(c.value))
			}
		})
	}
}
