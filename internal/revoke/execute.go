package revoke

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/transport"
)

// Executor carries out a plan.
type Executor struct {
	Client      *buildkite.Client
	Concurrency int        // mutations in flight at once; default 4
	Audit       *audit.Log // nil: no audit trail
	DryRun      bool
	// NewMutationID makes each mutation's clientMutationId; tests may fix it.
	NewMutationID func() string
	// OnResult is called (from one goroutine at a time) as each token finishes.
	OnResult func(Result)
	// GraceTimeout bounds how long mutations already in flight may take to
	// finish after the run is interrupted.
	GraceTimeout time.Duration
	// RateLimit, when set, reports the rate-limit budget Buildkite last
	// announced (the transport's view, shared by every request). With it
	// the executor keeps fewer mutations in flight when the budget would
	// run out before the run does, and starts none while it is spent, so a
	// bulk run paces itself instead of collecting 429s. Holding mutations
	// here rather than in the transport also means an interrupted run
	// reports them as not sent.
	RateLimit func() transport.RateLimitState
}

// mutationCost is what one revocation takes from the GraphQL budget: the
// payload is one object (1 point) holding only scalars (0 points).
const mutationCost = 1

// maxBudgetWait is the longest the executor holds mutations for a spent
// budget to refill. Buildkite's window is five minutes; a reset announced
// further out is not trusted, and the transport's own bounded pacing
// takes over.
const maxBudgetWait = 5 * time.Minute

// NewMutationID is the default clientMutationId: unique per mutation and
// recognisable as tokenctl's in Buildkite's audit log.
func NewMutationID() string { return "tokenctl-" + uuid.NewString() }

// Execute revokes every pending item of the plan, at most Concurrency at a
// time (fewer when the rate-limit budget runs low, see RateLimit), and
// returns one result per item, in plan order. When ctx is cancelled no
// new mutation is sent; those in flight are allowed to finish (they cannot
// be called back anyway) so that their outcome is known and reported.
func (e *Executor) Execute(ctx context.Context, plan *Plan) []Result {
	results := make([]Result, len(plan.Items))
	var mu sync.Mutex
	report := func(i int, r Result) {
		mu.Lock()
		defer mu.Unlock()
		results[i] = r
		if e.OnResult != nil {
			e.OnResult(r)
		}
	}

	concurrency := e.Concurrency
	if concurrency <= 0 {
		concurrency = 4
	}
	newID := e.NewMutationID
	if newID == nil {
		newID = NewMutationID
	}
	grace := e.GraceTimeout
	if grace <= 0 {
		grace = 30 * time.Second
	}
	// In-flight mutations run on a context that survives Ctrl-C but not
	// forever.
	flightCtx, cancelFlight := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelFlight()
	go func() {
		select {
		case <-ctx.Done():
			t := time.NewTimer(grace)
			defer t.Stop()
			select {
			case <-t.C:
				cancelFlight()
			case <-flightCtx.Done():
			}
		case <-flightCtx.Done():
		}
	}()

	pending := 0
	for _, it := range plan.Items {
		if it.Pending() {
			pending++
		}
	}
	gate := newFlightGate(pending, func(unfinished int) (int, time.Duration) {
		return e.inFlightLimit(concurrency, unfinished, time.Now())
	})
	var wg sync.WaitGroup
	for i, it := range plan.Items {
		r := newResult(plan.Organization, it)
		if !it.Pending() {
			report(i, r)
			continue
		}
		if e.DryRun {
			r.Status = StatusDryRun
			report(i, r)
			continue
		}
		if !gate.admit(ctx) {
			r.Status = StatusSkipped
			r.Error = strPtr("not sent: the run was interrupted first")
			report(i, r)
			continue
		}
		wg.Add(1)
		go func(i int, it *Item, r Result) {
			defer wg.Done()
			defer gate.done()
			// The mutation outlives Ctrl-C once on the wire, but not
			// while it only waits to be sent (pacing, a 429).
			report(i, e.revokeOne(transport.WithInterrupt(flightCtx, ctx), plan, it, r, newID()))
		}(i, it, r)
	}
	wg.Wait()
	return results
}

