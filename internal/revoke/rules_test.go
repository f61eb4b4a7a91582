package revoke_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/audit/audittest"
	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/revoke"
	"github.com/tokenctl/tokenctl/internal/transport"
)

var acme = ident.Org{Slug: et.DemoOrgSlug}

// tokenID is the id the server lists a demo token under.
func tokenID(srv *et.Server, uuid string) string {
	return srv.NodeID(emulator.TypeAPIAccessToken, uuid)
}

// parse reads tokens as the command line does.
func parse(t *testing.T, names ...string) []ident.Token {
	t.Helper()
	var refs []ident.Token
	for _, n := range names {
		ref, err := ident.ParseToken(n)
		if err != nil {
			t.Fatalf("ParseToken(%q): %v", n, err)
		}
		refs = append(refs, ref)
	}
	return refs
}

func resolveReq(t *testing.T, c *buildkite.Client, req revoke.Request) *revoke.Plan {
	t.Helper()
	if req.Org == (ident.Org{}) {
		req.Org = acme
	}
	plan, err := revoke.Resolve(t.Context(), c, req)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// counter numbers clientMutationIds in the order they are made.
func counter() func() string {
	var n atomic.Int64
	return func() string { return fmt.Sprintf("tokenctl-test-%d", n.Add(1)) }
}

// noWait is the retry policy's schedule without the waits, recording them.
func noWait(waits *[]time.Duration) func() *transport.Backoff {
	rt := transport.New(transport.Options{Sleep: func(_ context.Context, d time.Duration) error {
		*waits = append(*waits, d)
		return nil
	}})
	return rt.Backoff
}

func openAudit(t *testing.T) (*audit.Log, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := audit.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l, path
}

// Point 1: any id the listing gives is accepted and revoked by, whatever
// its format; the plan carries the server's identity of the token.
func TestResolveTakesTheIDsTheListingGives(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		srv, c, _ := startWithTokens(t, 0, emulator.Options{IDFormat: format})
		id := tokenID(srv, et.CIDeployBotUUID)
		plan := resolveReq(t, c, revoke.Request{Org: ident.Org{ID: srv.NodeID(emulator.TypeOrganization, et.AcmeOrgUUID)}, Tokens: parse(t, id)})
		it := plan.Items[0]
		if !it.Pending() || it.TokenID != id || it.Token == nil || it.Token.UUID != et.CIDeployBotUUID {
			t.Fatalf("item = %+v, want pending, listed as %s", it, id)
		}
		results := (&revoke.Executor{Client: c}).Execute(t.Context(), plan)
		if results[0].Status != revoke.StatusRevoked || *results[0].RevokedAPIAccessTokenID != id {
			t.Fatalf("results: %q", statuses(results))
		}
		if srv.TokenHasOrg(et.CIDeployBotUUID, "acme") {
			t.Error("the token still has access")
		}
	})
}

// Point 1: the self-check recognises the tool's own token however it is
// named, by what the server says (the caller's uuid, the listed uuid), in
// every id format.
func TestResolveRefusesOwnTokenHoweverNamed(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		srv, c, _ := startWithTokens(t, 0, emulator.Options{IDFormat: format})
		for _, name := range []string{et.DemoTokenUUID, strings.ToUpper(et.DemoTokenUUID), tokenID(srv, et.DemoTokenUUID)} {
			plan := resolveReq(t, c, revoke.Request{Tokens: parse(t, name)})
			if it := plan.Items[0]; it.Status != revoke.StatusRefused || !it.Self {
				t.Errorf("%s: status %q (self %v), want refused", name, it.Status, it.Self)
			}
		}
		if n := srv.CountRequests(func(r emulator.Request) bool { return r.OperationType == "mutation" }); n != 0 {
			t.Errorf("%d mutations sent", n)
		}
	})
}

