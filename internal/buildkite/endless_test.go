package buildkite_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/ident"
)

// endlessServer answers every page of tokens or members with hasNextPage
// true and a cursor never given before: pages with no edges when repeat is
// false, else pages repeating the same token or member. n counts the
// requests.
func endlessServer(t *testing.T, repeat bool) (*buildkite.Client, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	const org = `"id":"T3Jn","uuid":"u","slug":"acme","name":"Acme"`
	const token = `{"cursor":"c","node":{"id":"QVBJ","uuid":"t1","description":null,"scopes":["GRAPHQL"],"createdAt":"2024-01-01T00:00:00Z","expiresAt":null,"lastAccessedAt":null,"ipAddress":null,"owner":null}}`
	const member = `{"node":{"role":"MEMBER","lastSeenAt":null,"security":{"twoFactorEnabled":true},"sso":{"mode":null},"user":{"id":"1","uuid":"1","name":"a","email":"a@x","bot":false}}}`
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		query := string(raw)
		// Past 50 pages the listing ends, so that a client that pages on
		// fails the test rather than hanging it.
		more := i < 50
		edges := ""
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(query, "members") {
			if repeat {
				edges = member
			}
			_, _ = fmt.Fprintf(w, `{"data":{"organization":{%s,"members":{"pageInfo":{"hasNextPage":%t,"endCursor":"c%d"},"edges":[%s]}}}}`, org, more, i, edges)
			return
		}
		if repeat {
			edges = token
		}
		_, _ = fmt.Fprintf(w, `{"data":{"organization":{%s,"apiAccessTokens":{"pageInfo":{"hasNextPage":%t,"endCursor":"c%d"},"edges":[%s]}}}}`, org, more, i, edges)
	}))
	t.Cleanup(hs.Close)
	return buildkite.New(buildkite.Config{GraphQLEndpoint: hs.URL + "/v1", RESTEndpoint: hs.URL, Token: "bkua_test", PageSize: 1}), &n
}

// A server that keeps saying more tokens or members follow, each time
// with a new cursor, but hands out nothing not seen before (empty pages,
// or the same node again) is not paged for ever: every page but the last
// must bring something new, as for the audit log, and the listing fails
// with a message naming the problem. Before, only a cursor given twice
// stopped a listing, and these paged until killed.
func TestListingsOfNothingNewAreBounded(t *testing.T) {
	ctx := context.Background()
	org := ident.Org{Slug: "acme"}
	listings := map[string]func(*buildkite.Client) error{
		"ListTokens": func(c *buildkite.Client) error {
			_, err := c.ListTokens(ctx, org, func(buildkite.TokenPage) bool { return true })
			return err
		},
		"ListAllTokens": func(c *buildkite.Client) error {
			_, err := c.ListAllTokens(ctx, org, func(buildkite.TokenPage) {})
			return err
		},
		"ListMembers": func(c *buildkite.Client) error {
			_, err := c.ListMembers(ctx, org, func(buildkite.MemberPage) bool { return true })
			return err
		},
	}
	for name, list := range listings {
		for _, repeat := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/repeat=%t", name, repeat), func(t *testing.T) {
				c, n := endlessServer(t, repeat)
				err := list(c)
				if err == nil || !strings.Contains(err.Error(), "none not seen before, yet says more follow") || buildkite.KindOf(err) != buildkite.KindOther {
					t.Errorf("err = %v (kind %v), want a listing that brings nothing new refused", err, buildkite.KindOf(err))
				}
				// ListAllTokens asks for the next page while the one
				// before is read, so it may be one page ahead.
				if got := n.Load(); got > 4 {
					t.Errorf("%d requests for a listing that brings nothing new after the first page", got)
				}
			})
		}
	}
}
