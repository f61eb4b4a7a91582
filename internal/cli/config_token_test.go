package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/config"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

// tokenUsed asks the emulator, through whoami, which token a run used.
func tokenUsed(t *testing.T, h *harness, args ...string) string {
	t.Helper()
	r := h.run(append([]string{"whoami", "--jq", ".token.uuid"}, args...)...)
	if r.code != 0 {
		t.Fatalf("whoami: %s", r)
	}
	return strings.TrimSpace(r.stdout)
}

// writePlainToken writes a config file holding the token in plain text, as
// tokenctl wrote it before it used the keychain.
func writePlainToken(t *testing.T, h *harness, token string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(h.configFile()), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.configFile(), []byte("org: acme\napi-token: "+token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// The token given to `config set api-token -` goes to the keychain, under
// the GraphQL endpoint, and never into the config file: its bytes are read
// to prove it. Runs then use it, and `config view` says where it is.
func TestConfigSetAPITokenGoesToKeychain(t *testing.T) {
	h := newHarness(t, emulator.Options{Fixture: canaryFixture()})
	delete(h.env, "BUILDKITE_API_TOKEN")
	if r := h.run("config", "set", "org", "acme"); r.code != 0 {
		t.Fatalf("config set org: %s", r)
	}

	r := h.exec(false, canaryLeaked+"\n", "config", "set", "api-token", "-")
	if r.code != 0 {
		t.Fatalf("config set api-token -: %s", r)
	}
	mustContain(t, "stderr", r.stderr, "Saved the API token for "+h.srv.GraphQLEndpoint+" in the system keychain (service tokenctl:"+h.srv.GraphQLEndpoint+")")
	if got := h.keychainHolds(); got != canaryLeaked {
		t.Errorf("the keychain holds %q, want the token given", got)
	}
	file := h.configBytes()
	if !strings.Contains(file, "org: acme") {
		t.Fatalf("the config file was not kept:\n%s", file)
	}
	if found := leaks(file); len(found) > 0 || strings.Contains(file, "api-token") {
		t.Errorf("the token landed in the config file:\n%s", file)
	}
	if found := leaks(r.stdout + r.stderr); len(found) > 0 {
		t.Errorf("config set printed the token:\n%s", r)
	}
	if strings.Contains(r.stderr, "note:") {
		t.Errorf("a note although no environment variable is set:\n%s", r.stderr)
	}

	if got := tokenUsed(t, h); got != et.CIDeployBotUUID {
		t.Errorf("whoami used token %s, want the keychain's (%s)", got, et.CIDeployBotUUID)
	}
	if got := viewSettings(t, h)["api-token"]; got != [2]string{"[redacted]", "keychain"} {
		t.Errorf("config view api-token = %v, want [redacted] from keychain", got)
	}

	// Another endpoint has its own entry: the emulator's token is never
	// offered to a different API.
	r = h.run("config", "view", "-o", "json", "--graphql-endpoint", "https://graphql.buildkite.com/v1")
	if r.code != 0 || !strings.Contains(r.stdout, `"key": "api-token",
      "value": "",
      "source": "default"`) {
		t.Errorf("a token stored for the emulator is used for another endpoint:\n%s", r)
	}
}

// A plain-text token left in the config file is removed, and said to be,
// when a token is saved to the keychain: it would only be a stale copy.
func TestConfigSetAPITokenRemovesPlainCopy(t *testing.T) {
	h := newHarness(t, emulator.Options{Fixture: canaryFixture()})
	writePlainToken(t, h, canaryMember)
	r := h.exec(false, canaryAdmin+"\n", "config", "set", "api-token", "-")
	if r.code != 0 {
		t.Fatalf("config set api-token -: %s", r)
	}
	mustContain(t, "stderr", r.stderr, "Removed the plain-text api-token from "+h.configFile(),
		"note: BUILDKITE_API_TOKEN is set, and runs use it before the keychain")
	if file := h.configBytes(); strings.Contains(file, "api-token") || !strings.Contains(file, "org: acme") {
		t.Errorf("config file after the move:\n%s", file)
	}
}

// Where there is no keychain (CI, a container), `config set api-token -`
// refuses with one line saying so and what to do, and writes nothing;
// --insecure-storage writes the 0600 file and says where. That token then
// works, with no hint to move it: there is nowhere to move it to.
func TestConfigSetAPITokenWithoutKeychain(t *testing.T) {
	withKeychainError(t, errNoKeychain)
	h := newHarness(t, emulator.Options{Fixture: canaryFixture()})
	delete(h.env, "BUILDKITE_API_TOKEN")

	r := h.exec(false, canaryAdmin+"\n", "config", "set", "api-token", "-")
	if r.code != int(exitcode.Refused) {
		t.Fatalf("exit %d, want %d (refused)\n%s", r.code, exitcode.Refused, r)
	}
	if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 {
		t.Errorf("want one line on stderr, got %d:\n%s", len(lines), r.stderr)
	}
	mustContain(t, "stderr", r.stderr, "tokenctl: cannot store the API token: no system keychain is available",
		"--insecure-storage", h.configFile(), "BUILDKITE_API_TOKEN", "--api-token-file")
	if file := h.configBytes(); file != "" {
		t.Errorf("a refused token was written:\n%s", file)
	}

	r = h.exec(false, canaryAdmin+"\n", "config", "set", "api-token", "-", "--insecure-storage")
	if r.code != 0 {
		t.Fatalf("--insecure-storage: %s", r)
	}
	mustContain(t, "stderr", r.stderr, "Saved the API token in plain text in "+h.configFile()+" (mode 0600)")
	if found := leaks(r.stdout + r.stderr); len(found) > 0 {
		t.Errorf("config set printed the token:\n%s", r)
	}
	if runtime.GOOS != "windows" {
		if fi, err := os.Stat(h.configFile()); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("config file: %v, %v; want mode 0600", fi, err)
		}
	}
	if !strings.Contains(h.configBytes(), canaryAdmin) {
		t.Error("--insecure-storage did not write the token to the config file")
	}
	if got := tokenUsed(t, h); got != et.DemoTokenUUID {
		t.Errorf("whoami used %s, want the config file's token", got)
	}
	r = h.runTTY("", "whoami")
	if r.code != 0 || strings.Contains(r.stderr, "hint") {
		t.Errorf("whoami with no keychain to move the token to:\n%s", r)
	}
	if got := viewSettings(t, h)["api-token"]; got[1] != "config" {
		t.Errorf("config view api-token source = %q, want config", got[1])
	}
	if r := h.run("config", "set", "org", "acme", "--insecure-storage"); r.code != int(exitcode.Usage) {
		t.Errorf("--insecure-storage for another setting: exit %d, want usage\n%s", r.code, r)
	}
}

// With --insecure-storage on a machine whose keychain holds a token for
// the endpoint, the user is told that one still comes first.
func TestConfigSetInsecureStorageShadowedByKeychain(t *testing.T) {
	h := newHarness(t, emulator.Options{Fixture: canaryFixture()})
	h.storeInKeychain(canaryMember)
	r := h.exec(false, canaryAdmin+"\n", "config", "set", "api-token", "-", "--insecure-storage")
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	mustContain(t, "stderr", r.stderr, "warning: the system keychain also holds an API token for "+h.srv.GraphQLEndpoint+", which is used before the config file's")
}

// The token's precedence: --api-token-file, then BUILDKITE_API_TOKEN, then
// the keychain, then the config file. Each layer holds a different token,
// and the emulator says which one a run used; `config view` says where it
// came from.
func TestAPITokenPrecedence(t *testing.T) {
	cases := []struct {
		name                               string
		flagFile, env, keychain, fileToken bool
		wantUUID                           string
		wantSource                         string
	}{
		{"flag file beats all", true, true, true, true, et.DemoTokenUUID, "file"},
		{"env beats keychain and file", false, true, true, true, et.MemberTokenUUID, "env"},
		{"keychain beats file", false, false, true, true, et.CIDeployBotUUID, "keychain"},
		{"keychain alone", false, false, true, false, et.CIDeployBotUUID, "keychain"},
		{"file alone", false, false, false, true, et.NoGraphQLTokenUUID, "config"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, emulator.Options{Fixture: canaryFixture()})
			delete(h.env, "BUILDKITE_API_TOKEN")
			var args []string
			if c.flagFile {
				args = append(args, "--api-token-file", writeSecret(t, t.TempDir(), "api-token", canaryAdmin+"\n"))
			}
			if c.env {
				h.env["BUILDKITE_API_TOKEN"] = canaryMember
			}
			if c.keychain {
				h.storeInKeychain(canaryLeaked)
			}
			if c.fileToken {
				writePlainToken(t, h, canaryNoGraphQL)
			}
			if got := tokenUsed(t, h, args...); got != c.wantUUID {
				t.Errorf("used token %s, want %s", got, c.wantUUID)
			}
			if got := viewSettings(t, h, args...)["api-token"]; got != [2]string{"[redacted]", c.wantSource} {
				t.Errorf("config view api-token = %v, want [redacted] from %s", got, c.wantSource)
			}
			if c.flagFile || c.env {
				if n := h.keychain.calls.Load(); n != 0 {
					t.Errorf("the keychain was asked %d times although a higher layer gave the token", n)
				}
			}
		})
	}

	t.Run("none", func(t *testing.T) {
		h := newHarness(t, emulator.Options{})
		delete(h.env, "BUILDKITE_API_TOKEN")
		r := h.run("whoami")
		if r.code != int(exitcode.Auth) {
			t.Fatalf("exit %d, want %d\n%s", r.code, exitcode.Auth, r)
		}
		mustContain(t, "stderr", r.stderr, "no Buildkite API token", "`tokenctl config set api-token -`", "system keychain")
		if got := viewSettings(t, h)["api-token"]; got != [2]string{"", "default"} {
			t.Errorf("config view api-token = %v, want nothing (default)", got)
		}
	})
}

