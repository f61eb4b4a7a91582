package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

func decodeReport(t *testing.T, r result) revoke.Report {
	t.Helper()
	var rep revoke.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s", err, r)
	}
	return rep
}

func TestRevokeBySlugAndUUID(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("revoke", "--org", "acme", "--token", et.CIDeployBotUUID, "-o", "json")
	if r.code != 0 {
		t.Fatalf("revoke failed:\n%s", r)
	}
	rep := decodeReport(t, r)
	if len(rep.Results) != 1 {
		t.Fatalf("want 1 result, got %d", len(rep.Results))
	}
	res := rep.Results[0]
	if res.Status != revoke.StatusRevoked {
		t.Errorf("status = %s, want revoked", res.Status)
	}
	wantID := emulator.NodeID("APIAccessToken", et.CIDeployBotUUID)
	if deref(res.RevokedAPIAccessTokenID) != wantID || deref(res.Token.ID) != wantID {
		t.Errorf("revokedApiAccessTokenId = %q, token.id = %q, want %q", deref(res.RevokedAPIAccessTokenID), deref(res.Token.ID), wantID)
	}
	if deref(res.ClientMutationID) != "tokenctl-test-1" {
		t.Errorf("clientMutationId = %q", deref(res.ClientMutationID))
	}
	if deref(res.Organization.Slug) != "acme" || res.Organization.ID != emulator.NodeID("Organization", et.AcmeOrgUUID) {
		t.Errorf("organization = %+v", res.Organization)
	}
	if res.Token.Owner == nil || res.Token.Owner.Email != "mo@acme.example" || deref(res.Token.Description) != "CI deploy bot" {
		t.Errorf("token = %+v", res.Token)
	}
	// The organization's access is gone; the token keeps its other org.
	if h.srv.TokenHasOrg(et.CIDeployBotUUID, "acme") {
		t.Error("token still has access to acme")
	}
	if !h.srv.TokenHasOrg(et.CIDeployBotUUID, "globex") {
		t.Error("token lost access to globex, which was not asked for")
	}
	// Two GraphQL round trips: organization + first page, then the mutation.
	if n := h.graphQLRequests(); n != 2 {
		t.Errorf("GraphQL requests = %d, want 2", n)
	}
	if n := h.requests("RevokeAPIAccessToken"); n != 1 {
		t.Errorf("mutations = %d, want 1", n)
	}
}

// Ids are opaque: whatever the listing printed is accepted, in every id
// format, and the token is looked up in the first page (alongside the
// self-check) before the mutation.
func TestRevokeByIDs(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		h := newHarness(t, emulator.Options{IDFormat: format})
		orgID := h.srv.NodeID(emulator.TypeOrganization, et.AcmeOrgUUID)
		tokenID := h.srv.NodeID(emulator.TypeAPIAccessToken, et.CIDeployBotUUID)
		r := h.run("revoke", "--org", orgID, "--token", tokenID, "-o", "json")
		if r.code != 0 {
			t.Fatalf("revoke failed:\n%s", r)
		}
		res := decodeReport(t, r).Results[0]
		if res.Status != revoke.StatusRevoked || deref(res.RevokedAPIAccessTokenID) != tokenID || deref(res.Token.UUID) != et.CIDeployBotUUID {
			t.Errorf("result = %+v", res)
		}
		if n := h.graphQLRequests(); n != 2 {
			t.Errorf("GraphQL requests = %d, want 2 (the first page, then the mutation)", n)
		}
		if h.srv.TokenHasOrg(et.CIDeployBotUUID, "acme") {
			t.Error("token still has access to acme")
		}
	})
}

// A dry run names a token that does not exist as not-found, with exit 4
// (not 6: nothing was revoked), or 0 with --ignore-missing when it is
// named by uuid (an id the listing never showed proves nothing).
func TestRevokeDryRunMissingToken(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		h := newHarness(t, emulator.Options{IDFormat: format})
		elsewhere := h.srv.NodeID(emulator.TypeAPIAccessToken, et.BootstrapTokenUUID) // globex only
		args := []string{"revoke", "--org", "acme", "--dry-run", "-o", "json", "--token", et.CIDeployBotUUID, "--token", elsewhere}
		r := h.run(args...)
		if exitcode.Code(r.code) != exitcode.NotFound {
			t.Fatalf("exit %d, want %d\n%s", r.code, exitcode.NotFound, r)
		}
		if st := decodeReport(t, r).Results[1].Status; st != revoke.StatusNotFound {
			t.Errorf("missing token reported %s, want not-found", st)
		}
		if r := h.run(append(args, "--ignore-missing")...); exitcode.Code(r.code) != exitcode.NotFound {
			t.Errorf("--ignore-missing, an id never listed: exit %d, want %d\n%s", r.code, exitcode.NotFound, r)
		}
		byUUID := []string{"revoke", "--org", "acme", "--dry-run", "-o", "json", "--token", et.CIDeployBotUUID, "--token", et.BootstrapTokenUUID, "--ignore-missing"}
		if r := h.run(byUUID...); r.code != 0 {
			t.Errorf("--ignore-missing, by uuid: exit %d\n%s", r.code, r)
		}
		if n := h.requests("RevokeAPIAccessToken"); n != 0 {
			t.Errorf("dry run sent %d mutations", n)
		}
	})
}

