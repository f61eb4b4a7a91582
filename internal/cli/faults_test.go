package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// These tests break the network and the API under a real revocation run
// (tokenctl in-process, the emulator over real HTTP) and check three things
// every time: what tokenctl reported for the token, its exit status, and
// what actually happened on the emulated Buildkite.

const revokeMutation = "RevokeAPIAccessToken"

// target is the token every fault test revokes: Mo's CI deploy bot in acme.
const target = et.CIDeployBotUUID

// outcome is one fault run: the process result and the single token's row.
type outcome struct {
	result
	row revoke.Result
}

// revokeTarget revokes the target token with JSON output and returns its row.
func revokeTarget(t *testing.T, h *harness, extra ...string) outcome {
	t.Helper()
	r := h.run(append([]string{"revoke", "--org", "acme", "--token", target, "-o", "json"}, extra...)...)
	rep := decodeReport(t, r)
	if len(rep.Results) != 1 {
		t.Fatalf("want 1 result, got %d:\n%s", len(rep.Results), r)
	}
	return outcome{result: r, row: rep.Results[0]}
}

// want checks the reported status, the exit status and the emulator's
// final state: whether acme is still on the token and how many times the
// mutation removed it.
func (o outcome) want(t *testing.T, h *harness, status revoke.Status, code exitcode.Code, stillHasOrg bool, revocations int) {
	t.Helper()
	if o.row.Status != status {
		t.Errorf("status = %s, want %s (error: %s)\n%s", o.row.Status, status, deref(o.row.Error), o.result)
	}
	if o.code != int(code) {
		t.Errorf("exit status = %d, want %d\n%s", o.code, code, o.result)
	}
	if has := h.srv.TokenHasOrg(target, "acme"); has != stillHasOrg {
		t.Errorf("emulator: token has acme = %v, want %v", has, stillHasOrg)
	}
	if n := h.srv.RevocationCount("acme", target); n != revocations {
		t.Errorf("emulator: revocations = %d, want %d", n, revocations)
	}
	if status == revoke.StatusRevoked && deref(o.row.RevokedAPIAccessTokenID) != h.srv.NodeID(emulator.TypeAPIAccessToken, target) {
		t.Errorf("revokedApiAccessTokenId = %q", deref(o.row.RevokedAPIAccessTokenID))
	}
	if status != revoke.StatusRevoked && deref(o.row.Error) == "" {
		t.Errorf("a %s row carries no error message", status)
	}
	if strings.Contains(o.stderr, "goroutine ") || strings.Contains(o.stderr, "panic") {
		t.Errorf("stderr holds a stack trace:\n%s", o.stderr)
	}
}

// faultHarness starts a harness on which fault hits the first times
// requests that match ("query" or "mutation"), issuing ids in format.
func faultHarness(t *testing.T, fault emulator.Fault, match string, times int, format emulator.IDFormat) *harness {
	t.Helper()
	fault.Match, fault.Times = match, times
	return newHarness(t, emulator.Options{Faults: []emulator.Fault{fault}, IDFormat: format})
}

// faulted counts logged requests of an operation on which a fault fired.
func faulted(h *harness, operation, kind string) int {
	return h.srv.CountRequests(func(r emulator.Request) bool {
		return (operation == "" || r.Operation == operation) && strings.Contains(r.Fault, kind)
	})
}

func queries(h *harness) int {
	return h.srv.CountRequests(func(r emulator.Request) bool { return r.OperationType == "query" })
}

func TestFaultLatencyEverywhere(t *testing.T) {
	h := newHarness(t, emulator.Options{Faults: []emulator.Fault{{Kind: emulator.FaultLatency, Delay: 30 * time.Millisecond}}})
	o := revokeTarget(t, h)
	o.want(t, h, revoke.StatusRevoked, exitcode.OK, false, 1)
	if all, slowed := h.srv.CountRequests(nil), faulted(h, "", emulator.FaultLatency); slowed != all || all < 3 {
		t.Errorf("latency fired on %d of %d requests; want all (at least the caller check, the listing and the mutation)", slowed, all)
	}
}