// An existing plain-text token keeps working; a person at a terminal gets
// one line suggesting the move, a script gets nothing, and the file is not
// rewritten. `config migrate-token` then moves it: the keychain holds it,
// the file no longer does, and the hint is gone.
func TestConfigMigrateToken(t *testing.T) {
	h := newHarness(t, emulator.Options{Fixture: canaryFixture()})
	delete(h.env, "BUILDKITE_API_TOKEN")
	writePlainToken(t, h, canaryAdmin)
	before := h.configBytes()

	r := h.runTTY("", "whoami")
	if r.code != 0 {
		t.Fatalf("whoami with the plain-text token: %s", r)
	}
	hint := "tokenctl: hint: the API token is in plain text in " + h.configFile() + "; move it to the system keychain with `tokenctl config migrate-token`"
	mustContain(t, "terminal stderr", r.stderr, hint)
	if strings.Count(r.stderr, "hint:") != 1 {
		t.Errorf("the hint is not one line:\n%s", r.stderr)
	}
	if r := h.run("whoami"); r.code != 0 || strings.Contains(r.stderr, "hint") {
		t.Errorf("a script got the hint:\n%s", r)
	}
	if h.configBytes() != before {
		t.Fatalf("the config file was rewritten without being asked:\n%s", h.configBytes())
	}

	r = h.run("config", "migrate-token")
	if r.code != 0 {
		t.Fatalf("config migrate-token: %s", r)
	}
	mustContain(t, "stderr", r.stderr, "Moved the API token for "+h.srv.GraphQLEndpoint+" from "+h.configFile()+" to the system keychain")
	if found := leaks(r.stdout + r.stderr + h.configBytes()); len(found) > 0 {
		t.Errorf("after the move the token shows in output or the file:\n%s\n%s", r, h.configBytes())
	}
	if h.keychainHolds() != canaryAdmin {
		t.Error("the keychain does not hold the moved token")
	}
	if !strings.Contains(h.configBytes(), "org: acme") {
		t.Errorf("the other settings were lost:\n%s", h.configBytes())
	}
	r = h.runTTY("", "whoami")
	if r.code != 0 || strings.Contains(r.stderr, "hint") {
		t.Errorf("whoami after the move:\n%s", r)
	}
	if r := h.run("config", "migrate-token"); r.code != 0 || !strings.Contains(r.stderr, "nothing to move") {
		t.Errorf("second migrate-token:\n%s", r)
	}
}

