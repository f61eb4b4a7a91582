package config

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestConfigFilePermissionWarning(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits")
	}
	tests := []struct {
		mode os.FileMode
		want bool
	}{
		{0o600, false},
		{0o400, false},
		{0o644, true},
		{0o640, true},
		{0o604, true},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "config.yaml", "org: acme\n", tt.mode)
			s, err := loadTest(t, loadCase{ConfigPath: p})
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want {
				if len(s.Warnings) != 0 {
					t.Errorf("unexpected warnings %q", s.Warnings)
				}
				return
			}
			want := "config file " + p + " is readable by other users (mode " + octal(tt.mode) + "); run chmod 600 " + p
			if len(s.Warnings) != 1 || s.Warnings[0] != want {
				t.Errorf("warnings = %q, want [%q]", s.Warnings, want)
			}
		})
	}
}

func octal(m os.FileMode) string { return fmt.Sprintf("%04o", uint32(m)) }

func TestConfigFileProblems(t *testing.T) {
	const tok = "bkua_SECRETVALUE0123456789"
	tests := []struct {
		name    string
		content string
		want    string // error substring; "" means Load succeeds
		warn    string // warning substring
	}{
		{name: "bad yaml", content: "org: [acme\n", want: "is not valid YAML"},
		{name: "token alone", content: tok + "\n", want: "must be a YAML mapping of setting: value lines"},
		{name: "list", content: "- org\n", want: "must be a YAML mapping"},
		{name: "nested value", content: "org:\n  name: acme\n", want: "org must be a single value (line 1)"},
		{name: "duplicate key", content: "org: a\nORG: b\n", want: "org is set more than once"},
		{name: "unknown key", content: "orgg: acme\n", warn: `unknown setting orgg ignored (known settings: org, api-token,`},
		{name: "empty file", content: ""},
		{name: "comments only", content: "# nothing yet\n"},
		{name: "null value", content: "org:\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "config.yaml", tt.content, 0o600)
			s, err := loadTest(t, loadCase{ConfigPath: p})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if tt.warn != "" && (len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], tt.warn)) {
					t.Errorf("warnings = %q, want one containing %q", s.Warnings, tt.warn)
				}
				return
			}
			if err == nil {
				t.Fatal("Load succeeded")
			}
			if !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q should name %s and contain %q", err, p, tt.want)
			}
			if strings.Contains(err.Error(), "SECRETVALUE") {
				t.Errorf("error echoes file content: %q", err)
			}
		})
	}
}

func TestConfigPathIsDirectory(t *testing.T) {
	dir := t.TempDir()
	_, err := loadTest(t, loadCase{ConfigPath: dir})
	if err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("error = %v", err)
	}
}

func TestSetCreatesPrivateFile(t *testing.T) {
	base := t.TempDir()
	p := filepath.Join(base, "a", "b", "config.yaml")
	if err := Set(p, KeyPageSize, "250"); err != nil {
		t.Fatal(err)
	}
	assertMode(t, p, 0o600)
	assertMode(t, filepath.Dir(p), 0o700)
	assertMode(t, filepath.Join(base, "a"), 0o700)
	s, err := loadTest(t, loadCase{ConfigPath: p})
	if err != nil {
		t.Fatal(err)
	}
	if s.PageSize != 250 || s.Sources[KeyPageSize] != SourceConfig {
		t.Errorf("page-size = %d (%s)", s.PageSize, s.Sources[KeyPageSize])
	}
}

