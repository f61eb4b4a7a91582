package buildkite_test

import (
	"testing"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/ident"
)

// The executor paces mutations by the client's GraphQL budget. Buildkite's
// REST budget is a different one (requests, not points), so the
// self-check's answer must not stand in for it.
func TestRateLimitIsTheGraphQLBudgetNotTheRESTBudget(t *testing.T) {
	const graphQLPoints, restRequests = 7777, 55
	srv := et.Start(t, emulator.Options{RateLimit: graphQLPoints, RESTRateLimit: restRequests})
	client := buildkite.New(buildkite.Config{GraphQLEndpoint: srv.GraphQLEndpoint, RESTEndpoint: srv.RESTEndpoint, Token: et.DemoToken})
	if _, err := client.AccessToken(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st := client.RateLimit(); st.Known {
		t.Errorf("after a REST request only, the GraphQL budget reads %+v; it must still be unknown", st)
	}
	if _, err := client.Organization(t.Context(), ident.Org{Slug: et.DemoOrgSlug}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.AccessToken(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st := client.RateLimit(); !st.Known || st.Limit != graphQLPoints {
		t.Errorf("GraphQL budget = %+v, want the GraphQL limit of %d points (not REST's %d requests)", st, graphQLPoints, restRequests)
	}
}