// Point 2: one token named by its uuid, by its id, and by its id without
// base64 padding is one token: one mutation, one result.
func TestResolveDeduplicatesOnTheServersIdentity(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		srv, c, _ := startWithTokens(t, 0, emulator.Options{IDFormat: format})
		id := tokenID(srv, et.CIDeployBotUUID)
		names := []string{et.CIDeployBotUUID, id, strings.ToUpper(et.CIDeployBotUUID), et.OldLaptopTokenUUID}
		if unpadded := strings.TrimRight(id, "="); unpadded != id {
			names = append(names, unpadded)
		}
		plan := resolveReq(t, c, revoke.Request{Tokens: parse(t, names...)})
		results := (&revoke.Executor{Client: c}).Execute(t.Context(), plan)
		if len(results) != 2 || countStatus(results, revoke.StatusRevoked) != 2 {
			t.Fatalf("want 2 results, both revoked: %q", statuses(results))
		}
		if results[0].Requested != et.CIDeployBotUUID {
			t.Errorf("first result is for %q, want the first spelling %q", results[0].Requested, et.CIDeployBotUUID)
		}
		if n := srv.CountRequests(mutations); n != 2 {
			t.Errorf("%d mutations sent, want 2", n)
		}
		if n := srv.RevocationCount("acme", et.CIDeployBotUUID); n != 1 {
			t.Errorf("revoked %d times", n)
		}
	})
}

// Points 11 and 3: a token named by an id that has no access to the
// organization is not-found before anything is sent, in a dry run too.
func TestResolveUnknownIDIsNotFound(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		srv, c, _ := startWithTokens(t, 0, emulator.Options{IDFormat: format})
		elsewhere := tokenID(srv, et.BootstrapTokenUUID) // globex only
		for _, dryRun := range []bool{true, false} {
			plan := resolveReq(t, c, revoke.Request{Tokens: parse(t, elsewhere, et.OldLaptopTokenUUID)})
			results := (&revoke.Executor{Client: c, DryRun: dryRun}).Execute(t.Context(), plan)
			if results[0].Status != revoke.StatusNotFound || results[0].Error == nil || !strings.Contains(*results[0].Error, "tokenctl tokens list --org acme") {
				t.Errorf("dry run %v: %q, want not-found naming what to run", dryRun, statuses(results))
			}
		}
		if n := srv.CountRequests(mutations); n != 1 {
			t.Errorf("%d mutations sent, want 1: for the token that exists, in the run that is not dry", n)
		}
	})
}

// Point 11: the exit status of a run from its results.
func TestExitCode(t *testing.T) {
	row := func(s revoke.Status) revoke.Result { return revoke.Result{Status: s} }
	cases := []struct {
		name          string
		statuses      []revoke.Status
		ignoreMissing bool
		want          exitcode.Code
	}{
		{"all revoked", []revoke.Status{revoke.StatusRevoked, revoke.StatusRevoked}, false, exitcode.OK},
		{"dry run", []revoke.Status{revoke.StatusDryRun, revoke.StatusDryRun}, false, exitcode.OK},
		{"dry run, one missing", []revoke.Status{revoke.StatusDryRun, revoke.StatusNotFound}, false, exitcode.NotFound},
		{"dry run, one missing, ignored", []revoke.Status{revoke.StatusDryRun, revoke.StatusNotFound}, true, exitcode.OK},
		{"dry run, own token", []revoke.Status{revoke.StatusDryRun, revoke.StatusRefused}, false, exitcode.Refused},
		{"some revoked, one missing", []revoke.Status{revoke.StatusRevoked, revoke.StatusNotFound}, false, exitcode.Partial},
		{"some revoked, one missing, ignored", []revoke.Status{revoke.StatusRevoked, revoke.StatusNotFound}, true, exitcode.OK},
		{"unknown", []revoke.Status{revoke.StatusUnknown}, false, exitcode.Failure},
		{"unknown before not-found", []revoke.Status{revoke.StatusNotFound, revoke.StatusUnknown}, false, exitcode.Failure},
		{"some revoked, one unknown", []revoke.Status{revoke.StatusRevoked, revoke.StatusUnknown}, false, exitcode.Partial},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var results []revoke.Result
			for _, s := range c.statuses {
				results = append(results, row(s))
			}
			if got := revoke.ExitCode(results, c.ignoreMissing); got != c.want {
				t.Errorf("ExitCode(%v, %v) = %d, want %d", c.statuses, c.ignoreMissing, got, c.want)
			}
		})
	}
}

