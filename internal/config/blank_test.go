package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A value that is only whitespace, from any layer, is refused, naming
// where it came from and what to do: taken as empty it would hide a lower
// layer's value (the config file's audit log) without a word.
func TestLoadRefusesBlankValues(t *testing.T) {
	for _, spec := range keySpecs {
		if spec.key == KeyAPIToken {
			continue // checkToken's "is empty", tested with the token
		}
		t.Run(spec.key+"/env", func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeFile(t, dir, "config.yaml", "audit-log: /var/log/audit.jsonl\norg: acme\n", 0o600)
			_, err := loadTest(t, loadCase{Env: map[string]string{spec.env: " \t"}, ConfigPath: cfg})
			wantBlank(t, err, spec.env, "give "+spec.env+" a value or unset it")
		})
		t.Run(spec.key+"/config", func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeFile(t, dir, "config.yaml", spec.key+": ' '\n", 0o600)
			_, err := loadTest(t, loadCase{ConfigPath: cfg})
			wantBlank(t, err, cfg, "tokenctl config unset "+spec.key)
		})
		t.Run(spec.key+"/set", func(t *testing.T) {
			err := Set(filepath.Join(t.TempDir(), "config.yaml"), spec.key, "  ")
			wantBlank(t, err, spec.key, "tokenctl config unset "+spec.key)
		})
	}
	// Flags of type string; the numeric and duration flags refuse blanks
	// when parsed.
	for _, key := range []string{KeyOrg, KeyGraphQLEndpoint, KeyRESTEndpoint, KeyOutput, KeyAuditLog} {
		t.Run(key+"/flag", func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeFile(t, dir, "config.yaml", "audit-log: /var/log/audit.jsonl\norg: acme\n", 0o600)
			_, err := loadTest(t, loadCase{Flags: parsedFlags(t, "--"+key, " "), ConfigPath: cfg})
			wantBlank(t, err, "--"+key, "give --"+key+" a value or leave it out")
		})
	}
}

func wantBlank(t *testing.T, err error, names, fix string) {
	t.Helper()
	if !errors.Is(err, ErrInvalidSetting) {
		t.Fatalf("err = %v, want an invalid setting", err)
	}
	for _, want := range []string{names, "only whitespace", fix} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// A .env or shell line (NAME=value) in the token's place is refused, as an
// `export NAME=value` line is, and the message never holds the value.
func TestTokenShellAssignmentRefused(t *testing.T) {
	const tok = "bkua_0123456789abcdefghij0123456789abcdefgh"
	line := "BUILDKITE_API_TOKEN=" + tok
	dir := t.TempDir()
	file := writeFile(t, dir, "token", line+"\n", 0o600)
	cases := map[string]loadCase{
		"file":  {Flags: parsedFlags(t, "--"+FlagAPITokenFile, file)},
		"stdin": {Flags: parsedFlags(t, "--"+FlagAPITokenFile, "-"), Stdin: strings.NewReader(line + "\n")},
		"env":   {Env: map[string]string{"BUILDKITE_API_TOKEN": line}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			c.ConfigPath = filepath.Join(dir, "missing.yaml")
			_, err := loadTest(t, c)
			if !errors.Is(err, ErrInvalidSetting) || !strings.Contains(err.Error(), "shell assignment") {
				t.Fatalf("err = %v, want a shell assignment refused", err)
			}
			if strings.Contains(err.Error(), tok) || strings.Contains(err.Error(), "BUILDKITE_API_TOKEN=") {
				t.Errorf("error echoes the value: %q", err)
			}
		})
	}
	// What tokens look like still passes, base64 padding included.
	for _, ok := range []string{tok, "0123456789abcdef0123456789abcdef01234567", "dG9rZW4=", "dG9rZW4x=="} {
		if _, reason := checkToken(ok); reason != "" {
			t.Errorf("checkToken(%q): %s", ok, reason)
		}
	}
}

