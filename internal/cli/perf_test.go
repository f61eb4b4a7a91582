package cli

import (
	"io/fs"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

// Round trips are tokenctl's speed: these tests pin how many requests each
// job sends, read from the emulator's request log. Wall time is measured by
// `make bench`, never here.

// perfOrgHarness serves the demo seed with acme grown to orgSize tokens and
// returns the uuids acme lists, in paging order, without the caller's.
func perfOrgHarness(t *testing.T, orgSize int, opts emulator.Options) (*harness, []string) {
	t.Helper()
	return perfOrgHarnessWith(t, orgSize, opts, newHarness)
}

// perfOrgHarnessWith is perfOrgHarness on the harness start makes.
func perfOrgHarnessWith(t *testing.T, orgSize int, opts emulator.Options, start func(*testing.T, emulator.Options) *harness) (*harness, []string) {
	t.Helper()
	fx := emulator.DemoFixture()
	demo, err := emulator.New(emulator.Options{Fixture: emulator.DemoFixture()})
	if err != nil {
		t.Fatal(err)
	}
	fx.AddGeneratedTokens(et.DemoOrgSlug, orgSize-len(demo.Tokens(et.DemoOrgSlug)), et.DemoAdminEmail)
	opts.Fixture = fx
	h := start(t, opts)
	listed := h.srv.Tokens(et.DemoOrgSlug)
	if len(listed) != orgSize {
		t.Fatalf("acme lists %d tokens, want %d", len(listed), orgSize)
	}
	var targets []string
	for _, u := range listed {
		if u != et.DemoTokenUUID {
			targets = append(targets, u)
		}
	}
	return h, targets
}

func restRequests(h *harness) int {
	return h.srv.CountRequests(func(r emulator.Request) bool { return r.Kind == emulator.KindREST })
}

func throttled(h *harness) int {
	return h.srv.CountRequests(func(r emulator.Request) bool { return r.Status == http.StatusTooManyRequests })
}

func revokeArgs(tokens []string, extra ...string) []string {
	args := []string{"revoke", "--org", et.DemoOrgSlug, "-o", "json"}
	for _, u := range tokens {
		args = append(args, "--token", u)
	}
	return append(args, extra...)
}

func mustRevokeAll(t *testing.T, h *harness, r result, tokens []string) {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("revoke failed:\n%s", r)
	}
	if s := decodeReport(t, r).Summary; s.Revoked != len(tokens) {
		t.Fatalf("revoked %d of %d: %+v", s.Revoked, len(tokens), s)
	}
	for _, u := range tokens {
		if n := h.srv.RevocationCount(et.DemoOrgSlug, u); n != 1 {
			t.Errorf("token %s revoked %d times, want once", u, n)
		}
	}
}

// By slug and uuid: the organization comes with the first page, then the
// mutation; the self-check is the only REST request.
func TestPerfSingleRevokeBySlugAndUUID(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	mustRevokeAll(t, h, h.run(revokeArgs([]string{et.CIDeployBotUUID})...), []string{et.CIDeployBotUUID})
	if g, r := h.graphQLRequests(), restRequests(h); g != 2 || r != 1 {
		t.Errorf("%d GraphQL and %d REST requests, want 2 and 1", g, r)
	}
	if n := h.requests("OrganizationTokensBySlug"); n != 1 {
		t.Errorf("%d listing requests, want 1 (the organization comes with it)", n)
	}
}

// By ids the token is still looked up (the listing is the only place the
// server says which token an id is, which the self-check needs): the
// first page, alongside the self-check, then the mutation.
func TestPerfSingleRevokeByIDs(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	orgID := emulator.NodeID("Organization", et.AcmeOrgUUID)
	tokenID := emulator.NodeID("APIAccessToken", et.CIDeployBotUUID)
	r := h.run("revoke", "--org", orgID, "--token", tokenID, "-o", "json")
	mustRevokeAll(t, h, r, []string{et.CIDeployBotUUID})
	if g, r := h.graphQLRequests(), restRequests(h); g != 2 || r != 1 {
		t.Errorf("%d GraphQL and %d REST requests, want 2 and 1", g, r)
	}
	if n := h.requests("RevokeAPIAccessToken"); n != 1 {
		t.Errorf("%d mutations, want 1", n)
	}
}

// The self-check overlaps the listing instead of adding a round trip: with
// both held by the emulator, they must be in flight together.
func TestPerfSelfCheckRunsAlongsideTheListing(t *testing.T) {
	hold := 150 * time.Millisecond
	h := newHarness(t, emulator.Options{Faults: []emulator.Fault{
		{Kind: emulator.FaultLatency, Match: "rest", Delay: hold},
		{Kind: emulator.FaultLatency, Match: "OrganizationTokensBySlug", Delay: hold},
	}})
	mustRevokeAll(t, h, h.run(revokeArgs([]string{et.CIDeployBotUUID})...), []string{et.CIDeployBotUUID})
	if n := h.srv.MaxInFlight(); n != 2 {
		t.Errorf("at most %d requests were in flight at once; the self-check and the listing must overlap (2)", n)
	}
}

