package revoke_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
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

// gateClock is the executor's clock in the rate-limit tests. Its sleep
// moves the time it tells by the length asked for and returns at once,
// unless hold is set: then it reports the wait on asleep and returns only
// when its context ends. Each test also bounds the run in real time, so
// that an executor waiting on a real timer (minutes) fails instead of
// passing slowly.
type gateClock struct {
	mu     sync.Mutex
	now    time.Time
	frozen bool // sleeping does not move the time told
	waits  []time.Duration
	hold   bool
	asleep chan time.Duration
}

func newGateClock() *gateClock {
	return &gateClock{now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC), asleep: make(chan time.Duration, 1)}
}

func (c *gateClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *gateClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	if !c.frozen && !c.hold {
		c.now = c.now.Add(d)
	}
	c.mu.Unlock()
	if c.hold {
		c.asleep <- d
		<-ctx.Done()
		return ctx.Err()
	}
	return ctx.Err()
}

func (c *gateClock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.waits)
}

// realBound is how long, in real time, a run that waits only on its own
// clock may take.
const realBound = 20 * time.Second

func TestExecuteSendsNothingWhileTheBudgetIsSpent(t *testing.T) {
	srv, c, refs := startWithTokens(t, 3, emulator.Options{})
	plan := resolve(t, c, refs)
	srv.ResetRequests()

	clock := newGateClock()
	clock.hold = true
	reset := clock.Now().Add(time.Minute)
	spent := func() transport.RateLimitState {
		return transport.RateLimitState{Known: true, Remaining: 0, Limit: 50000, Reset: reset}
	}
	// The user gives up while tokenctl waits for the budget to refill.
	ctx, cancel := context.WithTimeout(t.Context(), realBound)
	defer cancel()
	exec := &revoke.Executor{Client: c, Concurrency: 4, RateLimit: spent, Now: clock.Now, Sleep: clock.Sleep}
	go func() {
		select {
		case d := <-clock.asleep:
			if d != time.Minute {
				t.Errorf("the gate waited %s, want the minute until the reset", d)
			}
		case <-ctx.Done():
			t.Error("the gate never waited on the executor's clock")
		}
		cancel()
	}()
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

// A spent budget is waited out once, on the executor's clock, and the run
// goes on from the reset: whether that clock has moved on by then (as a
// real one has) or not.
func TestExecuteResumesWhenTheBudgetRefills(t *testing.T) {
	for _, frozen := range []bool{false, true} {
		t.Run(fmt.Sprintf("frozen=%t", frozen), func(t *testing.T) {
			clock := newGateClock()
			clock.frozen = frozen
			srv, c, refs := startWithTokens(t, 3, emulator.Options{Now: clock.Now})
			plan := resolve(t, c, refs)
			srv.ResetRequests()

			// Four minutes: within the five-minute window the gate trusts.
			refill := clock.Now().Add(4 * time.Minute)
			spentUntilRefill := func() transport.RateLimitState {
				return transport.RateLimitState{Known: true, Remaining: 0, Limit: 50000, Reset: refill}
			}
			ctx, cancel := context.WithTimeout(t.Context(), realBound)
			defer cancel()
			exec := &revoke.Executor{Client: c, Concurrency: 4, RateLimit: spentUntilRefill, Now: clock.Now, Sleep: clock.Sleep}
			results := exec.Execute(ctx, plan)
			if n := countStatus(results, revoke.StatusRevoked); n != len(refs) {
				t.Fatalf("%d of %d revoked after the refill: %q", n, len(refs), statuses(results))
			}
			if got := clock.slept(); !slices.Equal(got, []time.Duration{4 * time.Minute}) {
				t.Errorf("the gate waited %v, want once, the four minutes until the reset", got)
			}
			if frozen {
				return
			}
			for _, r := range srv.Requests() {
				if r.Time.Before(refill) {
					t.Errorf("%s sent at %s, before the budget refilled at %s", r.Operation, r.Time.Format(time.StampMicro), refill.Format(time.StampMicro))
				}
			}
		})
	}
}
