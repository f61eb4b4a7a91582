package buildkite

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/redact"
)

// A redirect's Location is a header, which the scrub of answers' bodies
// never reads: the error every report quotes (stderr, the audit log, and
// a JSON result's error alike) still hides the credential the run holds.
func TestRedirectErrorHidesTheCredentialInUse(t *testing.T) {
	const secret = "bkua_5e0c2a7d9b1f4e3a8c6d0b2f4a6c8e0d1f3b5a7c"
	redact.Remember(secret)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://x.example/?t="+secret)
		w.WriteHeader(http.StatusSeeOther)
	}))
	t.Cleanup(srv.Close)
	c := New(Config{GraphQLEndpoint: srv.URL + "/v1", RESTEndpoint: srv.URL, Token: secret})

	_, err := c.Revoke(context.Background(), "T3JnYW5pemF0aW9uLS0tMQ==", "QVBJQWNjZXNzVG9rZW4tLS0x", "cm-1")
	if err == nil || !strings.Contains(err.Error(), "redirect") {
		t.Fatalf("error %v, want the redirect refused", err)
	}
	_, qerr := c.Organization(context.Background(), ident.Org{Slug: "acme"})
	for _, e := range []error{err, qerr} {
		if msg := e.Error(); strings.Contains(msg, secret[:8]) || strings.Contains(msg, secret[20:36]) {
			t.Errorf("the error repeats the API token: %s", msg)
		}
	}
}
