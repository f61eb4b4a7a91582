package emulator_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

const auditQuery = `query Audit($slug: ID!, $first: Int!, $after: String, $type: [AuditEventType!], $subjectUUID: [ID!], $from: DateTime) {
  organization(slug: $slug) {
    permissions { auditEventsView { allowed code message } }
    auditEvents(first: $first, after: $after, type: $type, subjectType: [API_ACCESS_TOKEN], subjectUUID: $subjectUUID, occurredAtFrom: $from) {
      count
      pageInfo { hasNextPage endCursor }
      edges { node {
        uuid type occurredAt
        actor { name type }
        subject { uuid name type }
        context {
          __typename
          ... on AuditAPIContext { requestApiAccessTokenUuid requestIpAddress requestUserAgent }
          ... on AuditWebContext { requestIpAddress }
        }
      } }
    }
  }
}`

type auditPage struct {
	Organization struct {
		Permissions struct {
			AuditEventsView struct {
				Allowed bool
				Code    *string
			}
		}
		AuditEvents *struct {
			Count    int
			PageInfo struct {
				HasNextPage bool
				EndCursor   *string
			}
			Edges []struct {
				Node struct {
					UUID, Type, OccurredAt string
					Actor                  struct{ Name, Type string }
					Subject                struct{ UUID, Name, Type string }
					Context                struct {
						Typename                  string `json:"__typename"`
						RequestAPIAccessTokenUUID string `json:"requestApiAccessTokenUuid"`
						RequestIPAddress          string `json:"requestIpAddress"`
						RequestUserAgent          string `json:"requestUserAgent"`
					}
				}
			}
		}
	}
}

func TestRevocationsAndDeletionsAreAudited(t *testing.T) {
	srv, _ := startDemo(t)
	decode(t, revoke(t, srv, emulatortest.DemoToken, emulatortest.AcmeOrgUUID, emulatortest.CIDeployBotUUID), &struct{}{})
	if del := srv.Do(t, http.MethodDelete, "/v2/access-token", emulatortest.MemberToken, nil); del.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", del.Status, del.Body)
	}

	var got auditPage
	decode(t, srv.GraphQL(t, emulatortest.DemoToken, auditQuery, map[string]any{
		"slug": "acme", "first": 10,
		"type": []string{emulator.AuditTokenOrgRevoke, emulator.AuditTokenDeleted},
	}), &got)
	ev := got.Organization.AuditEvents
	if ev == nil || ev.Count != 3 {
		t.Fatalf("want the revocation, the deletion and the fixture's deletion, got %+v", ev)
	}
	// Newest first: the two made now, then the fixture's, 59 days ago.
	last := ev.Edges[2].Node
	if last.Subject.UUID != emulatortest.RevokedTokenUUID {
		t.Errorf("oldest event is for %s, want the fixture's deleted token", last.Subject.UUID)
	}
	byType := map[string]int{}
	for _, e := range ev.Edges[:2] {
		n := e.Node
		byType[n.Type]++
		if n.Context.Typename != "AuditAPIContext" || n.Context.RequestIPAddress != "127.0.0.1" || n.Context.RequestUserAgent == "" {
			t.Errorf("%s: context %+v, want the API request's", n.Type, n.Context)
		}
		switch n.Type {
		case emulator.AuditTokenOrgRevoke:
			if n.Subject.UUID != emulatortest.CIDeployBotUUID || n.Context.RequestAPIAccessTokenUUID != emulatortest.DemoTokenUUID || n.Actor.Name != "Ada Admin" {
				t.Errorf("revocation: %+v", n)
			}
		case emulator.AuditTokenDeleted:
			if n.Subject.UUID != emulatortest.MemberTokenUUID || n.Context.RequestAPIAccessTokenUUID != emulatortest.MemberTokenUUID || n.Actor.Name != "Mo Member" {
				t.Errorf("deletion: %+v", n)
			}
		}
	}
	if byType[emulator.AuditTokenOrgRevoke] != 1 || byType[emulator.AuditTokenDeleted] != 1 {
		t.Errorf("newest two events: %v", byType)
	}
	// The deleted token could access globex too: it is recorded there.
	if n := srv.AuditEvents("globex", emulator.AuditTokenDeleted, emulatortest.MemberTokenUUID); n != 1 {
		t.Errorf("globex records %d deletions of Mo's token, want 1", n)
	}
}

func TestAuditEventsPageAndFilter(t *testing.T) {
	srv, _ := startDemo(t)
	var seen []string
	var after any
	pages := 0
	for {
		var got auditPage
		decode(t, srv.GraphQL(t, emulatortest.DemoToken, auditQuery, map[string]any{"slug": "acme", "first": 3, "after": after}), &got)
		pages++
		ev := got.Organization.AuditEvents
		for _, e := range ev.Edges {
			seen = append(seen, e.Node.UUID+" "+e.Node.OccurredAt)
		}
		if !ev.PageInfo.HasNextPage {
			if len(seen) != ev.Count {
				t.Fatalf("paged %d events, count says %d", len(seen), ev.Count)
			}
			break
		}
		after = *ev.PageInfo.EndCursor
		if pages > 50 {
			t.Fatalf("paging does not end: %d pages of 3 so far", pages)
		}
	}
	// 13 tokens' creation events in acme (one per token with access) plus
	// the fixture's three.
	if pages < 2 || len(seen) < 10 {
		t.Fatalf("%d events in %d pages", len(seen), pages)
	}
	for i := 1; i < len(seen); i++ {
		if strings.Fields(seen[i-1])[1] < strings.Fields(seen[i])[1] {
			t.Errorf("not newest first at %d: %s before %s", i, seen[i-1], seen[i])
		}
	}

	var one auditPage
	decode(t, srv.GraphQL(t, emulatortest.DemoToken, auditQuery, map[string]any{
		"slug": "acme", "first": 10, "subjectUUID": []string{emulatortest.CIDeployBotUUID},
	}), &one)
	if ev := one.Organization.AuditEvents; ev.Count != 2 || ev.Edges[0].Node.Type != emulator.AuditTokenUpdated {
		t.Errorf("CI deploy bot's history: %+v, want its update and creation", ev)
	}
	var recent auditPage
	decode(t, srv.GraphQL(t, emulatortest.DemoToken, auditQuery, map[string]any{
		"slug": "acme", "first": 10, "from": epoch.Add(-24 * 3600e9).Format("2006-01-02T15:04:05Z"),
	}), &recent)
	if ev := recent.Organization.AuditEvents; ev.Count != 1 || ev.Edges[0].Node.Subject.UUID != emulatortest.TerraformTokenUUID {
		t.Errorf("events of the last day: %+v, want the Terraform token's update", ev)
	}
}

