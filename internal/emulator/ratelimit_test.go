package emulator_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

const tokensPage = `query Page($slug: ID!, $first: Int!) {
  organization(slug: $slug) {
    id
    apiAccessTokens(first: $first) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node { ...T } }
    }
  }
}
fragment T on OrganizationAPIAccessToken { uuid owner { email } }`

func header(t *testing.T, resp *emulatortest.Response, name string) int {
	t.Helper()
	v := resp.Header.Get(name)
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("header %s = %q", name, v)
	}
	return n
}

func TestComplexity(t *testing.T) {
	srv, _ := startDemo(t)
	tests := []struct {
		name  string
		query string
		vars  map[string]any
		want  int
	}{
		// organization 1 + connection 1 + pageInfo 1 + 100 × (node 1 + owner 1)
		{"page of tokens", tokensPage, map[string]any{"slug": "acme", "first": 100}, 203},
		{"page size from a literal", `{ organization(slug: "acme") { apiAccessTokens(first: 7) { nodes { uuid } } } }`, nil, 1 + 1 + 7},
		{"scalars only cost their object", `{ viewer { id } }`, nil, 1},
		{"edges and nodes both count", `{ organization(slug: "acme") { apiAccessTokens(first: 10) { edges { node { uuid } } nodes { uuid } } } }`, nil, 1 + 1 + 10*2},
		{"item cost at least 1", `{ organization(slug: "acme") { apiAccessTokens(first: 10) { pageInfo { hasNextPage } } } }`, nil, 1 + 1 + 1 + 10},
		{"viewer organizations", `{ viewer { organizations(first: 3) { count edges { node { slug } } } } }`, nil, 1 + 1 + 3},
		{"inline fragments", `query($id: ID!) { node(id: $id) { id ... on Organization { apiAccessTokens(first: 4) { nodes { owner { id } } } } } }`, map[string]any{"id": orgID(emulatortest.AcmeOrgUUID)}, 1 + 1 + 4*2},
		{"mutation", revokeMutation, map[string]any{"org": "x", "token": "y"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.ResetRequests()
			srv.GraphQL(t, emulatortest.DemoToken, tt.query, tt.vars)
			reqs := srv.Requests()
			if len(reqs) != 1 || reqs[0].Complexity != tt.want {
				t.Fatalf("complexity %+v, want %d", reqs, tt.want)
			}
		})
	}
}

func TestGraphQLRateLimit(t *testing.T) {
	c := newClock()
	srv := emulatortest.Start(t, emulator.Options{Now: c.Now, RateLimit: 204})
	vars := map[string]any{"slug": "acme", "first": 100}

	first := srv.GraphQL(t, emulatortest.DemoToken, tokensPage, vars)
	if first.Status != 200 || header(t, first, "RateLimit-Limit") != 204 || header(t, first, "RateLimit-Remaining") != 1 || header(t, first, "RateLimit-Reset") != 300 {
		t.Fatalf("first request: %d %v", first.Status, first.Header)
	}
	// A mutation costs 1: it fits, and spends the budget.
	decode(t, revoke(t, srv, emulatortest.DemoToken, emulatortest.AcmeOrgUUID, emulatortest.OldLaptopTokenUUID), &struct{}{})

	c.Advance(100 * time.Second)
	throttled := revoke(t, srv, emulatortest.DemoToken, emulatortest.AcmeOrgUUID, emulatortest.CIDeployBotUUID)
	if throttled.Status != http.StatusTooManyRequests || len(throttled.Errors) != 1 {
		t.Fatalf("spent budget: %d %s", throttled.Status, throttled.Body)
	}
	if header(t, throttled, "Retry-After") != 200 || header(t, throttled, "RateLimit-Reset") != 200 || header(t, throttled, "RateLimit-Remaining") != 0 {
		t.Errorf("429 headers %v", throttled.Header)
	}
	if srv.RevocationCount("acme", emulatortest.CIDeployBotUUID) != 0 {
		t.Error("a throttled mutation ran")
	}

	// The budget is the organization's: another user's token that can
	// access acme finds it spent, whatever else it can access; a token of
	// another organization does not.
	for _, token := range []string{emulatortest.MemberToken, emulatortest.AdaLaptopToken} {
		if other := srv.GraphQL(t, token, `{ viewer { id } }`, nil); other.Status != http.StatusTooManyRequests || header(t, other, "RateLimit-Limit") != 204 {
			t.Errorf("another caller in acme was not throttled by acme's spent budget: %d %v", other.Status, other.Header)
		}
	}
	if other := srv.GraphQL(t, emulatortest.GlobexAdminToken, `{ viewer { id } }`, nil); other.Status != 200 || header(t, other, "RateLimit-Remaining") != 203 {
		t.Errorf("globex's budget was spent by acme's requests: %d %v", other.Status, other.Header)
	}

	c.Advance(200 * time.Second)
	if again := srv.GraphQL(t, emulatortest.DemoToken, tokensPage, vars); again.Status != 200 || header(t, again, "RateLimit-Remaining") != 1 {
		t.Errorf("after the window: %d %v", again.Status, again.Header)
	}
}

func TestQueryOverTheWholeLimit(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{RateLimit: 100})
	resp := srv.GraphQL(t, emulatortest.DemoToken, tokensPage, map[string]any{"slug": "acme", "first": 100})
	wantError(t, resp, "exceeds max complexity of 100")
	if header(t, resp, "RateLimit-Remaining") != 100 {
		t.Errorf("a refused query spent budget: %v", resp.Header)
	}
}

