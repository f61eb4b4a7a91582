package revoke

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/document"
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
	// Backoff, when set, starts the retry policy's schedule for sending a
	// revocation again once a re-check proved it did not apply (the
	// transport's Backoff); nil uses the default policy.
	Backoff func() *transport.Backoff
	// Now and Sleep are the clock the rate-limit gate runs on: Now must be
	// the clock RateLimit's reset was read on (the transport's), and Sleep
	// waits for a spent budget to refill, returning ctx.Err() if ctx ends
	// first. nil means the real clock; tests pass one that does not wait.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
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

// Execute revokes every pending item of one plan; see Run.
func (e *Executor) Execute(ctx context.Context, plan *Plan) []Result {
	return e.Run(ctx, []*Plan{plan})
}

// Run is the one executor every way of naming tokens ends in: it revokes
// every pending item of the plans (one per organization), at most
// Concurrency at a time (fewer when the rate-limit budget runs low, see
// RateLimit), and returns one result per item, plans and items in order.
// The token tokenctl is itself using (planned only with --allow-self) goes
// last in the whole run, once every other mutation in every organization
// has finished, so that losing its access cannot cut the run short. When
// ctx is cancelled no new mutation is sent; those in flight are allowed
// to finish (they cannot be called back anyway) so that their outcome is
// known and reported.
func (e *Executor) Run(ctx context.Context, plans []*Plan) []Result {
	var all []target
	for _, p := range plans {
		for _, it := range p.Items {
			all = append(all, target{plan: p, item: it, at: len(all)})
		}
	}
	results := make([]Result, len(all))
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
	// In-flight mutations run on a context that survives Ctrl-C but not
	// forever.
	flightCtx, stop := e.flightContext(ctx)
	defer stop()

	others, self := e.triage(all, report)
	// The gate stays hand-made rather than an errgroup with SetLimit: its
	// limit changes while mutations are in flight (the rate-limit budget
	// is re-read as each one finishes, and a spent budget holds every
	// start until it refills), which SetLimit forbids, and an interrupted
	// run must report the items it never admitted as skipped.
	gate := newFlightGate(len(others)+len(self), e.clock(), func(unfinished int, now time.Time) (int, time.Duration) {
		return e.inFlightLimit(concurrency, unfinished, now)
	})
	for _, batch := range [][]target{others, self} {
		var wg sync.WaitGroup
		for _, t := range batch {
			r := newResult(t.plan.Organization, t.item)
			if !gate.admit(ctx) {
				r.Status = StatusSkipped
				r.Error = strPtr("not sent: the run was interrupted first")
				report(t.at, r)
				continue
			}
			// Named here, in the run's order, so that ids follow it
			// whichever mutation is sent first.
			mutationID := e.newMutationID()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer gate.done()
				// The mutation outlives Ctrl-C once on the wire, but not
				// while it only waits to be sent (pacing, a 429).
				report(t.at, e.revokeOne(transport.WithInterrupt(flightCtx, ctx), t.plan, t.item, r, mutationID))
			}()
		}
		wg.Wait()
	}
	return results
}

// target is one item of one plan, and the index of its result.
type target struct {
	plan *Plan
	item *Item
	at   int
}

// triage reports the results of the targets that send no mutation (settled
// when planned, a dry run, refused) and returns the rest, the own token
// apart so that it goes last.
func (e *Executor) triage(all []target, report func(int, Result)) (others, self []target) {
	for _, t := range all {
		r := newResult(t.plan.Organization, t.item)
		switch {
		case !t.item.Pending():
			report(t.at, r)
		case e.DryRun:
			r.Status = StatusDryRun
			report(t.at, r)
		case t.item.unnamed(t.plan) != "":
			r.Status, r.Error = StatusRefused, strPtr(t.item.unnamed(t.plan))
			report(t.at, r)
		case t.item.Self:
			self = append(self, t)
		default:
			others = append(others, t)
		}
	}
	return others, self
}

// newMutationID names one attempt's mutation.
func (e *Executor) newMutationID() string {
	if e.NewMutationID != nil {
		return e.NewMutationID()
	}
	return NewMutationID()
}

