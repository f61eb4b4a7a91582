package cli

import (
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/iostreams"
)

// Canary credentials: recognisable values the emulator accepts in place of
// the demo seed's, so that any of them turning up in output is a leak.
const (
	canaryAdmin     = "bkua_CanaryAdmin7q9Z4x8W2v6T1r5P3n0M"   // the tool's own token (Ada, admin of acme)
	canaryNoGraphQL = "bkua_CanaryNoGraphQL3k8J2h6G4f1D9s7A"   // valid, without GraphQL access: 403
	canaryMember    = "bkua_CanaryMember5w1E8r4T6y2U9i3O7p0L"  // valid, but may not list or revoke: GraphQL errors
	canaryUnknown   = "bkua_CanaryUnknown2b7N4m9V1c6X3z8Q5a0S" // unknown to Buildkite: 401
	canaryLeaked    = "bkua_CanaryLeaked8h3J6k1L9g4F2d7S5a0Q"  // the CI deploy bot's value, handed to --token-value-file
	// The Hackathon token's value, in the shape scanners find (bkua_ and
	// 40 lower-case letters and digits), handed to --from-scan.
	canaryScanned = "bkua_canaryscanned7q9z4x8w2v6t1r5p3n0m8k4j2h6"
)

var canaries = []string{canaryAdmin, canaryNoGraphQL, canaryMember, canaryUnknown, canaryLeaked, canaryScanned}

// canaryFixture is the demo seed with the canaries as token values.
func canaryFixture() *emulator.Fixture {
	f := emulator.DemoFixture()
	values := map[string]string{
		et.DemoTokenUUID:      canaryAdmin,
		et.NoGraphQLTokenUUID: canaryNoGraphQL,
		et.MemberTokenUUID:    canaryMember,
		et.CIDeployBotUUID:    canaryLeaked,
		et.HackathonTokenUUID: canaryScanned,
	}
	for i := range f.Tokens {
		if v, ok := values[f.Tokens[i].UUID]; ok {
			f.Tokens[i].Value = v
		}
	}
	return f
}

// leaks returns every canary, or recognisable part of one, found in s.
func leaks(s string) []string {
	var found []string
	for _, c := range canaries {
		// The part after the prefix is what makes a token; 12 characters
		// of it are enough to recognise a cut or re-wrapped one.
		if body := c[len("bkua_"):]; strings.Contains(s, c) || strings.Contains(s, body[:12]) || strings.Contains(s, body[len(body)-12:]) {
			found = append(found, c)
		}
	}
	return found
}