// A token on the last page of a large organization costs one request per
// page at the default page size, and not one more.
func TestPerfTokenOnTheLastPage(t *testing.T) {
	const orgSize = 5000
	h, targets := perfOrgHarness(t, orgSize, emulator.Options{})
	last := targets[len(targets)-1]
	mustRevokeAll(t, h, h.run(revokeArgs([]string{last})...), []string{last})
	pages := (orgSize + buildkite.DefaultPageSize - 1) / buildkite.DefaultPageSize
	if n := h.requests("OrganizationTokensBySlug"); n != pages {
		t.Errorf("%d listing requests, want %d (%d tokens, %d a page)", n, pages, orgSize, buildkite.DefaultPageSize)
	}
	if g := h.graphQLRequests(); g != pages+1 {
		t.Errorf("%d GraphQL requests, want %d pages and the mutation", g, pages+1)
	}
}

// Bulk: one listing for the whole batch, ending at the page where the last
// wanted token is, then one mutation per token, never more in flight than
// --concurrency.
func TestPerfBulkRevoke(t *testing.T) {
	const orgSize, pageSize, concurrency = 300, 50, 3
	h, all := perfOrgHarness(t, orgSize, emulator.Options{Faults: []emulator.Fault{
		// Long enough that mutations sent together are seen together.
		{Kind: emulator.FaultLatency, Match: "mutation", Delay: 20 * time.Millisecond},
	}})
	// 15 tokens spread over the first 200: page 5 of 6 is never needed.
	var tokens []string
	for i := 12; i < 200; i += 13 {
		tokens = append(tokens, all[i])
	}
	r := h.run(revokeArgs(tokens, "--page-size", strconv.Itoa(pageSize), "--concurrency", strconv.Itoa(concurrency))...)
	mustRevokeAll(t, h, r, tokens)
	if n := h.requests("OrganizationTokensBySlug"); n != 4 {
		t.Errorf("%d listing requests, want 4 (the last wanted token is on page 4 of %d)", n, orgSize/pageSize)
	}
	if n := h.requests("RevokeAPIAccessToken"); n != len(tokens) {
		t.Errorf("%d mutations, want %d", n, len(tokens))
	}
	if n := restRequests(h); n != 1 {
		t.Errorf("%d REST requests, want the one self-check", n)
	}
	if n := h.srv.MaxInFlight(); n != concurrency {
		t.Errorf("at most %d requests were in flight at once, want --concurrency %d", n, concurrency)
	}
}

// With a budget far too small for the run, tokenctl paces itself: every
// token is revoked and Buildkite never has to say 429.
func TestPerfBulkRevokeStaysUnderTheRateLimit(t *testing.T) {
	const orgSize, pageSize = 60, 60
	listingCost := 2*pageSize + 3 // organization, connection, pageInfo; token and owner per node
	h, all := perfOrgHarnessWith(t, orgSize, emulator.Options{
		// The listing leaves room for 6 mutations; the rest wait for the
		// next one-second window, which passes on the runs' clock as
		// tokenctl waits.
		RateLimit:  listingCost + 6,
		RateWindow: time.Second,
		Faults: []emulator.Fault{
			{Kind: emulator.FaultLatency, Match: "mutation", Delay: 30 * time.Millisecond},
		},
	}, newHarnessOnClock)
	tokens := all[:24]
	r := h.run(revokeArgs(tokens, "--page-size", strconv.Itoa(pageSize), "--concurrency", "8")...)
	mustRevokeAll(t, h, r, tokens)
	if n := throttled(h); n != 0 {
		t.Errorf("%d requests were answered 429; tokenctl should have waited for the budget", n)
	}
	if n := h.requests("RevokeAPIAccessToken"); n != len(tokens) {
		t.Errorf("%d mutations sent, want exactly %d", n, len(tokens))
	}
}

// With --debug both APIs' requests are traced whole, on one stream.
func TestPerfDebugTracesBothAPIs(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run(revokeArgs([]string{et.CIDeployBotUUID}, "--debug")...)
	mustRevokeAll(t, h, r, []string{et.CIDeployBotUUID})
	mustContain(t, "debug trace", r.stderr, "GET "+h.srv.RESTEndpoint+"/v2/access-token", "OrganizationTokensBySlug", "RevokeAPIAccessToken")
}

// version and --help must not touch the network or the config file: they
// run before anything is configured and must start instantly.
func TestPerfVersionAndHelpTouchNothing(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--help"}, {"revoke", "--help"}} {
		h := newHarness(t, emulator.Options{})
		if r := h.run(args...); r.code != 0 || r.stdout == "" {
			t.Fatalf("%v:\n%s", args, r)
		}
		if n := h.srv.CountRequests(nil); n != 0 {
			t.Errorf("%v sent %d requests", args, n)
		}
		var written []string
		err := filepath.WalkDir(h.env["XDG_CONFIG_HOME"], func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				written = append(written, path)
			}
			return err
		})
		if err != nil || len(written) > 0 {
			t.Errorf("%v wrote to the config directory: %v %v", args, written, err)
		}
	}
}