// flightContext is the context requests already on the wire finish on: it
// outlives ctx's cancellation by GraceTimeout, then ends.
func (e *Executor) flightContext(ctx context.Context) (context.Context, context.CancelFunc) {
	grace := e.GraceTimeout
	if grace <= 0 {
		grace = 30 * time.Second
	}
	flightCtx, cancelFlight := context.WithCancel(context.WithoutCancel(ctx))
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
	return flightCtx, cancelFlight
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

// clock is the executor's clock, the real one where none was given.
func (e *Executor) clock() clock {
	c := clock{now: e.Now, sleep: e.Sleep}
	if c.now == nil {
		c.now = time.Now
	}
	if c.sleep == nil {
		c.sleep = transport.Sleep
	}
	return c
}

// clock is what the flight gate reads the time on and waits with.
type clock struct {
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// flightGate admits mutations one at a time under a limit that changes as
// the rate-limit budget does: it is re-read whenever a mutation finishes,
// and when the budget refills.
type flightGate struct {
	limit func(unfinished int, now time.Time) (int, time.Duration)
	clock clock

	mu         sync.Mutex
	inFlight   int
	unfinished int           // admitted or still to be admitted
	finished   chan struct{} // closed (and replaced) when a mutation finishes
	// waited is the latest time the gate has waited until: the clock is
	// read as at least that, so a budget waited out is a budget refilled,
	// whatever a clock that has not moved as far says.
	waited time.Time
}

func newFlightGate(unfinished int, c clock, limit func(unfinished int, now time.Time) (int, time.Duration)) *flightGate {
	return &flightGate{limit: limit, clock: c, unfinished: unfinished, finished: make(chan struct{})}
}

// admit waits until one more mutation may start, unless ctx is done first.
func (g *flightGate) admit(ctx context.Context) bool {
	for {
		if ctx.Err() != nil {
			return false
		}
		g.mu.Lock()
		now := g.clock.now()
		if now.Before(g.waited) {
			now = g.waited
		}
		limit, wait := g.limit(g.unfinished, now)
		if wait <= 0 && g.inFlight < limit {
			g.inFlight++
			g.mu.Unlock()
			return true
		}
		finished := g.finished
		g.mu.Unlock()

		if !g.waitFor(ctx, finished, now, wait) {
			return false
		}
	}
}

// waitFor waits until finished is closed or, when wait is positive, that
// long has passed on the gate's clock; it returns false if ctx ends first.
func (g *flightGate) waitFor(ctx context.Context, finished <-chan struct{}, now time.Time, wait time.Duration) bool {
	if wait <= 0 {
		select {
		case <-finished:
			return true
		case <-ctx.Done():
			return false
		}
	}
	// A mutation finishing ends the wait early: the limit is read again.
	waitCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-finished:
			cancel()
		case <-waitCtx.Done():
		}
	}()
	refilled := g.clock.sleep(waitCtx, wait) == nil
	if ctx.Err() != nil {
		return false
	}
	if refilled {
		g.mu.Lock()
		if until := now.Add(wait); until.After(g.waited) {
			g.waited = until
		}
		g.mu.Unlock()
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
	var payload buildkite.RevokeResult
	s := e.carryOut(ctx, mutationID, irreversible{
		record: e.auditRecord(plan, it),
		send: func(ctx context.Context, mutationID string) (err error) {
			payload, err = e.Client.Revoke(ctx, plan.Organization.ID, it.TokenID, mutationID)
			return err
		},
		gone: func(ctx context.Context) (bool, error) {
			present, err := e.tokenPresent(ctx, plan, it)
			return !present, err
		},
		seenBefore: it.Token != nil,
		what:       "the token still has access to the organization",
		lookAgain:  fmt.Sprintf("run `tokenctl tokens get %s --org %s` to see whether it still has access", it.Requested, document.OrgName(plan.Organization)),
		notFound:   func(err error) string { return notFoundMessage(plan, it, err) },
	})
	r.Status, r.Error, r.kind = s.status, strPtr(s.err), s.kind
	// The id sent with the last attempt: for a token revoked on the
	// answer's word, the one the answer echoed (Client.Revoke takes no
	// other as proof); after a lost answer, the one whose attempt the
	// re-check proved applied.
	r.ClientMutationID = strPtr(s.mutationID)
	if s.status == StatusRevoked {
		// The payload names the token when the answer arrived; after a
		// lost answer the re-check proved the listed token gone.
		r.RevokedAPIAccessTokenID = strPtr(cmp.Or(payload.RevokedAPIAccessTokenID, it.TokenID))
	}
	return r
}

// irreversible is one request that takes something away and cannot be
// called back (a revocation, the deletion of a token), with what is needed
// to settle it when its answer is lost.
type irreversible struct {
	record audit.Record // without event, result or clientMutationId
	send   func(ctx context.Context, mutationID string) error
	// gone looks at the server afterwards: true means what the request
	// takes away is no longer there, false that it still is; an error
	// means the check could not decide.
	gone func(ctx context.Context) (bool, error)
	// seenBefore says the thing was seen on the server before the request
	// was sent: only then does "gone" prove that the request applied.
	seenBefore bool
	what       string // what a re-check that finds it still there says
	lookAgain  string // what the user can run to see for themselves
	// notFound words an answer that says there was nothing to take away.
	notFound func(error) string
	// noMutationID: the request carries no clientMutationId (REST), so
	// none is recorded.
	noMutationID bool
}

// settled is how an irreversible request ended.
type settled struct {
	status     Status
	err        string
	kind       buildkite.Kind
	mutationID string // of the last attempt
}

// carryOut is the one sequence every irreversible request follows: an
// audit intent, the request, and an audit outcome, with a re-check when
// the answer is lost. A re-check that finds the thing still there proves
// the attempt did not apply, so it is sent again (with a new
// clientMutationId, its own intent and outcome records) on the retry
// policy's schedule; nothing else is ever re-sent.
func (e *Executor) carryOut(ctx context.Context, mutationID string, a irreversible) settled {
	var retries *transport.Backoff
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			mutationID = e.newMutationID()
		}
		s, again := e.attempt(ctx, a, mutationID)
		if !again {
			return s
		}
		if retries == nil {
			retries = e.backoff()
		}
		if !retries.Wait(ctx) {
			if ctx.Err() != nil {
				s.err += "; not sent again: the run was interrupted"
			} else {
				s.err += fmt.Sprintf("; gave up after %d attempts", attempt)
			}
			return s
		}
	}
}

