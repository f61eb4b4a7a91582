package emulator_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

// In the opaque format, ids say nothing a client could decode, stay the
// same for an object, and an id the server never issued (another spelling
// of a real one included) is an error, never a match.
func TestOpaqueIDs(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{IDFormat: emulator.IDOpaque})
	org := srv.NodeID(emulator.TypeOrganization, emulatortest.AcmeOrgUUID)
	tok := srv.NodeID(emulator.TypeAPIAccessToken, emulatortest.OldLaptopTokenUUID)
	for _, id := range []string{org, tok} {
		if raw, err := base64.StdEncoding.DecodeString(id); err == nil && strings.Contains(string(raw), "---") {
			t.Errorf("opaque id %q decodes to %q", id, raw)
		}
		if strings.Contains(strings.ToLower(id), emulatortest.AcmeOrgUUID[:8]) || strings.Contains(id, "-") {
			t.Errorf("opaque id %q shows its uuid", id)
		}
	}
	if again := srv.NodeID(emulator.TypeOrganization, emulatortest.AcmeOrgUUID); again != org {
		t.Errorf("id not stable: %q then %q", org, again)
	}

	// The listing gives the same ids the server accepts.
	listed := listAcmeIDs(t, srv)
	if listed.Organization.ID != org {
		t.Errorf("organization id %q, want %q", listed.Organization.ID, org)
	}
	found := false
	for _, e := range listed.Organization.APIAccessTokens.Edges {
		found = found || (e.Node.UUID == emulatortest.OldLaptopTokenUUID && e.Node.ID == tok)
	}
	if !found {
		t.Fatalf("token %s not listed with id %q", emulatortest.OldLaptopTokenUUID, tok)
	}

	mutate := func(token string) *emulatortest.Response {
		return srv.GraphQL(t, emulatortest.DemoToken, revokeMutation, map[string]any{"org": org, "token": token})
	}
	for _, wrong := range []string{
		emulator.NodeID(emulator.TypeAPIAccessToken, emulatortest.OldLaptopTokenUUID), // the other format
		strings.ToLower(tok),
		tok + "=",
	} {
		wantError(t, mutate(wrong), "is not an API access token ID")
	}
	if n := srv.RevocationCount("acme", emulatortest.OldLaptopTokenUUID); n != 0 {
		t.Fatalf("an id the server never issued revoked the token")
	}
	if resp := mutate(tok); resp.Status != 200 || len(resp.Errors) > 0 {
		t.Fatalf("revoking by the listed opaque id: %s", resp.Body)
	}
	if srv.TokenHasOrg(emulatortest.OldLaptopTokenUUID, "acme") {
		t.Error("token still has access after revocation by opaque id")
	}
}

// Once the server re-spells its ids, answers carry new ids only, and the
// old spellings are still accepted by the mutation and node lookups: the
// same object under two ids, as after GitHub's global-id migration.
func TestRespelledIDs(t *testing.T) {
	emulatortest.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		srv := emulatortest.Start(t, emulator.Options{IDFormat: format})
		oldOrg := srv.NodeID(emulator.TypeOrganization, emulatortest.AcmeOrgUUID)
		oldTok := srv.NodeID(emulator.TypeAPIAccessToken, emulatortest.OldLaptopTokenUUID)
		srv.RespellIDs()
		started := emulatortest.Start(t, emulator.Options{IDFormat: format, RespelledIDs: true})
		if got, want := started.NodeID(emulator.TypeAPIAccessToken, emulatortest.OldLaptopTokenUUID), srv.NodeID(emulator.TypeAPIAccessToken, emulatortest.OldLaptopTokenUUID); got != want {
			t.Errorf("a server started re-spelled gives %q, one re-spelled later %q", got, want)
		}
		newOrg := srv.NodeID(emulator.TypeOrganization, emulatortest.AcmeOrgUUID)
		newTok := srv.NodeID(emulator.TypeAPIAccessToken, emulatortest.OldLaptopTokenUUID)
		if newOrg == oldOrg || newTok == oldTok {
			t.Fatalf("ids not re-spelled: %q %q", newOrg, newTok)
		}

		listed := listAcmeIDs(t, srv)
		if listed.Organization.ID != newOrg {
			t.Errorf("organization listed as %q, want the new spelling %q", listed.Organization.ID, newOrg)
		}
		for _, e := range listed.Organization.APIAccessTokens.Edges {
			if e.Node.UUID == emulatortest.OldLaptopTokenUUID && e.Node.ID != newTok {
				t.Errorf("token listed as %q, want the new spelling %q", e.Node.ID, newTok)
			}
		}

		var node struct{ Node *struct{ ID string } }
		decode(t, srv.GraphQL(t, emulatortest.DemoToken, `query($id: ID!) { node(id: $id) { ... on Organization { id } } }`, map[string]any{"id": oldOrg}), &node)
		if node.Node == nil || node.Node.ID != newOrg {
			t.Errorf("node lookup of the old organization id: %+v, want %q", node.Node, newOrg)
		}

		resp := srv.GraphQL(t, emulatortest.DemoToken, revokeMutation, map[string]any{"org": oldOrg, "token": oldTok})
		if resp.Status != 200 || len(resp.Errors) > 0 {
			t.Fatalf("revoking by the old spellings: %s", resp.Body)
		}
		if srv.TokenHasOrg(emulatortest.OldLaptopTokenUUID, "acme") {
			t.Error("token still has access after revocation by its old id")
		}
	})
}

// acmeIDs is acme's id and its tokens' ids as a listing gives them.
type acmeIDs struct {
	Organization struct {
		ID              string
		APIAccessTokens struct {
			Edges []struct{ Node struct{ ID, UUID string } }
		} `json:"apiAccessTokens"`
	}
}

func listAcmeIDs(t *testing.T, srv *emulatortest.Server) acmeIDs {
	t.Helper()
	var listed acmeIDs
	decode(t, srv.GraphQL(t, emulatortest.DemoToken, `{ organization(slug: "acme") { id apiAccessTokens(first: 50) { edges { node { id uuid } } } } }`, nil), &listed)
	return listed
}
