package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

// knownSecretToken is the API token of these tests: hex after the prefix,
// so that none of its parts is shaped like a token on its own.
const knownSecretToken = "bkua_3f9a1c7e5b2d4068a1f3c5e7b9d02468ace13579"

// leaksPart reports a part of knownSecretToken that text repeats: its
// first 8 characters, or 16 of what follows the prefix.
func leaksPart(text string) string {
	low := strings.ToLower(text)
	if strings.Contains(low, knownSecretToken[:8]) {
		return knownSecretToken[:8]
	}
	for i := 5; i+16 <= len(knownSecretToken); i++ {
		if run := knownSecretToken[i : i+16]; strings.Contains(low, run) {
			return run
		}
	}
	return ""
}

// Text that never passed through an answer's body (a redirect's Location,
// a setting the user wrote) still has the credential in use taken out of
// every message and record, not only what is shaped like a token.
func TestMessagesHideTheCredentialInUse(t *testing.T) {
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://sso.example/login?session="+knownSecretToken[21:])
		w.WriteHeader(http.StatusFound)
	}))
	t.Cleanup(redirect.Close)
	h := newHarness(t, emulator.Options{})
	h.env["BUILDKITE_API_TOKEN"] = knownSecretToken
	h.env["BUILDKITE_GRAPHQL_ENDPOINT"] = redirect.URL + "/v1"
	h.env["BUILDKITE_REST_API_ENDPOINT"] = redirect.URL
	audit := filepath.Join(t.TempDir(), "audit.jsonl")

	for _, args := range [][]string{
		{"whoami"},
		{"revoke", "--org", "acme", "--token", "c1000000-0000-4000-8000-000000000001", "--audit-log", audit},
	} {
		r := h.run(args...)
		if r.code == 0 || !strings.Contains(r.stderr, "redirect") {
			t.Fatalf("%v: want the redirect refused:\n%s", args, r)
		}
		if part := leaksPart(r.stdout + r.stderr); part != "" {
			t.Errorf("%v repeats %q of the API token:\n%s", args, part, r)
		}
	}
	if data, err := os.ReadFile(audit); err == nil {
		if part := leaksPart(string(data)); part != "" {
			t.Errorf("the audit log repeats %q of the API token:\n%s", part, data)
		}
	}

	// Settings the user wrote that repeat the token: shown by config view,
	// and quoted by the error for a bad endpoint.
	h.env["BUILDKITE_GRAPHQL_ENDPOINT"] = h.srv.GraphQLEndpoint
	h.env["BUILDKITE_REST_API_ENDPOINT"] = h.srv.RESTEndpoint
	h.env["TOKENCTL_AUDIT_LOG"] = filepath.Join(t.TempDir(), knownSecretToken[5:33]+".jsonl")
	r := h.run("config", "view")
	if r.code != 0 {
		t.Fatalf("config view: %s", r)
	}
	if part := leaksPart(r.stdout + r.stderr); part != "" {
		t.Errorf("config view repeats %q of the API token:\n%s", part, r)
	}
	h.env["BUILDKITE_GRAPHQL_ENDPOINT"] = "ftp://api.example/v1?t=" + knownSecretToken[21:]
	r = h.run("whoami")
	if r.code == 0 || !strings.Contains(r.stderr, "BUILDKITE_GRAPHQL_ENDPOINT") {
		t.Fatalf("want the endpoint refused:\n%s", r)
	}
	if part := leaksPart(r.stdout + r.stderr); part != "" {
		t.Errorf("the bad endpoint's error repeats %q of the API token:\n%s", part, r)
	}
}

// A description that holds the API token spelled as JSON \u00XX escapes,
// as text (on the wire each backslash is escaped), is hidden in every
// format, hex digits in either case.
func TestEscapedCredentialInDescriptionIsHidden(t *testing.T) {
	var lower, upper strings.Builder
	for _, c := range []byte(et.DemoToken) {
		fmt.Fprintf(&lower, `\u%04x`, c)
		fmt.Fprintf(&upper, `\u%04X`, c)
	}
	f := emulator.DemoFixture()
	f.Tokens[0].Description = "old " + lower.String()
	f.Tokens[1].Description = upper.String() + " new"
	h := newHarness(t, emulator.Options{Fixture: f})
	for _, format := range []string{"table", "json", "yaml", "csv"} {
		r := h.run("tokens", "list", "--org", "acme", "-o", format)
		if r.code != 0 {
			t.Fatalf("%s: %s", format, r)
		}
		if out := strings.ToLower(r.stdout + r.stderr); strings.Contains(out, `u0062`) || strings.Contains(out, `u006b\`) {
			t.Errorf("tokens list -o %s repeats the escaped API token:\n%s", format, r)
		}
	}
}
