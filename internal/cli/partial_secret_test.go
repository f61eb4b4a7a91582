package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

// A server that repeats the start of the credential in its error ("token
// starting bkua_…") never gets any 8 or more characters of it onto
// stderr, in the error line or in the --debug trace, however much it
// repeats: the shape of a token needs 16 characters after bkua_, so a
// shorter part was printed.
func TestSecretsPartOfTokenEchoedIsHidden(t *testing.T) {
	token := emulatortest.DemoToken
	for _, n := range []int{8, 12, 20, 21, 30, len(token)} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
			msg := "Invalid credentials for token starting " + tok[:min(n, len(tok))] + "..."
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]any{"message": msg, "errors": []map[string]string{{"message": msg}}})
		}))
		h := newHarness(t, emulator.Options{})
		h.env["BUILDKITE_GRAPHQL_ENDPOINT"] = srv.URL + "/v1"
		h.env["BUILDKITE_REST_API_ENDPOINT"] = srv.URL
		for _, args := range [][]string{{"whoami", "--no-cache"}, {"whoami", "--no-cache", "--debug"}} {
			r := h.run(args...)
			if r.code == 0 {
				t.Fatalf("%d characters, %v: want a failure, got:\n%s", n, args, r)
			}
			if !strings.Contains(r.stderr, "token starting [redacted]...") {
				t.Errorf("%d characters, %v: the server's words are not on stderr, so the check proves nothing:\n%s", n, args, r.stderr)
			}
			if strings.Contains(r.stderr, token[:8]) || strings.Contains(r.stderr, token[5:13]) {
				t.Errorf("%d characters, %v: part of the token is on stderr:\n%s", n, args, r.stderr)
			}
		}
		srv.Close()
	}
}

// A server that echoes the credential encoded (every byte percent-encoded,
// as JSON \u escapes, as HTML entities), or a legacy token in capitals or
// without its first characters, never gets it onto stdout or stderr, in
// the error line or in the --debug trace, which shows the answer's body
// as it came.
func TestSecretsTokenEchoedEncodedIsHidden(t *testing.T) {
	const legacy = "83920471ab3fcd5e9a01b2c3d4e5f6a7b8c9d0e1"
	encode := func(format string) func(string) string {
		return func(tok string) string {
			var b strings.Builder
			for _, c := range []byte(tok) {
				fmt.Fprintf(&b, format, c)
			}
			return b.String()
		}
	}
	tests := []struct {
		name, token string
		echo        func(string) string
	}{
		{"percent", emulatortest.DemoToken, encode("%%%02X")},
		{"percent lower", legacy, encode("%%%02x")},
		{"json escapes", emulatortest.DemoToken, encode(`\u%04x`)},
		{"html decimal", emulatortest.DemoToken, encode("&#%d;")},
		{"html hex", legacy, encode("&#x%X;")},
		{"legacy in capitals", legacy, strings.ToUpper},
		{"legacy's last 32", legacy, func(tok string) string { return tok[8:] }},
		{"legacy's middle 20", legacy, func(tok string) string { return tok[10:30] }},
	}
	for _, tt := range tests {
		echoed := tt.echo(tt.token)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			// Written by hand, so that JSON escapes reach the body as sent.
			_, _ = fmt.Fprintf(w, `{"message":"denied for %s","errors":[{"message":"denied for %s"}]}`, tt.echo(tok), tt.echo(tok))
		}))
		h := newHarness(t, emulator.Options{})
		h.env["BUILDKITE_API_TOKEN"] = tt.token
		h.env["BUILDKITE_GRAPHQL_ENDPOINT"] = srv.URL + "/v1"
		h.env["BUILDKITE_REST_API_ENDPOINT"] = srv.URL
		for _, args := range [][]string{{"whoami", "--no-cache"}, {"whoami", "--no-cache", "--debug"}} {
			r := h.run(args...)
			if r.code == 0 {
				t.Fatalf("%s, %v: want a failure, got:\n%s", tt.name, args, r)
			}
			if !strings.Contains(r.stderr, "denied for") {
				t.Errorf("%s, %v: the server's words are not on stderr, so the check proves nothing:\n%s", tt.name, args, r.stderr)
			}
			for _, part := range []string{echoed[:min(len(echoed), 24)], echoed[len(echoed)-16:], tt.token[10:26]} {
				if strings.Contains(r.stdout+r.stderr, part) {
					t.Errorf("%s, %v: %q is in the output:\n%s%s", tt.name, args, part, r.stdout, r.stderr)
				}
			}
		}
		srv.Close()
	}
}
