package emulator_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

func TestListingTokensNeedsAdmin(t *testing.T) {
	// Ada's "no access" token: she administers acme, but the token cannot
	// access any organization.
	f := emulator.DemoFixture()
	f.Tokens = append(f.Tokens, emulator.FixtureToken{
		UUID: "ffffffff-ffff-4fff-8fff-ffffffffffff", Value: "bkua_noaccess", Owner: "ada@acme.example",
		Scopes: []string{"GRAPHQL"},
	})
	srv := emulatortest.Start(t, emulator.Options{Fixture: f, Now: newClock().Now})

	tests := []struct {
		name, token, slug, want string
	}{
		{"member", emulatortest.MemberToken, "acme", "You must be an organization administrator"},
		{"member of globex", emulatortest.AdaLaptopToken, "globex", "You must be an organization administrator"},
		{"token without access", "bkua_noaccess", "acme", "does not have access to the organization"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := srv.GraphQL(t, tt.token, listTokens, map[string]any{"slug": tt.slug, "first": 10})
			e := wantError(t, resp, tt.want)
			// apiAccessTokens is non-null, so its error nulls the organization.
			if string(resp.Data) != `{"organization":null}` {
				t.Errorf("data %s, want the organization nulled", resp.Data)
			}
			if !slices.Equal(e.Path, []any{"organization", "apiAccessTokens"}) {
				t.Errorf("path %v", e.Path)
			}
		})
	}
	// The organization itself stays readable to members.
	resp := srv.GraphQL(t, emulatortest.MemberToken, `{ organization(slug: "acme") { slug } }`, nil)
	if string(resp.Data) != `{"organization":{"slug":"acme"}}` || len(resp.Errors) != 0 {
		t.Errorf("member reading the organization: %s", resp.Body)
	}
}

func TestRevokeRemovesOneOrganizationFromOneToken(t *testing.T) {
	srv, _ := startDemo(t)
	resp := revoke(t, srv, emulatortest.DemoToken, emulatortest.AcmeOrgUUID, emulatortest.CIDeployBotUUID)
	var data struct {
		OrganizationApiAccessTokenRevoke struct {
			ClientMutationID        string `json:"clientMutationId"`
			RevokedAPIAccessTokenID string `json:"revokedApiAccessTokenId"`
		}
	}
	decode(t, resp, &data)
	got := data.OrganizationApiAccessTokenRevoke
	if got.ClientMutationID != "cm-1" || got.RevokedAPIAccessTokenID != tokenID(emulatortest.CIDeployBotUUID) {
		t.Errorf("payload %+v", got)
	}

	if srv.TokenHasOrg(emulatortest.CIDeployBotUUID, "acme") {
		t.Error("the token still has acme")
	}
	if !srv.TokenHasOrg(emulatortest.CIDeployBotUUID, "globex") {
		t.Error("the token lost globex too")
	}
	if slices.Contains(srv.Tokens("acme"), emulatortest.CIDeployBotUUID) {
		t.Error("acme still lists the token")
	}
	if !slices.Contains(srv.Tokens("globex"), emulatortest.CIDeployBotUUID) {
		t.Error("globex no longer lists the token")
	}
	if !slices.Contains(srv.Tokens("acme"), emulatortest.OldLaptopTokenUUID) {
		t.Error("another acme token disappeared")
	}
	if srv.TokenRevoked(emulatortest.CIDeployBotUUID) {
		t.Error("the token was revoked entirely")
	}
	// The token keeps working.
	if r := srv.Do(t, "GET", "/v2/access-token", emulatortest.CIDeployBotToken, nil); r.Status != 200 {
		t.Errorf("the token stopped working: %d", r.Status)
	}
	// Through the API as well: the list no longer shows it.
	var page tokenPage
	decode(t, srv.GraphQL(t, emulatortest.DemoToken, listTokens, map[string]any{"slug": "acme", "first": 100}), &page)
	if slices.Contains(page.uuids(), emulatortest.CIDeployBotUUID) {
		t.Error("apiAccessTokens still shows the token")
	}

	// Revoking again finds nothing.
	again := revoke(t, srv, emulatortest.DemoToken, emulatortest.AcmeOrgUUID, emulatortest.CIDeployBotUUID)
	wantError(t, again, "No API access token found")
	if string(again.Data) != `{"organizationApiAccessTokenRevoke":null}` {
		t.Errorf("data %s", again.Data)
	}
	if n := srv.RevocationCount("acme", emulatortest.CIDeployBotUUID); n != 1 {
		t.Errorf("RevocationCount = %d, want 1", n)
	}
}

