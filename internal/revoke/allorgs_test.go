package revoke_test

import (
	"slices"
	"testing"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// startOrgs serves fixture with opts and returns a client that calls it
// with token.
func startOrgs(t *testing.T, fixture *emulator.Fixture, opts emulator.Options, token string) (*et.Server, *buildkite.Client) {
	t.Helper()
	opts.Fixture = fixture
	if opts.RateLimit == 0 {
		// The emulator charges each request to every organization the
		// calling token can access; a look-up in each of a hundred, at a
		// page of 500 tokens, would spend that budget twice over. Pacing
		// is not what these tests are about.
		opts.RateLimit = 1 << 30
	}
	srv := et.Start(t, opts)
	c := buildkite.New(buildkite.Config{
		GraphQLEndpoint: srv.GraphQLEndpoint,
		RESTEndpoint:    srv.RESTEndpoint,
		Token:           token,
	})
	return srv, c
}

func sharedCI(t *testing.T) ident.Token {
	t.Helper()
	ref, err := ident.ParseToken(et.SharedCITokenUUID)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func resolveOrgs(t *testing.T, c *buildkite.Client, req revoke.OrgsRequest) *revoke.OrgsPlan {
	t.Helper()
	plan, err := revoke.ResolveOrgs(t.Context(), c, req)
	if err != nil {
		t.Fatalf("ResolveOrgs: %v", err)
	}
	return plan
}

// planned lists the slugs of the organizations where the token is to be
// revoked.
func planned(plan *revoke.OrgsPlan) []string {
	var out []string
	for _, p := range plan.Plans {
		out = append(out, p.Organization.Slug)
	}
	return out
}

// notChecked maps each organization not checked (by slug, else id) to its
// cause.
func notChecked(plan *revoke.OrgsPlan) map[string]revoke.NotCheckedCause {
	out := map[string]revoke.NotCheckedCause{}
	for _, nc := range plan.NotChecked {
		name := nc.Organization.Slug
		if name == "" {
			name = nc.Organization.ID
		}
		out[name] = nc.Cause
	}
	return out
}

func revokedResults(plan *revoke.OrgsPlan) []revoke.Result {
	var out []revoke.Result
	for range plan.Plans {
		out = append(out, revoke.Result{Status: revoke.StatusRevoked})
	}
	return out
}

// Every organization the caller belongs to is looked at; those it may not
// list tokens in are reported, not failed, but make the run incomplete; the
// caller's own token and the list of organizations are each asked once.
func TestResolveOrgsLooksInEveryOrganization(t *testing.T) {
	srv, c := startOrgs(t, et.MultiOrgFixture(t), emulator.Options{}, et.MultiOrgToken)
	plan := resolveOrgs(t, c, revoke.OrgsRequest{Tokens: []ident.Token{sharedCI(t)}})
	if got := planned(plan); !slices.Equal(got, []string{"acme", "globex"}) {
		t.Errorf("planned in %v, want acme and globex", got)
	}
	if got := notChecked(plan); len(got) != 1 || got[et.MultiOrgMemberOnlyOrg] != revoke.CauseNotPermitted {
		t.Errorf("not checked = %v, want initech not permitted", got)
	}
	if plan.NotListed != 0 || plan.Missed() != 1 || plan.Caller.UUID != et.MultiOrgTokenUUID {
		t.Errorf("notListed %d, missed %d, caller %s", plan.NotListed, plan.Missed(), plan.Caller.UUID)
	}
	if n := srv.CountRequests(func(r emulator.Request) bool { return r.Operation == "Viewer" }); n != 1 {
		t.Errorf("Viewer requests = %d, want 1", n)
	}
	if n := srv.CountRequests(func(r emulator.Request) bool { return r.Kind == emulator.KindREST }); n != 1 {
		t.Errorf("REST requests = %d, want 1: the caller's token is asked once, not once per organization", n)
	}
	// An organization the caller only belongs to is one where the token
	// may still have access: revoked everywhere else, the run is
	// incomplete, never a success.
	if code := plan.ExitCode(revokedResults(plan), false); code != exitcode.Incomplete {
		t.Errorf("exit code %d, want %d (incomplete)", code, exitcode.Incomplete)
	}
}

// Buildkite may list fewer organizations than it counts. Asking again from
// the other end of the list reaches the rest when two answers hold them.
func TestResolveOrgsBeyondOneAnswer(t *testing.T) {
	srv, c := startOrgs(t, et.ManyOrgsFixture(t), emulator.Options{MaxViewerOrganizations: 100}, et.ManyOrgsToken)
	plan := resolveOrgs(t, c, revoke.OrgsRequest{Tokens: []ident.Token{sharedCI(t)}})
	if got := planned(plan); !slices.Equal(got, []string{et.ManyOrgsFirstAdmin, et.ManyOrgsLastOrg}) {
		t.Errorf("planned in %v, want %s and %s", got, et.ManyOrgsFirstAdmin, et.ManyOrgsLastOrg)
	}
	if len(plan.Checked)+len(plan.NotChecked) != et.ManyOrgsCount || plan.NotListed != 0 || plan.Missed() != len(plan.NotChecked) {
		t.Errorf("checked %d, not checked %d, not listed %d; want all %d looked at", len(plan.Checked), len(plan.NotChecked), plan.NotListed, et.ManyOrgsCount)
	}
	if n := srv.CountRequests(func(r emulator.Request) bool { return r.Operation == "Viewer" }); n != 2 {
		t.Errorf("Viewer requests = %d, want 2 (first, then last)", n)
	}
}

// When even two answers do not hold every organization, the plan says how
// many were not looked at, and the run cannot end in success.
func TestResolveOrgsCountsWhatWasNotListed(t *testing.T) {
	_, c := startOrgs(t, et.ManyOrgsFixture(t), emulator.Options{MaxViewerOrganizations: 40}, et.ManyOrgsToken)
	plan := resolveOrgs(t, c, revoke.OrgsRequest{Tokens: []ident.Token{sharedCI(t)}})
	if plan.NotListed != et.ManyOrgsCount-80 || plan.Missed() != plan.NotListed+len(plan.NotChecked) {
		t.Fatalf("not listed %d, missed %d; want %d", plan.NotListed, plan.Missed(), et.ManyOrgsCount-80)
	}
	if got := planned(plan); !slices.Equal(got, []string{et.ManyOrgsFirstAdmin, et.ManyOrgsLastOrg}) {
		t.Errorf("planned in %v", got)
	}
	for _, tc := range []struct {
		results []revoke.Result
		want    exitcode.Code
	}{
		{revokedResults(plan), exitcode.Incomplete},
		{nil, exitcode.Incomplete},
		{[]revoke.Result{{Status: revoke.StatusNotFound}}, exitcode.Incomplete},
		{[]revoke.Result{{Status: revoke.StatusRevoked}, {Status: revoke.StatusFailed}}, exitcode.Partial},
	} {
		if code := plan.ExitCode(tc.results, false); code != tc.want {
			t.Errorf("exit code for %d results = %d, want %d", len(tc.results), code, tc.want)
		}
	}
}

// An organization the user belongs to but the token was not granted is
// told apart from one where the user is not an administrator, by the kind
// of error Buildkite gives, whichever way it answers.
func TestResolveOrgsTellsWhyAnOrganizationWasNotChecked(t *testing.T) {
	for _, tc := range []struct {
		name      string
		opts      emulator.Options
		ungranted revoke.NotCheckedCause
	}{
		// Buildkite refuses the listing.
		{"refused", emulator.Options{}, revoke.CauseNotPermitted},
		// Buildkite answers as if the organization did not exist.
		{"hidden", emulator.Options{HideUngrantedOrganizations: true}, revoke.CauseNoAccess},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, c := startOrgs(t, et.ManyOrgsFixture(t), tc.opts, et.ManyOrgsToken)
			plan := resolveOrgs(t, c, revoke.OrgsRequest{Tokens: []ident.Token{sharedCI(t)}})
			got := notChecked(plan)
			want := map[string]revoke.NotCheckedCause{et.ManyOrgsUngranted: tc.ungranted, "initech": revoke.CauseNotPermitted}
			if len(got) != len(want) || got[et.ManyOrgsUngranted] != want[et.ManyOrgsUngranted] || got["initech"] != want["initech"] {
				t.Errorf("not checked = %v, want %v", got, want)
			}
		})
	}
}

