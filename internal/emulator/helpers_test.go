package emulator_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

// clock is an injectable Options.Now that tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

var epoch = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func newClock() *clock { return &clock{now: epoch} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// startDemo serves the demo seed with a fixed clock.
func startDemo(t *testing.T) (*emulatortest.Server, *clock) {
	t.Helper()
	c := newClock()
	return emulatortest.Start(t, emulator.Options{Now: c.Now}), c
}

func orgID(uuid string) string   { return emulator.NodeID("Organization", uuid) }
func tokenID(uuid string) string { return emulator.NodeID("APIAccessToken", uuid) }

// decode unmarshals a response's data, failing on GraphQL errors.
func decode(t *testing.T, resp *emulatortest.Response, into any) {
	t.Helper()
	if resp.Status != 200 || len(resp.Errors) > 0 {
		t.Fatalf("status %d, body %s", resp.Status, resp.Body)
	}
	if err := json.Unmarshal(resp.Data, into); err != nil {
		t.Fatalf("decoding data: %v\n%s", err, resp.Body)
	}
}

// wantError checks a 200 answer with exactly one error containing msg.
func wantError(t *testing.T, resp *emulatortest.Response, msg string) emulatortest.Error {
	t.Helper()
	if resp.Status != 200 {
		t.Fatalf("status %d, want 200; body %s", resp.Status, resp.Body)
	}
	if len(resp.Errors) != 1 || !strings.Contains(resp.Errors[0].Message, msg) {
		t.Fatalf("want one error containing %q, got %s", msg, resp.Body)
	}
	return resp.Errors[0]
}

const revokeMutation = `mutation Revoke($org: ID!, $token: ID!, $cm: String) {
  organizationApiAccessTokenRevoke(input: {organizationId: $org, apiAccessTokenId: $token, clientMutationId: $cm}) {
    clientMutationId
    revokedApiAccessTokenId
  }
}`

func revoke(t *testing.T, srv *emulatortest.Server, caller, orgUUID, tokenUUID string) *emulatortest.Response {
	t.Helper()
	return srv.GraphQL(t, caller, revokeMutation, map[string]any{"org": orgID(orgUUID), "token": tokenID(tokenUUID), "cm": "cm-1"})
}

const listTokens = `query List($slug: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  organization(slug: $slug) {
    slug
    apiAccessTokens(first: $first, after: $after, last: $last, before: $before) {
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { uuid } }
      nodes { uuid }
    }
  }
}`

type tokenPage struct {
	Organization *struct {
		Slug            string
		APIAccessTokens struct {
			PageInfo struct {
				HasNextPage, HasPreviousPage bool
				StartCursor, EndCursor       *string
			}
			Edges []struct {
				Cursor string
				Node   struct{ UUID string }
			}
			Nodes []struct{ UUID string }
		} `json:"apiAccessTokens"`
	}
}

func (p tokenPage) uuids() []string {
	var out []string
	for _, e := range p.Organization.APIAccessTokens.Edges {
		out = append(out, e.Node.UUID)
	}
	return out
}
