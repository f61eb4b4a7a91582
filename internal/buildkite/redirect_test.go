package buildkite_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/ident"
)

// An endpoint answering with a redirect (say https to http on the same
// host, where Go would copy the Authorization header in clear text) is a
// wrong endpoint: no call follows it, with the API token or a leaked
// value, and the error names the endpoint and where it pointed (exit 2).
func TestRedirectsAreNeverFollowed(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path+" auth="+r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{}}`))
	}))
	t.Cleanup(elsewhere.Close)
	location := elsewhere.URL + "/moved"

	srv := et.Start(t, emulator.Options{Faults: []emulator.Fault{{Kind: emulator.FaultRedirect, Location: location}}})
	client := buildkite.New(buildkite.Config{GraphQLEndpoint: srv.GraphQLEndpoint, RESTEndpoint: srv.RESTEndpoint, Token: et.DemoToken})

	calls := map[string]func() error{
		"GraphQL query": func() error {
			_, err := client.Organization(t.Context(), ident.Org{Slug: et.DemoOrgSlug})
			return err
		},
		"GraphQL mutation": func() error {
			_, err := client.Revoke(t.Context(), "org-id", "token-id", "tokenctl-1")
			return err
		},
		"REST, the API token": func() error {
			_, err := client.AccessToken(t.Context())
			return err
		},
		"REST, a leaked value": func() error {
			_, err := client.AccessTokenOf(t.Context(), et.CIDeployBotToken)
			return err
		},
		"REST delete of a leaked value": func() error {
			return client.DeleteAccessToken(t.Context(), et.CIDeployBotToken)
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			if err == nil {
				t.Fatal("no error: the redirect was followed")
			}
			if k := buildkite.KindOf(err); k != buildkite.KindConfig {
				t.Errorf("kind = %v, want KindConfig: %v", k, err)
			}
			if code := exitcode.Of(err); code != exitcode.Usage {
				t.Errorf("exit code = %d, want %d (a wrong endpoint)", code, exitcode.Usage)
			}
			msg := err.Error()
			for _, want := range []string{srv.URL, location, "redirect", "endpoint"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message does not name %q:\n%s", want, msg)
				}
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) > 0 {
		t.Errorf("the redirect target was sent %d requests: %q", len(seen), seen)
	}
}