// Point 3: a revocation whose answer was lost, for a token the run never
// saw in a listing, cannot be proven by the token's absence: unknown,
// never revoked, and the audit log says the same.
func TestExecuteLostAnswerForUnseenTokenIsUnknown(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		srv, c, _ := startWithTokens(t, 0, emulator.Options{IDFormat: format,
			Faults: []emulator.Fault{{Kind: emulator.FaultDropAfter, Match: "mutation", Times: 1}}})
		org, err := c.Organization(t.Context(), acme)
		if err != nil {
			t.Fatal(err)
		}
		never := tokenID(srv, "00000000-0000-4000-8000-00000000dead")
		// Known by its uuid without a listing, as an earlier run's listing
		// remembered it.
		plan := &revoke.Plan{Organization: org, Items: []*revoke.Item{{Requested: never, Ref: ident.Token{ID: never}, TokenID: never, KnownUUID: "00000000-0000-4000-8000-00000000dead"}}}
		log, path := openAudit(t)
		results := (&revoke.Executor{Client: c, Audit: log}).Execute(t.Context(), plan)
		if results[0].Status != revoke.StatusUnknown || results[0].Error == nil || !strings.Contains(*results[0].Error, "tokenctl tokens get") {
			t.Fatalf("%q, want unknown naming what to run", statuses(results))
		}
		if got := revoke.ExitCode(results, false); got != exitcode.Failure {
			t.Errorf("exit %d, want %d", got, exitcode.Failure)
		}
		recs := audittest.Records(t, path)
		if len(recs) != 2 || recs[1].Result != string(revoke.StatusUnknown) {
			t.Errorf("audit log %+v, want an intent and an unknown outcome", recs)
		}
	})
}

