package whoami_test

import (
	"fmt"
	"slices"
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

// The organizations are every one Buildkite lists, beyond one answer's
// cap; those it counts but does not list are said to be missing, however
// many it listed.
func TestLookupListsEveryOrganizationAndSaysWhichAreMissing(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cap     int
		listed  int
		missing bool
	}{
		{"no cap", 0, et.ManyOrgsCount, false},
		{"one answer holds 100", 100, et.ManyOrgsCount, false},
		{"one answer holds 50", 50, 100, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := et.Start(t, emulator.Options{Fixture: et.ManyOrgsFixture(t), MaxViewerOrganizations: tc.cap})
			me, err := whoami.Lookup(t.Context(), client(srv, et.ManyOrgsToken))
			if err != nil {
				t.Fatal(err)
			}
			if len(me.Organizations) != tc.listed {
				t.Errorf("%d organizations, want %d", len(me.Organizations), tc.listed)
			}
			want := []string{}
			if tc.missing {
				want = []string{fmt.Sprintf("Buildkite counts %d more organization(s) of this user than it listed", et.ManyOrgsCount-tc.listed)}
			}
			if !slices.Equal(me.Notes, want) {
				t.Errorf("notes = %q, want %q", me.Notes, want)
			}
		})
	}
}
