package revoke_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/identitycache"
	"github.com/tokenctl/tokenctl/internal/revoke"
	"github.com/tokenctl/tokenctl/internal/transport"
)

// A run that lists an organization remembers, with which token tokenctl is
// using, the id under which the listing showed that token. A later run
// naming the organization and every token by id then knows what the
// listing would have told it, and sends only its mutations. These tests
// read the emulator's request log.

// cachedClient is a client of srv that remembers what it learns in dir,
// as tokenctl's commands do without --no-cache.
func cachedClient(srv *et.Server, dir string) *buildkite.Client {
	return buildkite.New(buildkite.Config{
		GraphQLEndpoint: srv.GraphQLEndpoint, RESTEndpoint: srv.RESTEndpoint, Token: et.DemoToken,
		Transport:  transport.Options{},
		Identities: identitycache.New(dir),
	})
}

// acmeByID is acme named by the id the server gives it.
func acmeByID(srv *et.Server) ident.Org {
	return ident.Org{ID: srv.NodeID(emulator.TypeOrganization, et.AcmeOrgUUID)}
}

// firstRunByIDs revokes the CI deploy bot by ids: the run that lists acme
// and learns the id of tokenctl's own token there.
func firstRunByIDs(t *testing.T, srv *et.Server, c *buildkite.Client) {
	t.Helper()
	plan := resolveReq(t, c, revoke.Request{Org: acmeByID(srv), Tokens: parse(t, tokenID(srv, et.CIDeployBotUUID))})
	if results := (&revoke.Executor{Client: c}).Execute(t.Context(), plan); results[0].Status != revoke.StatusRevoked {
		t.Fatalf("first run: %q", statuses(results))
	}
	if listings(srv) == 0 {
		t.Fatal("the first run did not list the organization")
	}
	srv.ResetRequests()
}

func requestsOfKind(srv *et.Server, kind string) int {
	return srv.CountRequests(func(r emulator.Request) bool { return r.Kind == kind })
}

// The repeat run by ids sends exactly one GraphQL request, the mutation,
// and no REST request; the row and the audit log are as true as ever,
// with the token's description and owner unknown (nothing was listed).
func TestRepeatRunByIDsSendsOnlyTheMutation(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		srv := et.Start(t, emulator.Options{IDFormat: format})
		c := cachedClient(srv, t.TempDir())
		firstRunByIDs(t, srv, c)

		id := tokenID(srv, et.OldLaptopTokenUUID)
		plan := resolveReq(t, c, revoke.Request{Org: acmeByID(srv), Tokens: parse(t, id)})
		if n := srv.CountRequests(nil); n != 0 {
			t.Errorf("planning sent %d requests, want none", n)
		}
		log, path := openAudit(t)
		results := (&revoke.Executor{Client: c, Audit: log}).Execute(t.Context(), plan)
		r := results[0]
		if r.Status != revoke.StatusRevoked || *r.RevokedAPIAccessTokenID != id || r.Organization.ID != acmeByID(srv).ID {
			t.Fatalf("%q, want revoked", statuses(results))
		}
		if srv.TokenHasOrg(et.OldLaptopTokenUUID, "acme") {
			t.Error("the token still has access")
		}
		graphQL, rest := requestsOfKind(srv, emulator.KindGraphQL), requestsOfKind(srv, emulator.KindREST)
		if graphQL != 1 || srv.CountRequests(mutations) != 1 || rest != 0 {
			t.Errorf("the repeat run sent %d GraphQL (%d mutations) and %d REST requests, want the mutation alone",
				graphQL, srv.CountRequests(mutations), rest)
		}

		recs := readAudit(t, path)
		if len(recs) != 2 || recs[0].Event != audit.EventIntent || recs[1].Event != audit.EventOutcome || recs[1].Result != "revoked" {
			t.Fatalf("audit log %+v, want an intent and a revoked outcome", recs)
		}
		for _, rec := range recs {
			if rec.Organization.ID != acmeByID(srv).ID || rec.Token.ID != id || rec.ClientMutationID == "" ||
				rec.Caller.TokenUUID != et.DemoTokenUUID || rec.Caller.User != "Ada Admin <"+et.DemoAdminEmail+">" {
				t.Errorf("audit record %+v lacks what the mutation was about", rec)
			}
		}
	})
}