// Transient server errors and broken answers on queries are retried until a
// good answer comes; the run then succeeds as if nothing happened.
func TestFaultQueriesRetried(t *testing.T) {
	cases := []struct {
		name  string
		fault emulator.Fault
	}{
		{"500", emulator.Fault{Kind: emulator.FaultStatus, Status: http.StatusInternalServerError}},
		{"502", emulator.Fault{Kind: emulator.FaultStatus, Status: http.StatusBadGateway}},
		{"503", emulator.Fault{Kind: emulator.FaultStatus, Status: http.StatusServiceUnavailable}},
		{"504", emulator.Fault{Kind: emulator.FaultStatus, Status: http.StatusGatewayTimeout}},
		{"connection dropped", emulator.Fault{Kind: emulator.FaultDropBefore}},
		{"truncated body", emulator.Fault{Kind: emulator.FaultTruncate}},
		{"proxy HTML page", emulator.Fault{Kind: emulator.FaultNonJSON}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := faultHarness(t, c.fault, "query", 2, emulator.IDBase64)
			o := revokeTarget(t, h)
			o.want(t, h, revoke.StatusRevoked, exitcode.OK, false, 1)
			if n := faulted(h, "", c.fault.Kind); n != 2 {
				t.Errorf("fault fired %d times, want 2", n)
			}
			// Two broken answers, then the listing that worked.
			if n := queries(h); n != 3 {
				t.Errorf("queries sent = %d, want 3", n)
			}
			if n := h.requests(revokeMutation); n != 1 {
				t.Errorf("mutations sent = %d, want 1", n)
			}
		})
	}
}

// A third of the queries fail at random (seeded, so the run repeats) while
// the listing pages through the organization two tokens at a time; the
// REST caller check fails too. Everything is retried.
func TestFaultShareOfRequestsFail(t *testing.T) {
	h := newHarness(t, emulator.Options{Seed: 1, Faults: []emulator.Fault{
		{Kind: emulator.FaultStatus, Status: http.StatusServiceUnavailable, Match: "query", Probability: 0.3},
		{Kind: emulator.FaultStatus, Status: http.StatusBadGateway, Match: "rest", Times: 1},
	}})
	last := et.HackathonTokenUUID // late in the listing, so there are several pages
	r := h.run("revoke", "--org", "acme", "--token", target, "--token", last, "--page-size", "2", "-o", "json")
	if r.code != 0 {
		t.Fatalf("revoke failed:\n%s", r)
	}
	for _, res := range decodeReport(t, r).Results {
		if res.Status != revoke.StatusRevoked {
			t.Errorf("%s: %s", res.Requested, res.Status)
		}
	}
	for _, uuid := range []string{target, last} {
		if h.srv.TokenHasOrg(uuid, "acme") || h.srv.RevocationCount("acme", uuid) != 1 {
			t.Errorf("%s: has acme = %v, revocations = %d", uuid, h.srv.TokenHasOrg(uuid, "acme"), h.srv.RevocationCount("acme", uuid))
		}
	}
	if n := faulted(h, "GET /v2/access-token", emulator.FaultStatus); n != 1 {
		t.Errorf("REST faults = %d, want 1", n)
	}
	if n := h.requests("GET /v2/access-token"); n != 2 {
		t.Errorf("REST caller checks sent = %d, want 2 (one retry)", n)
	}
	if faulted(h, "", emulator.FaultStatus) < 2 {
		t.Errorf("the seeded faults did not fire on any query; pick another seed")
	}
}

// A 429 on the mutation is a refusal before anything ran: tokenctl waits
// for the reset and sends it again, and it is applied once.
func TestFaultThrottledMutationWaitsAndRetries(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		h := newHarness(t, emulator.Options{IDFormat: format, Faults: []emulator.Fault{
			{Kind: emulator.FaultThrottle, Match: revokeMutation, Times: 1, RetryAfter: 1},
		}})
		o := revokeTarget(t, h)
		o.want(t, h, revoke.StatusRevoked, exitcode.OK, false, 1)
		if n, throttled := h.requests(revokeMutation), faulted(h, revokeMutation, emulator.FaultThrottle); n != 2 || throttled != 1 {
			t.Errorf("mutations sent = %d (%d throttled), want 2 (1 throttled)", n, throttled)
		}
	})
}

