package revoke_test

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/revoke"
	"github.com/tokenctl/tokenctl/internal/transport"
)

// These tests break the mutation's answer under a real revocation (the
// emulator over real HTTP) and check what tokenctl reported, and what
// happened on the emulated Buildkite: the token's access, and how many
// times the revocation was applied.

const target = et.CIDeployBotUUID

func queries(r emulator.Request) bool { return r.OperationType == "query" }

// applyRevocation revokes acme from a token directly through the emulator's
// API, as Buildkite's backend would do behind a failing gateway.
func applyRevocation(t *testing.T, srv *et.Server, tokenUUID string) {
	const doc = `mutation RevokeAPIAccessToken($input: OrganizationAPIAccessTokenRevokeMutationInput!) {
  organizationApiAccessTokenRevoke(input: $input) { revokedApiAccessTokenId }
}`
	resp := srv.GraphQL(t, et.DemoToken, doc, map[string]any{"input": map[string]any{
		"organizationId":   srv.NodeID(emulator.TypeOrganization, et.AcmeOrgUUID),
		"apiAccessTokenId": srv.NodeID(emulator.TypeAPIAccessToken, tokenUUID),
	}})
	if resp.Status != http.StatusOK || len(resp.Errors) > 0 {
		t.Errorf("applying the revocation behind the gateway: HTTP %d %+v", resp.Status, resp.Errors)
	}
}