// Organizations named by the user are the only ones looked at; the
// server's id folds two names of one organization into one; every named
// organization that could not be checked is a miss.
func TestResolveOrgsNamed(t *testing.T) {
	et.ForEachIDFormat(t, testResolveOrgsNamed)
}

func testResolveOrgsNamed(t *testing.T, format emulator.IDFormat) {
	srv, c := startOrgs(t, et.ManyOrgsFixture(t), emulator.Options{MaxViewerOrganizations: 10, IDFormat: format}, et.ManyOrgsToken)
	var lastID string
	for _, r := range []string{et.ManyOrgsLastOrg} {
		org, err := c.Organization(t.Context(), ident.Org{Slug: r})
		if err != nil {
			t.Fatal(err)
		}
		lastID = org.ID
	}
	before := len(srv.Requests())
	plan := resolveOrgs(t, c, revoke.OrgsRequest{Tokens: []ident.Token{sharedCI(t)}, Orgs: []ident.Org{
		{Slug: et.ManyOrgsLastOrg}, {ID: lastID}, {Slug: "org-050"}, {Slug: "initech"}, {Slug: "no-such-org"}, {Slug: "org-050"},
	}})
	if got := planned(plan); !slices.Equal(got, []string{et.ManyOrgsLastOrg}) {
		t.Errorf("planned in %v, want %s once", got, et.ManyOrgsLastOrg)
	}
	if len(plan.Checked) != 2 {
		t.Errorf("checked %v, want org-104 and org-050", plan.Checked)
	}
	got := notChecked(plan)
	if len(got) != 2 || got["initech"] != revoke.CauseNotPermitted || got["no-such-org"] != revoke.CauseNoAccess {
		t.Errorf("not checked = %v", got)
	}
	if plan.Missed() != 2 || plan.ExitCode(revokedResults(plan), false) != exitcode.Incomplete {
		t.Errorf("missed %d: named organizations that were not checked must make the run incomplete", plan.Missed())
	}
	for _, r := range srv.Requests()[before:] {
		if r.Operation == "Viewer" {
			t.Error("named organizations need no Viewer request")
		}
	}
}