// secretsArgs gives, for every runnable command (by path below the root),
// plausible argument lists: the success path and the main variants. "ORG"
// is replaced by the organization of the scenario, "DIR" by a temporary
// directory, "LEAKED" by a file holding the leaked token's value and
// "SCAN" by a secret scanner's findings.
var secretsArgs = map[string][][]string{
	"revoke": {
		{"--org", "ORG", "--token", et.OldLaptopTokenUUID, "--audit-log", "DIR/audit.jsonl", "-o", "json"},
		{"--org", "ORG", "--token", et.HackathonTokenUUID, "--dry-run", "-o", "wide"},
		{"--org", "ORG", "--token-value-file", "LEAKED", "--audit-log", "DIR/audit.jsonl", "-o", "json"},
		{"--org", "ORG", "--token-value-file", "LEAKED", "--dry-run", "-o", "yaml"},
		{"--all-orgs", "--token-value-file", "LEAKED", "--dry-run", "-o", "json"},
		{"--org", "ORG", "--org", "globex", "--token-value-file", "LEAKED", "-o", "json"},
		{"--token-value-file", "LEAKED", "--orgs-file", "LEAKED"}, // the value given where organizations belong
		{"--org", "ORG", "--token", canaryLeaked},                 // a token value pasted where a uuid belongs
		{"--org", "ORG", "--never-used", "--dry-run", "-o", "csv"},
		// Values pasted into the wrong flag: flag parse errors quote them.
		{"--org", "ORG", "--token", et.OldLaptopTokenUUID, "--page-size", canaryLeaked},
		{"--org", "ORG", "--token", et.OldLaptopTokenUUID, "--timeout", canaryLeaked},
		{"--org", "ORG", "--token", et.OldLaptopTokenUUID, "--concurrency", canaryLeaked},
		{"--org", "ORG", "--token", et.OldLaptopTokenUUID, "--jq", canaryLeaked},
		{"--org", "ORG", "--token", et.OldLaptopTokenUUID, "--jq", ".results[] | " + canaryLeaked + "("},
		{"--org", "ORG", "--from-scan", "SCAN", "--audit-log", "DIR/audit.jsonl", "-o", "json"},
		{"--all-orgs", "--from-scan", "SCAN", "--dry-run", "-o", "wide"},
		{"--everywhere", "--from-scan", "SCAN", "--dry-run"},
		{"--plan", "DIR/plan.json", "--audit-log", "DIR/audit.jsonl", "-o", "json"}, // written by check below
	},
	"check": {
		{"--org", "ORG", "--plan-out", "DIR/plan.json"},
		{"--org", "ORG", "-o", "markdown"},
		{"--org", "ORG", "--org", canaryLeaked, "-o", "csv"},
		{"--all-orgs", "-o", "json"},
	},
	"tokens list":           {{"--org", "ORG"}, {"--org", "ORG", "-o", "json"}, {"--org", canaryLeaked}, {"--org", "ORG", "--page-size=" + canaryLeaked}},
	"tokens get":            {{"--org", "ORG", et.TerraformTokenUUID, "-o", "yaml"}, {"--org", "ORG", canaryLeaked}},
	"history":               {{"--org", "ORG", "-o", "wide"}, {"--org", "ORG", "--reconcile", "DIR/audit.jsonl", "--since", "30d", "-o", "json"}, {"--org", "ORG", "--token", canaryLeaked}},
	"tokens activity":       {{"--org", "ORG", "--token", et.CIDeployBotUUID, "-o", "json"}, {"--org", "ORG", "--token", canaryLeaked}},
	"whoami":                {{}, {"-o", "json"}},
	"policy show":           {{"--org", "ORG", "--within", "30", "-o", "wide"}, {"--org", "ORG", "--what-if", "30d", "-o", "json"}, {"--org", "ORG", "--what-if", canaryLeaked}},
	"policy set":            {{"--org", "ORG", "--revoke-inactive-after", "30d", "--dry-run", "-o", "json"}, {"--org", "ORG", "--revoke-inactive-after", "60d", "--yes", "--audit-log", "DIR/audit.jsonl"}, {"--org", "ORG", "--revoke-inactive-after", canaryLeaked}},
	"settings show":         {{"--org", "ORG", "-o", "json"}, {"--all-orgs"}, {"--org", canaryLeaked}},
	"settings set":          {{"--org", "ORG", "--allowed-ip", "127.0.0.1/32", "--dry-run", "-o", "json"}, {"--org", "ORG", "--restrict-token-creation", "true", "--yes", "--audit-log", "DIR/audit.jsonl"}, {"--org", "ORG", "--allowed-ip", canaryLeaked}, {"--org", "ORG", "--revoke-inactive-after", canaryLeaked}},
	"config view":           {{}, {"-o", "json"}, {"-o", "yaml"}},
	"config set":            {{"org", "ORG"}, {"api-token", canaryAdmin}, {"org", canaryLeaked}, {"api-token", "-"}, {"api-token", "-", "--insecure-storage"}},
	"config unset":          {{"org"}, {"api-token"}},
	"config migrate-token":  {{}},
	"version":               {{}},
	"completion":            {{}},
	"completion bash":       {{}},
	"completion zsh":        {{}},
	"completion fish":       {{}},
	"completion powershell": {{}},
	"help":                  {{"revoke"}},
}