func TestRESTRateLimit(t *testing.T) {
	c := newClock()
	srv := emulatortest.Start(t, emulator.Options{Now: c.Now, RESTRateLimit: 3})
	for i := range 3 {
		resp := srv.Do(t, "GET", "/v2/access-token", emulatortest.DemoToken, nil)
		if resp.Status != 200 || header(t, resp, "RateLimit-Remaining") != 2-i || header(t, resp, "RateLimit-Limit") != 3 {
			t.Fatalf("request %d: %d %v", i, resp.Status, resp.Header)
		}
	}
	resp := srv.Do(t, "DELETE", "/v2/access-token", emulatortest.DemoToken, nil)
	if resp.Status != http.StatusTooManyRequests || header(t, resp, "Retry-After") != 60 || !strings.Contains(string(resp.Body), `"message"`) {
		t.Fatalf("over the REST limit: %d %v %s", resp.Status, resp.Header, resp.Body)
	}
	if srv.TokenRevoked(emulatortest.DemoTokenUUID) {
		t.Error("a throttled DELETE ran")
	}
	// GraphQL has its own budget.
	if g := srv.GraphQL(t, emulatortest.DemoToken, `{ viewer { id } }`, nil); g.Status != 200 {
		t.Errorf("GraphQL throttled by REST: %d", g.Status)
	}
	c.Advance(time.Minute)
	if again := srv.Do(t, "GET", "/v2/access-token", emulatortest.DemoToken, nil); again.Status != 200 {
		t.Errorf("after a minute: %d", again.Status)
	}
}

// REST has a budget per user as well as per organization: a user's
// requests through any of their tokens share it.
func TestRESTUserRateLimit(t *testing.T) {
	c := newClock()
	srv := emulatortest.Start(t, emulator.Options{Now: c.Now, RESTUserRateLimit: 2})
	for i, token := range []string{emulatortest.DemoToken, emulatortest.AdaLaptopToken} {
		resp := srv.Do(t, "GET", "/v2/access-token", token, nil)
		if resp.Status != 200 || header(t, resp, "RateLimit-Limit") != 2 || header(t, resp, "RateLimit-Remaining") != 1-i {
			t.Fatalf("Ada's request %d: %d %v", i, resp.Status, resp.Header)
		}
	}
	resp := srv.Do(t, "GET", "/v2/access-token", emulatortest.DemoToken, nil)
	if resp.Status != http.StatusTooManyRequests || header(t, resp, "RateLimit-Limit") != 2 || header(t, resp, "Retry-After") != 60 {
		t.Fatalf("Ada over her user budget: %d %v", resp.Status, resp.Header)
	}
	// Another user in the same organizations has a budget of their own;
	// the organization's (200) is far from spent.
	if other := srv.Do(t, "GET", "/v2/access-token", emulatortest.MemberToken, nil); other.Status != 200 || header(t, other, "RateLimit-Limit") != 2 {
		t.Errorf("another user was throttled by Ada's budget: %d %v", other.Status, other.Header)
	}
	c.Advance(time.Minute)
	if again := srv.Do(t, "GET", "/v2/access-token", emulatortest.DemoToken, nil); again.Status != 200 {
		t.Errorf("after a minute: %d", again.Status)
	}
}

// The REST organization budget is shared by every user of the
// organization.
func TestRESTOrganizationRateLimit(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{RESTRateLimit: 2})
	for _, token := range []string{emulatortest.DemoToken, emulatortest.MemberToken} {
		if resp := srv.Do(t, "GET", "/v2/access-token", token, nil); resp.Status != 200 {
			t.Fatalf("%d %v", resp.Status, resp.Header)
		}
	}
	// Gus's token reaches globex only; Mo's reaches acme and globex, and
	// acme's budget is spent.
	if resp := srv.Do(t, "GET", "/v2/access-token", emulatortest.GlobexAdminToken, nil); resp.Status != 200 {
		t.Errorf("globex throttled by acme's requests: %d %v", resp.Status, resp.Header)
	}
	if resp := srv.Do(t, "GET", "/v2/access-token", emulatortest.AdaLaptopToken, nil); resp.Status != http.StatusTooManyRequests || header(t, resp, "RateLimit-Limit") != 2 || header(t, resp, "RateLimit-Remaining") != 0 {
		t.Errorf("acme's spent budget let a request through: %d %v", resp.Status, resp.Header)
	}
}

func TestEveryResponseHasRateLimitHeaders(t *testing.T) {
	srv, _ := startDemo(t)
	for name, resp := range map[string]*emulatortest.Response{
		"graphql":       srv.GraphQL(t, emulatortest.DemoToken, `{ viewer { id } }`, nil),
		"graphql 401":   srv.GraphQL(t, "", `{ viewer { id } }`, nil),
		"graphql 403":   srv.GraphQL(t, emulatortest.NoGraphQLToken, `{ viewer { id } }`, nil),
		"graphql error": srv.GraphQL(t, emulatortest.DemoToken, `{ nope }`, nil),
		"rest":          srv.Do(t, "GET", "/v2/access-token", emulatortest.DemoToken, nil),
		"rest 401":      srv.Do(t, "GET", "/v2/access-token", "", nil),
	} {
		for _, h := range []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} {
			if resp.Header.Get(h) == "" {
				t.Errorf("%s: no %s header", name, h)
			}
		}
	}
}
