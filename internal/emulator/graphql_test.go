package emulator_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

func TestInvalidDocumentsGetSpecErrors(t *testing.T) {
	srv, _ := startDemo(t)
	tests := []struct {
		name, query, want string
		line, column      int
	}{
		{"syntax", "{ viewer { id ", "syntax error", 1, 15},
		{"unknown field", "{\n  viewer { secret }\n}", `Cannot query field "secret" on type "Viewer"`, 2, 12},
		{"missing selection", "{ viewer }", `must have a selection of subfields`, 1, 3},
		{"unknown fragment", "{ viewer { ...Nope } }", `Unknown fragment "Nope"`, 1, 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := srv.GraphQL(t, emulatortest.DemoToken, tt.query, nil)
			e := wantError(t, resp, tt.want)
			if len(e.Locations) == 0 || e.Locations[0].Line != tt.line || e.Locations[0].Column != tt.column {
				t.Errorf("locations %v, want %d:%d", e.Locations, tt.line, tt.column)
			}
			if strings.Contains(string(resp.Body), `"data"`) {
				t.Errorf("an invalid document must not produce data: %s", resp.Body)
			}
		})
	}
}

func TestVariablesAreTypeChecked(t *testing.T) {
	srv, _ := startDemo(t)
	q := `query($slug: ID!, $first: Int!) { organization(slug: $slug) { apiAccessTokens(first: $first) { nodes { uuid } } } }`
	for name, tt := range map[string]struct {
		vars map[string]any
		want string
	}{
		"string for Int":    {map[string]any{"slug": "acme", "first": "ten"}, `Variable "$first"`},
		"missing non-null":  {map[string]any{"first": 3}, `Variable "$slug"`},
		"null for non-null": {map[string]any{"slug": nil, "first": 3}, `Variable "$slug"`},
	} {
		t.Run(name, func(t *testing.T) {
			resp := srv.GraphQL(t, emulatortest.DemoToken, q, tt.vars)
			e := wantError(t, resp, tt.want)
			if len(e.Locations) != 1 || e.Locations[0].Line != 1 {
				t.Errorf("locations %v, want the variable's declaration", e.Locations)
			}
			if resp.Data != nil {
				t.Errorf("nothing may execute with bad variables: %s", resp.Body)
			}
			t.Log(e.Message)
		})
	}
	// A non-null argument given a literal of the wrong type is a validation error too.
	resp := srv.GraphQL(t, emulatortest.DemoToken, `{ organization(slug: "acme") { apiAccessTokens(first: "3") { nodes { uuid } } } }`, nil)
	if len(resp.Errors) == 0 {
		t.Fatalf("string literal for Int accepted: %s", resp.Body)
	}
}

func TestFragmentsAndTypename(t *testing.T) {
	srv, _ := startDemo(t)
	q := `
query Frag($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Organization { ...Org }
    ... on User { email }
  }
  organization(slug: "acme") { ...Org }
}
fragment Org on Organization { slug name revokeInactiveTokensAfter }`
	var data struct {
		Node struct {
			Typename                  string `json:"__typename"`
			ID, Slug, Name            string
			RevokeInactiveTokensAfter *string
		}
		Organization struct{ Slug, Name string }
	}
	decode(t, srv.GraphQL(t, emulatortest.DemoToken, q, map[string]any{"id": orgID(emulatortest.AcmeOrgUUID)}), &data)
	if data.Node.Typename != "Organization" || data.Node.Slug != "acme" || data.Node.Name != "Acme Inc" ||
		data.Node.RevokeInactiveTokensAfter == nil || *data.Node.RevokeInactiveTokensAfter != "DAYS_90" {
		t.Errorf("node: %+v", data.Node)
	}
	if data.Organization.Slug != "acme" {
		t.Errorf("organization: %+v", data.Organization)
	}
}

