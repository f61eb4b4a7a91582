package config

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// The config file's values reach the settings as written: viper reads the
// file, but through tokenctl's decoder, so a YAML number is not rewritten
// (2024.10 is not 2024.1, 0x1F is not 31) and a value is refused or kept
// as the user typed it.
func TestConfigFileValuesAsWritten(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "config.yaml", "audit-log: 2024.10\norg: 0x1F\n", 0o600)
	s, err := loadTest(t, loadCase{ConfigPath: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if s.AuditLog != "2024.10" || s.Org != "0x1F" {
		t.Errorf("audit-log %q, org %q; want them as written", s.AuditLog, s.Org)
	}
	cfg = writeFile(t, dir, "config.yaml", "page-size: 0x10\n", 0o600)
	_, err = loadTest(t, loadCase{ConfigPath: cfg})
	if want := "page-size: 0x10 (config file " + cfg + "): must be between 1 and 500"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

// TOKENCTL_CONFIG may name a file of any name; it is YAML all the same.
func TestConfigFileOfAnyName(t *testing.T) {
	cfg := writeFile(t, t.TempDir(), "tokenctl.conf", "org: acme\n", 0o600)
	s, err := loadTest(t, loadCase{ConfigPath: cfg})
	if err != nil || s.Org != "acme" || s.Sources[KeyOrg] != SourceConfig {
		t.Fatalf("org %q from %s, %v; want acme from the config file", s.Org, s.Sources[KeyOrg], err)
	}
}

// A file viper cannot take is reported in tokenctl's words, naming the
// file, not viper's.
func TestConfigFileErrorsAreOurs(t *testing.T) {
	dir := t.TempDir()
	for content, want := range map[string]string{
		"org: [acme\n":       "is not valid YAML: ",
		"- org\n":            "must be a YAML mapping of setting: value lines",
		"org: a\norg: b\n":   "org is set more than once (line 2)",
		"timeout: [1, 2]\n":  "timeout must be a single value (line 1)",
		"org:\n  name: x\n":  "org must be a single value (line 1)",
		"\xff\xfe garbage\n": "is not valid YAML: ",
	} {
		cfg := writeFile(t, dir, "config.yaml", content, 0o600)
		_, err := loadTest(t, loadCase{ConfigPath: cfg})
		if err == nil || !strings.HasPrefix(err.Error(), "config file "+cfg) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want \"config file %s ...%s...\"", content, err, cfg, want)
		}
	}
}

// The API token, wherever it comes from, and a token pasted into another
// setting, wherever that was given, never appear in what Load returns: its
// errors, its warnings, config view's entries, the settings printed.
func TestLoadNeverShowsTheToken(t *testing.T) {
	const canary = "bkua_c0ffee0123456789abcdef0123456789abcdef"
	const ep = "http://127.0.0.1:9/graphql"
	sources := map[string]Source{"file": SourceFile, "stdin": SourceStdin, "env": SourceEnv, "config": SourceConfig, "keychain": SourceKeychain}
	for from, wantSource := range sources {
		for _, pasted := range []string{"nowhere", "flag", "env", "config"} {
			t.Run(from+"/pasted in "+pasted, func(t *testing.T) {
				dir := t.TempDir()
				c := loadCase{Env: map[string]string{"BUILDKITE_GRAPHQL_ENDPOINT": ep}, Keychain: SystemKeychain{}}
				var args []string
				// An unknown key named like the token, in a file others
				// may read: two warnings.
				file := canary + ": x\n"
				switch from {
				case "file":
					args = append(args, "--api-token-file", writeFile(t, dir, "token", canary+"\n", 0o600))
				case "stdin":
					args = append(args, "--api-token-file", "-")
					c.Stdin = strings.NewReader(canary)
				case "env":
					c.Env["BUILDKITE_API_TOKEN"] = canary
				case "config":
					file += "api-token: " + canary + "\n"
				case "keychain":
					if err := keyring.Set(KeychainService(ep), KeyAPIToken, canary); err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { _ = keyring.Delete(KeychainService(ep), KeyAPIToken) })
				}
				switch pasted {
				case "flag":
					args = append(args, "--rest-endpoint", "https://"+canary+"@api.example.com")
				case "env":
					c.Env["TOKENCTL_TIMEOUT"] = canary
				case "config":
					file += "output: " + canary + "\n"
				}
				c.ConfigPath = writeFile(t, dir, "config.yaml", file, 0o644)
				c.Flags = parsedFlags(t, args...)
				s, err := loadTest(t, c)
				var shown []string
				switch {
				case pasted != "nowhere" && err == nil:
					t.Fatalf("Load accepted a token in the %s as another setting", pasted)
				case err != nil && pasted != "nowhere":
					shown = append(shown, err.Error())
				case err != nil:
					t.Fatal(err)
				default:
					if err := s.ResolveToken(); err != nil {
						t.Fatal(err)
					}
					if s.APIToken.Reveal() != canary || s.Sources[KeyAPIToken] != wantSource {
						t.Fatalf("token from %s, want it from %s", s.Sources[KeyAPIToken], wantSource)
					}
					shown = append(shown, s.Warnings...)
					shown = append(shown, fmt.Sprint(s.Entries()), fmt.Sprintf("%+v", *s), fmt.Sprintf("%#v", *s))
				}
				for _, text := range shown {
					if strings.Contains(text, canary[len("bkua_"):]) {
						t.Errorf("the token shows: %s", text)
					}
				}
			})
		}
	}
}

// Where the config file is comes from the process environment, as the
// settings do.
func TestLoadConfigFileFromTheEnvironment(t *testing.T) {
	home := t.TempDir()
	writeFile(t, home, "config.yaml", "org: from-xdg\n", 0o600)
	s, err := loadTest(t, loadCase{Env: map[string]string{"XDG_CONFIG_HOME": filepath.Dir(home), "HOME": "/nonexistent"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(filepath.Dir(home), "tokenctl", "config.yaml"); s.ConfigFile != want {
		t.Errorf("config file %s, want %s", s.ConfigFile, want)
	}
}