// migrate-token changes nothing when the keychain is missing, when it
// already holds another token (that one is in use), or when what it stores
// does not read back.
func TestConfigMigrateTokenRefusals(t *testing.T) {
	t.Run("keychain holds another", func(t *testing.T) {
		h := newHarness(t, emulator.Options{Fixture: canaryFixture()})
		writePlainToken(t, h, canaryAdmin)
		h.storeInKeychain(canaryMember)
		before := h.configBytes()
		r := h.run("config", "migrate-token")
		if r.code != int(exitcode.Refused) {
			t.Fatalf("exit %d, want %d\n%s", r.code, exitcode.Refused, r)
		}
		mustContain(t, "stderr", r.stderr, "already holds another API token", "that one is in use", "config unset api-token")
		if h.configBytes() != before || h.keychainHolds() != canaryMember {
			t.Error("a refused migration changed the file or the keychain")
		}
		if found := leaks(r.stdout + r.stderr); len(found) > 0 {
			t.Errorf("printed %v:\n%s", found, r)
		}
	})
	t.Run("same token already there", func(t *testing.T) {
		h := newHarness(t, emulator.Options{Fixture: canaryFixture()})
		writePlainToken(t, h, canaryAdmin)
		h.storeInKeychain(canaryAdmin)
		r := h.run("config", "migrate-token")
		if r.code != 0 || strings.Contains(h.configBytes(), "api-token") {
			t.Fatalf("%s\nfile:\n%s", r, h.configBytes())
		}
		mustContain(t, "stderr", r.stderr, "already held this API token", "removed the plain-text copy")
	})
	t.Run("does not read back", func(t *testing.T) {
		h := newHarness(t, emulator.Options{Fixture: canaryFixture()})
		writePlainToken(t, h, canaryAdmin)
		before := h.configBytes()
		r := h.execWithKeychain(forgetfulKeychain{}, "", "config", "migrate-token")
		if r.code != int(exitcode.Failure) {
			t.Fatalf("exit %d, want %d\n%s", r.code, exitcode.Failure, r)
		}
		mustContain(t, "stderr", r.stderr, "did not read back", "it stays in "+h.configFile())
		if h.configBytes() != before {
			t.Errorf("the file lost its token although the keychain did not keep it:\n%s", h.configBytes())
		}
	})
}