func TestSetKeepsOtherKeysAndComments(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "config.yaml", "# my settings\norg: acme # prod\ntimeout: 45s\n", 0o644)
	if err := Set(p, KeyOutput, "JSON"); err != nil {
		t.Fatal(err)
	}
	if err := Set(p, KeyOrg, "other"); err != nil {
		t.Fatal(err)
	}
	if err := Set(p, KeyAPIToken, "  "+tokA+"\n"); err != nil {
		t.Fatal(err)
	}
	assertMode(t, p, 0o600) // tightened from 0644
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# my settings", "org: other", "timeout: 45s", "output: json", "api-token: " + tokA} {
		if !strings.Contains(string(data), want) {
			t.Errorf("file lacks %q:\n%s", want, data)
		}
	}
	if strings.Count(string(data), "org:") != 1 {
		t.Errorf("org written twice:\n%s", data)
	}
	s, err := loadTest(t, loadCase{ConfigPath: p})
	if err != nil {
		t.Fatal(err)
	}
	if s.Org != "other" || s.Timeout.String() != "45s" || s.Output != "json" || s.APIToken.Reveal() != tokA || len(s.Warnings) != 0 {
		t.Errorf("reloaded %+v (token %q)", s, s.APIToken.Reveal())
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*tmp"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

// Values that YAML would read as another type must round-trip as strings.
func TestSetQuotesAmbiguousStrings(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config.yaml")
	for _, org := range []string{"true", "1234", "null"} {
		if err := Set(p, KeyOrg, org); err != nil {
			t.Fatal(err)
		}
		s, err := loadTest(t, loadCase{ConfigPath: p})
		if err != nil {
			t.Fatal(err)
		}
		if s.Org != org {
			t.Errorf("org %q read back as %q", org, s.Org)
		}
	}
}

func TestSetRejects(t *testing.T) {
	const tok = "bkua_SECRETVALUE0123456789"
	tests := []struct {
		name, key, value, want string
	}{
		{"unknown key", "colour", "red", `unknown setting colour; known settings: org, api-token, graphql-endpoint, rest-endpoint, output, audit-log, timeout, page-size, concurrency`},
		{"page-size", KeyPageSize, "0", "page-size 0: must be between 1 and 500"},
		{"endpoint", KeyGraphQLEndpoint, "http://example.com", "graphql-endpoint http://example.com: must use https://"},
		{"token two lines", KeyAPIToken, tok + "\n" + tok, "api-token: holds more than one line"},
		{"empty token", KeyAPIToken, "\n", "api-token: is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "config.yaml", "org: acme\n", 0o600)
			err := Set(p, tt.key, tt.value)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "SECRETVALUE") {
				t.Errorf("error echoes the token: %q", err)
			}
			data, _ := os.ReadFile(p)
			if string(data) != "org: acme\n" {
				t.Errorf("file changed by a rejected Set:\n%s", data)
			}
		})
	}
}

func TestSetRefusesUnparsableFile(t *testing.T) {
	p := writeFile(t, t.TempDir(), "config.yaml", "org: [\n", 0o600)
	err := Set(p, KeyOrg, "acme")
	if err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("error = %v", err)
	}
	data, _ := os.ReadFile(p)
	if string(data) != "org: [\n" {
		t.Errorf("broken file overwritten:\n%s", data)
	}
}

func TestUnset(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "config.yaml", "org: acme\napi-token: "+tokA+"\norgg: typo\n", 0o600)
	if err := Unset(p, KeyAPIToken); err != nil {
		t.Fatal(err)
	}
	if err := Unset(p, "orgg"); err != nil {
		t.Fatalf("removing an unknown key present in the file: %v", err)
	}
	if err := Unset(p, KeyTimeout); err != nil {
		t.Fatalf("removing a known key that is absent: %v", err)
	}
	if err := Unset(p, "nonsense"); err == nil || !strings.Contains(err.Error(), "known settings:") {
		t.Errorf("unknown absent key: %v", err)
	}
	if err := Unset(filepath.Join(dir, "missing.yaml"), KeyOrg); err != nil {
		t.Errorf("missing file: %v", err)
	}
	data, _ := os.ReadFile(p)
	if string(data) != "org: acme\n" {
		t.Errorf("file after Unset:\n%s", data)
	}
}

func TestSetThroughSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges")
	}
	dir := t.TempDir()
	real := writeFile(t, dir, "real.yaml", "org: acme\n", 0o600)
	link := filepath.Join(dir, "config.yaml")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if err := Set(link, KeyOrg, "other"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("symlink replaced: %v %v", fi.Mode(), err)
	}
	data, _ := os.ReadFile(real)
	if string(data) != "org: other\n" {
		t.Errorf("target = %q", data)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s mode = %04o, want %04o", path, got, want)
	}
}

// The config file is read up to MaxConfigFile bytes and refused beyond:
// a wrong TOKENCTL_CONFIG (a log) fails at once instead of filling memory,
// and `config set` refuses it the same way.
func TestConfigFileSizeIsBounded(t *testing.T) {
	dir := t.TempDir()
	line := "# " + strings.Repeat("x", 1021) + "\n" // 1 KiB of YAML comment
	at := writeFile(t, dir, "at.yaml", "org: acme\n"+strings.Repeat(line, MaxConfigFile/len(line)-1), 0o600)
	if s, err := loadTest(t, loadCase{ConfigPath: at}); err != nil || s.Org != "acme" {
		t.Fatalf("a file under the limit: %v", err)
	}
	over := writeFile(t, dir, "over.yaml", "org: acme\n"+strings.Repeat(line, MaxConfigFile/len(line)+1), 0o600)
	_, err := loadTest(t, loadCase{ConfigPath: over})
	if err == nil || !strings.Contains(err.Error(), over) || !strings.Contains(err.Error(), "too large") {
		t.Errorf("Load: err = %v, want %s refused as too large", err, over)
	}
	if err := Set(over, KeyOrg, "globex"); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("Set: err = %v, want too large", err)
	}
}
