package revoke_test

import (
	"context"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/revoke"
	"github.com/tokenctl/tokenctl/internal/transport"
)

// startWithTokens serves the demo seed plus n generated acme tokens and
// returns the emulator, a client built the way the CLI builds it, and the
// generated tokens' uuids.
func startWithTokens(t *testing.T, n int, opts emulator.Options) (*et.Server, *buildkite.Client, []ident.Token) {
	t.Helper()
	f := emulator.DemoFixture()
	first := len(f.Tokens)
	f.AddGeneratedTokens(et.DemoOrgSlug, n, et.DemoAdminEmail)
	opts.Fixture = f
	srv := et.Start(t, opts)
	c := buildkite.New(buildkite.Config{
		GraphQLEndpoint: srv.GraphQLEndpoint,
		RESTEndpoint:    srv.RESTEndpoint,
		Token:           et.DemoToken,
	})
	var refs []ident.Token
	for _, tok := range f.Tokens[first:] {
		ref, err := ident.ParseToken(tok.UUID)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, ref)
	}
	return srv, c, refs
}

func resolve(t *testing.T, c *buildkite.Client, refs []ident.Token) *revoke.Plan {
	t.Helper()
	plan, err := revoke.Resolve(t.Context(), c, revoke.Request{Org: ident.Org{Slug: et.DemoOrgSlug}, Tokens: refs})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(plan.Pending()); n != len(refs) {
		t.Fatalf("plan has %d pending items, want %d", n, len(refs))
	}
	return plan
}

// statuses lists the outcome of each result, for failure messages.
func statuses(results []revoke.Result) []string {
	out := make([]string, len(results))
	for i, r := range results {
		out[i] = r.Requested + ": " + string(r.Status)
		if r.Error != nil {
			out[i] += " (" + *r.Error + ")"
		}
	}
	return out
}

func countStatus(results []revoke.Result, s revoke.Status) int {
	n := 0
	for _, r := range results {
		if r.Status == s {
			n++
		}
	}
	return n
}

// slowMutations holds every mutation long enough that mutations sent
// together are seen in flight together.
var slowMutations = []emulator.Fault{{Kind: emulator.FaultLatency, Match: "mutation", Delay: 30 * time.Millisecond}}

func mutations(r emulator.Request) bool { return r.OperationType == "mutation" }

func TestExecuteKeepsConcurrencyMutationsInFlight(t *testing.T) {
	srv, c, refs := startWithTokens(t, 12, emulator.Options{Faults: slowMutations})
	plan := resolve(t, c, refs)
	srv.ResetRequests()

	exec := &revoke.Executor{Client: c, Concurrency: 3, RateLimit: c.RateLimit}
	results := exec.Execute(t.Context(), plan)
	if n := countStatus(results, revoke.StatusRevoked); n != len(refs) {
		t.Fatalf("%d of %d revoked: %q", n, len(refs), statuses(results))
	}
	if n := srv.CountRequests(mutations); n != len(refs) {
		t.Errorf("%d mutations sent, want %d", n, len(refs))
	}
	// The default budget covers the run, so the full concurrency is used,
	// and never exceeded.
	if got := srv.MaxInFlight(); got != 3 {
		t.Errorf("at most %d mutations were in flight at once, want exactly 3", got)
	}
}

func TestExecuteGoesOneAtATimeWhenTheBudgetRunsShort(t *testing.T) {
	srv, c, refs := startWithTokens(t, 8, emulator.Options{Faults: slowMutations})
	plan := resolve(t, c, refs)
	srv.ResetRequests()

	// One point left for eight mutations: the reset is far off, so the
	// transport will pace them; more in flight would only overspend.
	lowBudget := func() transport.RateLimitState {
		return transport.RateLimitState{Known: true, Remaining: 1, Limit: 50000, Reset: time.Now().Add(time.Minute)}
	}
	exec := &revoke.Executor{Client: c, Concurrency: 4, RateLimit: lowBudget}
	results := exec.Execute(t.Context(), plan)
	if n := countStatus(results, revoke.StatusRevoked); n != len(refs) {
		t.Fatalf("%d of %d revoked: %q", n, len(refs), statuses(results))
	}
	if got := srv.MaxInFlight(); got != 1 {
		t.Errorf("%d mutations were in flight at once, want 1 while the budget is short", got)
	}
}

func TestExecuteSendsNothingWhileTheBudgetIsSpent(t *testing.T) {
	srv, c, refs := startWithTokens(t, 3, emulator.Options{})
	plan := resolve(t, c, refs)
	srv.ResetRequests()

	spent := func() transport.RateLimitState {
		return transport.RateLimitState{Known: true, Remaining: 0, Limit: 50000, Reset: time.Now().Add(time.Minute)}
	}
	// The user gives up while tokenctl waits for the budget to refill.
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	exec := &revoke.Executor{Client: c, Concurrency: 4, RateLimit: spent}
	results := exec.Execute(ctx, plan)
	if n := countStatus(results, revoke.StatusSkipped); n != len(refs) {
		t.Errorf("%d of %d reported skipped (not sent): %q", n, len(refs), statuses(results))
	}
	if n := srv.CountRequests(nil); n != 0 {
		t.Errorf("%d requests sent while the budget was spent", n)
	}
	for _, ref := range refs {
		if !srv.TokenHasOrg(ref.UUID, et.DemoOrgSlug) {
			t.Errorf("token %s was revoked although nothing should have been sent", ref.UUID)
		}
	}
}

func TestExecuteResumesWhenTheBudgetRefills(t *testing.T) {
	srv, c, refs := startWithTokens(t, 3, emulator.Options{})
	plan := resolve(t, c, refs)
	srv.ResetRequests()

	refill := time.Now().Add(50 * time.Millisecond)
	spentUntilRefill := func() transport.RateLimitState {
		return transport.RateLimitState{Known: true, Remaining: 0, Limit: 50000, Reset: refill}
	}
	exec := &revoke.Executor{Client: c, Concurrency: 4, RateLimit: spentUntilRefill}
	results := exec.Execute(t.Context(), plan)
	if n := countStatus(results, revoke.StatusRevoked); n != len(refs) {
		t.Fatalf("%d of %d revoked after the refill: %q", n, len(refs), statuses(results))
	}
	for _, r := range srv.Requests() {
		if r.Time.Before(refill) {
			t.Errorf("%s sent at %s, before the budget refilled at %s", r.Operation, r.Time.Format(time.StampMicro), refill.Format(time.StampMicro))
		}
	}
}
