package buildkite_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/ident"
)

var auditNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func auditClient(t *testing.T, fixture *emulator.Fixture, token string, pageSize int) (*buildkite.Client, *et.Server) {
	t.Helper()
	srv := et.Start(t, emulator.Options{Fixture: fixture, Now: func() time.Time { return auditNow }})
	return buildkite.New(buildkite.Config{GraphQLEndpoint: srv.GraphQLEndpoint, RESTEndpoint: srv.RESTEndpoint, Token: token, PageSize: pageSize}), srv
}

func TestListAuditEventsPagesWithTheOnePager(t *testing.T) {
	c, srv := auditClient(t, nil, et.DemoToken, 2)
	var events []buildkite.AuditEvent
	pages, total := 0, 0
	org, err := c.ListAuditEvents(context.Background(), "acme", buildkite.AuditFilter{SubjectTypes: []string{"API_ACCESS_TOKEN"}}, func(p buildkite.AuditPage) bool {
		pages++
		total = p.Total
		events = append(events, p.Events...)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if org.Slug != "acme" || len(events) != total || pages != (total+1)/2 {
		t.Fatalf("org %q: %d events in %d pages, total %d", org.Slug, len(events), pages, total)
	}
	if n := srv.CountRequests(func(r emulator.Request) bool { return r.Operation == "OrganizationAuditEvents" }); n != pages {
		t.Errorf("%d requests for %d pages", n, pages)
	}
	var terraform *buildkite.AuditEvent
	for i, e := range events {
		if i > 0 && e.OccurredAt.After(events[i-1].OccurredAt) {
			t.Errorf("not newest first at %d", i)
		}
		if e.Type == "API_ACCESS_TOKEN_UPDATED" && e.Subject.UUID == et.TerraformTokenUUID {
			terraform = &events[i]
		}
	}
	if terraform == nil {
		t.Fatal("the Terraform token's update is missing")
	}
	want := buildkite.AuditContext{Kind: buildkite.AuditContextAPI, TokenUUID: et.TerraformTokenUUID, IPAddress: "198.51.100.7", UserAgent: "terraform-provider-buildkite/1.0"}
	if terraform.Context != want || terraform.Actor == nil || terraform.Actor.Name != "Ada Admin" || terraform.Actor.Type != "USER" || terraform.Subject.Name != "Terraform provider" {
		t.Errorf("event %+v, actor %+v", terraform, terraform.Actor)
	}

	// Stopping early sends no further request.
	before := srv.CountRequests(func(emulator.Request) bool { return true })
	if _, err := c.ListAuditEvents(context.Background(), "acme", buildkite.AuditFilter{}, func(buildkite.AuditPage) bool { return false }); err != nil {
		t.Fatal(err)
	}
	if n := srv.CountRequests(func(emulator.Request) bool { return true }) - before; n != 1 {
		t.Errorf("stopping on the first page took %d requests", n)
	}
}

func TestListAuditEventsUnavailable(t *testing.T) {
	// Under either wording of the emulator's errors: the client reads the
	// permission and the error's type, not the words.
	for _, w := range emulator.ErrorWordings {
		f := emulator.DemoFixture()
		f.Organizations[0].Features = nil
		srv := et.Start(t, emulator.Options{Fixture: f, Now: func() time.Time { return auditNow }, ErrorWording: w})
		c := buildkite.New(buildkite.Config{GraphQLEndpoint: srv.GraphQLEndpoint, RESTEndpoint: srv.RESTEndpoint, Token: et.DemoToken})
		_, err := c.ListAuditEvents(context.Background(), "acme", buildkite.AuditFilter{}, func(buildkite.AuditPage) bool { return true })
		if buildkite.KindOf(err) != buildkite.KindForbidden || !strings.Contains(err.Error(), "audit log of organization acme is not available") {
			t.Fatalf("%s: err = %v (kind %v)", w, err, buildkite.KindOf(err))
		}
		acme, err := c.Organization(context.Background(), identSlug("acme"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err = c.UpdateRevokeInactiveTokensAfter(context.Background(), acme, "DAYS_30", "cm"); buildkite.KindOf(err) != buildkite.KindForbidden {
			t.Fatalf("%s: policy change without the feature: err = %v (kind %v)", w, err, buildkite.KindOf(err))
		}
	}

	// A server that returns no log and no reason is refused the same way:
	// the schema allows a null connection without an error.
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{"organization":{"id":"T3Jn","uuid":"u","slug":"acme","name":"Acme","permissions":{"auditEventsView":null},"auditEvents":null}}}`))
	}))
	defer fake.Close()
	c := buildkite.New(buildkite.Config{GraphQLEndpoint: fake.URL + "/v1", RESTEndpoint: fake.URL, Token: "bkua_x"})
	_, err := c.ListAuditEvents(context.Background(), "acme", buildkite.AuditFilter{}, func(buildkite.AuditPage) bool { return true })
	if buildkite.KindOf(err) != buildkite.KindForbidden {
		t.Fatalf("null audit log: err = %v", err)
	}
}

func TestUpdateRevokeInactiveTokensAfter(t *testing.T) {
	c, srv := auditClient(t, nil, et.DemoToken, 10)
	acme, err := c.Organization(context.Background(), identSlug("acme"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.UpdateRevokeInactiveTokensAfter(context.Background(), acme, "DAYS_30", "cm-1")
	if err != nil || got != "DAYS_30" {
		t.Fatalf("got %q, %v", got, err)
	}
	_, period, err := c.RevocationSetting(context.Background(), "acme")
	if err != nil || period != "DAYS_30" {
		t.Errorf("policy after the change: %q, %v", period, err)
	}

	// Globex's plan lacks the feature.
	gc := buildkite.New(buildkite.Config{GraphQLEndpoint: srv.GraphQLEndpoint, RESTEndpoint: srv.RESTEndpoint, Token: et.GlobexAdminToken})
	globex, err := gc.Organization(context.Background(), identSlug("globex"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = gc.UpdateRevokeInactiveTokensAfter(context.Background(), globex, "DAYS_30", "cm-2")
	if buildkite.KindOf(err) != buildkite.KindForbidden || !strings.Contains(err.Error(), "plan") {
		t.Fatalf("err = %v (kind %v)", err, buildkite.KindOf(err))
	}
}

func identSlug(slug string) ident.Org { return ident.Org{Slug: slug} }

// Slugged costs nothing for an organization named by slug, and looks one
// named by id up.
func TestSlugged(t *testing.T) {
	c, srv := auditClient(t, nil, et.DemoToken, 10)
	ctx := context.Background()
	if org, err := c.Slugged(ctx, identSlug("acme")); err != nil || org.Slug != "acme" || srv.CountRequests(nil) != 0 {
		t.Fatalf("by slug: %+v, %v, %d requests", org, err, srv.CountRequests(nil))
	}
	acme, err := c.Organization(ctx, identSlug("acme"))
	if err != nil {
		t.Fatal(err)
	}
	if org, err := c.Slugged(ctx, ident.Org{ID: acme.ID}); err != nil || org.Slug != "acme" {
		t.Errorf("by id: %+v, %v", org, err)
	}
}