// Organizations not looked in leave a run incomplete whatever else it
// did, and are never read as "not found"; other reasons still come first.
func TestOverallIncomplete(t *testing.T) {
	for _, tc := range []struct {
		revoked int
		reasons []exitcode.Code
		want    exitcode.Code
	}{
		{1, nil, exitcode.OK},
		{1, []exitcode.Code{exitcode.Incomplete}, exitcode.Incomplete},
		{0, []exitcode.Code{exitcode.Incomplete, exitcode.Incomplete}, exitcode.Incomplete},
		{0, []exitcode.Code{exitcode.NotFound, exitcode.Incomplete}, exitcode.Incomplete},
		{0, []exitcode.Code{exitcode.Incomplete, exitcode.Failure}, exitcode.Failure},
		{1, []exitcode.Code{exitcode.Incomplete, exitcode.NotFound}, exitcode.Partial},
		{1, []exitcode.Code{exitcode.NotFound}, exitcode.Partial},
		{0, []exitcode.Code{exitcode.NotFound}, exitcode.NotFound},
	} {
		if got := revoke.Overall(tc.revoked, tc.reasons); got != tc.want {
			t.Errorf("Overall(%d, %v) = %d, want %d", tc.revoked, tc.reasons, got, tc.want)
		}
	}
}

// An organization where the caller is only a member may answer the token
// listing with an error of no known type. That organization is not
// checked, with Buildkite's words as the cause, while every other one is
// looked in and planned; since nothing says the token has no access there,
// the run is incomplete, never a success. With the viewer's answer capped,
// the organizations reached by asking twice are isolated the same way.
func TestResolveOrgsIsolatesAnUntypedFailure(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fixture *emulator.Fixture
		token   string
		opts    emulator.Options
		want    []string
	}{
		{"multi-org", et.MultiOrgFixture(t), et.MultiOrgToken, emulator.Options{UntypedNotAdmin: true}, []string{"acme", "globex"}},
		{"capped viewer", et.ManyOrgsFixture(t), et.ManyOrgsToken, emulator.Options{UntypedNotAdmin: true, MaxViewerOrganizations: 100}, []string{et.ManyOrgsFirstAdmin, et.ManyOrgsLastOrg}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, c := startOrgs(t, tc.fixture, tc.opts, tc.token)
			plan := resolveOrgs(t, c, revoke.OrgsRequest{Tokens: []ident.Token{sharedCI(t)}})
			if got := planned(plan); !slices.Equal(got, tc.want) {
				t.Errorf("planned in %v, want %v", got, tc.want)
			}
			if got := notChecked(plan)["initech"]; got != revoke.CauseError {
				t.Errorf("initech not checked as %q, want %q (all: %v)", got, revoke.CauseError, notChecked(plan))
			}
			if plan.Missed() < 1 {
				t.Errorf("missed %d: an organization whose failure says nothing about the token is a miss", plan.Missed())
			}
			if code := plan.ExitCode(revokedResults(plan), false); code != exitcode.Incomplete {
				t.Errorf("exit code %d, want %d (incomplete)", code, exitcode.Incomplete)
			}
		})
	}
}
