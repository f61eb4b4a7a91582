package buildkite

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/transport"
)

// answerServer serves, under /case/N/, the answer registered as case N:
// one server for the whole fuzz run, any number of cases in parallel.
type answerServer struct {
	*httptest.Server
	next  atomic.Int64
	cases sync.Map // int64 -> fuzzAnswer
}

type fuzzAnswer struct {
	status      int
	contentType string
	body        []byte
}

func newAnswerServer(tb testing.TB) *answerServer {
	s := &answerServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, _ := strings.CutPrefix(r.URL.Path, "/case/")
		id, _, _ := strings.Cut(rest, "/")
		n, _ := strconv.ParseInt(id, 10, 64)
		v, ok := s.cases.Load(n)
		if !ok {
			http.NotFound(w, r)
			return
		}
		a := v.(fuzzAnswer)
		w.Header().Set("Content-Type", a.contentType)
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body)
	}))
	tb.Cleanup(s.Close)
	return s
}

// client returns a client whose every request gets a, through the real
// transport without retries (they would only repeat the same answer,
// slowly).
func (s *answerServer) client(tb testing.TB, a fuzzAnswer) *Client {
	n := s.next.Add(1)
	s.cases.Store(n, a)
	tb.Cleanup(func() { s.cases.Delete(n) })
	base := s.URL + "/case/" + strconv.FormatInt(n, 10)
	c := New(Config{GraphQLEndpoint: base + "/v1", RESTEndpoint: base, Token: fuzzToken, Transport: transport.Options{MaxRetries: -1, Timeout: 5 * time.Second}, PageSize: 2})
	tb.Cleanup(c.CloseIdleConnections) // a fuzz run makes thousands of clients
	return c
}

// fuzzToken is a fake credential; no answer may show it.
const fuzzToken = "bkua_FuzzCredential0123456789abcdef"

// checkAPIError holds a failed call to the client's contract: an *Error
// with a kind and a message a user can read, never the credential.
func checkAPIError(t *testing.T, call string, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: %T %v is not an *Error", call, err, err)
	}
	if strings.TrimSpace(e.Message) == "" {
		t.Fatalf("%s: empty message (%+v)", call, e)
	}
	if strings.Contains(e.Error(), fuzzToken) {
		t.Fatalf("%s: the error shows the credential: %q", call, e)
	}
}

