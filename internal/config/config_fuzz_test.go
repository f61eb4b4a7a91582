package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/rejection"
)

// checkRoundTrip stores every setting s got from its config file into a
// fresh file with Set and reads it back: what Load accepts, Set must
// accept and store so that it reads back the same.
func checkRoundTrip(t *testing.T, s *Settings) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "copy.yaml")
	for _, key := range Keys() {
		if s.Sources[key] != SourceConfig {
			continue
		}
		raw := s.display(key)
		if key == KeyAPIToken {
			raw = s.APIToken.Reveal()
		}
		if err := Set(p, key, raw); err != nil {
			t.Fatalf("Set(%s, %q) refused a value Load accepted: %v", key, raw, err)
		}
	}
	back, err := loadTest(t, loadCase{ConfigPath: p})
	if err != nil {
		t.Fatalf("reading back what Set wrote: %v", err)
	}
	for _, key := range Keys() {
		if s.Sources[key] != SourceConfig {
			continue
		}
		if got, want := back.display(key), s.display(key); got != want || back.APIToken != s.APIToken {
			t.Fatalf("%s does not round-trip: stored %q, read back %q", key, want, got)
		}
	}
}

// FuzzConfigFile: any config file either loads into settings that survive
// being written back with Set, or fails with clear lines that never repeat
// a secret; it never panics.
func FuzzConfigFile(f *testing.F) {
	for _, seed := range []string{
		"org: acme\ntimeout: 45s\npage-size: 250\n",
		"api-token: bkua_SECRETVALUE0123456789abcdef\ngraphql-endpoint: http://127.0.0.1:9999/v1\n",
		"org: [acme\n", "- org\n", "org:\n  name: acme\n", "org: a\nORG: b\n", "orgg: acme\n",
		"", "# nothing\n", "org:\n", "org: !!binary aGVsbG8=\n", "org: &a x\nconcurrency: *a\n",
		"bkua_SECRETVALUE0123456789abcdef\n", "org: \"bkua_SECRET VALUE0123456789abcdef\"\n",
		"timeout: -5s\npage-size: 0\nconcurrency: 999\noutput: html\n",
		"rest-endpoint: https://user:bkua_SECRETVALUE0123456789abcdef@api.buildkite.com\n",
		"audit-log: \"\\0\\x01\"\n", "\xff\xfe", "org: \"\\xff\"\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := loadTest(t, loadCase{ConfigPath: p})
		if err != nil {
			rejection.Check(t, string(data), err, rejection.OneProblemPerLine())
			return
		}
		for _, e := range s.Entries() {
			if len(s.APIToken) >= 8 && strings.Contains(e.Value, s.APIToken.Reveal()) {
				t.Fatalf("config view entry %s shows the token", e.Key)
			}
		}
		checkRoundTrip(t, s)
	})
}

// FuzzConfigValue: a value for any setting, given through the environment
// or stored with `config set`, is accepted the same way by both and reads
// back unchanged, or is refused with a clear line that never repeats a
// secret.
func FuzzConfigValue(f *testing.F) {
	for i := range Keys() {
		for _, v := range []string{"", " ", "acme", "0", "-1", "42", " 007 ", "99999999999999999999", "30s", "1h30m", "-5s", "0s", "1e3s",
			"https://api.buildkite.com/", "http://localhost:8080", "http://[::1]:1/v1", "https://u:p@host", "http://10.0.0.1",
			"JSON", "yaml", "bkua_SECRETVALUE0123456789abcdef", "x bkua_SECRETVALUE0123456789abcdef", "a\nb", "\x00"} {
			f.Add(uint8(i), v)
		}
	}
	keys := Keys()
	f.Fuzz(func(t *testing.T, keyIndex uint8, value string) {
		key := keys[int(keyIndex)%len(keys)]
		spec, _ := lookupKey(key)

		// No environment can hold a NUL; the file can.
		inEnv := !strings.ContainsRune(value, 0)
		var fromEnv *Settings
		var envErr error
		if inEnv {
			fromEnv, envErr = loadTest(t, loadCase{Env: map[string]string{spec.env: value}})
			if envErr != nil {
				rejection.Check(t, value, envErr, rejection.OneProblemPerLine())
			}
		}

		p := filepath.Join(t.TempDir(), "config.yaml")
		setErr := Set(p, key, value)
		if setErr != nil {
			rejection.Check(t, value, setErr, rejection.OneProblemPerLine())
			if strings.Contains(setErr.Error(), "\n") {
				t.Fatalf("Set(%s, %q) error is not one line: %q", key, value, setErr)
			}
			if key == KeyAPIToken && len(strings.TrimSpace(value)) >= 8 && strings.Contains(setErr.Error(), strings.TrimSpace(value)) {
				t.Fatalf("Set(api-token) error shows the value: %q", setErr)
			}
		}
		// An empty environment variable counts as unset; the file does not.
		if inEnv && value != "" && (envErr == nil) != (setErr == nil) {
			t.Fatalf("%s=%q: environment says %v, config set says %v", spec.env, value, envErr, setErr)
		}
		if setErr != nil {
			return
		}
		fromFile, err := loadTest(t, loadCase{ConfigPath: p})
		if err != nil {
			t.Fatalf("Set(%s, %q) wrote a file Load refuses: %v", key, value, err)
		}
		if fromFile.Sources[key] != SourceConfig {
			t.Fatalf("Set(%s, %q): the setting is not in the file", key, value)
		}
		if inEnv && envErr == nil && value != "" && (fromEnv.display(key) != fromFile.display(key) || fromEnv.APIToken != fromFile.APIToken) {
			t.Fatalf("%s=%q reads as %q from the environment but %q from the file", key, value, fromEnv.display(key), fromFile.display(key))
		}
		// Storing the value as read back changes nothing: Set keeps a
		// canonical form.
		before, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		again := fromFile.display(key)
		if key == KeyAPIToken {
			again = fromFile.APIToken.Reveal()
		}
		if err := Set(p, key, again); err != nil {
			t.Fatalf("Set(%s, %q) refuses its own canonical form: %v", key, again, err)
		}
		after, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if string(before) != string(after) {
			t.Fatalf("Set(%s) is not stable: %q then %q", key, before, after)
		}
	})
}