func TestNodeLookup(t *testing.T) {
	srv, _ := startDemo(t)
	q := `query($id: ID!) { node(id: $id) { __typename id ... on User { email } ... on Viewer { user { email } } ... on Organization { slug } } }`
	tests := []struct {
		name, id, typename string
	}{
		{"organization", orgID(emulatortest.AcmeOrgUUID), "Organization"},
		{"member organization", orgID(emulatortest.GlobexOrgUUID), "Organization"},
		{"self", emulator.NodeID("User", emulatortest.AdaUUID), "User"},
		{"colleague", emulator.NodeID("User", emulatortest.MoUUID), "User"},
		{"viewer", emulator.NodeID("Viewer", emulatortest.AdaUUID), "Viewer"},
		{"someone else's viewer", emulator.NodeID("Viewer", emulatortest.MoUUID), ""},
		{"api access token is not a node", tokenID(emulatortest.CIDeployBotUUID), ""},
		{"unknown organization", orgID("b0000000-0000-4000-8000-0000000000ff"), ""},
		{"malformed", "not base64!", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := srv.GraphQL(t, emulatortest.DemoToken, q, map[string]any{"id": tt.id})
			var data struct {
				Node *struct {
					Typename string `json:"__typename"`
					ID       string
				}
			}
			decode(t, resp, &data)
			switch {
			case tt.typename == "" && data.Node != nil:
				t.Errorf("want null, got %s", resp.Data)
			case tt.typename != "" && (data.Node == nil || data.Node.Typename != tt.typename || data.Node.ID != tt.id):
				t.Errorf("want %s with id %s, got %s", tt.typename, tt.id, resp.Data)
			}
		})
	}
	// Gus shares no organization with Ada's... he does (globex); a user from
	// another fixture organization only Gus belongs to is invisible to Mo? Mo
	// shares globex with Gus, so check a user nobody shares instead.
	resp := srv.GraphQL(t, emulatortest.DemoToken, q, map[string]any{"id": emulator.NodeID("User", "a0000000-0000-4000-8000-0000000000ff")})
	if string(resp.Data) != `{"node":null}` {
		t.Errorf("unknown user: %s", resp.Body)
	}
}

func TestOrganizationInvisibleIsNull(t *testing.T) {
	srv, _ := startDemo(t)
	for _, slug := range []string{"globex", "no-such-org"} {
		// Gus is not a member of acme; nobody is a member of no-such-org.
		resp := srv.GraphQL(t, emulatortest.GlobexAdminToken, `query($s: ID!) { organization(slug: $s) { id } }`, map[string]any{"s": map[string]string{"globex": "acme", "no-such-org": "no-such-org"}[slug]})
		if resp.Status != 200 || len(resp.Errors) != 0 || string(resp.Data) != `{"organization":null}` {
			t.Errorf("%s: got %d %s", slug, resp.Status, resp.Body)
		}
	}
	// By uuid too.
	resp := srv.GraphQL(t, emulatortest.DemoToken, `query($u: ID!) { organization(uuid: $u) { slug } }`, map[string]any{"u": emulatortest.AcmeOrgUUID})
	if string(resp.Data) != `{"organization":{"slug":"acme"}}` {
		t.Errorf("by uuid: %s", resp.Body)
	}
}

func TestViewer(t *testing.T) {
	srv, _ := startDemo(t)
	q := `query($first: Int) { viewer { id user { uuid email } organizations(first: $first) { count pageInfo { hasNextPage } edges { cursor node { slug } } } } }`
	type viewerData struct {
		Viewer struct {
			ID            string
			User          struct{ UUID, Email string }
			Organizations struct {
				Count    int
				PageInfo struct{ HasNextPage bool }
				Edges    []struct {
					Cursor string
					Node   struct{ Slug string }
				}
			}
		}
	}
	var d viewerData
	// Ada's laptop token can access acme and globex.
	decode(t, srv.GraphQL(t, emulatortest.AdaLaptopToken, q, map[string]any{"first": 1}), &d)
	if d.Viewer.ID != emulator.NodeID("Viewer", emulatortest.AdaUUID) || d.Viewer.User.Email != "ada@acme.example" {
		t.Errorf("viewer: %+v", d.Viewer)
	}
	if o := d.Viewer.Organizations; o.Count != 2 || len(o.Edges) != 1 || o.Edges[0].Node.Slug != "acme" || !o.PageInfo.HasNextPage {
		t.Errorf("organizations(first: 1): %+v", o)
	}
	// The demo token can access acme only, but the list is of the
	// organizations Ada belongs to: globex too.
	d = viewerData{}
	decode(t, srv.GraphQL(t, emulatortest.DemoToken, q, map[string]any{"first": 10}), &d)
	if o := d.Viewer.Organizations; o.Count != 2 || len(o.Edges) != 2 || o.Edges[0].Node.Slug != "acme" || o.Edges[1].Node.Slug != "globex" || o.PageInfo.HasNextPage {
		t.Errorf("demo token organizations: %+v", o)
	}
}

// viewerSlugs asks Viewer.organizations with the given arguments and
// returns count and the slugs listed.
func viewerSlugs(t *testing.T, srv *emulatortest.Server, token, args string) (int, []string) {
	t.Helper()
	var d struct {
		Viewer struct {
			Organizations struct {
				Count int
				Edges []struct{ Node struct{ Slug string } }
			}
		}
	}
	decode(t, srv.GraphQL(t, token, `{ viewer { organizations`+args+` { count edges { node { slug } } } } }`, nil), &d)
	var slugs []string
	for _, e := range d.Viewer.Organizations.Edges {
		slugs = append(slugs, e.Node.Slug)
	}
	return d.Viewer.Organizations.Count, slugs
}

