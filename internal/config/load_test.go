package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestLoadPrecedence(t *testing.T) {
	// Each key gets a distinct valid value per layer; the config file value
	// is written as YAML text.
	type layers struct{ flag, env, config, def string }
	keys := map[string]layers{
		KeyOrg:             {"flag-org", "env-org", "config-org", ""},
		KeyGraphQLEndpoint: {"https://flag.example/graphql", "https://env.example/graphql", "https://config.example/graphql", DefaultGraphQLEndpoint},
		KeyRESTEndpoint:    {"https://flag.example", "https://env.example", "http://localhost:8080", DefaultRESTEndpoint},
		KeyOutput:          {"json", "yaml", "csv", "table"},
		KeyAuditLog:        {"/flag/audit.log", "/env/audit.log", "/config/audit.log", ""},
		KeyTimeout:         {"1m0s", "2m0s", "3m0s", "30s"},
		KeyPageSize:        {"10", "20", "30", fmt.Sprint(DefaultPageSize)},
		KeyConcurrency:     {"1", "2", "3", "4"},
	}
	type setup struct {
		name              string
		flag, env, config bool
		wantSource        Source
		pick              func(layers) string
	}
	setups := []setup{
		{"all layers: flag wins", true, true, true, SourceFlag, func(l layers) string { return l.flag }},
		{"env beats config", false, true, true, SourceEnv, func(l layers) string { return l.env }},
		{"config beats default", false, false, true, SourceConfig, func(l layers) string { return l.config }},
		{"default", false, false, false, SourceDefault, func(l layers) string { return l.def }},
		{"flag beats config", true, false, true, SourceFlag, func(l layers) string { return l.flag }},
		{"flag beats env", true, true, false, SourceFlag, func(l layers) string { return l.flag }},
		{"flag alone", true, false, false, SourceFlag, func(l layers) string { return l.flag }},
		{"env alone", false, true, false, SourceEnv, func(l layers) string { return l.env }},
	}
	for key, l := range keys {
		for _, st := range setups {
			t.Run(key+"/"+st.name, func(t *testing.T) {
				dir := t.TempDir()
				cfg := filepath.Join(dir, "config.yaml")
				if st.config {
					writeFile(t, dir, "config.yaml", fmt.Sprintf("%s: %s\n", key, l.config), 0o600)
				}
				var args []string
				if st.flag {
					args = append(args, "--"+key+"="+l.flag)
				}
				env := map[string]string{}
				if st.env {
					env[EnvVar(key)] = l.env
				}
				s, err := loadTest(t, loadCase{Flags: parsedFlags(t, args...), Env: env, ConfigPath: cfg})
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if got, want := s.display(key), st.pick(l); got != want {
					t.Errorf("%s = %q, want %q", key, got, want)
				}
				if got := s.Sources[key]; got != st.wantSource {
					t.Errorf("source of %s = %q, want %q", key, got, st.wantSource)
				}
			})
		}
	}
}