// An id equal to the remembered id of tokenctl's own token is that token:
// refused, without a request, however padded; with AllowSelf it is
// planned, as the listing gave it.
func TestRepeatRunByIDsRefusesOwnTokenWithoutARequest(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		srv := et.Start(t, emulator.Options{IDFormat: format})
		c := cachedClient(srv, t.TempDir())
		firstRunByIDs(t, srv, c)

		own := tokenID(srv, et.DemoTokenUUID)
		names := []string{own}
		if short := strings.TrimRight(own, "="); short != own {
			names = append(names, short, own+"=")
		}
		for _, name := range names {
			plan := resolveReq(t, c, revoke.Request{Org: acmeByID(srv), Tokens: parse(t, name)})
			results := (&revoke.Executor{Client: c}).Execute(t.Context(), plan)
			if it := plan.Items[0]; !it.Self || results[0].Status != revoke.StatusRefused {
				t.Errorf("%s: %q (self %v), want refused", name, statuses(results), it.Self)
			}
			if got := revoke.ExitCode(results, false); got != exitcode.Refused {
				t.Errorf("%s: exit %d, want %d", name, got, exitcode.Refused)
			}
		}
		if n := srv.CountRequests(nil); n != 0 {
			t.Errorf("%d requests sent, want none", n)
		}
		if !srv.TokenHasOrg(et.DemoTokenUUID, "acme") {
			t.Fatal("tokenctl's own token lost its access")
		}

		plan := resolveReq(t, c, revoke.Request{Org: acmeByID(srv), Tokens: parse(t, names[len(names)-1]), AllowSelf: true})
		if it := plan.Items[0]; !it.Pending() || !it.Self || it.TokenID != own {
			t.Errorf("with AllowSelf: %+v, want pending, self, sent as listed (%s)", it, own)
		}
	})
}

// What the skipped listing would have shown is still reported truthfully:
// an id that names no token of the organization is not-found from the
// mutation's answer (exit 4), each row as a run that lists reports it,
// and a lost answer for a token never listed is unknown, never revoked;
// the audit log says the same.
func TestRepeatRunByIDsReportsWhatTheListingWouldHave(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		srv := et.Start(t, emulator.Options{IDFormat: format})
		c := cachedClient(srv, t.TempDir())
		firstRunByIDs(t, srv, c)

		elsewhere := tokenID(srv, et.BootstrapTokenUUID)  // globex only
		revokedBefore := tokenID(srv, et.CIDeployBotUUID) // the first run's
		log, path := openAudit(t)
		plan := resolveReq(t, c, revoke.Request{Org: acmeByID(srv), Tokens: parse(t, elsewhere, revokedBefore)})
		results := (&revoke.Executor{Client: c, Audit: log}).Execute(t.Context(), plan)
		for _, r := range results {
			if r.Status != revoke.StatusNotFound || r.Error == nil || !strings.Contains(*r.Error, "tokenctl tokens list --org") {
				t.Errorf("%q, want not-found naming what to run", statuses(results))
				break
			}
		}
		if got := revoke.ExitCode(results, false); got != exitcode.NotFound {
			t.Errorf("exit %d, want %d", got, exitcode.NotFound)
		}
		if q := listings(srv); q != 0 {
			t.Errorf("%d queries, want none: Buildkite's answer to the mutation decides", q)
		}
		recs := readAudit(t, path)
		if len(recs) != 4 {
			t.Fatalf("%d audit records, want an intent and an outcome for each of 2 tokens", len(recs))
		}
		for _, rec := range recs {
			if rec.Event == audit.EventOutcome && rec.Result != string(revoke.StatusNotFound) {
				t.Errorf("audit outcome %+v, want not-found", rec)
			}
		}
		if srv.TokenHasOrg(et.BootstrapTokenUUID, "acme") || !srv.TokenHasOrg(et.BootstrapTokenUUID, "globex") {
			t.Error("the globex token's access changed")
		}

		// Each row is what a run that lists reports. The demo organization
		// fits one page, so there the listing itself proves an id absent;
		// an id the server never issued is the one row that differs: the
		// server's answer to the mutation decides it, as it does for a
		// run whose listing stops at tokenctl's own token. Either way it
		// is not revoked and the run does not exit 0.
		never := tokenID(srv, "00000000-0000-4000-8000-00000000dead")
		listing := buildkite.New(buildkite.Config{
			GraphQLEndpoint: srv.GraphQLEndpoint, RESTEndpoint: srv.RESTEndpoint, Token: et.DemoToken,
			Transport: transport.Options{},
		})
		names := parse(t, elsewhere, revokedBefore, never)
		remembered := (&revoke.Executor{Client: c}).Execute(t.Context(), resolveReq(t, c, revoke.Request{Org: acmeByID(srv), Tokens: names}))
		listed := (&revoke.Executor{Client: listing}).Execute(t.Context(), resolveReq(t, listing, revoke.Request{Org: acmeByID(srv), Tokens: names}))
		for i := range names[:2] {
			if remembered[i].Status != listed[i].Status {
				t.Errorf("%s: %s remembered, %s listed; want the same", names[i], remembered[i].Status, listed[i].Status)
			}
		}
		if r := remembered[2]; (r.Status != revoke.StatusNotFound && r.Status != revoke.StatusFailed) || r.Error == nil ||
			revoke.ExitCode(remembered[2:], false) == exitcode.OK {
			t.Errorf("an id never issued: %q, want not-found or failed, with Buildkite's answer", statuses(remembered[2:]))
		}

		// A lost answer: the re-check lists, finds the token gone, and
		// cannot tell that from a token that never existed.
		if err := srv.SetFaults([]emulator.Fault{{Kind: emulator.FaultDropAfter, Match: "mutation", Times: 1}}); err != nil {
			t.Fatal(err)
		}
		log, path = openAudit(t)
		plan = resolveReq(t, c, revoke.Request{Org: acmeByID(srv), Tokens: parse(t, tokenID(srv, et.OldLaptopTokenUUID))})
		results = (&revoke.Executor{Client: c, Audit: log}).Execute(t.Context(), plan)
		if results[0].Status != revoke.StatusUnknown || !strings.Contains(*results[0].Error, "tokenctl tokens get") {
			t.Fatalf("%q, want unknown naming what to run", statuses(results))
		}
		if recs := readAudit(t, path); len(recs) != 2 || recs[1].Result != string(revoke.StatusUnknown) {
			t.Errorf("audit log %+v, want an intent and an unknown outcome", recs)
		}
	})
}