// Keychain failures for migrate-token, one at a time: the mock is shared.
func TestConfigMigrateTokenNoKeychain(t *testing.T) {
	withKeychainError(t, errNoKeychain)
	h := newHarness(t, emulator.Options{Fixture: canaryFixture()})
	writePlainToken(t, h, canaryAdmin)
	before := h.configBytes()
	r := h.run("config", "migrate-token")
	if r.code != int(exitcode.Refused) {
		t.Fatalf("exit %d, want %d\n%s", r.code, exitcode.Refused, r)
	}
	mustContain(t, "stderr", r.stderr, "cannot move the API token: no system keychain is available", "it stays in "+h.configFile())
	if h.configBytes() != before {
		t.Error("the file changed")
	}
}

// `config unset api-token` removes the token from the keychain and the
// config file, and says from which.
func TestConfigUnsetAPIToken(t *testing.T) {
	h := newHarness(t, emulator.Options{Fixture: canaryFixture()})
	writePlainToken(t, h, canaryAdmin)
	h.storeInKeychain(canaryMember)

	r := h.run("config", "unset", "api-token")
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	mustContain(t, "stderr", r.stderr, "Removed api-token from "+h.configFile(),
		"Removed the API token for "+h.srv.GraphQLEndpoint+" from the system keychain")
	if h.keychainHolds() != "" || strings.Contains(h.configBytes(), "api-token") {
		t.Errorf("a token is left: keychain %q, file:\n%s", h.keychainHolds(), h.configBytes())
	}

	h.storeInKeychain(canaryMember)
	r = h.run("config", "unset", "api-token")
	if r.code != 0 || strings.Contains(r.stderr, "Removed api-token from") || !strings.Contains(r.stderr, "from the system keychain") {
		t.Errorf("keychain only:\n%s", r)
	}
	r = h.run("config", "unset", "api-token")
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	mustContain(t, "stderr", r.stderr, "No API token for "+h.srv.GraphQLEndpoint+" was stored")
	if strings.Contains(r.stderr, "Removed") {
		t.Errorf("claims a removal that did not happen:\n%s", r.stderr)
	}
}