func TestLoadDefaults(t *testing.T) {
	s, err := loadTest(t, loadCase{Env: nil, ConfigPath: filepath.Join(t.TempDir(), "missing.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	want := Settings{GraphQLEndpoint: DefaultGraphQLEndpoint, RESTEndpoint: DefaultRESTEndpoint, Output: "table",
		Timeout: DefaultTimeout, PageSize: DefaultPageSize, Concurrency: 4}
	if s.Org != "" || s.APIToken != "" || s.AuditLog != "" || s.GraphQLEndpoint != want.GraphQLEndpoint ||
		s.RESTEndpoint != want.RESTEndpoint || s.Output != want.Output || s.Timeout != want.Timeout ||
		s.PageSize != want.PageSize || s.Concurrency != want.Concurrency {
		t.Errorf("defaults = %+v", s)
	}
	for _, k := range Keys() {
		if s.Sources[k] != SourceDefault {
			t.Errorf("source of %s = %q, want default", k, s.Sources[k])
		}
	}
	if len(s.Warnings) != 0 {
		t.Errorf("warnings for a missing file: %v", s.Warnings)
	}
}

// A command that defines only some flags must still load.
func TestLoadSkipsAbsentFlags(t *testing.T) {
	partial := pflag.NewFlagSet("revoke", pflag.ContinueOnError)
	partial.String("org", "", "")
	if err := partial.Parse([]string{"--org", "only-org"}); err != nil {
		t.Fatal(err)
	}
	s, err := loadTest(t, loadCase{Flags: partial, Env: map[string]string{"TOKENCTL_PAGE_SIZE": "7"}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Org != "only-org" || s.Sources[KeyOrg] != SourceFlag || s.PageSize != 7 || s.Sources[KeyPageSize] != SourceEnv {
		t.Errorf("got org=%q (%s) page-size=%d (%s)", s.Org, s.Sources[KeyOrg], s.PageSize, s.Sources[KeyPageSize])
	}
}

func TestLoadEmptyEnvIsUnset(t *testing.T) {
	s, err := loadTest(t, loadCase{Env: map[string]string{"BUILDKITE_API_TOKEN": "", "TOKENCTL_OUTPUT": ""}})
	if err != nil {
		t.Fatal(err)
	}
	if s.APIToken != "" || s.Output != "table" || s.Sources[KeyOutput] != SourceDefault {
		t.Errorf("empty env vars should count as unset: %+v", s)
	}
}

const (
	tokA = "bkua_0123456789abcdef0123456789abcdef01234567"
	tokB = "bkua_fedcba9876543210fedcba9876543210fedcba98"
	tokC = "bkua_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
)

func TestLoadToken(t *testing.T) {
	tests := []struct {
		name       string
		file       *string // token file content; nil for no --api-token-file FILE
		stdin      *string // non-nil: --api-token-file -
		env        string
		config     string
		want       string
		wantSource Source
	}{
		{name: "file, trimmed", file: ptr("  " + tokA + "\n\n"), want: tokA, wantSource: SourceFile},
		{name: "stdin, trimmed", stdin: ptr(tokA + "\r\n"), want: tokA, wantSource: SourceStdin},
		{name: "env", env: tokB, want: tokB, wantSource: SourceEnv},
		{name: "config", config: tokC, want: tokC, wantSource: SourceConfig},
		{name: "file beats env and config", file: ptr(tokA), env: tokB, config: tokC, want: tokA, wantSource: SourceFile},
		{name: "stdin beats env", stdin: ptr(tokA), env: tokB, want: tokA, wantSource: SourceStdin},
		{name: "env beats config", env: tokB, config: tokC, want: tokB, wantSource: SourceEnv},
		{name: "none", want: "", wantSource: SourceDefault},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var args []string
			in := loadCase{Env: map[string]string{"BUILDKITE_API_TOKEN": tt.env}, ConfigPath: filepath.Join(dir, "config.yaml")}
			if tt.file != nil {
				args = append(args, "--api-token-file", writeFile(t, dir, "token", *tt.file, 0o600))
			}
			if tt.stdin != nil {
				args = append(args, "--api-token-file", "-")
				in.Stdin = strings.NewReader(*tt.stdin)
			}
			if tt.config != "" {
				writeFile(t, dir, "config.yaml", "api-token: "+tt.config+"\n", 0o600)
			}
			in.Flags = parsedFlags(t, args...)
			s, err := loadTest(t, in)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if s.APIToken.Reveal() != tt.want {
				t.Errorf("token = %q, want %q", s.APIToken.Reveal(), tt.want)
			}
			if s.Sources[KeyAPIToken] != tt.wantSource {
				t.Errorf("source = %q, want %q", s.Sources[KeyAPIToken], tt.wantSource)
			}
		})
	}
}

func TestLoadTokenErrors(t *testing.T) {
	const secretish = "bkua_SECRETVALUE0123456789"
	tests := []struct {
		name    string
		file    *string
		stdin   *string
		noStdin bool
		env     string
		config  string
		want    string // substring of the error
	}{
		{name: "empty file", file: ptr(" \n\t\n"), want: "(file): is empty"},
		{name: "empty stdin", stdin: ptr(""), want: "--api-token-file - (stdin): is empty"},
		{name: "no stdin", noStdin: true, want: "--api-token-file - (stdin): no standard input"},
		{name: "two lines", file: ptr(secretish + "\n" + secretish + "\n"), want: "(file): holds more than one line"},
		{name: "inner space", file: ptr(secretish + " " + secretish), want: "(file): contains whitespace"},
		{name: "binary garbage", file: ptr(secretish + "\x00\xff"), want: "(file): contains characters that never appear in an API token"},
		{name: "env with space", env: secretish + " x", want: "BUILDKITE_API_TOKEN (env): contains whitespace"},
		{name: "config two lines", config: "\"" + secretish + "\\n" + secretish + "\"", want: "api-token (config file "},
		{name: "too large", file: ptr(strings.Repeat(secretish, 10000)), want: "is too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			in := loadCase{Env: map[string]string{"BUILDKITE_API_TOKEN": tt.env}, ConfigPath: filepath.Join(dir, "config.yaml")}
			var args []string
			if tt.file != nil {
				args = append(args, "--api-token-file", writeFile(t, dir, "token", *tt.file, 0o600))
			}
			if tt.stdin != nil || tt.noStdin {
				args = append(args, "--api-token-file", "-")
			}
			if tt.stdin != nil {
				in.Stdin = strings.NewReader(*tt.stdin)
			}
			if tt.config != "" {
				writeFile(t, dir, "config.yaml", "api-token: "+tt.config+"\n", 0o600)
			}
			in.Flags = parsedFlags(t, args...)
			_, err := loadTest(t, in)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			if !errors.Is(err, ErrInvalidSetting) {
				t.Errorf("error %q is not ErrInvalidSetting", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "SECRETVALUE") {
				t.Errorf("error echoes the token: %q", err)
			}
		})
	}
}

func TestLoadTokenFileMissing(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nope")
	_, err := loadTest(t, loadCase{Flags: parsedFlags(t, "--api-token-file", p)})
	want := "--api-token-file " + p + " (file): cannot read it: no such file or directory"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestRequireToken(t *testing.T) {
	err := (&Settings{}).RequireToken()
	if !errors.Is(err, ErrNoAPIToken) {
		t.Fatalf("error %v is not ErrNoAPIToken", err)
	}
	for _, want := range []string{"BUILDKITE_API_TOKEN", "--api-token-file FILE", "- to read it from stdin", "`tokenctl config set api-token -`"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not mention %q", err, want)
		}
	}
	if err := (&Settings{APIToken: "x"}).RequireToken(); err != nil {
		t.Errorf("with a token: %v", err)
	}
}

func TestLoadInvalidValues(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		config string
		want   string // the whole message; CONFIG stands for the config path
	}{
		{name: "page-size 0 flag", args: []string{"--page-size", "0"}, want: "--page-size 0 (flag): must be between 1 and 500"},
		{name: "page-size 501 env", env: map[string]string{"TOKENCTL_PAGE_SIZE": "501"}, want: "TOKENCTL_PAGE_SIZE=501 (env): must be between 1 and 500"},
		{name: "page-size word config", config: "page-size: many", want: "page-size: many (config file CONFIG): must be between 1 and 500"},
		{name: "concurrency 33 flag", args: []string{"--concurrency=33"}, want: "--concurrency 33 (flag): must be between 1 and 32"},
		{name: "concurrency 0 env", env: map[string]string{"TOKENCTL_CONCURRENCY": "0"}, want: "TOKENCTL_CONCURRENCY=0 (env): must be between 1 and 32"},
		{name: "timeout garbage env", env: map[string]string{"TOKENCTL_TIMEOUT": "soon"}, want: "TOKENCTL_TIMEOUT=soon (env): must be a duration such as 30s or 2m"},
		{name: "timeout without unit config", config: "timeout: 30", want: "timeout: 30 (config file CONFIG): must be a duration such as 30s or 2m"},
		{name: "timeout zero flag", args: []string{"--timeout=0s"}, want: "--timeout 0s (flag): must be greater than zero"},
		{name: "timeout negative env", env: map[string]string{"TOKENCTL_TIMEOUT": "-5s"}, want: "TOKENCTL_TIMEOUT=-5s (env): must be greater than zero"},
		{name: "output flag", args: []string{"-o", "xml"}, want: "--output xml (flag): must be one of table, wide, json, yaml, csv, markdown"},
		{name: "output config empty", config: `output: ""`, want: `output: "" (config file CONFIG): must be one of table, wide, json, yaml, csv, markdown`},
		{name: "org with space env", env: map[string]string{"BUILDKITE_ORGANIZATION_SLUG": "my org"}, want: `BUILDKITE_ORGANIZATION_SLUG="my org" (env): must be an organization slug such as my-org (letters, digits, '-' and '_') or an organization GraphQL id`},
		{name: "org url flag", args: []string{"--org", "https://buildkite.com/acme"}, want: "--org https://buildkite.com/acme (flag): must be an organization slug such as my-org (letters, digits, '-' and '_') or an organization GraphQL id"},
		{name: "graphql http remote flag", args: []string{"--graphql-endpoint", "http://graphql.example.com/v1"}, want: "--graphql-endpoint http://graphql.example.com/v1 (flag): must use https://; http:// is allowed only for loopback hosts (localhost, 127.0.0.0/8, ::1)"},
		{name: "rest garbage env", env: map[string]string{"BUILDKITE_REST_API_ENDPOINT": "api.buildkite.com"}, want: "BUILDKITE_REST_API_ENDPOINT=api.buildkite.com (env): must be a URL such as https://api.buildkite.com"},
		{name: "rest with password config", config: "rest-endpoint: https://me:hunter2@api.example.com", want: "rest-endpoint: https://xxxxx@api.example.com (config file CONFIG): must not contain a user name or password; the API token is sent separately"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := filepath.Join(dir, "config.yaml")
			if tt.config != "" {
				writeFile(t, dir, "config.yaml", tt.config+"\n", 0o600)
			}
			_, err := loadTest(t, loadCase{Flags: parsedFlags(t, tt.args...), Env: tt.env, ConfigPath: cfg})
			if err == nil {
				t.Fatal("Load succeeded")
			}
			if !errors.Is(err, ErrInvalidSetting) {
				t.Errorf("error %q is not ErrInvalidSetting", err)
			}
			want := strings.ReplaceAll(tt.want, "CONFIG", cfg)
			if err.Error() != want {
				t.Errorf("error\n got %q\nwant %q", err, want)
			}
		})
	}
}