// Against the emulator's real rate limiter (a budget that one listing
// spends, refilled every second) no request may reach the server before the
// announced reset: every early one would be answered 429 again.
func TestFaultRateLimitResetIsHonoured(t *testing.T) {
	// Price the listing first, on a server with room to spare.
	probe := newHarness(t, emulator.Options{})
	if r := probe.run("revoke", "--org", "acme", "--token", target, "--dry-run", "-o", "json", "--page-size", "5"); r.code != 0 {
		t.Fatalf("dry run failed:\n%s", r)
	}
	cost := 0
	for _, r := range probe.srv.Requests() {
		cost = max(cost, r.Complexity)
	}
	if cost == 0 {
		t.Fatal("the emulator logged no query complexity")
	}

	// The limiter needs a clock that moves: tokenctl's, moved by its waits.
	h := newHarnessOnClock(t, emulator.Options{RateLimit: cost, RateWindow: time.Second})
	o := revokeTarget(t, h, "--page-size", "5")
	o.want(t, h, revoke.StatusRevoked, exitcode.OK, false, 1)
	tooMany := h.srv.CountRequests(func(r emulator.Request) bool { return r.Status == http.StatusTooManyRequests })
	if tooMany > 1 {
		t.Errorf("%d requests were answered 429; tokenctl sent again before the announced reset", tooMany)
	}
	if n := h.requests(revokeMutation); n != 1+tooMany {
		t.Errorf("mutations sent = %d with %d throttled", n, tooMany)
	}
	if h.clock.total.Load() == 0 {
		t.Error("tokenctl never waited, yet the listing spent the budget")
	}
}

// The connection breaks after the request went out and before Buildkite
// acted: the re-check finds the token still there, which proves the
// mutation did not apply, so tokenctl sends it again (after the retry
// policy's wait) and reports the token revoked, revoked once. The other
// broken answers, and the rules of the re-check, are tested where they
// live, in internal/revoke.
func TestFaultMutationDroppedBeforeApply(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		h := faultHarness(t, emulator.Fault{Kind: emulator.FaultDropBefore}, "mutation", 1, format)
		o := revokeTarget(t, h)
		o.want(t, h, revoke.StatusRevoked, exitcode.OK, false, 1)
		if n := h.requests(revokeMutation); n != 2 {
			t.Errorf("mutations sent = %d, want 2: the one proven not applied, and again", n)
		}
		if n := queries(h); n != 2 {
			t.Errorf("queries = %d, want 2 (the listing and the re-check)", n)
		}
	})
}

// A revocation answered with a clientMutationId that is null or missing
// (the schema allows both) is no proof that this request applied: the run
// re-checks, finds the token still there, sends it again and reports the
// second attempt's clientMutationId; the audit log never says the first
// one revoked it.
func TestFaultAnswerWithoutMutationIDIsNoProof(t *testing.T) {
	for _, answer := range []string{emulator.AnswerNullMutationID, emulator.AnswerNoMutationID} {
		t.Run(answer, func(t *testing.T) {
			h := faultHarness(t, emulator.Fault{Kind: emulator.FaultFalseAnswer, Answer: answer}, "mutation", 1, emulator.IDBase64)
			auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
			o := revokeTarget(t, h, "--audit-log", auditPath)
			o.want(t, h, revoke.StatusRevoked, exitcode.OK, false, 1)
			if n := h.requests(revokeMutation); n != 2 {
				t.Fatalf("mutations sent = %d, want 2: the answer without the clientMutationId re-checked, and sent again", n)
			}
			raw, err := os.ReadFile(auditPath)
			if err != nil {
				t.Fatal(err)
			}
			var outcomes []string
			for line := range strings.Lines(string(raw)) {
				var rec struct{ Event, Result, ClientMutationID string }
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatal(err)
				}
				if rec.Event == "outcome" {
					outcomes = append(outcomes, rec.ClientMutationID+" "+rec.Result)
				}
			}
			if len(outcomes) != 2 || strings.HasSuffix(outcomes[0], " revoked") || outcomes[1] != deref(o.row.ClientMutationID)+" revoked" {
				t.Errorf("audit outcomes %q, want the first not revoked and the second, %s, revoked", outcomes, deref(o.row.ClientMutationID))
			}
		})
	}
}