// A keychain that exists but fails (locked, access refused) is a clear
// error, never a silent fall back to the config file's token or to none;
// the environment or --api-token-file goes around it without asking it.
func TestKeychainReadFailure(t *testing.T) {
	withKeychainError(t, errKeychainLocked)
	h := newHarness(t, emulator.Options{Fixture: canaryFixture()})
	delete(h.env, "BUILDKITE_API_TOKEN")
	writePlainToken(t, h, canaryAdmin)

	for _, args := range [][]string{{"whoami"}, {"config", "view"}} {
		r := h.run(args...)
		if r.code != int(exitcode.Auth) {
			t.Errorf("%v: exit %d, want %d\n%s", args, r.code, exitcode.Auth, r)
		}
		mustContain(t, "stderr", r.stderr, "reading the API token for "+h.srv.GraphQLEndpoint+" from the system keychain",
			"the system keychain failed: failed to unlock", "set BUILDKITE_API_TOKEN or pass --api-token-file")
		if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 {
			t.Errorf("%v: want one line, got:\n%s", args, r.stderr)
		}
	}
	if n := h.srv.CountRequests(nil); n != 0 {
		t.Errorf("%d requests sent without the token the user stored", n)
	}
	h.env["BUILDKITE_API_TOKEN"] = canaryMember
	calls := h.keychain.calls.Load()
	if got := tokenUsed(t, h); got != et.MemberTokenUUID {
		t.Errorf("used %s, want the environment's token", got)
	}
	if h.keychain.calls.Load() != calls {
		t.Error("the keychain was asked although the environment gave the token")
	}

	delete(h.env, "BUILDKITE_API_TOKEN")
	r := h.exec(false, canaryAdmin+"\n", "config", "set", "api-token", "-")
	if r.code != int(exitcode.Failure) {
		t.Errorf("config set with a failing keychain: exit %d, want %d\n%s", r.code, exitcode.Failure, r)
	}
	mustContain(t, "stderr", r.stderr, "storing the API token for "+h.srv.GraphQLEndpoint+": the system keychain failed")
	r = h.run("config", "unset", "api-token")
	if r.code != int(exitcode.Failure) {
		t.Errorf("config unset with a failing keychain: exit %d, want %d\n%s", r.code, exitcode.Failure, r)
	}
	mustContain(t, "stderr", r.stderr, "Removed api-token from "+h.configFile(), "removing the API token for "+h.srv.GraphQLEndpoint+" from the system keychain")
}

