package emulator_test

import (
	"net/http"
	"testing"

	"github.com/Khan/genqlient/graphql"
	"github.com/tokenctl/tokenctl/internal/buildkite/gql"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// TestGeneratedClient runs the project's generated client against the
// emulator: what genqlient sends must work, and what the emulator answers
// must decode into the generated types (DateTime into time.Time, enums,
// interfaces through __typename).
func TestGeneratedClient(t *testing.T) {
	srv, _ := startDemo(t)
	client := graphql.NewClient(srv.GraphQLEndpoint, &http.Client{Transport: bearer{emulatortest.DemoToken}})
	ctx := t.Context()

	org, err := gql.OrganizationBySlug(ctx, client, "acme")
	if err != nil || org.Organization == nil || org.Organization.Name != "Acme Inc" {
		t.Fatalf("OrganizationBySlug: %+v %v", org, err)
	}
	acmeID := org.Organization.Id

	byID, err := gql.OrganizationByID(ctx, client, acmeID)
	if err != nil || byID.Node == nil {
		t.Fatalf("OrganizationByID: %+v %v", byID, err)
	}

	var uuids []string
	var after *string
	for range 10 {
		page, err := gql.OrganizationTokensBySlug(ctx, client, "acme", 3, after)
		if err != nil {
			t.Fatalf("OrganizationTokensBySlug: %v", err)
		}
		conn := page.Organization.ApiAccessTokens
		for _, e := range conn.Edges {
			uuids = append(uuids, e.Node.Uuid)
			if e.Node.CreatedAt.IsZero() || e.Node.Owner == nil {
				t.Errorf("token %s decoded without createdAt or owner", e.Node.Uuid)
			}
		}
		if conn.PageInfo.HasNextPage == nil {
			t.Fatal("the emulator answered hasNextPage null")
		}
		if !*conn.PageInfo.HasNextPage {
			break
		}
		after = conn.PageInfo.EndCursor
	}
	if want := srv.Tokens("acme"); len(uuids) != len(want) {
		t.Fatalf("paged %d tokens with the generated client, want %d", len(uuids), len(want))
	}

	if _, err := gql.OrganizationTokensByID(ctx, client, acmeID, 2, nil); err != nil {
		t.Errorf("OrganizationTokensByID: %v", err)
	}
	if _, err := gql.OrganizationPolicy(ctx, client, "acme"); err != nil {
		t.Errorf("OrganizationPolicy: %v", err)
	}
	first, last := 10, 1
	if v, err := gql.Viewer(ctx, client, &first, nil); err != nil || v.Viewer == nil || v.Viewer.Organizations == nil || v.Viewer.Organizations.Count != 2 {
		t.Errorf("Viewer(first): %+v %v", v, err)
	}
	if v, err := gql.Viewer(ctx, client, nil, &last); err != nil || v.Viewer == nil || v.Viewer.Organizations == nil || len(v.Viewer.Organizations.Edges) != 1 {
		t.Errorf("Viewer(last): %+v %v", v, err)
	}

	tokenGQLID := tokenID(emulatortest.CIDeployBotUUID)
	rev, err := gql.RevokeAPIAccessToken(ctx, client, acmeID, tokenGQLID, "genqlient-test")
	if err != nil || rev.OrganizationApiAccessTokenRevoke == nil || rev.OrganizationApiAccessTokenRevoke.RevokedApiAccessTokenId != tokenGQLID {
		t.Fatalf("RevokeAPIAccessToken: %+v %v", rev, err)
	}
	if _, err := gql.RevokeAPIAccessToken(ctx, client, acmeID, tokenGQLID, "genqlient-test"); err == nil {
		t.Error("second revoke succeeded")
	}
	if n := srv.RevocationCount("acme", emulatortest.CIDeployBotUUID); n != 1 {
		t.Errorf("RevocationCount %d", n)
	}
}