func TestRevokeRefusals(t *testing.T) {
	srv, _ := startDemo(t)
	mutate := func(caller, org, token string) *emulatortest.Response {
		return srv.GraphQL(t, caller, revokeMutation, map[string]any{"org": org, "token": token})
	}
	acme := orgID(emulatortest.AcmeOrgUUID)
	tests := []struct {
		name, caller, org, token, want string
	}{
		{"non-admin", emulatortest.MemberToken, acme, tokenID(emulatortest.OldLaptopTokenUUID), "You must be an organization administrator"},
		{"member of the organization", emulatortest.AdaLaptopToken, orgID(emulatortest.GlobexOrgUUID), tokenID(emulatortest.CIDeployBotUUID), "You must be an organization administrator"},
		{"token from another organization", emulatortest.DemoToken, acme, tokenID(emulatortest.BootstrapTokenUUID), "No API access token found"},
		{"unknown token", emulatortest.DemoToken, acme, tokenID("00000000-0000-4000-8000-00000000ffff"), "No API access token found"},
		{"revoked token", emulatortest.DemoToken, acme, tokenID(emulatortest.RevokedTokenUUID), "No API access token found"},
		{"malformed token id", emulatortest.DemoToken, acme, "garbage", "is not an API access token ID"},
		{"token uuid instead of id", emulatortest.DemoToken, acme, emulatortest.OldLaptopTokenUUID, "is not an API access token ID"},
		{"user id as token id", emulatortest.DemoToken, acme, emulator.NodeID("User", emulatortest.MoUUID), "is not an API access token ID"},
		{"malformed organization id", emulatortest.DemoToken, "acme", tokenID(emulatortest.OldLaptopTokenUUID), "is not an Organization ID"},
		{"unknown organization", emulatortest.DemoToken, orgID("b0000000-0000-4000-8000-0000000000ff"), tokenID(emulatortest.OldLaptopTokenUUID), "No organization found"},
		{"organization the caller is not in", emulatortest.GlobexAdminToken, acme, tokenID(emulatortest.OldLaptopTokenUUID), "No organization found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := wantError(t, mutate(tt.caller, tt.org, tt.token), tt.want)
			if !slices.Equal(e.Path, []any{"organizationApiAccessTokenRevoke"}) {
				t.Errorf("path %v", e.Path)
			}
		})
	}
	for _, org := range []string{"acme", "globex"} {
		for _, id := range []string{emulatortest.OldLaptopTokenUUID, emulatortest.CIDeployBotUUID, emulatortest.BootstrapTokenUUID} {
			if n := srv.RevocationCount(org, id); n != 0 {
				t.Errorf("%s/%s revoked %d times by refused requests", org, id, n)
			}
		}
	}
	if !srv.TokenHasOrg(emulatortest.BootstrapTokenUUID, "globex") {
		t.Error("a refused request changed the bootstrap token")
	}
}

func TestMultiOrgRevocation(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{Fixture: emulatortest.MultiOrgFixture(t)})
	for org, uuid := range map[string]string{"acme": emulatortest.AcmeOrgUUID, "globex": emulatortest.GlobexOrgUUID} {
		decode(t, revoke(t, srv, emulatortest.MultiOrgToken, uuid, emulatortest.SharedCITokenUUID), &struct{}{})
		if srv.TokenHasOrg(emulatortest.SharedCITokenUUID, org) {
			t.Errorf("%s not revoked", org)
		}
	}
	wantError(t, revoke(t, srv, emulatortest.MultiOrgToken, emulatortest.InitechOrgUUID, emulatortest.SharedCITokenUUID), "You must be an organization administrator")
	if !srv.TokenHasOrg(emulatortest.SharedCITokenUUID, "initech") {
		t.Error("initech access was removed by a member")
	}
}

// TestConcurrentRevokesApplyOnce races many identical revocations: exactly
// one may succeed.
func TestConcurrentRevokesApplyOnce(t *testing.T) {
	srv, _ := startDemo(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range 20 {
		wg.Go(func() {
			resp := revoke(t, srv, emulatortest.DemoToken, emulatortest.AcmeOrgUUID, emulatortest.HackathonTokenUUID)
			if resp.Status == 200 && len(resp.Errors) == 0 {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if ok != 1 || srv.RevocationCount("acme", emulatortest.HackathonTokenUUID) != 1 {
		t.Errorf("%d successes, RevocationCount %d; want 1 and 1", ok, srv.RevocationCount("acme", emulatortest.HackathonTokenUUID))
	}
}
