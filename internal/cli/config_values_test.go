package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

// A blank environment variable is set, not unset: taken as empty it hid the
// config file's audit log, and revoke went on without writing one. It is
// refused before anything is sent, naming the variable.
func TestBlankEnvironmentVariableIsRefused(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	for _, kv := range [][2]string{{"audit-log", auditPath}, {"org", "acme"}} {
		if r := h.run("config", "set", kv[0], kv[1]); r.code != 0 {
			t.Fatalf("config set %s: %s", kv[0], r)
		}
	}
	for _, c := range []struct{ env, key string }{
		{"TOKENCTL_AUDIT_LOG", "audit-log"},
		{"BUILDKITE_ORGANIZATION_SLUG", "org"},
	} {
		t.Run(c.env, func(t *testing.T) {
			h.env[c.env] = " "
			defer delete(h.env, c.env)
			r := h.run("revoke", "--token", et.CIDeployBotUUID, "--yes", "--no-cache")
			if r.code != int(exitcode.Usage) {
				t.Fatalf("exit %d, want %d:\n%s", r.code, exitcode.Usage, r)
			}
			if !strings.Contains(r.stderr, c.env) || !strings.Contains(r.stderr, "only whitespace") || !strings.Contains(r.stderr, "unset it") {
				t.Errorf("stderr does not name %s, the problem and the fix:\n%s", c.env, r.stderr)
			}
			if n := h.requests("RevokeAPIAccessToken"); n != 0 {
				t.Errorf("%d revocations sent", n)
			}
			if r := h.run("config", "view"); r.code != int(exitcode.Usage) {
				t.Errorf("config view: exit %d, want %d:\n%s", r.code, exitcode.Usage, r)
			}
		})
	}
	if _, err := os.Stat(auditPath); err == nil {
		t.Errorf("audit log written although nothing was revoked")
	}
}

// A token pasted into another setting, or into a path, is redacted by
// config view in every format, not only in its table.
func TestConfigViewRedactsEveryFormat(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	const pasted = "bkua_0123456789abcdefghij0123456789abcdefgh"
	dir := filepath.Join(t.TempDir(), pasted)
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	// Written by hand: config set refuses a token in another setting.
	h.env["TOKENCTL_CONFIG"] = filepath.Join(dir, "config.yaml")
	content := "org: " + pasted + "\naudit-log: " + filepath.Join(dir, "audit.jsonl") + "\n"
	if err := os.WriteFile(h.env["TOKENCTL_CONFIG"], []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	rest := "--rest-endpoint=" + h.srv.RESTEndpoint + "/" + pasted
	for _, args := range [][]string{
		{"config", "view", rest},
		{"config", "view", rest, "-o", "json"},
		{"config", "view", rest, "-o", "yaml"},
		{"config", "view", rest, "--jq", ".settings[].value, .configFile"},
	} {
		r := h.run(args...)
		if r.code != 0 {
			t.Fatalf("%v: %s", args, r)
		}
		if strings.Contains(r.stdout+r.stderr, pasted) {
			t.Errorf("%v printed the token:\n%s", args[2:], r)
		}
		if n := strings.Count(r.stdout, "[redacted]"); n < 4 {
			t.Errorf("%v: %d values redacted, want the org, the audit log, the REST endpoint and the token:\n%s", args[2:], n, r.stdout)
		}
	}
}

// A token saved in the config file with --insecure-storage is tied to the
// GraphQL endpoint it was saved for, as a keychain entry is: with another
// endpoint in effect it is refused (exit 2) before anything is sent, and
// `config migrate-token` does not move it under the other endpoint.
func TestConfigFileTokenTiedToItsEndpoint(t *testing.T) {
	for _, keychain := range []string{"empty keychain", "no keychain"} {
		t.Run(keychain, func(t *testing.T) {
			if keychain == "no keychain" {
				withKeychainError(t, errNoKeychain)
			}
			h := newHarness(t, emulator.Options{Fixture: canaryFixture()})
			other := et.Start(t, emulator.Options{Fixture: canaryFixture()})
			delete(h.env, "BUILDKITE_API_TOKEN")
			if r := h.exec(false, canaryAdmin+"\n", "config", "set", "api-token", "-", "--insecure-storage"); r.code != 0 {
				t.Fatalf("--insecure-storage: %s", r)
			}
			if got := tokenUsed(t, h); got != et.DemoTokenUUID {
				t.Errorf("whoami used %s, want the config file's token", got)
			}
			h.env["BUILDKITE_GRAPHQL_ENDPOINT"], h.env["BUILDKITE_REST_API_ENDPOINT"] = other.GraphQLEndpoint, other.RESTEndpoint
			for _, args := range [][]string{{"whoami"}, {"config", "view"}, {"config", "migrate-token"}} {
				r := h.run(args...)
				if r.code != int(exitcode.Usage) {
					t.Errorf("%v: exit %d, want %d\n%s", args, r.code, exitcode.Usage, r)
				}
				mustContain(t, "stderr", r.stderr, "saved for the GraphQL endpoint "+h.srv.GraphQLEndpoint+", not "+other.GraphQLEndpoint,
					"tokenctl config set api-token -")
			}
			if n := other.CountRequests(func(emulator.Request) bool { return true }); n != 0 {
				t.Errorf("the other endpoint got %d requests", n)
			}
			if !strings.Contains(h.configBytes(), canaryAdmin) {
				t.Error("migrate-token moved the token out of the config file")
			}
			// unset removes the token and the endpoint beside it.
			if r := h.run("config", "unset", "api-token"); r.code != 0 {
				t.Fatalf("config unset: %s", r)
			}
			if file := h.configBytes(); strings.Contains(file, "api-token") {
				t.Errorf("config unset left:\n%s", file)
			}
		})
	}
}