func TestLoadReportsEveryInvalidSetting(t *testing.T) {
	_, err := loadTest(t, loadCase{Flags: parsedFlags(t, "--page-size=0", "--concurrency=0")})
	if err == nil {
		t.Fatal("Load succeeded")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "--page-size") || !strings.HasPrefix(lines[1], "--concurrency") {
		t.Errorf("want one line per bad setting, got %q", err)
	}
}

func TestLoadNormalises(t *testing.T) {
	s, err := loadTest(t, loadCase{Flags: parsedFlags(t, "-o", "JSON", "--rest-endpoint", "https://api.example.com/", "--org", " acme ")})
	if err != nil {
		t.Fatal(err)
	}
	if s.Output != "json" || s.RESTEndpoint != "https://api.example.com" || s.Org != "acme" {
		t.Errorf("got output=%q rest=%q org=%q", s.Output, s.RESTEndpoint, s.Org)
	}
}

func TestEntries(t *testing.T) {
	s, err := loadTest(t, loadCase{Env: map[string]string{"BUILDKITE_API_TOKEN": tokA, "BUILDKITE_ORGANIZATION_SLUG": "acme"}})
	if err != nil {
		t.Fatal(err)
	}
	got := s.Entries()
	want := []Entry{
		{KeyOrg, "acme", SourceEnv},
		{KeyAPIToken, "[redacted]", SourceEnv},
		{KeyGraphQLEndpoint, DefaultGraphQLEndpoint, SourceDefault},
		{KeyRESTEndpoint, DefaultRESTEndpoint, SourceDefault},
		{KeyOutput, "table", SourceDefault},
		{KeyAuditLog, "", SourceDefault},
		{KeyTimeout, "30s", SourceDefault},
		{KeyPageSize, fmt.Sprint(DefaultPageSize), SourceDefault},
		{KeyConcurrency, "4", SourceDefault},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Entries() =\n%v\nwant\n%v", got, want)
	}
}