// White space of any kind and invisible format characters are blank;
// a value with anything visible is not.
func TestIsBlank(t *testing.T) {
	for _, s := range []string{" ", "\t\n", "\u00a0", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", " \u200b\u00a0"} {
		if !IsBlank(s) {
			t.Errorf("IsBlank(%q) = false", s)
		}
	}
	for _, s := range []string{"", "a", " a ", "\u200ba", "/tmp/x"} {
		if IsBlank(s) {
			t.Errorf("IsBlank(%q) = true", s)
		}
	}
}

// Invisible values are refused as white space is, from every source.
func TestLoadRefusesInvisibleValues(t *testing.T) {
	for _, blank := range []string{"\u200b", "\u2060", "\ufeff", "\u00a0"} {
		_, err := loadTest(t, loadCase{Env: map[string]string{"TOKENCTL_AUDIT_LOG": blank}, ConfigPath: filepath.Join(t.TempDir(), "none.yaml")})
		wantBlank(t, err, "TOKENCTL_AUDIT_LOG", "give TOKENCTL_AUDIT_LOG a value or unset it")
		_, err = loadTest(t, loadCase{Flags: parsedFlags(t, "--audit-log", blank), ConfigPath: filepath.Join(t.TempDir(), "none.yaml")})
		wantBlank(t, err, "--audit-log", "give --audit-log a value or leave it out")
		cfg := writeFile(t, t.TempDir(), "config.yaml", "audit-log: \""+blank+"\"\n", 0o600)
		_, err = loadTest(t, loadCase{ConfigPath: cfg})
		wantBlank(t, err, cfg, "tokenctl config unset audit-log")
		err = Set(filepath.Join(t.TempDir(), "config.yaml"), KeyAuditLog, blank)
		wantBlank(t, err, KeyAuditLog, "tokenctl config unset audit-log")
	}
}

// A blank variable naming the config file or the cache, or the home they
// are found in, is refused, naming it; it never names a file in the
// current directory.
func TestBlankPathVariables(t *testing.T) {
	for _, name := range []string{EnvConfigPath, EnvCacheDir, "HOME"} {
		for _, blank := range []string{" ", "\u00a0", "\u200b"} {
			setEnv(t, map[string]string{name: blank})
			p, err := DefaultPath()
			if name != EnvCacheDir {
				wantBlank(t, err, name+"=", "give "+name+" a value or unset it")
			} else if err != nil || p != "" {
				t.Errorf("DefaultPath with %s=%q: %q, %v", name, blank, p, err)
			}
			d, err := CacheDir()
			if name != EnvConfigPath {
				wantBlank(t, err, name+"=", "give "+name+" a value or unset it")
			} else if err != nil || d != "" {
				t.Errorf("CacheDir with %s=%q: %q, %v", name, blank, d, err)
			}
		}
	}
}

// api-token-endpoint ties a plain-text token to its endpoint; removing it
// alone would untie them, so it is refused and the file is left as it is.
func TestUnsetTokenEndpointRefused(t *testing.T) {
	const file = "api-token: bkua_0123456789abcdefghij0123456789abcdefgh\napi-token-endpoint: https://graphql.buildkite.com/v1\n"
	cfg := writeFile(t, t.TempDir(), "config.yaml", file, 0o600)
	err := Unset(cfg, "api-token-endpoint")
	if !errors.Is(err, ErrInvalidSetting) || !strings.Contains(err.Error(), "`tokenctl config unset api-token` removes both") {
		t.Fatalf("err = %v, want refused", err)
	}
	if data, _ := os.ReadFile(cfg); string(data) != file {
		t.Errorf("config file changed:\n%s", data)
	}
}

// An empty or blank token says what to do, by where it came from.
func TestBlankTokenSaysWhatToDo(t *testing.T) {
	for _, blank := range []string{" ", "\u200b"} {
		_, err := loadTest(t, loadCase{Env: map[string]string{"BUILDKITE_API_TOKEN": blank}, ConfigPath: filepath.Join(t.TempDir(), "none.yaml")})
		if err == nil || !strings.Contains(err.Error(), "BUILDKITE_API_TOKEN (env): is empty; set BUILDKITE_API_TOKEN to the API token, or unset it") {
			t.Errorf("%q: err = %v", blank, err)
		}
	}
}
