package whoami_test

import (
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/whoami"
)

func client(srv *et.Server, token string) *buildkite.Client {
	return buildkite.New(buildkite.Config{
		GraphQLEndpoint: srv.GraphQLEndpoint,
		RESTEndpoint:    srv.RESTEndpoint,
		Token:           token,
	})
}

func TestLookupDescribesTokenUserAndOrganizations(t *testing.T) {
	srv := et.Start(t, emulator.Options{})
	me, err := whoami.Lookup(t.Context(), client(srv, et.AdaLaptopToken))
	if err != nil {
		t.Fatal(err)
	}
	if me.Token.UUID != et.AdaLaptopTokenUUID || me.User.Email != et.DemoAdminEmail || me.User.UUID == nil || *me.User.UUID != et.AdaUUID {
		t.Errorf("token = %+v, user = %+v", me.Token, me.User)
	}
	if !me.GraphQLAccess || len(me.Organizations) != 2 || me.Organizations[0].Slug != "acme" || me.Organizations[1].Slug != "globex" {
		t.Errorf("graphqlAccess = %v, organizations = %+v", me.GraphQLAccess, me.Organizations)
	}
	if me.Notes == nil || len(me.Notes) != 0 {
		t.Errorf("notes = %#v, want an empty list", me.Notes)
	}
}

// GraphQL refusing a token REST accepts is a note, not a failure.
func TestLookupWithoutGraphQLAccessIsPartial(t *testing.T) {
	srv := et.Start(t, emulator.Options{})
	me, err := whoami.Lookup(t.Context(), client(srv, et.NoGraphQLToken))
	if err != nil {
		t.Fatal(err)
	}
	if me.GraphQLAccess || me.Organizations != nil || me.User.UUID != nil || len(me.Notes) != 1 {
		t.Errorf("report = %+v", me)
	}
}

// REST decides success: its failure is the error, even while GraphQL is
// still being asked (here slowed down, so REST fails first).
func TestLookupFailsWithREST(t *testing.T) {
	srv := et.Start(t, emulator.Options{Faults: []emulator.Fault{
		{Kind: "latency", Match: "graphql", Delay: 200 * time.Millisecond},
		{Kind: "status", Match: "rest", Status: 401},
	}})
	_, err := whoami.Lookup(t.Context(), client(srv, et.DemoToken))
	if kind := buildkite.KindOf(err); kind != buildkite.KindUnauthorized {
		t.Fatalf("err = %v (kind %v), want the REST 401", err, kind)
	}
}

// A GraphQL failure other than a refusal fails the lookup.
func TestLookupFailsWithGraphQLServerError(t *testing.T) {
	srv := et.Start(t, emulator.Options{Faults: []emulator.Fault{{Kind: "status", Match: "graphql", Status: 400}}})
	if _, err := whoami.Lookup(t.Context(), client(srv, et.DemoToken)); err == nil {
		t.Fatal("no error")
	}
}