// FuzzAnswers: whatever Buildkite (or a proxy in front of it) answers, every
// client call returns a result or an *Error; it never panics, never loops
// over pages for ever, and a result it returns is one a caller can use.
// It is long because of its seeds, an answer each.
func FuzzAnswers(f *testing.F) {
	for _, seed := range []struct {
		status int
		ctype  string
		body   string
	}{
		{200, "application/json", `{"data":{"organization":{"id":"T3Jn","uuid":"u","slug":"acme","name":"Acme","apiAccessTokens":{"edges":[{"cursor":"c1","node":{"id":"QVBJ","uuid":"t1","description":null,"scopes":["GRAPHQL"],"createdAt":"2024-01-01T00:00:00Z","expiresAt":null,"lastAccessedAt":null,"ipAddress":null,"owner":null}}],"pageInfo":{"hasNextPage":false,"endCursor":"c1"}}}}}`},
		{200, "application/json", `{"data":{"organization":{"id":"T3Jn","uuid":"u","slug":"acme","name":"Acme","apiAccessTokens":{"edges":[],"pageInfo":{"hasNextPage":true,"endCursor":"same"}}}}}`},
		{200, "application/json", `{"data":{"organization":{"id":"T3Jn","uuid":"u","slug":"acme","name":"Acme","apiAccessTokens":{"edges":[null,{"cursor":"c","node":null}],"pageInfo":{"hasNextPage":true,"endCursor":null}}}}}`},
		{200, "application/json", `{"data":{"organization":null}}`},
		{200, "application/json", `{"data":{"organization":null},"errors":[{"message":"Internal server error"}]}`},
		{200, "application/json", `{"errors":[{"message":"No organization found"}]}`},
		{200, "application/json", `{"data":{"organizationApiAccessTokenRevoke":null}}`},
		{200, "application/json", `{"data":{"organizationApiAccessTokenRevoke":{"revokedApiAccessTokenId":"QVBJ","clientMutationId":"m"}}}`},
		{200, "application/json", `{"data":{"viewer":{"user":{"id":"VXNl","uuid":"u","name":"Ada","email":"a@b"},"organizations":{"edges":[{"node":{"id":"T3Jn","uuid":"u","slug":"acme","name":"Acme"}}]}}}}`},
		{200, "application/json", `{"uuid":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","scopes":["graphql"],"description":"x","created_at":"2024-01-01T00:00:00Z","user":{"name":"Ada","email":"a@b"}}`},
		{200, "application/json", `{"uuid":""}`},
		{200, "application/json", `{"created_at":"yesterday"}`},
		{200, "application/json", `{"data":{"organization":{"id":"T3Jn"`},
		{200, "text/html", `<html>502 Bad Gateway</html>`},
		{200, "application/json", ``},
		{204, "", ``},
		{401, "application/json", `{"message":"Authentication required"}`},
		{403, "application/json", `{"errors":[{"message":"no GraphQL access"}]}`},
		{404, "text/plain", "not found"},
		{429, "application/json", `{"message":"slow down"}`},
		{500, "application/json", `{"message":"oops\nsecond line"}`},
		{302, "", ``},
		{200, "application/json", `[]`},
		{200, "application/json", `null`},
		{200, "application/json", `{"data":{"node":{"__typename":"User","id":"x"}}}`},
	} {
		f.Add(seed.status, seed.ctype, []byte(seed.body))
	}
	srv := newAnswerServer(f)
	f.Fuzz(func(t *testing.T, status int, ctype string, body []byte) {
		if status < 200 || status > 599 {
			status = 200 + (abs(status) % 400)
		}
		if status/100 == 3 || status == http.StatusSwitchingProtocols {
			status = http.StatusOK // redirects need a Location; not what this is about
		}
		ctype = strings.Map(func(r rune) rune {
			if r < ' ' || r > '~' {
				return -1
			}
			return r
		}, ctype)
		c := srv.client(t, fuzzAnswer{status: status, contentType: ctype, body: body})
		ctx := context.Background()

		if org, err := c.Organization(ctx, ident.Org{Slug: "acme"}); err != nil {
			checkAPIError(t, "Organization", err)
		} else if org.ID == "" {
			t.Fatalf("Organization returned one without an id: %+v", org)
		}

		pages := 0
		_, err := c.ListTokens(ctx, ident.Org{Slug: "acme"}, func(page TokenPage) bool {
			pages++
			for _, tok := range page.Tokens {
				if tok.ID == "" {
					t.Fatalf("ListTokens returned a token without an id: %+v", tok)
				}
			}
			// The same answer comes back for every page: a pager that
			// trusted it would never stop.
			if pages > 100 {
				t.Fatalf("ListTokens is still paging after %d pages of the same answer", pages)
			}
			return true
		})
		if err != nil {
			checkAPIError(t, "ListTokens", err)
		}
		// visit runs on another goroutine, where a test may not stop.
		pages = 0
		_, err = c.ListAllTokens(ctx, ident.Org{Slug: "acme"}, func(page TokenPage) {
			pages++
			for _, tok := range page.Tokens {
				if tok.ID == "" {
					t.Errorf("ListAllTokens returned a token without an id: %+v", tok)
				}
			}
			if pages == 101 {
				t.Errorf("ListAllTokens is still paging after %d pages of the same answer", pages)
			}
		})
		if err != nil {
			checkAPIError(t, "ListAllTokens", err)
		}

		if _, err := c.Viewer(ctx); err != nil {
			checkAPIError(t, "Viewer", err)
		}
		if res, err := c.Revoke(ctx, "T3Jn", "QVBJ", "m"); err != nil {
			checkAPIError(t, "Revoke", err)
		} else if res.RevokedAPIAccessTokenID == "" {
			t.Fatalf("Revoke succeeded without saying which token was revoked: %+v", res)
		}
		if tok, err := c.AccessToken(ctx); err != nil {
			checkAPIError(t, "AccessToken", err)
		} else if tok.UUID == "" {
			t.Fatalf("AccessToken returned one without a uuid: %+v", tok)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		if n == -n { // the smallest int
			return 0
		}
		return -n
	}
	return n
}