func TestRevokeSeveralTokensDeduplicated(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("revoke", "--org", "acme", "-o", "json",
		"--token", et.CIDeployBotUUID, "--token", et.OldLaptopTokenUUID,
		"--token", strings.ToUpper(et.CIDeployBotUUID), "--token", et.HackathonTokenUUID,
		// The same tokens by id, and without the id's base64 padding.
		"--token", emulator.NodeID(emulator.TypeAPIAccessToken, et.CIDeployBotUUID),
		"--token", strings.TrimRight(emulator.NodeID(emulator.TypeAPIAccessToken, et.HackathonTokenUUID), "="))
	if r.code != 0 {
		t.Fatalf("revoke failed:\n%s", r)
	}
	rep := decodeReport(t, r)
	if rep.Summary.Requested != 3 || rep.Summary.Revoked != 3 {
		t.Errorf("summary = %+v, want 3 requested and revoked", rep.Summary)
	}
	for _, u := range []string{et.CIDeployBotUUID, et.OldLaptopTokenUUID, et.HackathonTokenUUID} {
		if h.srv.TokenHasOrg(u, "acme") {
			t.Errorf("%s still has access", u)
		}
		if n := h.srv.RevocationCount("acme", u); n != 1 {
			t.Errorf("%s revoked %d times", u, n)
		}
	}
	// One listing serves the batch.
	if n := h.requests("OrganizationTokensBySlug"); n != 1 {
		t.Errorf("listing requests = %d, want 1", n)
	}
}

func TestRevokeDryRunSendsNoMutation(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("revoke", "--org", "acme", "--token", et.CIDeployBotUUID, "--dry-run", "-o", "json")
	if r.code != 0 {
		t.Fatalf("dry run failed:\n%s", r)
	}
	rep := decodeReport(t, r)
	if !rep.DryRun || rep.Results[0].Status != revoke.StatusDryRun || rep.Results[0].ClientMutationID != nil {
		t.Errorf("report = %+v", rep)
	}
	if n := h.requests("RevokeAPIAccessToken"); n != 0 {
		t.Errorf("dry run sent %d mutations", n)
	}
	if !h.srv.TokenHasOrg(et.CIDeployBotUUID, "acme") {
		t.Error("dry run revoked the token")
	}
}

