package revoke_test

import (
	"errors"
	"testing"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

func TestCheckListedFrom(t *testing.T) {
	et.ForEachIDFormat(t, testCheckListedFrom)
}

func testCheckListedFrom(t *testing.T, format emulator.IDFormat) {
	srv, c := startOrgs(t, emulator.DemoFixture(), emulator.Options{IDFormat: format}, et.DemoToken)
	var acmeID, globexID string
	for slug, id := range map[string]*string{"acme": &acmeID, "globex": &globexID} {
		org, err := c.Organization(t.Context(), ident.Org{Slug: slug})
		if err != nil {
			t.Fatal(err)
		}
		*id = org.ID
	}
	bySlug, err := revoke.Resolve(t.Context(), c, revoke.Request{Org: ident.Org{Slug: "acme"}, Tokens: []ident.Token{{UUID: et.CIDeployBotUUID}}})
	if err != nil {
		t.Fatal(err)
	}
	// Everything by id, with what an earlier run's listing showed
	// remembered: the plan is made without a listing and holds only the
	// id the user typed.
	cached := cachedClient(srv, t.TempDir())
	req := revoke.Request{Org: ident.Org{ID: acmeID}, Tokens: parse(t, tokenID(srv, et.CIDeployBotUUID))}
	if _, err := revoke.Resolve(t.Context(), cached, req); err != nil {
		t.Fatal(err)
	}
	byID, err := revoke.Resolve(t.Context(), cached, req)
	if err != nil || byID.Organization.Slug != "" {
		t.Fatalf("plan by ids: %+v, %v", byID.Organization, err)
	}
	for _, tc := range []struct {
		name   string
		plan   *revoke.Plan
		listed buildkite.Organization
		same   bool
	}{
		{"same uuid", bySlug, buildkite.Organization{UUID: et.AcmeOrgUUID, Slug: "acme"}, true},
		// A slug can change; the uuid is what counts.
		{"renamed since listed", bySlug, buildkite.Organization{ID: acmeID, UUID: et.AcmeOrgUUID, Slug: "acme-old"}, true},
		{"other uuid", bySlug, buildkite.Organization{ID: globexID, UUID: et.GlobexOrgUUID, Slug: "globex"}, false},
		{"other slug only", bySlug, buildkite.Organization{Slug: "globex"}, false},
		{"same id, plan by ids", byID, buildkite.Organization{ID: acmeID}, true},
		{"other id, plan by ids", byID, buildkite.Organization{ID: globexID, Slug: "globex"}, false},
		{"other slug, plan by ids", byID, buildkite.Organization{Slug: "globex"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(srv.Requests())
			err := revoke.CheckListedFrom(t.Context(), c, tc.plan, tc.listed)
			var other *revoke.OtherOrganizationError
			if tc.same != (err == nil) || (err != nil && !errors.As(err, &other)) {
				t.Errorf("CheckListedFrom = %v, want same=%v", err, tc.same)
			}
			for _, r := range srv.Requests()[before:] {
				if r.OperationType == "mutation" {
					t.Error("the check sent a mutation")
				}
			}
		})
	}
}
