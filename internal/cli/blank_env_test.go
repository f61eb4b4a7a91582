package cli

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

// blankValues are set but show nothing: white space, a no-break space, and
// invisible format characters (zero-width space, word joiner, BOM).
var blankValues = []string{" ", "\u00a0", "\u200b", "\u2060", "\ufeff", " \u200d\t"}

// emptyDir fails the test when dir holds anything: a blank path taken as
// a file name lands in the current directory.
func emptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("%q created in the current directory", e.Name())
	}
}

// A blank TOKENCTL_CONFIG named a config file " " in the current directory:
// the home config file, and its audit log, were skipped and the revocation
// went unrecorded with exit 0. A blank TOKENCTL_CACHE_DIR, or HOME where it
// is used, made a cache there. Each is refused before anything is sent,
// naming the variable and what to do.
func TestBlankPathVariablesAreRefused(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	if r := h.run("config", "set", "audit-log", auditPath); r.code != 0 {
		t.Fatalf("config set audit-log: %s", r)
	}
	cwd := t.TempDir()
	t.Chdir(cwd)
	for _, name := range []string{"TOKENCTL_CONFIG", "TOKENCTL_CACHE_DIR", "HOME"} {
		for _, blank := range blankValues {
			t.Run(fmt.Sprintf("%s=%q", name, blank), func(t *testing.T) {
				saved := maps.Clone(h.env)
				defer func() { h.env = saved }()
				h.env = maps.Clone(saved)
				h.env[name] = blank
				if name == "HOME" { // used where XDG_CONFIG_HOME is not set
					delete(h.env, "XDG_CONFIG_HOME")
				}
				runs := [][]string{
					{"revoke", "--org", "acme", "--token", et.CIDeployBotUUID, "--yes"},
					{"config", "view"},
				}
				if name != "TOKENCTL_CACHE_DIR" { // config set and unset use no cache
					runs = append(runs, []string{"config", "set", "org", "globex"}, []string{"config", "unset", "org"})
				}
				for _, args := range runs {
					r := h.run(args...)
					if r.code != int(exitcode.Usage) {
						t.Fatalf("%s: exit %d, want %d:\n%s", args, r.code, exitcode.Usage, r)
					}
					mustContain(t, "stderr", r.stderr, name+"=", "only whitespace or invisible characters", "give "+name+" a value or unset it")
				}
				if n := h.requests("RevokeAPIAccessToken"); n != 0 {
					t.Errorf("%d revocations sent", n)
				}
				emptyDir(t, cwd)
			})
		}
	}
}

// A value made only of invisible characters was taken as a file name: the
// audit record went to an invisibly named file in the current directory.
// It is blank, from every source, as white space is.
func TestInvisibleAuditLogIsRefused(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	cwd := t.TempDir()
	t.Chdir(cwd)
	if err := os.MkdirAll(filepath.Dir(h.configFile()), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, blank := range blankValues[1:] {
		run := func(name string, env map[string]string, args ...string) {
			t.Helper()
			for k, v := range env {
				h.env[k] = v
			}
			defer func() {
				for k := range env {
					delete(h.env, k)
				}
			}()
			r := h.run(args...)
			if r.code != int(exitcode.Usage) {
				t.Fatalf("%s %q: exit %d, want %d:\n%s", name, blank, r.code, exitcode.Usage, r)
			}
			mustContain(t, name+" stderr", r.stderr, "only whitespace or invisible characters")
		}
		revoke := []string{"revoke", "--org", "acme", "--token", et.CIDeployBotUUID, "--yes", "--no-cache"}
		run("env", map[string]string{"TOKENCTL_AUDIT_LOG": blank}, revoke...)
		run("flag", nil, append(revoke, "--audit-log", blank)...)
		run("config set", nil, "config", "set", "audit-log", blank)
		if err := os.WriteFile(h.configFile(), []byte("audit-log: \""+blank+"\"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		run("config file", nil, revoke...)
		if err := os.Remove(h.configFile()); err != nil {
			t.Fatal(err)
		}
	}
	if n := h.requests("RevokeAPIAccessToken"); n != 0 {
		t.Errorf("%d revocations sent", n)
	}
	emptyDir(t, cwd)
}

// Removing api-token-endpoint alone untied a token saved with
// --insecure-storage from its endpoint, so it was then sent to any. It is
// refused, saying that `config unset api-token` removes both.
func TestConfigUnsetTokenEndpointIsRefused(t *testing.T) {
	withKeychainError(t, errNoKeychain)
	h := newHarness(t, emulator.Options{Fixture: canaryFixture()})
	delete(h.env, "BUILDKITE_API_TOKEN")
	if r := h.exec(false, canaryAdmin+"\n", "config", "set", "api-token", "-", "--insecure-storage"); r.code != 0 {
		t.Fatalf("--insecure-storage: %s", r)
	}
	before := h.configBytes()
	for _, key := range []string{"api-token-endpoint", "API-Token-Endpoint"} {
		r := h.run("config", "unset", key)
		if r.code != int(exitcode.Usage) {
			t.Fatalf("config unset %s: exit %d, want %d:\n%s", key, r.code, exitcode.Usage, r)
		}
		mustContain(t, "stderr", r.stderr, "api-token-endpoint", "`tokenctl config unset api-token` removes both")
	}
	if after := h.configBytes(); after != before || !strings.Contains(after, "api-token-endpoint") {
		t.Errorf("config file changed:\n%s", after)
	}
	if found := leaks(h.run("config", "unset", "api-token-endpoint").stderr); len(found) > 0 {
		t.Error("the refusal printed the token")
	}
}

// A blank BUILDKITE_API_TOKEN is refused saying what to do, never echoing
// the value.
func TestBlankTokenVariableSaysWhatToDo(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	for _, blank := range blankValues {
		h.env["BUILDKITE_API_TOKEN"] = blank
		r := h.run("whoami")
		if r.code != int(exitcode.Usage) {
			t.Fatalf("%q: exit %d, want %d:\n%s", blank, r.code, exitcode.Usage, r)
		}
		mustContain(t, "stderr", r.stderr, "BUILDKITE_API_TOKEN (env): is empty", "set BUILDKITE_API_TOKEN to the API token, or unset it")
		if strings.Contains(r.stderr, "BUILDKITE_API_TOKEN=") {
			t.Errorf("the value is echoed:\n%s", r.stderr)
		}
	}
}