// Whatever breaks the mutation's answer, the re-check settles it: a token
// gone proves the revocation (reported revoked, applied once, not sent
// again); a token still there proves it did not apply, so it is sent again
// and revoked once. Nothing is ever re-sent without a re-check.
func TestRecheckSettlesBrokenAnswers(t *testing.T) {
	cases := []struct {
		name    string
		fault   emulator.Fault
		timeout time.Duration
		// appliedBehind plays a backend that applied the mutation behind
		// a gateway that then failed.
		appliedBehind bool
		mutations     int // logged in all (with appliedBehind, the backend's own too)
	}{
		{name: "dropped after apply", fault: emulator.Fault{Kind: emulator.FaultDropAfter}, mutations: 1},
		{name: "500 after apply", fault: emulator.Fault{Kind: emulator.FaultStatusAfter}, mutations: 1},
		{name: "503 after apply", fault: emulator.Fault{Kind: emulator.FaultStatusAfter, Status: http.StatusServiceUnavailable}, mutations: 1},
		{name: "truncated body", fault: emulator.Fault{Kind: emulator.FaultTruncate}, mutations: 1},
		{name: "slow body past the timeout", fault: emulator.Fault{Kind: emulator.FaultSlowBody, Delay: 5 * time.Second}, timeout: 300 * time.Millisecond, mutations: 1},
		{name: "502 after apply", fault: emulator.Fault{Kind: emulator.FaultStatus, Status: http.StatusBadGateway}, appliedBehind: true, mutations: 2},
		{name: "504 after apply", fault: emulator.Fault{Kind: emulator.FaultStatus, Status: http.StatusGatewayTimeout}, appliedBehind: true, mutations: 2},
		{name: "dropped before apply", fault: emulator.Fault{Kind: emulator.FaultDropBefore}, mutations: 2},
		{name: "proxy HTML page", fault: emulator.Fault{Kind: emulator.FaultNonJSON}, mutations: 2},
		{name: "502", fault: emulator.Fault{Kind: emulator.FaultStatus, Status: http.StatusBadGateway}, mutations: 2},
		{name: "504", fault: emulator.Fault{Kind: emulator.FaultStatus, Status: http.StatusGatewayTimeout}, mutations: 2},
		{name: "GraphQL error", fault: emulator.Fault{Kind: emulator.FaultGraphQLError}, mutations: 2},
	}
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				var srv *et.Server
				var applied atomic.Bool
				opts := emulator.Options{IDFormat: format}
				if c.appliedBehind {
					opts.OnRequest = func(r emulator.Request) {
						if r.OperationType == "mutation" && r.Fault != "" && applied.CompareAndSwap(false, true) {
							applyRevocation(t, srv, target)
						}
					}
				}
				srv = et.Start(t, opts)
				c1 := buildkite.New(buildkite.Config{
					GraphQLEndpoint: srv.GraphQLEndpoint, RESTEndpoint: srv.RESTEndpoint, Token: et.DemoToken,
					Transport: transport.Options{Timeout: c.timeout},
				})
				plan := resolveReq(t, c1, revoke.Request{Tokens: parse(t, target)})
				fault := c.fault
				fault.Match, fault.Times = "mutation", 1
				if err := srv.SetFaults([]emulator.Fault{fault}); err != nil {
					t.Fatal(err)
				}
				srv.ResetRequests()

				var waits []time.Duration
				results := (&revoke.Executor{Client: c1, Backoff: noWait(&waits)}).Execute(t.Context(), plan)
				if r := results[0]; r.Status != revoke.StatusRevoked || *r.RevokedAPIAccessTokenID != tokenID(srv, target) {
					t.Fatalf("%q, want revoked", statuses(results))
				}
				if revoke.ExitCode(results, false) != exitcode.OK {
					t.Errorf("exit %d, want 0", revoke.ExitCode(results, false))
				}
				if srv.TokenHasOrg(target, "acme") || srv.RevocationCount("acme", target) != 1 {
					t.Errorf("emulator: has acme = %v, revoked %d times; want gone, once", srv.TokenHasOrg(target, "acme"), srv.RevocationCount("acme", target))
				}
				if n := srv.CountRequests(mutations); n != c.mutations {
					t.Errorf("mutations sent = %d, want %d", n, c.mutations)
				}
				if n := srv.CountRequests(queries); n != 1 {
					t.Errorf("queries = %d, want 1: the re-check, before anything is sent again", n)
				}
				if c.appliedBehind && !applied.Load() {
					t.Fatal("the backend never applied the revocation; the test proves nothing")
				}

				// Running the same job again finds nothing to do.
				again := (&revoke.Executor{Client: c1}).Execute(t.Context(), resolveReq(t, c1, revoke.Request{Tokens: parse(t, target)}))
				if again[0].Status != revoke.StatusNotFound || revoke.ExitCode(again, false) != exitcode.NotFound || revoke.ExitCode(again, true) != exitcode.OK {
					t.Errorf("re-run: %q", statuses(again))
				}
				if n := srv.CountRequests(mutations); n != c.mutations {
					t.Errorf("the re-run sent a mutation")
				}
			})
		}
	})
}

// The re-check after a lost answer finds the token by its uuid: when the
// server spells ids anew between the listing and the re-check, the id
// listed earlier is missing from the new listing though the token still
// has access, and the mutation (refused by a gateway with 502, never
// applied) must not be reported revoked. It is sent again and applied.
func TestRecheckFindsTheTokenByUUIDWhenIDsAreRespelled(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		var srv *et.Server
		var respelled atomic.Bool
		srv = et.Start(t, emulator.Options{IDFormat: format, OnRequest: func(r emulator.Request) {
			if r.OperationType == "mutation" && r.Fault != "" && respelled.CompareAndSwap(false, true) {
				srv.RespellIDs()
			}
		}})
		c := buildkite.New(buildkite.Config{GraphQLEndpoint: srv.GraphQLEndpoint, RESTEndpoint: srv.RESTEndpoint, Token: et.DemoToken})
		plan := resolveReq(t, c, revoke.Request{Tokens: parse(t, target)})
		if err := srv.SetFaults([]emulator.Fault{{Kind: emulator.FaultStatus, Status: http.StatusBadGateway, Match: "mutation", Times: 1}}); err != nil {
			t.Fatal(err)
		}
		srv.ResetRequests()

		var waits []time.Duration
		results := (&revoke.Executor{Client: c, Backoff: noWait(&waits)}).Execute(t.Context(), plan)
		if !respelled.Load() {
			t.Fatal("the ids were never re-spelled; the test proves nothing")
		}
		if r := results[0]; r.Status != revoke.StatusRevoked {
			t.Fatalf("%q, want revoked after sending again", statuses(results))
		}
		if srv.TokenHasOrg(target, "acme") || srv.RevocationCount("acme", target) != 1 {
			t.Errorf("emulator: has acme = %v, revoked %d times; reported revoked, so it must be gone, once", srv.TokenHasOrg(target, "acme"), srv.RevocationCount("acme", target))
		}
		if n := srv.CountRequests(mutations); n != 2 {
			t.Errorf("mutations sent = %d, want 2: the re-check found the token still there, so it was sent again", n)
		}
	})
}