// attempt sends a once and settles it; again reports that it provably did
// not apply and may be sent again.
func (e *Executor) attempt(ctx context.Context, a irreversible, mutationID string) (s settled, again bool) {
	if a.noMutationID {
		mutationID = ""
	}
	s.mutationID = mutationID
	rec := a.record
	rec.ClientMutationID = mutationID
	rec.Event = audit.EventIntent
	if err := e.Audit.Write(rec); err != nil {
		// Without a record of intent nothing is sent: the audit trail
		// must never miss a change.
		return settled{status: StatusFailed, err: err.Error() + "; nothing was sent", mutationID: mutationID}, false
	}

	err := a.send(ctx, mutationID)
	switch {
	case err == nil:
		s.status = StatusRevoked
	case buildkite.KindOf(err) == buildkite.KindOutcomeUnknown:
		s, again = recheck(ctx, a, err)
		s.mutationID = mutationID
	case errors.Is(err, context.Canceled):
		s.status, s.err = StatusSkipped, "not revoked: the run was interrupted while the revocation waited to be accepted by Buildkite"
	case buildkite.KindOf(err) == buildkite.KindNotFound:
		s, again = confirmNotFound(ctx, a, err)
		s.mutationID = mutationID
	default:
		s.status, s.err, s.kind = StatusFailed, err.Error(), buildkite.KindOf(err)
	}

	rec.Event = audit.EventOutcome
	rec.Time = time.Time{}
	rec.Result = string(s.status)
	rec.Error = s.err
	if err := e.Audit.Write(rec); err != nil && s.err == "" {
		s.err = "revoked, but the outcome could not be written to the audit log: " + err.Error()
	}
	return s, again
}

// recheck settles a request whose answer was lost by looking at the
// server. Only the disappearance of something seen before the request
// proves it applied; anything else the re-check cannot decide is unknown,
// never revoked.
func recheck(ctx context.Context, a irreversible, cause error) (settled, bool) {
	gone, err := a.gone(ctx)
	switch {
	case err != nil:
		return settled{status: StatusUnknown, kind: buildkite.KindOutcomeUnknown,
			err: fmt.Sprintf("%v; checking afterwards also failed (%v), so whether it applied is unknown: %s", cause, err, a.lookAgain)}, false
	case !gone:
		return settled{status: StatusFailed, kind: buildkite.KindOf(cause),
			err: fmt.Sprintf("%v; %s, so the revocation did not happen", cause, a.what)}, true
	case !a.seenBefore:
		return settled{status: StatusUnknown, kind: buildkite.KindOutcomeUnknown,
			err: fmt.Sprintf("%v; it was never seen before the request, so its absence proves nothing: %s", cause, a.lookAgain)}, false
	}
	return settled{status: StatusRevoked}, false
}