// The audit trail names every token a mutation is sent for by uuid and
// id: a token whose uuid the plan does not know is refused, nothing sent
// and nothing recorded; tokenctl's own token is named by the caller's.
func TestExecuteNeverSendsWhatTheAuditCannotName(t *testing.T) {
	srv, c, _ := startWithTokens(t, 0, emulator.Options{})
	org, err := c.Organization(t.Context(), acme)
	if err != nil {
		t.Fatal(err)
	}
	id := tokenID(srv, et.HackathonTokenUUID)
	plan := &revoke.Plan{Organization: org, Items: []*revoke.Item{{Requested: id, Ref: ident.Token{ID: id}, TokenID: id}}}
	log, path := openAudit(t)
	srv.ResetRequests()
	results := (&revoke.Executor{Client: c, Audit: log}).Execute(t.Context(), plan)
	if results[0].Status != revoke.StatusRefused || srv.CountRequests(mutations) != 0 || !srv.TokenHasOrg(et.HackathonTokenUUID, "acme") {
		t.Fatalf("%q: want refused, nothing sent", statuses(results))
	}
	if recs := audittest.Records(t, path); len(recs) != 0 {
		t.Errorf("audit log %+v, want nothing", recs)
	}

	caller, err := c.Caller(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	own := tokenID(srv, caller.UUID)
	plan = &revoke.Plan{Organization: org, Caller: caller, Items: []*revoke.Item{{Requested: own, Ref: ident.Token{ID: own}, TokenID: own, Self: true}}}
	results = (&revoke.Executor{Client: c, Audit: log}).Execute(t.Context(), plan)
	recs := audittest.Records(t, path)
	if results[0].Status != revoke.StatusRevoked || len(recs) != 2 || recs[0].Token.UUID != caller.UUID || recs[1].Token.ID != own {
		t.Errorf("own token: %q, audit %+v; want revoked, named by the caller's uuid and its id", statuses(results), recs)
	}
}

// Point 3: the token was seen, its mutation's answer was lost, and the
// re-check fails too: unknown, with what to run, never failed or revoked.
func TestExecuteRecheckThatCannotDecideIsUnknown(t *testing.T) {
	srv, c, _ := startWithTokens(t, 0, emulator.Options{})
	plan := resolveReq(t, c, revoke.Request{Tokens: parse(t, et.CIDeployBotUUID)})
	if err := srv.SetFaults([]emulator.Fault{
		{Kind: emulator.FaultDropAfter, Match: "mutation", Times: 1},
		{Kind: emulator.FaultGraphQLError, Match: "query", Times: 1},
	}); err != nil {
		t.Fatal(err)
	}
	log, path := openAudit(t)
	results := (&revoke.Executor{Client: c, Audit: log}).Execute(t.Context(), plan)
	if results[0].Status != revoke.StatusUnknown || !strings.Contains(*results[0].Error, "tokenctl tokens get "+et.CIDeployBotUUID+" --org acme") {
		t.Fatalf("%q, want unknown naming what to run", statuses(results))
	}
	if recs := audittest.Records(t, path); len(recs) != 2 || recs[1].Result != "unknown" {
		t.Errorf("audit log %+v, want an intent and an unknown outcome", recs)
	}
	if n := srv.RevocationCount("acme", et.CIDeployBotUUID); n != 1 {
		t.Errorf("emulator: revoked %d times, want 1 (the lost answer's)", n)
	}
}

// Point 4: a re-check that finds the token still there proves the mutation
// did not apply, so it is sent again, on the transport's retry schedule,
// with its own clientMutationId and audit records, and the row says
// revoked.
func TestExecuteSendsAgainWhatProvablyDidNotApply(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		srv, c, _ := startWithTokens(t, 0, emulator.Options{IDFormat: format})
		plan := resolveReq(t, c, revoke.Request{Tokens: parse(t, et.CIDeployBotUUID)})
		if err := srv.SetFaults([]emulator.Fault{{Kind: emulator.FaultDropBefore, Match: "mutation", Times: 1}}); err != nil {
			t.Fatal(err)
		}
		log, path := openAudit(t)
		var waits []time.Duration
		results := (&revoke.Executor{Client: c, Audit: log, NewMutationID: counter(), Backoff: noWait(&waits)}).Execute(t.Context(), plan)
		if results[0].Status != revoke.StatusRevoked || *results[0].ClientMutationID != "tokenctl-test-2" {
			t.Fatalf("%q (clientMutationId %s), want revoked by the second attempt", statuses(results), *results[0].ClientMutationID)
		}
		if n := srv.CountRequests(mutations); n != 2 {
			t.Errorf("%d mutations sent, want 2", n)
		}
		if n := srv.RevocationCount("acme", et.CIDeployBotUUID); n != 1 {
			t.Errorf("revoked %d times", n)
		}
		if len(waits) != 1 || waits[0] <= 0 {
			t.Errorf("waits before sending again = %v, want one backoff wait", waits)
		}
		var got []string
		for _, r := range audittest.Records(t, path) {
			got = append(got, fmt.Sprintf("%s %s %s", r.Event, r.ClientMutationID, r.Result))
		}
		want := []string{"intent tokenctl-test-1 ", "outcome tokenctl-test-1 failed", "intent tokenctl-test-2 ", "outcome tokenctl-test-2 revoked"}
		if !slices.Equal(got, want) {
			t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// Point 4: sending again is bounded by the retry policy; a mutation that
// never gets through ends failed, with the token untouched.
func TestExecuteGivesUpOnTheRetryPolicysBound(t *testing.T) {
	srv, c, _ := startWithTokens(t, 0, emulator.Options{})
	plan := resolveReq(t, c, revoke.Request{Tokens: parse(t, et.CIDeployBotUUID)})
	if err := srv.SetFaults([]emulator.Fault{{Kind: emulator.FaultDropBefore, Match: "mutation"}}); err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	results := (&revoke.Executor{Client: c, Backoff: noWait(&waits)}).Execute(t.Context(), plan)
	if results[0].Status != revoke.StatusFailed || !strings.Contains(*results[0].Error, "still has access") {
		t.Fatalf("%q, want failed", statuses(results))
	}
	if n := srv.CountRequests(mutations); n != 1+transport.DefaultMaxRetries {
		t.Errorf("%d mutations sent, want %d", n, 1+transport.DefaultMaxRetries)
	}
	if !srv.TokenHasOrg(et.CIDeployBotUUID, "acme") {
		t.Error("the token lost its access")
	}
}

// Point 10: with AllowSelf, the tool's own token is revoked after every
// other token, so losing its access cannot cut the batch short.
func TestExecuteRevokesOwnTokenLast(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		srv, c, _ := startWithTokens(t, 0, emulator.Options{IDFormat: format})
		plan := resolveReq(t, c, revoke.Request{AllowSelf: true,
			Tokens: parse(t, tokenID(srv, et.DemoTokenUUID), et.CIDeployBotUUID, et.OldLaptopTokenUUID, et.HackathonTokenUUID)})
		results := (&revoke.Executor{Client: c, Concurrency: 1, NewMutationID: counter()}).Execute(t.Context(), plan)
		if n := countStatus(results, revoke.StatusRevoked); n != 4 {
			t.Fatalf("%d of 4 revoked: %q", n, statuses(results))
		}
		if id := *results[0].ClientMutationID; id != "tokenctl-test-4" {
			t.Errorf("own token sent as %s, want last (tokenctl-test-4)", id)
		}
		if srv.TokenHasOrg(et.DemoTokenUUID, "acme") {
			t.Error("own token still has access")
		}
	})
}

// Point 10 at full concurrency: the own token's mutation is not sent
// alongside the others (it would cut off those sent after it finished),
// but alone, after all of them.
func TestExecuteOwnTokenWaitsForTheOthers(t *testing.T) {
	srv, c, refs := startWithTokens(t, 6, emulator.Options{Faults: slowMutations})
	refs = append(parse(t, et.DemoTokenUUID), refs...)
	plan := resolveReq(t, c, revoke.Request{AllowSelf: true, Tokens: refs})
	srv.ResetRequests()
	results := (&revoke.Executor{Client: c, Concurrency: 4, NewMutationID: counter()}).Execute(t.Context(), plan)
	if n := countStatus(results, revoke.StatusRevoked); n != len(refs) {
		t.Fatalf("%d of %d revoked: %q", n, len(refs), statuses(results))
	}
	if id := *results[0].ClientMutationID; id != fmt.Sprintf("tokenctl-test-%d", len(refs)) {
		t.Errorf("own token sent as %s, want last of %d", id, len(refs))
	}
	if srv.TokenHasOrg(et.DemoTokenUUID, "acme") {
		t.Error("own token still has access")
	}
}

// pagedClient is a client of srv listing two tokens a page, so that
// stopping early shows in the request count.
func pagedClient(srv *et.Server) *buildkite.Client {
	return buildkite.New(buildkite.Config{
		GraphQLEndpoint: srv.GraphQLEndpoint, RESTEndpoint: srv.RESTEndpoint, Token: et.DemoToken,
		PageSize: 2,
	})
}

func listings(srv *et.Server) int {
	return srv.CountRequests(func(r emulator.Request) bool { return r.OperationType == "query" })
}

// Point 1, the cost of ids: a token named by id is sent only once the
// listing has shown that id for a token that is not the caller's own; the
// listing reads on past the caller's own token (an id unlike it proves
// nothing) and stops at the last named token. An id the listing never
// shows is not-found and never sent. A spelling of the own token's id is
// recognised either way.
func TestResolveByIDListsUntilTheNamedToken(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		// The caller's token is the oldest, so it is listed first, as an
		// administrator's long-lived token tends to be.
		f := emulator.DemoFixture()
		for i := range f.Tokens {
			if f.Tokens[i].UUID == et.DemoTokenUUID {
				f.Tokens[i].CreatedAt = "now-3000d"
			}
		}
		srv := et.Start(t, emulator.Options{IDFormat: format, Fixture: f})
		c := pagedClient(srv)
		elsewhere := tokenID(srv, et.BootstrapTokenUUID) // globex only

		full := resolveReq(t, c, revoke.Request{Tokens: parse(t, elsewhere), FindAll: true})
		if st := full.Items[0].Status; st != revoke.StatusNotFound {
			t.Fatalf("FindAll: status %q, want not-found", st)
		}
		allPages := listings(srv)
		srv.ResetRequests()

		plan := resolveReq(t, c, revoke.Request{Tokens: parse(t, elsewhere)})
		if n := listings(srv); n != allPages {
			t.Errorf("%d listing requests, want the %d of the whole listing", n, allPages)
		}
		results := (&revoke.Executor{Client: c}).Execute(t.Context(), plan)
		if st := results[0].Status; st != revoke.StatusNotFound || plan.Items[0].TokenID != "" {
			t.Errorf("%q (%+v), want not-found from the listing", statuses(results), plan.Items[0])
		}
		if n := srv.CountRequests(mutations); n != 0 {
			t.Errorf("%d mutations for an id no listing showed, want none", n)
		}

		srv.ResetRequests()
		laptop := tokenID(srv, et.OldLaptopTokenUUID)
		plan = resolveReq(t, c, revoke.Request{Tokens: parse(t, laptop)})
		if it := plan.Items[0]; !it.Pending() || it.Self || it.TokenID != laptop || it.Token == nil {
			t.Fatalf("item %+v, want pending, as listed", it)
		}
		if n := listings(srv); n > allPages {
			t.Errorf("%d listing requests, want at most the %d of the whole listing", n, allPages)
		}

		own := tokenID(srv, et.DemoTokenUUID)
		if strings.HasSuffix(own, "=") {
			own += "=" // more padding than listed: not matched, but recognised
		}
		if it := resolveReq(t, c, revoke.Request{Tokens: parse(t, own)}).Items[0]; it.Status != revoke.StatusRefused {
			t.Errorf("own token's id %q: status %q, want refused", own, it.Status)
		}
	})
}