// runnableCommands walks the command tree and returns the path (below the
// root) of every command that does something when run.
func runnableCommands(t *testing.T) []string {
	t.Helper()
	ios, _, _ := iostreams.Test("")
	root := NewRootCmd(&cmdutil.Factory{IO: ios})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	var paths []string
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Runnable() && c != root {
			paths = append(paths, strings.TrimPrefix(c.CommandPath(), root.Name()+" "))
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	slices.Sort(paths)
	return paths
}

// Every command must be exercised: a new one fails this test until it has
// plausible arguments above.
func TestSecretsEveryCommandHasArguments(t *testing.T) {
	cmds := runnableCommands(t)
	if len(cmds) < 10 {
		t.Fatalf("found only %d commands in the tree: %v", len(cmds), cmds)
	}
	for _, c := range cmds {
		if _, ok := secretsArgs[c]; !ok {
			t.Errorf("command %q has no entry in secretsArgs; add plausible arguments so the secrets test runs it", c)
		}
	}
	for c := range secretsArgs {
		if !slices.Contains(cmds, c) {
			t.Errorf("secretsArgs names %q, which is not a command", c)
		}
	}
}

// scenario is one way of running every command: which credential, how it
// is supplied, which organization, and what goes wrong on the wire.
type scenario struct {
	name       string
	token      string // "" leaves the canary admin token in the environment
	byFile     bool   // supply the token with --api-token-file instead
	byKeychain bool   // or from the system keychain (go-keyring's mock)
	org        string
	debug      bool
	faults     []emulator.Fault
}

var secretScenarios = []scenario{
	{name: "success", org: "acme"},
	{name: "debug", org: "acme", debug: true},
	{name: "token file and debug", org: "acme", debug: true, byFile: true},
	{name: "keychain and debug", org: "acme", debug: true, byKeychain: true},
	{name: "keychain, 401", token: canaryUnknown, org: "acme", debug: true, byKeychain: true},
	{name: "unknown organization", org: "no-such-org", debug: true},
	{name: "401", token: canaryUnknown, org: "acme", debug: true},
	{name: "403", token: canaryNoGraphQL, org: "acme", debug: true},
	{name: "not an administrator", token: canaryMember, org: "acme", debug: true},
	{name: "faults", org: "acme", debug: true, faults: []emulator.Fault{
		{Kind: emulator.FaultStatus, Status: http.StatusBadGateway, Match: "query", Times: 1},
		{Kind: emulator.FaultNonJSON, Match: "rest", Times: 1},
		{Kind: emulator.FaultDropAfter, Match: "mutation", Times: 1},
		{Kind: emulator.FaultTruncate, Match: "mutation", Times: 1},
		{Kind: emulator.FaultGraphQLError, Match: "query", Times: 1},
	}},
}

// Every command, in every scenario, with the credential in the
// environment or a file and the leaked token's value in a file: no
// canary may appear on stdout, on stderr (errors and --debug traces), in
// the audit log or in any file a command wrote, the config file included
// (no run is given a canary to store there). It stays one function, long,
// so that every run of every command passes the same checks.
func TestSecretsNeverAppearInOutput(t *testing.T) {
	cmds := runnableCommands(t)
	for _, sc := range secretScenarios {
		t.Run(sc.name, func(t *testing.T) {
			// Every command runs twice against one emulator within the
			// window, the all-orgs runs listing every organization: more
			// than the emulator's single GraphQL budget holds (Buildkite's
			// is per organization), and this test is about what is
			// printed, not about pacing.
			h := newHarness(t, emulator.Options{Fixture: canaryFixture(), Faults: sc.faults, RateLimit: 1 << 30})
			dir := t.TempDir()
			token := sc.token
			if token == "" {
				token = canaryAdmin
			}
			h.env["BUILDKITE_API_TOKEN"] = token
			// The identity cache is checked with the other files written.
			h.env["TOKENCTL_CACHE_DIR"] = filepath.Join(dir, "cache")
			var global []string
			if sc.byFile {
				delete(h.env, "BUILDKITE_API_TOKEN")
				global = append(global, "--api-token-file", writeSecret(t, dir, "api-token", token+"\n"))
			}
			if sc.byKeychain {
				delete(h.env, "BUILDKITE_API_TOKEN")
			}
			if sc.debug {
				global = append(global, "--debug")
			}
			leakedFile := writeSecret(t, dir, "leaked", canaryLeaked+"\n")
			// Scanner output: the scanned canary found twice, and the
			// leaked canary under another detector (ignored, never shown).
			scanFile := writeSecret(t, dir, "scan.jsonl", strings.Join([]string{
				`{"SourceMetadata":{"Data":{"Git":{"file":"a.log","line":1,"commit":"c1"}}},"DetectorName":"Buildkite","Raw":"` + canaryScanned + `"}`,
				`{"SourceMetadata":{"Data":{"Git":{"file":"b.env","line":2,"commit":"c2"}}},"DetectorName":"Buildkite","Raw":"` + canaryScanned + `"}`,
				`{"SourceMetadata":{"Data":{"Filesystem":{"file":"c.txt","line":3}}},"DetectorName":"Generic","Raw":"` + canaryLeaked + `"}`,
			}, "\n")+"\n")
			traced := false
			for _, c := range cmds {
				for _, args := range secretsArgs[c] {
					argv := strings.Fields(c)
					for _, a := range args {
						a = strings.ReplaceAll(a, "ORG", sc.org)
						a = strings.ReplaceAll(a, "DIR", dir)
						a = strings.ReplaceAll(a, "LEAKED", leakedFile)
						a = strings.ReplaceAll(a, "SCAN", scanFile)
						argv = append(argv, a)
					}
					argv = append(argv, global...)
					// Once as a script would run it, once at a terminal
					// (prompts, progress), answering yes.
					var runs []result
					for _, tty := range []bool{false, true} {
						if sc.byKeychain {
							// config unset and config set change it.
							h.storeInKeychain(token)
						}
						input := ""
						if tty {
							input = "y\n"
						}
						runs = append(runs, h.exec(tty, input, argv...))
					}
					for _, r := range runs {
						if r.code == int(exitcode.Usage) && strings.Contains(r.stderr, "unknown flag") {
							t.Errorf("%s: %s", strings.Join(argv, " "), r.stderr)
						}
						if found := leaks(r.stdout + r.stderr); len(found) > 0 {
							t.Errorf("tokenctl %s printed %v:\n%s", strings.Join(argv, " "), found, r)
						}
						if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic:") {
							t.Errorf("tokenctl %s: stack trace on stderr:\n%s", strings.Join(argv, " "), r.stderr)
						}
						traced = traced || strings.Contains(r.stderr, "Authorization: Bearer [redacted]")
					}
				}
			}
			if sc.debug && !traced {
				t.Error("no run printed a debug trace of a request; the scenario checks nothing about traces")
			}
			checkFilesForLeaks(t, dir)
			if found := leaks(h.configBytes()); len(found) > 0 {
				t.Errorf("the config file holds %v although no run was given the token to store", found)
			}
			if sc.byKeychain && h.keychain.calls.Load() == 0 {
				t.Error("no run asked the keychain; the scenario checks nothing about it")
			}
			if sc.name == "success" {
				audit, err := os.ReadFile(filepath.Join(dir, "audit.jsonl"))
				if err != nil || !strings.Contains(string(audit), `"event":"outcome"`) {
					t.Errorf("the audit log was not written (%v); its check proves nothing:\n%s", err, audit)
				}
				if entries, err := os.ReadDir(filepath.Join(dir, "cache", "identities")); err != nil || len(entries) == 0 {
					t.Errorf("no identity was remembered (%v); its check proves nothing", err)
				}
			}
		})
	}
}

