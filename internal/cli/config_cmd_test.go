package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/config"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

func viewSettings(t *testing.T, h *harness, args ...string) map[string][2]string {
	t.Helper()
	r := h.run(append([]string{"config", "view", "-o", "json"}, args...)...)
	if r.code != 0 {
		t.Fatalf("config view failed:\n%s", r)
	}
	var v struct {
		Settings []struct{ Key, Value, Source string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("config view -o json: %v\n%s", err, r.stdout)
	}
	out := map[string][2]string{}
	for _, s := range v.Settings {
		out[s.Key] = [2]string{s.Value, s.Source}
	}
	if strings.Contains(r.stdout, h.env["BUILDKITE_API_TOKEN"]) && h.env["BUILDKITE_API_TOKEN"] != "" {
		t.Errorf("config view printed the token:\n%s", r.stdout)
	}
	return out
}

func TestConfigPrecedence(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	if r := h.run("config", "set", "org", "from-config"); r.code != 0 {
		t.Fatalf("config set: %s", r)
	}
	if r := h.run("config", "set", "output", "yaml"); r.code != 0 {
		t.Fatalf("config set: %s", r)
	}
	path := filepath.Join(h.env["XDG_CONFIG_HOME"], "tokenctl", "config.yaml")
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("config file mode %v, want 0600", info.Mode().Perm())
	}

	got := viewSettings(t, h)
	if got["org"] != [2]string{"from-config", "config"} {
		t.Errorf("org = %v, want from-config (config)", got["org"])
	}
	if got["timeout"][1] != "default" {
		t.Errorf("timeout source = %v, want default", got["timeout"])
	}
	if got["api-token"][1] != "env" || strings.Contains(got["api-token"][0], et.DemoToken) {
		t.Errorf("api-token = %v, want redacted from env", got["api-token"])
	}

	h.env["BUILDKITE_ORGANIZATION_SLUG"] = "from-env"
	if got := viewSettings(t, h); got["org"] != [2]string{"from-env", "env"} {
		t.Errorf("org = %v, want from-env (env)", got["org"])
	}
}

func TestConfigSetRefusesTokenOnCommandLine(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("config", "set", "api-token", et.DemoToken)
	if exitcode.Code(r.code) != exitcode.Usage {
		t.Fatalf("exit %d, want usage\n%s", r.code, r)
	}
	if strings.Contains(r.stderr+r.stdout, et.DemoToken) {
		t.Errorf("the refused token was echoed:\n%s", r)
	}
	// From standard input it is accepted and then used.
	ios := h.exec(false, et.DemoToken+"\n", "config", "set", "api-token", "-")
	if ios.code != 0 {
		t.Fatalf("config set api-token -: %s", ios)
	}
	delete(h.env, "BUILDKITE_API_TOKEN")
	if r := h.run("revoke", "--org", "acme", "--token", et.CIDeployBotUUID, "--dry-run"); r.code != 0 {
		t.Fatalf("token from config file not used:\n%s", r)
	}
}

func TestFlagBeatsEnvForOrg(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	h.env["BUILDKITE_ORGANIZATION_SLUG"] = "globex"
	r := h.run("revoke", "--org", "acme", "--token", et.CIDeployBotUUID, "--dry-run", "-o", "json")
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	if !strings.Contains(r.stdout, `"slug": "acme"`) {
		t.Errorf("flag did not win over env:\n%s", r.stdout)
	}
}

// Standard input larger than any API token is refused whole, not cut to a
// prefix that config set might store.
func TestConfigSetRefusesTooLargeStandardInput(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.exec(false, strings.Repeat("x", config.MaxAPITokenFile+1), "config", "set", "api-token", "-")
	if exitcode.Code(r.code) != exitcode.Usage {
		t.Fatalf("exit %d, want usage\n%s", r.code, r)
	}
	mustContain(t, "stderr", r.stderr, "too large to hold an API token")
	if strings.Contains(r.stderr, "xxxx") {
		t.Errorf("the input was echoed:\n%s", r.stderr)
	}
}

// Every invalid setting is reported, one per line, not run together.
func TestInvalidSettingsOnePerLine(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	h.env["TOKENCTL_PAGE_SIZE"] = "0"
	h.env["TOKENCTL_CONCURRENCY"] = "999"
	r := h.run("config", "view")
	if exitcode.Code(r.code) != exitcode.Usage {
		t.Fatalf("exit %d, want usage\n%s", r.code, r)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) < 2 || !strings.Contains(lines[0], "TOKENCTL_PAGE_SIZE") || !strings.Contains(lines[1], "TOKENCTL_CONCURRENCY") {
		t.Fatalf("want one line per invalid setting:\n%s", r.stderr)
	}
	for _, l := range lines[:2] {
		if !strings.HasPrefix(l, "tokenctl: ") {
			t.Errorf("line %q does not start with tokenctl:", l)
		}
	}
}