// inFlightLimit is how many mutations may be in flight given the budget
// Buildkite last announced and the mutations not yet finished; a positive
// wait means the budget is spent and none may start before it refills.
func (e *Executor) inFlightLimit(concurrency, unfinished int, now time.Time) (int, time.Duration) {
	if e.RateLimit == nil {
		return concurrency, 0
	}
	st := e.RateLimit()
	untilReset := st.Reset.Sub(now)
	if !st.Known || untilReset <= 0 || untilReset > maxBudgetWait {
		return concurrency, 0 // nothing known, or a fresh window has begun
	}
	if st.Remaining >= unfinished*mutationCost {
		return concurrency, 0 // the budget covers the rest of the run
	}
	if st.Remaining < mutationCost {
		return 0, untilReset
	}
	// The budget runs out before the run does. The figure may be stale by
	// the mutations in flight (their answers can arrive late or out of
	// order), so keep in flight at most half of what it would pay for:
	// then even a figure that counts none of them cannot be overspent.
	// Near the end that is one at a time, each send seeing the previous
	// answer's figure, with the transport spacing them out until the reset.
	return min(concurrency, max(1, st.Remaining/mutationCost/2)), 0
}

// flightGate admits mutations one at a time under a limit that changes as
// the rate-limit budget does: it is re-read whenever a mutation finishes,
// and when the budget refills.
type flightGate struct {
	limit func(unfinished int) (int, time.Duration)

	mu         sync.Mutex
	inFlight   int
	unfinished int           // admitted or still to be admitted
	finished   chan struct{} // closed (and replaced) when a mutation finishes
}

func newFlightGate(unfinished int, limit func(unfinished int) (int, time.Duration)) *flightGate {
	return &flightGate{limit: limit, unfinished: unfinished, finished: make(chan struct{})}
}

// admit waits until one more mutation may start, unless ctx is done first.
func (g *flightGate) admit(ctx context.Context) bool {
	for {
		if ctx.Err() != nil {
			return false
		}
		g.mu.Lock()
		limit, wait := g.limit(g.unfinished)
		if wait <= 0 && g.inFlight < limit {
			g.inFlight++
			g.mu.Unlock()
			return true
		}
		finished := g.finished
		g.mu.Unlock()

		if !waitFor(ctx, finished, wait) {
			return false
		}
	}
}

// waitFor waits until finished is closed or, when wait is positive, that
// long has passed; it returns false if ctx ends first.
func waitFor(ctx context.Context, finished <-chan struct{}, wait time.Duration) bool {
	var refilled <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		refilled = t.C
	}
	select {
	case <-finished:
	case <-refilled:
	case <-ctx.Done():
		return false
	}
	return true
}

// done records that an admitted mutation finished.
func (g *flightGate) done() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inFlight--
	g.unfinished--
	close(g.finished)
	g.finished = make(chan struct{})
}