func ptr(s string) *string { return &s }

// Where a value came from is where it was given, not a comparison of
// values: a flag, a variable or a config key that repeats the default is
// still that source, and a flag that was not given (whatever its default)
// is none.
func TestLoadSourceIsWhereTheValueWasGiven(t *testing.T) {
	for _, c := range []struct {
		name   string
		args   []string
		env    map[string]string
		config string
		want   Source
	}{
		{"flag repeating the default", []string{"--output=table"}, nil, "", SourceFlag},
		{"variable repeating the default", nil, map[string]string{"TOKENCTL_OUTPUT": "table"}, "", SourceEnv},
		{"config key repeating the default", nil, nil, "output: table\n", SourceConfig},
		{"flag not given, variable given", nil, map[string]string{"TOKENCTL_OUTPUT": "json"}, "output: csv\n", SourceEnv},
		{"flag given, repeating the config", []string{"--output=csv"}, nil, "output: csv\n", SourceFlag},
		{"variable set empty, config key", nil, map[string]string{"TOKENCTL_OUTPUT": ""}, "output: csv\n", SourceConfig},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := filepath.Join(dir, "config.yaml")
			if c.config != "" {
				writeFile(t, dir, "config.yaml", c.config, 0o600)
			}
			s, err := loadTest(t, loadCase{Flags: parsedFlags(t, c.args...), Env: c.env, ConfigPath: cfg})
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Sources[KeyOutput]; got != c.want {
				t.Errorf("source of output = %q, want %q", got, c.want)
			}
			if c.want == SourceConfig && "output: "+s.Output+"\n" != c.config {
				t.Errorf("output = %q, want the config file's (%q)", s.Output, c.config)
			}
		})
	}
}