func TestViewerOrganizationsCap(t *testing.T) {
	f, err := emulator.BuiltinFixture("many-orgs")
	if err != nil {
		t.Fatal(err)
	}
	const token = "bkua_manyorgs00000000000000000000000000000000"
	for _, tc := range []struct {
		name        string
		cap         int
		args        string
		n           int
		first, last string
	}{
		{"no cap", 0, "(first: 500)", 106, "hooli", "org-104"},
		{"no cap, no arguments", 0, "", 106, "hooli", "org-104"},
		{"capped first", 100, "(first: 500)", 100, "hooli", "org-098"},
		{"capped, no arguments", 100, "", 100, "hooli", "org-098"},
		{"capped last", 100, "(last: 500)", 100, "org-005", "org-104"},
		{"last under the cap", 100, "(last: 6)", 6, "org-099", "org-104"},
		{"first under the cap", 100, "(first: 3)", 3, "hooli", "org-001"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := emulatortest.Start(t, emulator.Options{Fixture: f, MaxViewerOrganizations: tc.cap})
			count, slugs := viewerSlugs(t, srv, token, tc.args)
			if count != 106 || len(slugs) != tc.n || slugs[0] != tc.first || slugs[len(slugs)-1] != tc.last {
				t.Errorf("count %d, %d slugs %s ... %s; want 106, %d slugs %s ... %s", count, len(slugs), slugs[0], slugs[len(slugs)-1], tc.n, tc.first, tc.last)
			}
		})
	}
}

func TestHideUngrantedOrganizations(t *testing.T) {
	for _, hide := range []bool{false, true} {
		srv := emulatortest.Start(t, emulator.Options{HideUngrantedOrganizations: hide})
		// Ada belongs to globex, but the demo token was granted acme only.
		resp := srv.GraphQL(t, emulatortest.DemoToken, `{ globex: organization(slug: "globex") { slug } acme: organization(slug: "acme") { slug } }`, nil)
		want := `{"globex":{"slug":"globex"},"acme":{"slug":"acme"}}`
		if hide {
			want = `{"globex":null,"acme":{"slug":"acme"}}`
		}
		if string(resp.Data) != want {
			t.Errorf("hide=%v: %s, want data %s", hide, resp.Body, want)
		}
		resp = srv.GraphQL(t, emulatortest.DemoToken, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": orgID(emulatortest.GlobexOrgUUID)})
		if got := string(resp.Data) == `{"node":null}`; got != hide {
			t.Errorf("hide=%v: node(globex): %s", hide, resp.Body)
		}
		// Viewer.organizations lists it either way: Ada belongs to it.
		if count, slugs := viewerSlugs(t, srv, emulatortest.DemoToken, "(first: 10)"); count != 2 || len(slugs) != 2 {
			t.Errorf("hide=%v: viewer organizations %d %v", hide, count, slugs)
		}
	}
}

func TestDateTimesAreRFC3339UTC(t *testing.T) {
	srv, _ := startDemo(t)
	resp := srv.GraphQL(t, emulatortest.DemoToken, `{ organization(slug: "acme") { apiAccessTokens(first: 100) { nodes { uuid createdAt expiresAt lastAccessedAt ipAddress description scopes } } } }`, nil)
	var data struct {
		Organization struct {
			APIAccessTokens struct {
				Nodes []map[string]any
			} `json:"apiAccessTokens"`
		}
	}
	decode(t, resp, &data)
	for _, n := range data.Organization.APIAccessTokens.Nodes {
		if n["uuid"] == emulatortest.DemoTokenUUID {
			// Using a token stamps it with the request time and address.
			if n["lastAccessedAt"] != "2026-05-01T12:00:00Z" || n["ipAddress"] != "127.0.0.1" {
				t.Errorf("the caller's own token: %v", n)
			}
		}
		if n["uuid"] == emulatortest.OldLaptopTokenUUID && (n["lastAccessedAt"] != nil || n["expiresAt"] != nil || n["ipAddress"] != nil) {
			t.Errorf("never-used token: %v", n)
		}
		if n["uuid"] == emulatortest.AnalyticsTokenUUID {
			scopes, _ := json.Marshal(n["scopes"])
			if string(scopes) != `["READ_SUITES","WRITE_SUITES"]` {
				t.Errorf("scopes %s", scopes)
			}
		}
	}
}