// A revocation answered with the proof a real one carries (the
// clientMutationId echoed, the token named) beside a GraphQL error is no
// proof, and the error is no verdict either: the answer contradicts
// itself, so whatever the error says (unknown, not found, not allowed,
// internal) the token is re-checked by uuid, found still there, and the
// revocation sent again. Not found above all must not be believed, which
// --ignore-missing would read as done. The audit log never records the
// faulted attempt as revoked, and the emulator never revoked on it.
func TestFaultProofBesideAnErrorIsNoProof(t *testing.T) {
	cases := []struct {
		error       emulator.ErrorName
		status      revoke.Status
		code        exitcode.Code
		mutations   int
		revocations int
	}{
		// The payload contradicts the errors beside it, so neither is
		// believed: the token is re-checked, found still there, and
		// sent again (the fault answers once). Not found, above all,
		// would read as done under --ignore-missing.
		{emulator.ErrFaultUnknown, revoke.StatusRevoked, exitcode.OK, 2, 1},
		{emulator.ErrTokenNotFound, revoke.StatusRevoked, exitcode.OK, 2, 1},
		{emulator.ErrNotAdmin, revoke.StatusRevoked, exitcode.OK, 2, 1},
		{emulator.ErrFaultInternal, revoke.StatusRevoked, exitcode.OK, 2, 1},
	}
	for _, c := range cases {
		t.Run(string(c.error), func(t *testing.T) {
			h := faultHarness(t, emulator.Fault{Kind: emulator.FaultFalseAnswer, Answer: emulator.AnswerProofWithError, Error: string(c.error)}, "mutation", 1, emulator.IDBase64)
			auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
			o := revokeTarget(t, h, "--audit-log", auditPath)
			o.want(t, h, c.status, c.code, c.revocations == 0, c.revocations)
			if n := h.requests(revokeMutation); n != c.mutations {
				t.Errorf("mutations sent = %d, want %d", n, c.mutations)
			}
			raw, err := os.ReadFile(auditPath)
			if err != nil {
				t.Fatal(err)
			}
			var outcomes []string
			for line := range strings.Lines(string(raw)) {
				var rec struct{ Event, Result string }
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatal(err)
				}
				if rec.Event == "outcome" {
					outcomes = append(outcomes, rec.Result)
				}
			}
			if len(outcomes) != c.mutations || outcomes[0] == "revoked" {
				t.Errorf("audit outcomes %q: the attempt answered with an error was recorded revoked", outcomes)
			}
		})
	}
}

// An answer with neither data nor errors ({}, null, {"data":null},
// {"data":{}}, {"errors":[]}, only extensions) says nothing about what
// was asked: every query reports an unreadable answer, exit 1, never "not
// found" (exit 4, which --ignore-missing would read as done); a mutation
// answered so is re-checked, found not applied, and sent again.
func TestFaultAnswerWithoutDataIsNotNotFound(t *testing.T) {
	commands := map[string][]string{
		"revoke":      {"revoke", "--org", "acme", "--token", target, "--ignore-missing"},
		"tokens list": {"tokens", "list", "--org", "acme"},
		"tokens get":  {"tokens", "get", target, "--org", "acme"},
		"check":       {"check", "--org", "acme"},
		"whoami":      {"whoami"},
		"policy show": {"policy", "show", "--org", "acme"},
	}
	for _, answer := range emulator.NoDataAnswers {
		t.Run(answer, func(t *testing.T) {
			h := newHarness(t, emulator.Options{Faults: []emulator.Fault{{Kind: emulator.FaultNoData, Answer: answer, Match: "query"}}})
			for name, args := range commands {
				r := h.run(args...)
				if r.code != int(exitcode.Failure) || !strings.Contains(r.stderr, "answer could not be read") {
					t.Errorf("%s: exit %d, want %d and an unreadable answer\n%s", name, r.code, exitcode.Failure, r)
				}
			}
			if !h.srv.TokenHasOrg(target, "acme") || h.requests(revokeMutation) != 0 {
				t.Error("a mutation was sent without a listing")
			}

			h = faultHarness(t, emulator.Fault{Kind: emulator.FaultNoData, Answer: answer}, "mutation", 1, emulator.IDBase64)
			o := revokeTarget(t, h)
			o.want(t, h, revoke.StatusRevoked, exitcode.OK, false, 1)
			if n := h.requests(revokeMutation); n != 2 {
				t.Errorf("mutations sent = %d, want 2: the answer without data re-checked, and sent again", n)
			}
		})
	}
}

