package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

// Exit codes that depend on what an error means, under every error wording
// the emulator has: the meaning must come from the status, the error's type
// and the answer's shape, never from Buildkite's sentences.

// listedIDs returns the organization's and a token's ids as tokenctl
// prints them, so that tests use ids the server gave out.
func listedIDs(t *testing.T, h *harness, org, tokenUUID string) (orgID, tokenID string) {
	t.Helper()
	r := h.run("tokens", "list", "--org", org, "-o", "json")
	if r.code != 0 {
		t.Fatalf("tokens list: %s", r)
	}
	var doc struct {
		Organization struct{ ID string }
		Tokens       []struct{ ID, UUID string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	for _, tok := range doc.Tokens {
		if tok.UUID == tokenUUID {
			return doc.Organization.ID, tok.ID
		}
	}
	t.Fatalf("token %s not listed in %s", tokenUUID, org)
	return "", ""
}

// Re-running a revocation by ids finds the token gone: not found (4), and
// done with --ignore-missing (0). It used to read "No API access token
// found" as a permission problem (3).
func TestRevokeByIDsRerunIsNotFound(t *testing.T) {
	for _, w := range emulator.ErrorWordings {
		t.Run(string(w), func(t *testing.T) {
			h := newHarness(t, emulator.Options{ErrorWording: w})
			orgID, tokenID := listedIDs(t, h, "acme", et.CIDeployBotUUID)
			args := []string{"revoke", "--org", orgID, "--token", tokenID, "--yes"}
			if r := h.run(args...); r.code != 0 {
				t.Fatalf("first run: %s", r)
			}
			r := h.run(args...)
			if exitcode.Code(r.code) != exitcode.NotFound {
				t.Errorf("re-run: exit %d, want %d\n%s", r.code, exitcode.NotFound, r)
			}
			if r := h.run(append(args, "--ignore-missing")...); r.code != 0 {
				t.Errorf("re-run with --ignore-missing: %s", r)
			}
			if n := h.srv.RevocationCount("acme", et.CIDeployBotUUID); n != 1 {
				t.Errorf("revocations applied = %d, want 1", n)
			}
		})
	}
}

// An organization id that names no organization is not found (4), not a
// failure (1).
func TestRevokeUnknownOrganizationIDIsNotFound(t *testing.T) {
	unknownOrg := emulator.NodeID(emulator.TypeOrganization, "b0000000-0000-4000-8000-00000000ffff")
	for _, w := range emulator.ErrorWordings {
		t.Run(string(w), func(t *testing.T) {
			h := newHarness(t, emulator.Options{ErrorWording: w})
			_, tokenID := listedIDs(t, h, "acme", et.CIDeployBotUUID)
			r := h.run("revoke", "--org", unknownOrg, "--token", tokenID, "--yes")
			if exitcode.Code(r.code) != exitcode.NotFound {
				t.Errorf("exit %d, want %d\n%s", r.code, exitcode.NotFound, r)
			}
		})
	}
}

// In --all-orgs, an organization whose listing is refused because the
// token was not granted it is reported with Buildkite's reason, not as
// "you are not an administrator there".
func TestAllOrgsRefusalIsNotCalledAnAdminProblem(t *testing.T) {
	fx := emulator.DemoFixture()
	value := fixtureValue(t, fx, et.CIDeployBotUUID)
	for _, w := range emulator.ErrorWordings {
		t.Run(string(w), func(t *testing.T) {
			h := newHarness(t, emulator.Options{ErrorWording: w, Faults: []emulator.Fault{{
				Kind: emulator.FaultGraphQLError, Error: string(emulator.ErrTokenNoOrgAccess), Match: "OrganizationTokensBySlug",
			}}})
			r := h.runLeaked(value, false, "", "revoke", "--all-orgs", "--yes", "--token-value-file", leakedValueFile(t, value))
			line := ""
			for l := range strings.SplitSeq(r.stderr, "\n") {
				if strings.HasPrefix(l, "tokenctl: acme: not checked") {
					line = l
				}
			}
			if line == "" {
				t.Fatalf("acme not reported as not checked:\n%s", r)
			}
			if strings.Contains(line, "not an administrator") || strings.Contains(line, "you administer") {
				t.Errorf("a refusal for the token's access is called an admin problem:\n%s", line)
			}
			if w == emulator.WordingBuildkite {
				mustContain(t, "stderr", line, "does not have access to the organization")
			}
			if strings.Contains(r.stderr, "you administer") {
				t.Errorf("the summary calls it an admin problem:\n%s", r.stderr)
			}
			if !h.srv.TokenHasOrg(et.CIDeployBotUUID, "acme") {
				t.Error("acme changed although its listing was refused")
			}
		})
	}
}

// An endpoint that is not Buildkite's API (HTTP 404) is a bad setting (2),
// named in the message, not "not found" (4), which scripts read as done.
func TestWrongEndpointIsAConfigurationError(t *testing.T) {
	for _, tt := range []struct{ name, env, suffix, setting string }{
		{"GraphQL", "BUILDKITE_GRAPHQL_ENDPOINT", "/graphql", "--graphql-endpoint"},
		{"REST", "BUILDKITE_REST_API_ENDPOINT", "/api", "--rest-endpoint"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, emulator.Options{})
			h.env[tt.env] = h.srv.URL + tt.suffix
			r := h.run("revoke", "--org", "acme", "--token", et.CIDeployBotUUID, "--yes")
			if exitcode.Code(r.code) != exitcode.Usage {
				t.Errorf("exit %d, want %d\n%s", r.code, exitcode.Usage, r)
			}
			mustContain(t, "stderr", r.stderr, h.srv.URL+tt.suffix, "HTTP 404", tt.setting)
			if strings.Contains(r.stderr, et.DemoToken) {
				t.Error("the token is in the message")
			}
			if !h.srv.TokenHasOrg(et.CIDeployBotUUID, "acme") {
				t.Error("the token was revoked")
			}
		})
	}
}

// An error tokenctl does not know is a failure (1): not a permission
// problem (3), not "not found" (4), which --ignore-missing would pass.
func TestUnknownErrorIsAFailure(t *testing.T) {
	for _, w := range emulator.ErrorWordings {
		t.Run(string(w), func(t *testing.T) {
			h := newHarness(t, emulator.Options{ErrorWording: w, Faults: []emulator.Fault{{
				Kind: emulator.FaultGraphQLError, Error: string(emulator.ErrFaultUnknown), Match: "RevokeAPIAccessToken",
			}}})
			r := h.run("revoke", "--org", "acme", "--token", et.CIDeployBotUUID, "--yes", "--ignore-missing")
			if exitcode.Code(r.code) != exitcode.Failure {
				t.Errorf("exit %d, want %d\n%s", r.code, exitcode.Failure, r)
			}
			mustContain(t, "stderr", r.stderr, "refused the revocation")
		})
	}
}