// confirmNotFound settles a request answered "not found". The answer is
// not believed on its own word: a server (or a proxy) that says so of a
// token the run has just listed may be wrong, and under --ignore-missing
// a not-found reads as done. The thing is looked for again: gone, the
// answer stands; still there, the request did not apply and is sent
// again, as after a lost answer; a look that cannot decide leaves the
// outcome unknown.
func confirmNotFound(ctx context.Context, a irreversible, cause error) (settled, bool) {
	gone, err := a.gone(ctx)
	switch {
	case err != nil:
		return settled{status: StatusUnknown, kind: buildkite.KindOutcomeUnknown,
			err: fmt.Sprintf("%v; checking afterwards whether that is so also failed (%v), so whether the revocation is needed is unknown: %s", cause, err, a.lookAgain)}, false
	case !gone:
		return settled{status: StatusFailed, kind: buildkite.KindOther,
			err: fmt.Sprintf("%v; yet %s, so the answer is not believed and the revocation did not happen", cause, a.what)}, true
	}
	return settled{status: StatusNotFound, err: a.notFound(cause), kind: buildkite.KindNotFound}, false
}

// backoff is the schedule for sending again a request proven not applied.
func (e *Executor) backoff() *transport.Backoff {
	if e.Backoff != nil {
		return e.Backoff()
	}
	return transport.DefaultBackoff()
}

// tokenPresent looks for the token in the organization's listing by its
// uuid: ids are opaque and the server may spell them anew between the
// listing and the re-check, so an id missing from the listing proves
// nothing. Without a uuid (never the case for a token sent: the audit
// trail needs it) nothing can be proved, and the check fails.
func (e *Executor) tokenPresent(ctx context.Context, plan *Plan, it *Item) (bool, error) {
	uuid := it.uuid(plan)
	if uuid == "" {
		return false, errors.New("the token's uuid is not known, so the listing cannot show whether it still has access")
	}
	present := false
	_, err := e.Client.ListTokens(ctx, ident.Org{ID: plan.Organization.ID}, func(page buildkite.TokenPage) bool {
		for _, t := range page.Tokens {
			if strings.EqualFold(t.UUID, uuid) {
				present = true
				return false
			}
		}
		return true
	})
	return present, err
}

func notFoundMessage(plan *Plan, it *Item, err error) string {
	org := document.OrgName(plan.Organization)
	return fmt.Sprintf("%v: token %s has no access to organization %s (already revoked, or never had it); run `tokenctl tokens list --org %s` to see the tokens that do", err, it.Requested, org, org)
}

// uuid is the token's uuid as far as the plan knows it: as listed, as
// remembered, as named, or, for tokenctl's own token, the caller's.
func (it *Item) uuid(plan *Plan) string {
	var listed, own string
	if it.Token != nil {
		listed = it.Token.UUID
	}
	if it.Self {
		own = plan.Caller.UUID
	}
	return cmp.Or(listed, it.KnownUUID, it.Ref.UUID, own)
}

// unnamed says why an item may not be sent: the audit trail must name
// every token a mutation is sent for by both its uuid and its id, so that
// a reconciliation can match it; "" when it may.
func (it *Item) unnamed(plan *Plan) string {
	switch {
	case it.TokenID == "":
		return "not sent: the token's id is not known, so the audit trail could not name it"
	case it.uuid(plan) == "":
		return "not sent: the token's uuid is not known (it was not listed), so the audit trail could not name it; name it by its uuid"
	}
	return ""
}

func (e *Executor) auditRecord(plan *Plan, it *Item) audit.Record {
	rec := audit.Record{
		Action:       "organizationApiAccessTokenRevoke",
		Caller:       audit.CallerOf(plan.Caller),
		Organization: audit.Organization{ID: plan.Organization.ID, Slug: plan.Organization.Slug},
		Token:        audit.Token{ID: it.TokenID, UUID: it.uuid(plan)},
	}
	if t := it.Token; t != nil {
		rec.Token.Description = t.Description
		if t.Owner != nil {
			rec.Token.Owner = t.Owner.Email
		}
	}
	return rec
}