// A GraphQL error with partial (null) data on the listing is an answer,
// not a network fault: the run stops with a clear message and sends no
// mutation.
func TestFaultGraphQLErrorOnListing(t *testing.T) {
	h := newHarness(t, emulator.Options{Faults: []emulator.Fault{{Kind: emulator.FaultGraphQLError, Match: "query"}}})
	r := h.run("revoke", "--org", "acme", "--token", target, "-o", "json")
	if r.code != int(exitcode.Failure) {
		t.Errorf("exit status = %d, want %d\n%s", r.code, exitcode.Failure, r)
	}
	mustContain(t, "stderr", r.stderr, "tokenctl: ", "Internal server error")
	if lines := strings.Count(strings.TrimSpace(r.stderr), "\n"); lines != 0 {
		t.Errorf("want one line on stderr, got:\n%s", r.stderr)
	}
	// No result is half-printed: the document has none, and the error.
	if d := parseFailureDoc(t, "stdout", r.stdout); d.Error.ExitCode != int(exitcode.Failure) || string(d.Fields["results"]) != "[]" {
		t.Errorf("stdout = %q, want the document with no results and the error", r.stdout)
	}
	if !h.srv.TokenHasOrg(target, "acme") || h.requests(revokeMutation) != 0 {
		t.Error("a mutation was sent after the listing failed")
	}
}

// --timeout, TOKENCTL_TIMEOUT and the config file's timeout all reach the
// transport: a listing whose body stalls for 5s is given up after 300ms
// and sent again, instead of being waited for.
func TestFaultTimeoutSettingReachesTransport(t *testing.T) {
	cases := []struct {
		name  string
		setup func(h *harness) []string
	}{
		{"flag", func(*harness) []string { return []string{"--timeout", "300ms"} }},
		{"env", func(h *harness) []string { h.env["TOKENCTL_TIMEOUT"] = "300ms"; return nil }},
		{"config file", func(h *harness) []string {
			if r := h.run("config", "set", "timeout", "300ms"); r.code != 0 {
				t.Fatalf("config set: %s", r)
			}
			return nil
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, emulator.Options{Faults: []emulator.Fault{
				{Kind: emulator.FaultSlowBody, Delay: 5 * time.Second, Match: "query", Times: 1},
			}})
			o := revokeTarget(t, h, c.setup(h)...)
			o.want(t, h, revoke.StatusRevoked, exitcode.OK, false, 1)
			// The stalled listing is timed out and sent again: at least two
			// queries. A loaded machine may time out a further one, but a
			// listing waited out instead would leave just one.
			if n := queries(h); n < 2 {
				t.Errorf("queries = %d, want at least 2: the stalled listing was waited for instead of timed out and retried", n)
			}
		})
	}
}