func TestAuditEventsCostComplexity(t *testing.T) {
	srv, _ := startDemo(t)
	resp := srv.GraphQL(t, emulatortest.DemoToken, auditQuery, map[string]any{"slug": "acme", "first": 100})
	var got auditPage
	decode(t, resp, &got)
	before := resp.Header.Get("RateLimit-Remaining")
	resp = srv.GraphQL(t, emulatortest.DemoToken, auditQuery, map[string]any{"slug": "acme", "first": 100})
	if after := resp.Header.Get("RateLimit-Remaining"); before == "" || after == before {
		t.Errorf("a page of 100 events cost nothing: remaining %s then %s", before, after)
	}
	if resp := srv.GraphQL(t, emulatortest.DemoToken, `{ organization(slug: "acme") { auditEvents { count } } }`, nil); len(resp.Errors) == 0 {
		t.Errorf("auditEvents without first was served: %s", resp.Body)
	}
}

func TestAuditLogNeedsPlanAndAdmin(t *testing.T) {
	f := emulator.DemoFixture()
	f.Organizations[0].Features = nil // acme without the paid features
	srv := emulatortest.Start(t, emulator.Options{Fixture: f, Now: newClock().Now})
	for _, tt := range []struct{ name, token, slug, code string }{
		{"plan without it", emulatortest.DemoToken, "acme", "not_available_on_plan"},
		{"not an administrator", emulatortest.AdaLaptopToken, "globex", "not_admin"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := srv.GraphQL(t, tt.token, auditQuery, map[string]any{"slug": tt.slug, "first": 10})
			if len(resp.Errors) != 1 {
				t.Fatalf("want one error, got %s", resp.Body)
			}
			var got auditPage
			if err := json.Unmarshal(resp.Data, &got); err != nil {
				t.Fatal(err)
			}
			p := got.Organization.Permissions.AuditEventsView
			if p.Allowed || p.Code == nil || *p.Code != tt.code || got.Organization.AuditEvents != nil {
				t.Errorf("permission %+v, events %+v; body %s", p, got.Organization.AuditEvents, resp.Body)
			}
		})
	}
}

const updatePolicy = `mutation P($org: ID!, $period: RevokeInactiveTokenPeriod!) {
  organizationRevokeInactiveTokensAfterUpdate(input: {organizationId: $org, revokeInactiveTokensAfter: $period, clientMutationId: "cm-p"}) {
    clientMutationId
    organization { slug revokeInactiveTokensAfter }
  }
}`

func TestRevokeInactiveTokensAfterUpdate(t *testing.T) {
	srv, _ := startDemo(t)
	var got struct {
		OrganizationRevokeInactiveTokensAfterUpdate struct {
			ClientMutationID string `json:"clientMutationId"`
			Organization     struct{ Slug, RevokeInactiveTokensAfter string }
		}
	}
	decode(t, srv.GraphQL(t, emulatortest.DemoToken, updatePolicy, map[string]any{"org": orgID(emulatortest.AcmeOrgUUID), "period": "DAYS_30"}), &got)
	if p := got.OrganizationRevokeInactiveTokensAfterUpdate; p.ClientMutationID != "cm-p" || p.Organization.RevokeInactiveTokensAfter != "DAYS_30" {
		t.Errorf("payload %+v", p)
	}
	resp := srv.GraphQL(t, emulatortest.DemoToken, `{ organization(slug: "acme") { revokeInactiveTokensAfter } }`, nil)
	if !strings.Contains(string(resp.Data), "DAYS_30") {
		t.Errorf("the change did not stick: %s", resp.Body)
	}
	// Globex's plan lacks the feature; Mo is not an administrator of acme.
	wantError(t, srv.GraphQL(t, emulatortest.GlobexAdminToken, updatePolicy, map[string]any{"org": orgID(emulatortest.GlobexOrgUUID), "period": "DAYS_30"}), "Enterprise feature")
	wantError(t, srv.GraphQL(t, emulatortest.MemberToken, updatePolicy, map[string]any{"org": orgID(emulatortest.AcmeOrgUUID), "period": "NEVER"}), "administrator")
}

func TestFixtureAuditEventsAreValidated(t *testing.T) {
	f := emulator.DemoFixture()
	f.Organizations[0].Features = []string{"sso"}
	f.AuditEvents = append(f.AuditEvents, emulator.FixtureAuditEvent{Organization: "nope", Type: "BUILD_STARTED", Token: "x", Via: "api", ViaToken: "y"})
	err := f.Validate()
	if err == nil {
		t.Fatal("a fixture with bad audit events validated")
	}
	for _, want := range []string{`unknown feature "sso"`, `unknown organization slug "nope"`, `type "BUILD_STARTED"`, `token "x"`, `via-token "y"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}
