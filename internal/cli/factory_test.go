package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/cli/clitest"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/iostreams"
)

// The --debug trace scrubs the values a run asks APIClient to redact (a
// leaked token's value), wherever they appear in either API's traffic,
// even when they look nothing like a Buildkite token.
func TestAPIClientRedactsExtraSecrets(t *testing.T) {
	const secret = "s3cr3t-value-of-no-known-shape"
	// A server that echoes the value back, so it appears in the GraphQL
	// request body and in both APIs' answers.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"uuid": "0f0f0f0f-0000-4000-8000-000000000000", "description": %q}`, secret)
	}))
	defer srv.Close()
	dir := t.TempDir()
	env := map[string]string{
		"BUILDKITE_API_TOKEN":         et.DemoToken,
		"BUILDKITE_GRAPHQL_ENDPOINT":  srv.URL + "/graphql",
		"BUILDKITE_REST_API_ENDPOINT": srv.URL,
		"XDG_CONFIG_HOME":             dir,
		"HOME":                        dir,
	}
	trace := func(redact ...string) string {
		ios, _, errOut := iostreams.Test("")
		clitest.SetEnv(t, env)
		f := &cmdutil.Factory{IO: ios, Now: time.Now}
		s, err := f.Settings(nil)
		if err != nil {
			t.Fatal(err)
		}
		client, err := f.APIClient(s, true, redact...)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = client.AccessToken(t.Context())
		_, _ = client.Organization(t.Context(), ident.Org{Slug: secret})
		return errOut.String()
	}

	// Without it the value is traced: the check below checks something.
	if plain := trace(); !strings.Contains(plain, secret) {
		t.Fatalf("the trace never showed the value, so it proves nothing:\n%s", plain)
	}
	got := trace(secret)
	mustContain(t, "debug trace", got, "GET "+srv.URL+"/v2/access-token", "POST "+srv.URL+"/graphql", `"description": "[redacted]"`)
	if strings.Contains(got, secret) {
		t.Errorf("the value to redact appears in the trace:\n%s", got)
	}
}