// A listing that never completes within the timeout, however often it is
// tried, ends the run with one line naming the timeout.
func TestFaultTimeoutGivesUp(t *testing.T) {
	h := newHarness(t, emulator.Options{Faults: []emulator.Fault{
		{Kind: emulator.FaultLatency, Delay: 5 * time.Second, Match: "query"},
	}})
	r := h.run("revoke", "--org", "acme", "--token", target, "--timeout", "100ms", "-o", "json")
	if r.code != int(exitcode.Failure) {
		t.Errorf("exit status = %d, want %d\n%s", r.code, exitcode.Failure, r)
	}
	mustContain(t, "stderr", r.stderr, "within 100ms")
	// The listing is tried the retry schedule's 5 times, 4 waits apart; a
	// loaded machine may also time out the self-check, which adds its own.
	if got := h.clock.waits.Load(); got < 4 {
		t.Errorf("waited %d times before giving up, want at least the retry schedule's 4", got)
	}
	// One line says why the run ended. A retry wait the schedule's jitter
	// draws at 5 s or more is announced on a line of its own before it.
	var lines []string
	for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		if !strings.HasPrefix(line, "tokenctl: waiting ") {
			lines = append(lines, line)
		}
	}
	if len(lines) != 1 || !strings.Contains(lines[0], "within 100ms") {
		t.Errorf("want one line on stderr besides wait announcements, naming the timeout:\n%s", r.stderr)
	}
	if !h.srv.TokenHasOrg(target, "acme") || h.requests(revokeMutation) != 0 {
		t.Error("a mutation was sent")
	}
}

// interrupter plays Ctrl-C: stop cancels the context runs get, once.
type interrupter struct {
	ctx       context.Context
	cancel    context.CancelFunc
	once      atomic.Bool
	cancelled chan struct{}
}

func newInterrupter(t *testing.T) *interrupter {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return &interrupter{ctx: ctx, cancel: cancel, cancelled: make(chan struct{})}
}

func (i *interrupter) stop() {
	if i.once.CompareAndSwap(false, true) {
		i.cancel()
		close(i.cancelled)
	}
}

// run runs tokenctl in the background and fails the test if it has not
// returned within a generous bound after the interrupt: an interrupt that
// does not reach a request or a wait shows up as a hang of an hour.
func (i *interrupter) run(t *testing.T, h *harness, args ...string) result {
	t.Helper()
	h.ctx = i.ctx
	h.realTime = true // the interrupt must reach a real wait
	done := make(chan result, 1)
	go func() { done <- h.run(args...) }()
	select {
	case <-i.cancelled:
	case r := <-done:
		// Both channels may be ready at once: the interrupt came and the
		// run then ended at once. Only a run that ended first is wrong.
		if i.once.Load() {
			return r
		}
		t.Fatalf("the run ended before it was interrupted:\n%s", r)
	}
	select {
	case r := <-done:
		return r
	case <-time.After(20 * time.Second):
		t.Fatal("tokenctl did not stop after the interrupt")
		return result{}
	}
}

// Ctrl-C while a listing is on the wire, while waiting out a 429, and
// while waiting between retries: each stops the run with exit status 130
// instead of waiting an hour, and nothing is revoked.
func TestFaultInterruptReachesRequestsAndWaits(t *testing.T) {
	cases := []struct {
		name  string
		fault emulator.Fault
		// interruptOn says which logged request triggers the interrupt;
		// nil means: once the listing is in flight.
		interruptOn func(emulator.Request) bool
	}{
		{"request on the wire", emulator.Fault{Kind: emulator.FaultLatency, Delay: time.Hour, Match: "query"}, nil},
		{"waiting for a rate-limit reset", emulator.Fault{Kind: emulator.FaultThrottle, RetryAfter: 3600, Match: "query"},
			func(r emulator.Request) bool { return r.Status == http.StatusTooManyRequests }},
		{"waiting to retry", emulator.Fault{Kind: emulator.FaultStatus, Status: http.StatusServiceUnavailable, Match: "query"},
			func(r emulator.Request) bool { return r.Status == http.StatusServiceUnavailable }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := newInterrupter(t)
			opts := emulator.Options{Faults: []emulator.Fault{c.fault}}
			restDone := make(chan struct{})
			var restOnce atomic.Bool
			opts.OnRequest = func(r emulator.Request) {
				if r.Kind == emulator.KindREST && restOnce.CompareAndSwap(false, true) {
					close(restDone)
				}
				if c.interruptOn != nil && c.interruptOn(r) {
					in.stop()
				}
			}
			h := newHarness(t, opts)
			if c.interruptOn == nil {
				go func() {
					// The caller check is answered at once; after it, the
					// only request the emulator can be holding is the
					// listing.
					<-restDone
					h.srv.ResetRequests()
					deadline := time.Now().Add(20 * time.Second)
					for h.srv.MaxInFlight() == 0 {
						if time.Now().After(deadline) {
							t.Error("the listing never reached the emulator")
							break
						}
						time.Sleep(5 * time.Millisecond)
					}
					in.stop()
				}()
			}
			r := in.run(t, h, "revoke", "--org", "acme", "--token", target, "-o", "json")
			if r.code != int(exitcode.Interrupted) {
				t.Errorf("exit status = %d, want %d\n%s", r.code, exitcode.Interrupted, r)
			}
			mustContain(t, "stderr", r.stderr, "interrupted")
			if !h.srv.TokenHasOrg(target, "acme") || h.requests(revokeMutation) != 0 {
				t.Error("a mutation was sent after the interrupt")
			}
		})
	}
}