// writeSecret writes a credential file with the mode a careful user gives
// it.
func writeSecret(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// checkFilesForLeaks reads every file tokenctl wrote under dir (the audit
// log, man pages), skipping the credential files the test wrote itself.
func checkFilesForLeaks(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "api-token" || d.Name() == "leaked" || d.Name() == "scan.jsonl" {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if found := leaks(string(data)); len(found) > 0 {
			t.Errorf("%s holds %v", p, found)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The config file holds the token only when asked to (--insecure-storage):
// it is written 0600, only `config set api-token -` (stdin) puts it there,
// and a config file other users can read draws a warning on every run.
func TestSecretsConfigFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits")
	}
	h := newHarness(t, emulator.Options{Fixture: canaryFixture()})
	delete(h.env, "BUILDKITE_API_TOKEN")
	path := filepath.Join(h.env["XDG_CONFIG_HOME"], "tokenctl", "config.yaml")

	r := h.exec(false, canaryAdmin+"\n", "config", "set", "api-token", "-", "--insecure-storage")
	if r.code != 0 {
		t.Fatalf("config set api-token - --insecure-storage: %s", r)
	}
	if found := leaks(r.stdout + r.stderr); len(found) > 0 {
		t.Errorf("config set printed the token:\n%s", r)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("config file mode %04o, want 0600", perm)
	}

	// The stored token works, and no warning while the file is private.
	r = h.run("whoami", "-o", "json")
	if r.code != 0 || strings.Contains(r.stderr, "warning") {
		t.Fatalf("whoami with the stored token: %s", r)
	}

	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	r = h.run("whoami", "-o", "json")
	if r.code != 0 {
		t.Fatalf("whoami: %s", r)
	}
	mustContain(t, "stderr", r.stderr, "tokenctl: warning: config file "+path+" is readable by other users (mode 0644); run chmod 600 "+path)
	r = h.run("config", "view")
	mustContain(t, "config view", r.stderr, "is readable by other users")
	mustContain(t, "config view", r.stdout, "[redacted]")
	if found := leaks(r.stdout + r.stderr); len(found) > 0 {
		t.Errorf("config view printed the token:\n%s", r)
	}

	// Setting anything else rewrites the file private again.
	if r := h.run("config", "set", "org", "acme"); r.code != 0 {
		t.Fatalf("config set org: %s", r)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("after config set the mode is %v (%v), want 0600", fi.Mode().Perm(), err)
	}
}

// The token is never sent in clear text: a plain http:// endpoint is
// refused before any request unless its host is loopback, from the flag,
// the environment or the config file alike.
func TestSecretsPlainHTTPRefused(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	cases := []struct {
		name  string
		setup func() []string
	}{
		{"graphql flag", func() []string { return []string{"--graphql-endpoint", "http://graphql.buildkite.com/v1"} }},
		{"rest flag", func() []string { return []string{"--rest-endpoint", "http://api.buildkite.com"} }},
		{"env", func() []string { h.env["BUILDKITE_GRAPHQL_ENDPOINT"] = "http://10.0.0.5/v1"; return nil }},
		{"config file", func() []string {
			delete(h.env, "BUILDKITE_REST_API_ENDPOINT")
			if r := h.run("config", "set", "rest-endpoint", "https://api.buildkite.com"); r.code != 0 {
				t.Fatalf("config set: %s", r)
			}
			// Write the insecure value by hand: `config set` refuses it too.
			p := filepath.Join(h.env["XDG_CONFIG_HOME"], "tokenctl", "config.yaml")
			if err := os.WriteFile(p, []byte("rest-endpoint: http://api.buildkite.com\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			return nil
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			saved := map[string]string{}
			for k, v := range h.env {
				saved[k] = v
			}
			defer func() { h.env = saved }()
			before := h.srv.CountRequests(nil)
			for _, cmd := range [][]string{{"whoami"}, {"revoke", "--org", "acme", "--token", target}, {"tokens", "list", "--org", "acme"}} {
				r := h.run(append(cmd, c.setup()...)...)
				if r.code != int(exitcode.Usage) {
					t.Errorf("%v: exit status %d, want %d\n%s", cmd, r.code, exitcode.Usage, r)
				}
				mustContain(t, "stderr", r.stderr, "must use https://", "loopback")
				if first, _, _ := strings.Cut(r.stderr, "\n"); !strings.HasPrefix(first, "tokenctl: ") {
					t.Errorf("%v: stderr does not start with one tokenctl: line:\n%s", cmd, r.stderr)
				}
			}
			if n := h.srv.CountRequests(nil) - before; n != 0 {
				t.Errorf("%d requests reached the server", n)
			}
		})
	}

	// Loopback is fine: that is how the emulator is reached in every test.
	// Both endpoints are given: they must name the same server.
	if r := h.run("whoami", "--graphql-endpoint", strings.Replace(h.srv.GraphQLEndpoint, "127.0.0.1", "localhost", 1),
		"--rest-endpoint", strings.Replace(h.srv.RESTEndpoint, "127.0.0.1", "localhost", 1)); r.code != 0 {
		t.Errorf("http://localhost refused:\n%s", r)
	}
}

// A secret pasted where a flag or a flag's value belongs is never echoed
// by the parse error, which is still a usage error that names the flag.
func TestSecretsFlagErrorsRedacted(t *testing.T) {
	h := newHarness(t, emulator.Options{Fixture: canaryFixture()})
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"revoke", "--org", "acme", "--token", et.OldLaptopTokenUUID, "--page-size", canaryLeaked}, `invalid argument "[redacted]" for "--page-size" flag`},
		{[]string{"revoke", "--org", "acme", "--token", et.OldLaptopTokenUUID, "--timeout=" + canaryLeaked}, `for "--timeout" flag`},
		{[]string{"tokens", "list", "--org", "acme", "--jq", canaryLeaked}, "--jq: function not defined: [redacted]"},
		{[]string{"revoke", "--org", "acme", "--" + canaryLeaked}, "unknown flag: --[redacted]"},
		{[]string{canaryLeaked}, `unknown command "[redacted]"`},
	}
	for _, c := range cases {
		r := h.run(c.args...)
		if r.code != int(exitcode.Usage) {
			t.Errorf("%v: exit %d, want %d", c.args, r.code, exitcode.Usage)
		}
		if found := leaks(r.stdout + r.stderr); len(found) > 0 {
			t.Errorf("%v echoed %v:\n%s", c.args, found, r)
		}
		mustContain(t, "stderr", r.stderr, c.want)
	}
	if n := h.srv.CountRequests(nil); n != 0 {
		t.Errorf("%d requests sent for bad command lines", n)
	}
}

// The token kept in the system keychain never shows: not when it is
// stored, moved, removed or used (with --debug, and at a terminal where
// the hint is printed), not when the keychain fails, and never in the
// config file, whose bytes are read after every step.
func TestSecretsKeychain(t *testing.T) {
	h := newHarness(t, emulator.Options{Fixture: canaryFixture()})
	delete(h.env, "BUILDKITE_API_TOKEN")
	// A step marked (insecure) runs while the config file holds the token
	// in plain text, put there on purpose.
	check := func(what string, r result, wantCode int) {
		t.Helper()
		if r.code != wantCode {
			t.Errorf("%s: exit %d, want %d\n%s", what, r.code, wantCode, r)
		}
		if found := leaks(r.stdout + r.stderr); len(found) > 0 {
			t.Errorf("%s printed %v:\n%s", what, found, r)
		}
		if found := leaks(h.configBytes()); len(found) > 0 && !strings.Contains(what, "insecure") {
			t.Errorf("after %s the config file holds %v:\n%s", what, found, h.configBytes())
		}
	}

	check("config set (keychain)", h.exec(false, canaryAdmin+"\n", "config", "set", "api-token", "-"), 0)
	if h.keychainHolds() != canaryAdmin {
		t.Fatal("the keychain does not hold the token; the checks below prove nothing")
	}
	check("whoami --debug", h.run("whoami", "--debug"), 0)
	check("revoke --debug at a terminal", h.runTTY("y\n", "revoke", "--org", "acme", "--token", et.OldLaptopTokenUUID, "--debug"), 0)
	check("config view", h.run("config", "view"), 0)
	check("config view -o json", h.run("config", "view", "-o", "json"), 0)
	check("config unset api-token", h.run("config", "unset", "api-token"), 0)

	check("config set (insecure)", h.exec(false, canaryAdmin+"\n", "config", "set", "api-token", "-", "--insecure-storage"), 0)
	check("whoami with the hint (insecure)", h.runTTY("", "whoami", "--debug"), 0)
	check("config migrate-token", h.run("config", "migrate-token"), 0)
	check("config migrate-token, nothing left", h.run("config", "migrate-token"), 0)
	check("config set over a different token", h.exec(false, canaryMember+"\n", "config", "set", "api-token", "-"), 0)

	writePlainToken(t, h, canaryAdmin)
	check("config migrate-token, keychain holds another (insecure)", h.run("config", "migrate-token"), int(exitcode.Refused))
	check("config migrate-token, read-back fails (insecure)", h.execWithKeychain(forgetfulKeychain{}, "", "config", "migrate-token"), int(exitcode.Failure))
	check("config set, read-back fails (insecure)", h.execWithKeychain(forgetfulKeychain{}, canaryLeaked+"\n", "config", "set", "api-token", "-"), int(exitcode.Failure))

	t.Run("keychain fails", func(t *testing.T) {
		withKeychainError(t, errKeychainLocked)
		check("whoami, keychain locked (insecure)", h.run("whoami", "--debug"), int(exitcode.Auth))
		check("config view, keychain locked (insecure)", h.run("config", "view"), int(exitcode.Auth))
		check("config set, keychain locked (insecure)", h.exec(false, canaryLeaked+"\n", "config", "set", "api-token", "-"), int(exitcode.Failure))
		check("config unset, keychain locked (insecure: removed from the file first)", h.run("config", "unset", "api-token"), int(exitcode.Failure))
	})
	t.Run("no keychain", func(t *testing.T) {
		withKeychainError(t, errNoKeychain)
		check("config set, no keychain", h.exec(false, canaryLeaked+"\n", "config", "set", "api-token", "-"), int(exitcode.Refused))
		check("config migrate-token, no keychain", h.run("config", "migrate-token"), 0)
		check("config set --insecure-storage, no keychain (insecure)", h.exec(false, canaryLeaked+"\n", "config", "set", "api-token", "-", "--insecure-storage"), 0)
		check("config migrate-token, no keychain (insecure)", h.run("config", "migrate-token"), int(exitcode.Refused))
		check("whoami, no keychain (insecure)", h.runTTY("", "whoami", "--debug"), 0)
	})
}

// Token-shaped values in what a user hands tokenctl (a policy's rule names
// and exception reasons, an audit log given to --reconcile) are never
// repeated: not in any report format, not in a plan, not in a hint. Each
// shape Buildkite's tokens and the scanners use is tried.
func TestSecretsInPolicyAndAuditLogAreRedacted(t *testing.T) {
	legacyHex := strings.Repeat("c0ffee", 6) + "c0fe"                  // 40 hex
	prefixless := "trufflehogv1shape" + strings.Repeat("q7", 11) + "z" // 40 lower-case letters and digits
	if len(legacyHex) != 40 || len(prefixless) != 40 {
		t.Fatal("the test's values have the wrong length")
	}
	secrets := []string{legacyHex, prefixless}
	leaked := func(s string) []string {
		found := leaks(s)
		for _, v := range secrets {
			if strings.Contains(s, v) {
				found = append(found, v)
			}
		}
		return found
	}

	h := newHarness(t, emulator.Options{Fixture: canaryFixture()})
	h.env["BUILDKITE_API_TOKEN"] = canaryAdmin
	dir := t.TempDir()
	idle := "idle-" + canaryLeaked
	policy := writeSecret(t, dir, "policy.yaml", `version: 1
rules:
  - rule: idle
    name: `+idle+`
    after: 1d
    severity: error
  - rule: lifetime
    name: lifetime-`+prefixless+`
    max: 1d
    severity: info
exceptions:
  - token: `+et.OldLaptopTokenUUID+`
    rules: [`+idle+`]
    reason: "ticket 42: the owner pasted `+canaryMember+` and `+legacyHex+` here"
    until: "2099-01-01"
`)
	shown := false
	for _, args := range [][]string{
		{"check", "--org", "acme", "--policy", policy},
		{"check", "--org", "acme", "--policy", policy, "-o", "markdown"},
		{"check", "--org", "acme", "--policy", policy, "-o", "json"},
		{"check", "--org", "acme", "--policy", policy, "-o", "csv"},
		{"check", "--org", "acme", "--policy", policy, "--plan-out", filepath.Join(dir, "plan.json")},
		{"revoke", "--plan", filepath.Join(dir, "plan.json"), "--dry-run", "-o", "json"},
	} {
		r := h.run(args...)
		if r.code == int(exitcode.Usage) {
			t.Fatalf("tokenctl %s:\n%s", strings.Join(args, " "), r)
		}
		if found := leaked(r.stdout + r.stderr); len(found) > 0 {
			t.Errorf("tokenctl %s printed %v:\n%s", strings.Join(args, " "), found, r)
		}
		shown = shown || strings.Contains(r.stdout, "idle-[redacted]")
	}
	if !shown {
		t.Error("no report showed the redacted rule name; the test checks nothing")
	}

	// An audit log with token-shaped values in every field a report or
	// hint shows: a revocation Buildkite has no record of.
	auditLog := writeSecret(t, dir, "audit.jsonl", `{"time":"2026-06-01T12:00:00Z","event":"outcome","action":"organizationApiAccessTokenRevoke",`+
		`"caller":{"tokenUuid":"`+prefixless+`","user":"Ada <`+canaryUnknown+`>"},"organization":{"id":"`+emulator.NodeID("Organization", et.AcmeOrgUUID)+`","slug":"acme"},`+
		`"token":{"id":"`+canaryLeaked+`","uuid":"`+canaryAdmin+`","description":"`+legacyHex+`","owner":"`+canaryMember+`"},"clientMutationId":"`+canaryScanned+`","result":"revoked"}`+"\n")
	missing := false
	for _, format := range []string{"table", "wide", "json", "yaml", "csv"} {
		r := h.run("history", "--org", "acme", "--reconcile", auditLog, "--since", "3650d", "-o", format)
		if r.code != int(exitcode.NotFound) {
			t.Fatalf("reconcile -o %s: want exit %d for the missing revocation\n%s", format, exitcode.NotFound, r)
		}
		if found := leaked(r.stdout + r.stderr); len(found) > 0 {
			t.Errorf("reconcile -o %s printed %v:\n%s", format, found, r)
		}
		missing = missing || strings.Contains(r.stderr, "[redacted]: missing:")
	}
	if !missing {
		t.Error("no hint named the missing revocation; the test checks nothing")
	}
}