func (e *Executor) revokeOne(ctx context.Context, plan *Plan, it *Item, r Result, mutationID string) Result {
	r.ClientMutationID = &mutationID
	rec := e.auditRecord(plan, it, mutationID)
	rec.Event = audit.EventIntent
	if err := e.Audit.Write(rec); err != nil {
		// Without a record of intent the mutation is not sent: the audit
		// trail must never miss a change.
		r.Status, r.Error = StatusFailed, strPtr(err.Error()+"; nothing was sent")
		return r
	}

	payload, err := e.Client.Revoke(ctx, plan.Organization.ID, it.TokenID, mutationID)
	switch {
	case err == nil:
		r.Status = StatusRevoked
		r.RevokedAPIAccessTokenID = strPtr(payload.RevokedAPIAccessTokenID)
		if payload.ClientMutationID != "" {
			r.ClientMutationID = strPtr(payload.ClientMutationID)
		}
	case buildkite.KindOf(err) == buildkite.KindOutcomeUnknown:
		r = e.recheck(ctx, plan, it, r, err)
	case errors.Is(err, context.Canceled):
		r.Status, r.Error = StatusSkipped, strPtr("not revoked: the run was interrupted while the revocation waited to be accepted by Buildkite")
	case buildkite.KindOf(err) == buildkite.KindNotFound:
		r.Status, r.Error, r.kind = StatusNotFound, strPtr(notFoundMessage(plan, it, err)), buildkite.KindNotFound
	default:
		r.Status, r.Error, r.kind = StatusFailed, strPtr(err.Error()), buildkite.KindOf(err)
	}

	rec.Event = audit.EventOutcome
	rec.Time = time.Time{}
	rec.Result = string(r.Status)
	if r.Error != nil {
		rec.Error = *r.Error
	}
	if err := e.Audit.Write(rec); err != nil && r.Error == nil {
		r.Error = strPtr("revoked, but the outcome could not be written to the audit log: " + err.Error())
	}
	return r
}

// recheck settles a mutation whose answer was lost by looking at whether the
// token still has access to the organization.
func (e *Executor) recheck(ctx context.Context, plan *Plan, it *Item, r Result, cause error) Result {
	present, err := e.tokenPresent(ctx, plan.Organization, it)
	switch {
	case err != nil:
		r.Status = StatusFailed
		r.Error = strPtr(fmt.Sprintf("%v; checking afterwards also failed (%v): run `tokenctl tokens get` to see whether the token still has access", cause, err))
		r.kind = buildkite.KindOutcomeUnknown
	case present:
		r.Status = StatusFailed
		r.Error = strPtr(fmt.Sprintf("%v; the token still has access to the organization, so the revocation did not happen", cause))
		r.kind = buildkite.KindOf(cause)
	default:
		r.Status = StatusRevoked
		r.RevokedAPIAccessTokenID = strPtr(it.TokenID)
	}
	return r
}

func (e *Executor) tokenPresent(ctx context.Context, org buildkite.Organization, it *Item) (bool, error) {
	present := false
	_, err := e.Client.ListTokens(ctx, ident.Org{ID: org.ID}, func(page buildkite.TokenPage) bool {
		for _, t := range page.Tokens {
			if t.ID == it.TokenID || (it.Ref.UUID != "" && strings.EqualFold(t.UUID, it.Ref.UUID)) {
				present = true
				return false
			}
		}
		return true
	})
	return present, err
}

func notFoundMessage(plan *Plan, it *Item, err error) string {
	org := plan.Organization.Slug
	if org == "" {
		org = plan.Organization.ID
	}
	return fmt.Sprintf("%v: token %s has no access to organization %s (already revoked, or never had it); run `tokenctl tokens list --org %s` to see the tokens that do", err, it.Requested, org, org)
}

func (e *Executor) auditRecord(plan *Plan, it *Item, mutationID string) audit.Record {
	rec := audit.Record{
		Action:           "organizationApiAccessTokenRevoke",
		Caller:           audit.Caller{TokenUUID: plan.Caller.UUID},
		Organization:     audit.Organization{ID: plan.Organization.ID, Slug: plan.Organization.Slug},
		Token:            audit.Token{ID: it.TokenID, UUID: it.Ref.UUID},
		ClientMutationID: mutationID,
	}
	if u := plan.Caller.User; u.Email != "" || u.Name != "" {
		rec.Caller.User = strings.TrimSpace(fmt.Sprintf("%s <%s>", u.Name, u.Email))
	}
	if t := it.Token; t != nil {
		rec.Token.UUID = t.UUID
		rec.Token.Description = t.Description
		if t.Owner != nil {
			rec.Token.Owner = t.Owner.Email
		}
	}
	return rec
}