// Ctrl-C while a mutation is on the wire: that mutation cannot be called
// back, so it is allowed to finish and its outcome is reported; the tokens
// not yet sent are reported skipped, and the audit log holds both records
// of the one that was sent.
func TestFaultInterruptLetsMutationInFlightFinish(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		in := newInterrupter(t)
		h := newHarness(t, emulator.Options{IDFormat: format, OnRequest: func(r emulator.Request) {
			// Logged before its answer is written: the client is waiting.
			if r.Operation == revokeMutation {
				in.stop()
			}
		}})
		auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
		r := in.run(t, h, "revoke", "--org", "acme", "--concurrency", "1", "--audit-log", auditPath, "-o", "json",
			"--token", target, "--token", et.OldLaptopTokenUUID, "--token", et.HackathonTokenUUID)
		rep := decodeReport(t, r)
		if n := h.requests(revokeMutation); n != 1 {
			t.Fatalf("mutations sent = %d, want 1\n%s", n, r)
		}
		want := map[string]revoke.Status{target: revoke.StatusRevoked, et.OldLaptopTokenUUID: revoke.StatusSkipped, et.HackathonTokenUUID: revoke.StatusSkipped}
		for _, res := range rep.Results {
			uuid := deref(res.Token.UUID)
			if res.Status != want[uuid] {
				t.Errorf("%s: status %s, want %s", uuid, res.Status, want[uuid])
			}
			if has := h.srv.TokenHasOrg(uuid, "acme"); has != (want[uuid] != revoke.StatusRevoked) {
				t.Errorf("%s: emulator says has acme = %v", uuid, has)
			}
		}
		if r.code != int(exitcode.Interrupted) {
			t.Errorf("exit status = %d, want %d\n%s", r.code, exitcode.Interrupted, r)
		}
		mustContain(t, "stderr", r.stderr, "interrupted")
		data, err := os.ReadFile(auditPath)
		if err != nil {
			t.Fatal(err)
		}
		mustContain(t, "audit log", string(data), `"event":"intent"`, `"event":"outcome"`, `"result":"revoked"`)
		if got := strings.Count(string(data), "\n"); got != 2 {
			t.Errorf("audit log has %d records, want an intent and an outcome for the one mutation:\n%s", got, data)
		}
	})
}