func TestRevokeExitCodes(t *testing.T) {
	cases := []struct {
		name      string
		token     string // credential; empty means the demo admin
		noToken   bool
		args      []string
		want      exitcode.Code
		stderr    string
		unchanged string // a token uuid that must keep access to acme
	}{
		{name: "token not in organization", args: []string{"--org", "acme", "--token", et.BootstrapTokenUUID},
			want: exitcode.NotFound, stderr: "tokenctl tokens list --org acme"},
		{name: "unknown organization", args: []string{"--org", "nope", "--token", et.CIDeployBotUUID},
			want: exitcode.NotFound, stderr: `organization "nope" not found`},
		{name: "malformed uuid", args: []string{"--org", "acme", "--token", "11111111-1111-4111-8111-11111111111"},
			want: exitcode.Usage, stderr: "neither a uuid"},
		{name: "malformed org", args: []string{"--org", "Acme Inc!", "--token", et.CIDeployBotUUID},
			want: exitcode.Usage, stderr: "must be an organization slug"},
		{name: "no token flag", args: []string{"--org", "acme"}, want: exitcode.Usage, stderr: "--token"},
		{name: "unknown flag", args: []string{"--org", "acme", "--tokne", "x"}, want: exitcode.Usage, stderr: "unknown flag"},
		{name: "missing credential", noToken: true, args: []string{"--org", "acme", "--token", et.CIDeployBotUUID},
			want: exitcode.Auth, stderr: "BUILDKITE_API_TOKEN"},
		{name: "unknown credential", token: "bkua_unknown000000000000000000000000000000000", args: []string{"--org", "acme", "--token", et.CIDeployBotUUID},
			want: exitcode.Auth, stderr: "HTTP 401", unchanged: et.CIDeployBotUUID},
		{name: "revoked credential", token: et.RevokedToken, args: []string{"--org", "acme", "--token", et.CIDeployBotUUID},
			want: exitcode.Auth, stderr: "HTTP 401", unchanged: et.CIDeployBotUUID},
		{name: "credential without GraphQL access", token: et.NoGraphQLToken, args: []string{"--org", "acme", "--token", et.CIDeployBotUUID},
			want: exitcode.Auth, stderr: "GraphQL", unchanged: et.CIDeployBotUUID},
		{name: "caller is not an administrator", token: et.MemberToken, args: []string{"--org", "acme", "--token", et.CIDeployBotUUID},
			want: exitcode.Auth, stderr: "administrator", unchanged: et.CIDeployBotUUID},
		{name: "own credential", args: []string{"--org", "acme", "--token", et.DemoTokenUUID},
			want: exitcode.Refused, stderr: "--allow-self", unchanged: et.DemoTokenUUID},
		{name: "partial", args: []string{"--org", "acme", "--token", et.OldLaptopTokenUUID, "--token", et.BootstrapTokenUUID},
			want: exitcode.Partial, stderr: et.BootstrapTokenUUID},
		{name: "bad output format", args: []string{"--org", "acme", "--token", et.CIDeployBotUUID, "-o", "xml"},
			want: exitcode.Usage, stderr: "--output xml: this command prints table, wide, json, yaml or csv"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, emulator.Options{})
			if c.token != "" {
				h.env["BUILDKITE_API_TOKEN"] = c.token
			}
			if c.noToken {
				delete(h.env, "BUILDKITE_API_TOKEN")
			}
			r := h.run(append([]string{"revoke"}, c.args...)...)
			if exitcode.Code(r.code) != c.want {
				t.Fatalf("exit code %d, want %d\n%s", r.code, c.want, r)
			}
			mustContain(t, "stderr", r.stderr, c.stderr)
			if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
				t.Errorf("stack trace on stderr:\n%s", r.stderr)
			}
			if c.unchanged != "" && !h.srv.TokenHasOrg(c.unchanged, "acme") {
				t.Errorf("%s lost access although the run failed", c.unchanged)
			}
		})
	}
}

func TestRevokeAllowSelf(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("revoke", "--org", "acme", "--token", et.DemoTokenUUID, "--allow-self")
	if r.code != 0 {
		t.Fatalf("revoke --allow-self failed:\n%s", r)
	}
	if h.srv.TokenHasOrg(et.DemoTokenUUID, "acme") {
		t.Error("own token still has access after --allow-self")
	}
}

// The self-guard also recognises the tool's own token named by its id, in
// every id format.
func TestRevokeRefusesOwnTokenByID(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		h := newHarness(t, emulator.Options{IDFormat: format})
		r := h.run("revoke", "--org", "acme", "--token", h.srv.NodeID(emulator.TypeAPIAccessToken, et.DemoTokenUUID))
		if exitcode.Code(r.code) != exitcode.Refused {
			t.Fatalf("exit %d, want refused\n%s", r.code, r)
		}
		if n := h.requests("RevokeAPIAccessToken"); n != 0 {
			t.Errorf("sent %d mutations", n)
		}
	})
}

// With --allow-self, the tool's own token goes last, so the rest of the
// batch is not cut off by it.
func TestRevokeAllowSelfRevokesOwnTokenLast(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("revoke", "--org", "acme", "--allow-self", "--concurrency", "1", "-o", "json",
		"--token", et.DemoTokenUUID, "--token", et.CIDeployBotUUID, "--token", et.OldLaptopTokenUUID)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	if own := decodeReport(t, r).Results[0]; own.Status != revoke.StatusRevoked || deref(own.ClientMutationID) != "tokenctl-test-3" {
		t.Errorf("own token: %s as %s, want revoked last (tokenctl-test-3)", own.Status, deref(own.ClientMutationID))
	}
}

