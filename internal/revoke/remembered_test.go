package revoke_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/audit/audittest"
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

// learn is a dry run naming the given tokens by id: its listing shows
// their ids for tokens that are not tokenctl's own, which a later run
// naming them may rely on without listing.
func learn(t *testing.T, srv *et.Server, c *buildkite.Client, uuids ...string) {
	t.Helper()
	var ids []string
	for _, u := range uuids {
		ids = append(ids, tokenID(srv, u))
	}
	plan := resolveReq(t, c, revoke.Request{Org: acmeByID(srv), Tokens: parse(t, ids...), FindAll: true})
	for _, it := range plan.Items {
		if !it.Pending() {
			t.Fatalf("dry run: %+v, want pending", it)
		}
	}
	srv.ResetRequests()
}

func requestsOfKind(srv *et.Server, kind string) int {
	return srv.CountRequests(func(r emulator.Request) bool { return r.Kind == kind })
}

// The repeat run by ids, after a dry run listed the named token, sends
// exactly one GraphQL request, the mutation, and no REST request; the row and the audit log are as true as ever,
// with the token's description and owner unknown (nothing was listed).
func TestRepeatRunByIDsSendsOnlyTheMutation(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		srv := et.Start(t, emulator.Options{IDFormat: format})
		c := cachedClient(srv, t.TempDir())
		firstRunByIDs(t, srv, c)
		learn(t, srv, c, et.OldLaptopTokenUUID)

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

		recs := audittest.Records(t, path)
		if len(recs) != 2 || recs[0].Event != audit.EventIntent || recs[1].Event != audit.EventOutcome || recs[1].Result != "revoked" {
			t.Fatalf("audit log %+v, want an intent and a revoked outcome", recs)
		}
		for _, rec := range recs {
			if rec.Organization.ID != acmeByID(srv).ID || rec.Token.ID != id || rec.Token.UUID != et.OldLaptopTokenUUID || rec.ClientMutationID == "" ||
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
// an id listed before for a token that has since lost its access is
// not-found from the mutation's answer, confirmed by a re-check (exit 4), each row as a run that
// lists reports it, and a lost answer for a token not listed in this run
// is unknown, never revoked; the audit log says the same. An id no earlier
// listing showed is looked up.
func TestRepeatRunByIDsReportsWhatTheListingWouldHave(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		srv := et.Start(t, emulator.Options{IDFormat: format})
		c := cachedClient(srv, t.TempDir())
		firstRunByIDs(t, srv, c)
		learn(t, srv, c, et.OldLaptopTokenUUID)

		revokedBefore := tokenID(srv, et.CIDeployBotUUID) // the first run's
		log, path := openAudit(t)
		plan := resolveReq(t, c, revoke.Request{Org: acmeByID(srv), Tokens: parse(t, revokedBefore)})
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
		// The run skips the listing, but the mutation's not-found is
		// not taken on its word: one listing re-checks it.
		if q := listings(srv); q != 1 {
			t.Errorf("%d listings, want one: the re-check of the mutation's not-found", q)
		}
		recs := audittest.Records(t, path)
		if len(recs) != 2 {
			t.Fatalf("%d audit records, want an intent and an outcome", len(recs))
		}
		for _, rec := range recs {
			if rec.Token.UUID != et.CIDeployBotUUID || (rec.Event == audit.EventOutcome && rec.Result != string(revoke.StatusNotFound)) {
				t.Errorf("audit record %+v, want the token's uuid and a not-found outcome", rec)
			}
		}

		// Each row is what a run that lists reports.
		elsewhere := tokenID(srv, et.BootstrapTokenUUID) // globex only, never listed in acme
		never := tokenID(srv, "00000000-0000-4000-8000-00000000dead")
		listing := buildkite.New(buildkite.Config{
			GraphQLEndpoint: srv.GraphQLEndpoint, RESTEndpoint: srv.RESTEndpoint, Token: et.DemoToken,
			Transport: transport.Options{},
		})
		names := parse(t, revokedBefore, elsewhere, never)
		srv.ResetRequests()
		remembered := (&revoke.Executor{Client: c}).Execute(t.Context(), resolveReq(t, c, revoke.Request{Org: acmeByID(srv), Tokens: names}))
		if listings(srv) == 0 {
			t.Error("ids no listing showed were not looked up")
		}
		listed := (&revoke.Executor{Client: listing}).Execute(t.Context(), resolveReq(t, listing, revoke.Request{Org: acmeByID(srv), Tokens: names}))
		for i := range names {
			if remembered[i].Status != listed[i].Status || remembered[i].Status != revoke.StatusNotFound {
				t.Errorf("%s: %s remembered, %s listed; want not-found both", names[i], remembered[i].Status, listed[i].Status)
			}
		}
		if srv.TokenHasOrg(et.BootstrapTokenUUID, "acme") || !srv.TokenHasOrg(et.BootstrapTokenUUID, "globex") {
			t.Error("the globex token's access changed")
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
		if recs := audittest.Records(t, path); len(recs) != 2 || recs[1].Result != string(revoke.StatusUnknown) || recs[1].Token.UUID != et.OldLaptopTokenUUID {
			t.Errorf("audit log %+v, want an intent and an unknown outcome with the token's uuid", recs)
		}
	})
}

// The identity cache never lets tokenctl revoke its own token when the
// server spells ids anew (listings show new ids, old spellings are still
// accepted): the own token named by either spelling, whichever the cache
// learnt, is refused, and other tokens are still revoked.
func TestRespelledIDsNeverRevokeTheOwnToken(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		for _, learntAfter := range []bool{false, true} {
			srv := et.Start(t, emulator.Options{IDFormat: format})
			c := cachedClient(srv, t.TempDir())
			oldOwn, oldOrg := tokenID(srv, et.DemoTokenUUID), acmeByID(srv)
			if !learntAfter {
				firstRunByIDs(t, srv, c) // the cache learns the old spellings
				learn(t, srv, c, et.OldLaptopTokenUUID)
			}
			srv.RespellIDs()
			newOwn, newOrg := tokenID(srv, et.DemoTokenUUID), acmeByID(srv)
			if newOwn == oldOwn {
				t.Fatal("ids not re-spelled")
			}
			if learntAfter {
				firstRunByIDs(t, srv, c) // the cache learns the new spellings
				learn(t, srv, c, et.OldLaptopTokenUUID)
			}
			for _, org := range []ident.Org{oldOrg, newOrg} {
				for _, own := range []string{oldOwn, newOwn} {
					plan := resolveReq(t, c, revoke.Request{Org: org, Tokens: parse(t, own)})
					results := (&revoke.Executor{Client: c}).Execute(t.Context(), plan)
					if results[0].Status == revoke.StatusRevoked || !srv.TokenHasOrg(et.DemoTokenUUID, "acme") {
						t.Fatalf("learnt after: %v, org %s, own token named %s: %q; tokenctl revoked its own token", learntAfter, org.ID, own, statuses(results))
					}
					if revoke.ExitCode(results, false) == exitcode.OK {
						t.Errorf("own token named %s: exit 0", own)
					}
				}
			}
			if n := srv.CountRequests(mutations); n != 0 {
				t.Errorf("learnt after: %v: %d mutations sent for the own token, want none", learntAfter, n)
			}

			// Another token, by its new id and by its old one when an
			// earlier listing showed it: still revoked.
			laptop := tokenID(srv, et.OldLaptopTokenUUID)
			plan := resolveReq(t, c, revoke.Request{Org: newOrg, Tokens: parse(t, laptop)})
			if results := (&revoke.Executor{Client: c}).Execute(t.Context(), plan); results[0].Status != revoke.StatusRevoked {
				t.Errorf("learnt after: %v: another token by its new id: %q, want revoked", learntAfter, statuses(results))
			}
			hack := tokenID(srv, et.HackathonTokenUUID)
			plan = resolveReq(t, c, revoke.Request{Org: newOrg, Tokens: parse(t, hack)})
			if results := (&revoke.Executor{Client: c}).Execute(t.Context(), plan); results[0].Status != revoke.StatusRevoked {
				t.Errorf("learnt after: %v: a token never listed before, by its new id: %q, want revoked", learntAfter, statuses(results))
			}
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