// Ctrl-C while a mutation waits out a 429: Buildkite refused it before it
// ran, so there is nothing in flight to wait for; the run stops at once and
// the token is reported not revoked.
func TestFaultInterruptDuringThrottledMutation(t *testing.T) {
	in := newInterrupter(t)
	h := newHarness(t, emulator.Options{
		Faults: []emulator.Fault{{Kind: emulator.FaultThrottle, RetryAfter: 3600, Match: revokeMutation}},
		OnRequest: func(r emulator.Request) {
			if r.Status == http.StatusTooManyRequests {
				in.stop()
			}
		},
	})
	r := in.run(t, h, "revoke", "--org", "acme", "--token", target, "-o", "json")
	rep := decodeReport(t, r)
	if res := rep.Results[0]; res.Status != revoke.StatusSkipped {
		t.Errorf("status = %s, want %s", res.Status, revoke.StatusSkipped)
	}
	mustContain(t, "stderr", r.stderr, "interrupted while the revocation waited")
	if n := h.requests(revokeMutation); n != 1 {
		t.Errorf("mutations sent = %d, want 1 (not re-sent after the interrupt)", n)
	}
	if r.code != int(exitcode.Interrupted) {
		t.Errorf("exit status = %d, want %d\n%s", r.code, exitcode.Interrupted, r)
	}
	if !h.srv.TokenHasOrg(target, "acme") || h.srv.RevocationCount("acme", target) != 0 {
		t.Error("the token was revoked")
	}
}

// `revoke --token-value-file --everywhere` deletes the token with a REST
// DELETE, settled like a revocation (tested in internal/revoke). Here, the
// command's side: a DELETE whose answer is lost and whose value cannot be
// checked either ends with one error line and, with -o json, a document
// with the error and no status, never a deletion reported.
func TestFaultDeleteEverywhereUndecided(t *testing.T) {
	var h *harness
	var once atomic.Bool
	h = newHarness(t, emulator.Options{
		Faults: []emulator.Fault{{Kind: emulator.FaultDropAfter, Match: "DELETE /v2/access-token", Times: 1}},
		OnRequest: func(r emulator.Request) {
			// From the DELETE on, asking whether the value works fails.
			if r.Operation == "DELETE /v2/access-token" && once.CompareAndSwap(false, true) {
				if err := h.srv.SetFaults([]emulator.Fault{{Kind: emulator.FaultStatus, Status: http.StatusBadRequest, Match: "GET /v2/access-token"}}); err != nil {
					t.Error(err)
				}
			}
		},
	})
	leaked := filepath.Join(t.TempDir(), "leaked")
	if err := os.WriteFile(leaked, []byte(et.CIDeployBotToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := h.run("revoke", "--token-value-file", leaked, "--everywhere", "--yes", "-o", "json")
	if r.code != int(exitcode.Failure) {
		t.Errorf("exit status = %d, want %d\n%s", r.code, exitcode.Failure, r)
	}
	if n := h.requests("DELETE /v2/access-token"); n != 1 {
		t.Errorf("DELETE sent %d times, want 1", n)
	}
	if d := parseFailureDoc(t, "stdout", r.stdout); d.Error.ExitCode != int(exitcode.Failure) || string(d.Fields["status"]) != "null" {
		t.Errorf("want a document with no status and the error:\n%s", r)
	}
	mustContain(t, "stderr", r.stderr, "tokenctl: ", "unknown")
}

// A revocation answered "not found" for a token the run has just listed
// is not believed on that word alone: the token is looked for again and,
// still there, the revocation is sent again; one that stays is a failure
// (exit 1), never a not-found that --ignore-missing reads as done.
// Before, the answer alone made the row not-found and the run exit 0.
func TestFaultNotFoundAnswerIsRechecked(t *testing.T) {
	cases := []struct {
		name        string
		times       int
		status      revoke.Status
		code        exitcode.Code
		stillHasOrg bool
		revocations int
	}{
		{"once", 1, revoke.StatusRevoked, exitcode.OK, false, 1},
		{"always", 1000, revoke.StatusFailed, exitcode.Failure, true, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := faultHarness(t, emulator.Fault{Kind: emulator.FaultGraphQLError, Error: string(emulator.ErrTokenNotFound)}, "mutation", c.times, emulator.IDBase64)
			o := revokeTarget(t, h, "--ignore-missing")
			o.want(t, h, c.status, c.code, c.stillHasOrg, c.revocations)
			if n := h.requests(revokeMutation); n < 2 {
				t.Errorf("mutations sent = %d, want the not-found re-checked and sent again", n)
			}
		})
	}
}