func TestRevokeConfirmation(t *testing.T) {
	t.Run("terminal, answered no", func(t *testing.T) {
		h := newHarness(t, emulator.Options{})
		r := h.runTTY("n\n", "revoke", "--org", "acme", "--token", et.CIDeployBotUUID)
		if exitcode.Code(r.code) != exitcode.Refused {
			t.Fatalf("exit %d, want refused\n%s", r.code, r)
		}
		mustContain(t, "prompt", r.stderr, "CI deploy bot", "Mo Member <mo@acme.example>", "GRAPHQL,READ_BUILDS", "13 months ago", "[y/N]")
		if !h.srv.TokenHasOrg(et.CIDeployBotUUID, "acme") || h.requests("RevokeAPIAccessToken") != 0 {
			t.Error("declined revocation was sent")
		}
	})
	t.Run("terminal, empty answer is no", func(t *testing.T) {
		h := newHarness(t, emulator.Options{})
		r := h.runTTY("\n", "revoke", "--org", "acme", "--token", et.CIDeployBotUUID)
		if exitcode.Code(r.code) != exitcode.Refused || !h.srv.TokenHasOrg(et.CIDeployBotUUID, "acme") {
			t.Fatalf("default answer revoked:\n%s", r)
		}
	})
	t.Run("terminal, answered yes", func(t *testing.T) {
		h := newHarness(t, emulator.Options{})
		r := h.runTTY("y\n", "revoke", "--org", "acme", "--token", et.CIDeployBotUUID)
		if r.code != 0 || h.srv.TokenHasOrg(et.CIDeployBotUUID, "acme") {
			t.Fatalf("confirmed revocation failed:\n%s", r)
		}
	})
	t.Run("terminal with --yes does not ask", func(t *testing.T) {
		h := newHarness(t, emulator.Options{})
		r := h.runTTY("", "revoke", "--org", "acme", "--token", et.CIDeployBotUUID, "--yes")
		if r.code != 0 || strings.Contains(r.stderr, "[y/N]") {
			t.Fatalf("--yes asked or failed:\n%s", r)
		}
	})
	t.Run("no terminal does not ask", func(t *testing.T) {
		h := newHarness(t, emulator.Options{})
		r := h.run("revoke", "--org", "acme", "--token", et.CIDeployBotUUID)
		if r.code != 0 || strings.Contains(r.stderr, "[y/N]") || h.srv.TokenHasOrg(et.CIDeployBotUUID, "acme") {
			t.Fatalf("non-interactive run asked or failed:\n%s", r)
		}
	})
}

func TestRevokeGoldenOutputs(t *testing.T) {
	for _, format := range []string{"table", "wide", "json", "yaml", "csv"} {
		t.Run(format, func(t *testing.T) {
			h := newHarness(t, emulator.Options{})
			r := h.run("revoke", "--org", "acme", "-o", format,
				"--token", et.CIDeployBotUUID, "--token", et.BootstrapTokenUUID, "--token", et.DemoTokenUUID)
			if exitcode.Code(r.code) != exitcode.Partial {
				t.Fatalf("exit %d, want partial\n%s", r.code, r)
			}
			golden(t, "revoke."+format+".golden", r.stdout)
		})
	}
}

func TestRevokeTwiceReportsNotFoundAndIgnoreMissing(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	if r := h.run("revoke", "--org", "acme", "--token", et.CIDeployBotUUID); r.code != 0 {
		t.Fatalf("first revoke failed:\n%s", r)
	}
	r := h.run("revoke", "--org", "acme", "--token", et.CIDeployBotUUID)
	if exitcode.Code(r.code) != exitcode.NotFound {
		t.Fatalf("second revoke: exit %d, want not found\n%s", r.code, r)
	}
	r = h.run("revoke", "--org", "acme", "--token", et.CIDeployBotUUID, "--ignore-missing")
	if r.code != 0 {
		t.Fatalf("--ignore-missing: exit %d\n%s", r.code, r)
	}
	if n := h.srv.RevocationCount("acme", et.CIDeployBotUUID); n != 1 {
		t.Errorf("revoked %d times", n)
	}
}

// A token named by an id that never existed is never reported revoked,
// even when the answer to a mutation is lost: it is found missing in the
// listing before anything is sent.
func TestRevokeUnknownIDWithLostAnswerIsNotRevoked(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		h := newHarness(t, emulator.Options{IDFormat: format, Faults: []emulator.Fault{{Kind: emulator.FaultDropAfter, Match: "mutation"}}})
		never := h.srv.NodeID(emulator.TypeAPIAccessToken, "00000000-0000-4000-8000-00000000dead")
		r := h.run("revoke", "--org", "acme", "--token", never, "-o", "json")
		if exitcode.Code(r.code) != exitcode.NotFound {
			t.Fatalf("exit %d, want %d\n%s", r.code, exitcode.NotFound, r)
		}
		if st := decodeReport(t, r).Results[0].Status; st != revoke.StatusNotFound {
			t.Errorf("status %s, want not-found", st)
		}
		if n := h.requests("RevokeAPIAccessToken"); n != 0 {
			t.Errorf("%d mutations sent", n)
		}
	})
}