// Commands that do not need the token never ask the keychain, nor does a
// command whose input is refused before it would use the token: asking
// may be slow or put up an unlock prompt.
func TestKeychainAskedOnlyWhenNeeded(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	delete(h.env, "BUILDKITE_API_TOKEN")
	h.storeInKeychain(et.DemoToken)
	for _, args := range [][]string{
		{"version"}, {"--version"}, {"--help"}, {"help", "revoke"}, {"revoke", "--help"},
		{"completion", "bash"}, {"completion", "zsh"}, {"__complete", "revoke", "-o", ""},
		{"config", "set", "org", "acme"}, {"config", "unset", "org"},
		{"revoke", "--org", "acme"}, {"revoke", "--org", "acme", "--token", et.OldLaptopTokenUUID, "--stale", "180d"},
		{"revoke", "--org", "acme", "--token", et.OldLaptopTokenUUID, "--page-size", "0"},
		{"tokens", "list", "--org", "acme", "-o", "html"},
	} {
		h.run(args...)
		if n := h.keychain.calls.Swap(0); n != 0 {
			t.Errorf("%v asked the keychain %d times", args, n)
		}
	}
	if got := tokenUsed(t, h); got != et.DemoTokenUUID {
		t.Fatalf("whoami used %s, want the keychain's token", got)
	}
	if n := h.keychain.calls.Load(); n != 1 {
		t.Errorf("whoami asked the keychain %d times, want once", n)
	}
}

// execWithKeychain runs tokenctl with another keychain in the factory.
func (h *harness) execWithKeychain(kc config.Keychain, input string, args ...string) result {
	h.t.Helper()
	saved := h.keychain
	defer func() { h.keychain = saved }()
	h.keychain = &countingKeychain{inner: kc}
	return h.exec(false, input, args...)
}

// forgetfulKeychain accepts every write and then has nothing: a keychain
// whose write did not take.
type forgetfulKeychain struct{}

func (forgetfulKeychain) Get(string, string) (string, error) { return "", config.ErrNotInKeychain }
func (forgetfulKeychain) Set(string, string, string) error   { return nil }
func (forgetfulKeychain) Delete(string, string) error        { return config.ErrNotInKeychain }

// A broken token in the config file (two lines) fails every command that
// uses it, but the commands that replace or remove it do not read it, and
// `config set api-token -` does not let --api-token-file - take its
// standard input.
func TestConfigBrokenPlainTokenCanBeReplaced(t *testing.T) {
	h := newHarness(t, emulator.Options{Fixture: canaryFixture()})
	delete(h.env, "BUILDKITE_API_TOKEN")
	broken := "org: acme\napi-token: \"" + canaryMember + "\\n" + canaryMember + "\"\n"
	write := func() {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(h.configFile()), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(h.configFile(), []byte(broken), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write()
	if r := h.run("whoami"); r.code != int(exitcode.Usage) || !strings.Contains(r.stderr, "holds more than one line") {
		t.Fatalf("whoami with a broken token:\n%s", r)
	}
	r := h.exec(false, canaryAdmin+"\n", "config", "set", "api-token", "-", "--api-token-file", "-")
	if r.code != 0 {
		t.Fatalf("config set over a broken token: %s", r)
	}
	mustContain(t, "stderr", r.stderr, "Removed the plain-text api-token from "+h.configFile())
	if h.keychainHolds() != canaryAdmin {
		t.Errorf("the keychain holds %q, want the token from standard input", h.keychainHolds())
	}
	if got := tokenUsed(t, h); got != et.DemoTokenUUID {
		t.Errorf("used %s after the repair", got)
	}

	write()
	if r := h.run("config", "unset", "api-token"); r.code != 0 || !strings.Contains(r.stderr, "Removed api-token from") {
		t.Errorf("config unset of a broken token:\n%s", r)
	}
	if strings.Contains(h.configBytes(), "api-token") {
		t.Errorf("the broken token is still there:\n%s", h.configBytes())
	}
}
