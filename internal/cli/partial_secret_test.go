package cli

import (
	"encoding/json"
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