// What needs the listing still reads it, remembered or not: a dry run
// (it reports the ids that do not exist before anything is sent), and a
// run without the cache (--no-cache).
func TestRepeatRunByIDsListsWhenItMust(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		srv := et.Start(t, emulator.Options{IDFormat: format})
		c := cachedClient(srv, t.TempDir())
		firstRunByIDs(t, srv, c)

		never := tokenID(srv, "00000000-0000-4000-8000-00000000dead")
		plan := resolveReq(t, c, revoke.Request{Org: acmeByID(srv), Tokens: parse(t, never), FindAll: true})
		if st := plan.Items[0].Status; st != revoke.StatusNotFound || listings(srv) == 0 {
			t.Errorf("dry run: status %q after %d listing requests, want not-found from the listing", st, listings(srv))
		}
		srv.ResetRequests()

		uncached := buildkite.New(buildkite.Config{
			GraphQLEndpoint: srv.GraphQLEndpoint, RESTEndpoint: srv.RESTEndpoint, Token: et.DemoToken,
			Transport: transport.Options{},
		})
		id := tokenID(srv, et.OldLaptopTokenUUID)
		plan = resolveReq(t, uncached, revoke.Request{Org: acmeByID(srv), Tokens: parse(t, id)})
		if !plan.Items[0].Pending() || listings(srv) == 0 || requestsOfKind(srv, emulator.KindREST) != 1 {
			t.Errorf("without the cache: %+v after %d listing and %d REST requests, want pending after both",
				plan.Items[0], listings(srv), requestsOfKind(srv, emulator.KindREST))
		}
		srv.ResetRequests()

		// A caller given by the command that is not the remembered one
		// gets nothing of what was learnt for the remembered one.
		var other buildkite.AccessToken
		other.UUID = et.AdaLaptopTokenUUID
		plan = resolveReq(t, c, revoke.Request{Org: acmeByID(srv), Tokens: parse(t, id), Caller: &other})
		if listings(srv) == 0 || plan.Caller.UUID != et.AdaLaptopTokenUUID {
			t.Errorf("another caller: %d listing requests, caller %s; want the listing", listings(srv), plan.Caller.UUID)
		}
	})
}

// The listing teaches the id of tokenctl's own token whatever the run
// names and however the answers race: here by uuid, with REST answering
// after the listing.
func TestListingTeachesOwnIDWhenRESTAnswersLast(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		srv := et.Start(t, emulator.Options{IDFormat: format,
			Faults: []emulator.Fault{{Kind: emulator.FaultLatency, Match: "rest", Delay: 150 * time.Millisecond}}})
		c := cachedClient(srv, t.TempDir())
		plan := resolveReq(t, c, revoke.Request{Org: acmeByID(srv), Tokens: parse(t, et.HackathonTokenUUID)})
		if !plan.Items[0].Pending() {
			t.Fatalf("first run: %+v", plan.Items[0])
		}
		srv.ResetRequests()

		plan = resolveReq(t, c, revoke.Request{Org: acmeByID(srv), Tokens: parse(t, tokenID(srv, et.DemoTokenUUID), tokenID(srv, et.HackathonTokenUUID))})
		if n := srv.CountRequests(nil); n != 0 {
			t.Errorf("the repeat run by ids sent %d requests while planning, want none", n)
		}
		if plan.Items[0].Status != revoke.StatusRefused || !plan.Items[1].Pending() {
			t.Errorf("plan: own token %q, other %q; want refused and pending", plan.Items[0].Status, plan.Items[1].Status)
		}
	})
}