// A revocation's answer is proof only when it is about this request and
// this token: one naming another token (the caller's own), or no token,
// or echoing another clientMutationId, or none (null or missing, as the
// schema allows), is re-checked by uuid, and the token, still there, is
// never reported revoked.
func TestAnAnswerAboutSomethingElseIsNoProof(t *testing.T) {
	for _, answer := range emulator.FalseAnswers {
		t.Run(answer, func(t *testing.T) {
			srv := et.Start(t, emulator.Options{})
			c := buildkite.New(buildkite.Config{GraphQLEndpoint: srv.GraphQLEndpoint, RESTEndpoint: srv.RESTEndpoint, Token: et.DemoToken})

			// Once: the re-check finds the token still there, so it is
			// sent again, and revoked.
			if err := srv.SetFaults([]emulator.Fault{{Kind: emulator.FaultFalseAnswer, Answer: answer, Match: "mutation", Times: 1}}); err != nil {
				t.Fatal(err)
			}
			var waits []time.Duration
			results := (&revoke.Executor{Client: c, Backoff: noWait(&waits), NewMutationID: counter()}).Execute(t.Context(), resolveReq(t, c, revoke.Request{Tokens: parse(t, target)}))
			if r := results[0]; r.Status != revoke.StatusRevoked || *r.RevokedAPIAccessTokenID != tokenID(srv, target) {
				t.Fatalf("%q, want revoked after sending again", statuses(results))
			}
			if n := srv.CountRequests(mutations); n != 2 {
				t.Errorf("mutations sent = %d, want 2: the false answer is re-checked, the token found still there, and sent again", n)
			}
			if r := results[0]; r.ClientMutationID == nil || *r.ClientMutationID != "tokenctl-test-2" {
				t.Errorf("clientMutationId %v, want tokenctl-test-2, the one of the mutation that applied", r.ClientMutationID)
			}
			if srv.TokenHasOrg(target, "acme") || srv.RevocationCount("acme", target) != 1 {
				t.Errorf("emulator: has acme = %v, revoked %d times; want gone, once", srv.TokenHasOrg(target, "acme"), srv.RevocationCount("acme", target))
			}

			// Always: never revoked, and said so.
			other := et.OldLaptopTokenUUID
			if err := srv.SetFaults([]emulator.Fault{{Kind: emulator.FaultFalseAnswer, Answer: answer, Match: "mutation"}}); err != nil {
				t.Fatal(err)
			}
			results = (&revoke.Executor{Client: c, Backoff: noWait(&waits)}).Execute(t.Context(), resolveReq(t, c, revoke.Request{Tokens: parse(t, other)}))
			if r := results[0]; r.Status == revoke.StatusRevoked || r.Error == nil {
				t.Fatalf("%q: a token still there reported revoked", statuses(results))
			}
			if code := revoke.ExitCode(results, false); code == exitcode.OK {
				t.Errorf("exit 0 with the token still there")
			}
			if !srv.TokenHasOrg(other, "acme") {
				t.Fatal("the emulator revoked it; the test proves nothing")
			}
		})
	}
}
