package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

// otherREST is a REST API that is not the emulator's: it says the API
// token is another token, as a second Buildkite (or a stale endpoint left
// in the environment) would. It counts what it is asked.
func otherREST(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"uuid": "11111111-1111-4111-8111-111111111111", "scopes": ["graphql", "read_organizations"], "description": "other", "created_at": "2026-11-06T22:55:06Z", "user": {"name": "Ada Admin", "email": "ada@acme.example"}}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// REST and GraphQL endpoints on different servers are refused before
// anything is sent, by every command that calls Buildkite: otherwise the
// own-token check asks one server which token is in use while the other
// revokes it, and the tool revoked its own token reporting `revoked`.
func TestEndpointsOnDifferentServersAreRefused(t *testing.T) {
	leaked := filepath.Join(t.TempDir(), "leaked")
	if err := os.WriteFile(leaked, []byte("bkua_leaked000000000000000000000000000000000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	commands := [][]string{
		{"revoke", "--org", "acme", "--token", emulatortest.DemoTokenUUID, "--yes", "--no-cache"},
		{"revoke", "--org", "acme", "--token", emulatortest.DemoTokenUUID, "--yes"},
		{"revoke", "--everywhere", "--token-value-file", leaked, "--yes", "--no-cache"},
		{"settings", "set", "--org", "acme", "--restrict-token-creation", "true", "--yes"},
		{"policy", "set", "--org", "acme", "--revoke-inactive-after", "30d", "--yes"},
		{"whoami", "--no-cache"},
		{"tokens", "list", "--org", "acme"},
	}
	for _, args := range commands {
		t.Run(strings.Join(args[:2], " "), func(t *testing.T) {
			h := newHarness(t, emulator.Options{})
			rest, hits := otherREST(t)
			h.env["BUILDKITE_REST_API_ENDPOINT"] = rest.URL
			r := h.run(args...)
			if r.code != int(exitcode.Usage) {
				t.Fatalf("want exit %d, got:\n%s", exitcode.Usage, r)
			}
			mustContain(t, "stderr", r.stderr,
				"BUILDKITE_GRAPHQL_ENDPOINT="+h.srv.GraphQLEndpoint+" (env)",
				"BUILDKITE_REST_API_ENDPOINT="+rest.URL+" (env)",
				"not the same Buildkite", "--rest-endpoint")
			if strings.Count(r.stderr, "tokenctl: ") != 1 {
				t.Errorf("want one error line, got:\n%s", r.stderr)
			}
			if strings.Contains(r.stderr, emulatortest.DemoToken) {
				t.Errorf("the token is on stderr:\n%s", r.stderr)
			}
			if n := hits.Load(); n != 0 {
				t.Errorf("the other REST server was asked %d times", n)
			}
			if n := len(h.srv.Requests()); n != 0 {
				t.Errorf("the emulator was asked %d times", n)
			}
			if h.srv.TokenRevoked(emulatortest.DemoTokenUUID) {
				t.Error("the tool's own token was revoked")
			}
		})
	}
}

// graphql-endpoint in the config file with the REST endpoint's default is
// refused too: the message says where each came from.
func TestEndpointPairNamesConfigFileAndDefault(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	gql := h.srv.GraphQLEndpoint
	delete(h.env, "BUILDKITE_GRAPHQL_ENDPOINT")
	delete(h.env, "BUILDKITE_REST_API_ENDPOINT")
	if err := os.MkdirAll(filepath.Dir(h.configFile()), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.configFile(), []byte("graphql-endpoint: "+gql+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := h.run("whoami", "--no-cache")
	if r.code != int(exitcode.Usage) {
		t.Fatalf("want exit %d, got:\n%s", exitcode.Usage, r)
	}
	mustContain(t, "stderr", r.stderr,
		"graphql-endpoint "+gql+" (config file "+h.configFile()+")",
		"rest-endpoint https://api.buildkite.com (default)")

	// Given on the command line, the REST endpoint pairs with it.
	r = h.run("whoami", "--no-cache", "--rest-endpoint", h.srv.RESTEndpoint)
	if r.code != 0 {
		t.Fatalf("want exit 0 with both endpoints on the emulator, got:\n%s", r)
	}
}

// A token saved in the keychain for the emulator's GraphQL endpoint is
// never sent to a REST endpoint elsewhere: the keychain is not even asked.
func TestKeychainTokenNotSentToAnotherREST(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	h.storeInKeychain(emulatortest.DemoToken)
	delete(h.env, "BUILDKITE_API_TOKEN")
	rest, hits := otherREST(t)
	r := h.run("whoami", "--no-cache", "--rest-endpoint", rest.URL)
	if r.code != int(exitcode.Usage) {
		t.Fatalf("want exit %d, got:\n%s", exitcode.Usage, r)
	}
	mustContain(t, "stderr", r.stderr, "--rest-endpoint "+rest.URL+" (flag)")
	if n := hits.Load(); n != 0 {
		t.Errorf("the other REST server was asked %d times", n)
	}
	if n := h.keychain.calls.Load(); n != 0 {
		t.Errorf("the keychain was asked %d times", n)
	}
}
