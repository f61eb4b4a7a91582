package transport

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RateLimitState is the latest rate-limit budget Buildkite reported.
type RateLimitState struct {
	Remaining int
	Limit     int
	Reset     time.Time // when the budget refills
	Known     bool      // false until a response carried RateLimit-* headers or a 429
}

// RateLimit returns the latest state seen by any request through t.
func (t *Transport) RateLimit() RateLimitState {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.rate
}

// observe records the rate-limit headers of a response. A 429 also marks
// the budget as spent until the server's wait is over, so other workers
// hold off instead of collecting their own 429s.
func (t *Transport) observe(resp *http.Response) {
	if resp == nil {
		return
	}
	now := t.now()
	remaining, okRemaining := atoi(resp.Header.Get("RateLimit-Remaining"))
	limit, okLimit := atoi(resp.Header.Get("RateLimit-Limit"))
	reset, okReset := seconds(resp.Header.Get("RateLimit-Reset"))

	t.mu.Lock()
	defer t.mu.Unlock()
	if okRemaining {
		t.rate.Known = true
		t.rate.Remaining = remaining
		if okLimit {
			t.rate.Limit = limit
		}
		if okReset {
			t.rate.Reset = now.Add(reset)
		}
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		if wait, ok := t.serverWait(resp); ok {
			t.rate.Known = true
			t.rate.Remaining = 0
			if until := now.Add(wait); until.After(t.rate.Reset) {
				t.rate.Reset = until
			}
		}
	}
}

// pace waits, when the budget is low, long enough that what is left lasts
// until the reset; when it is spent, until the reset. Send slots are handed
// out under the lock, so concurrent workers are spaced out rather than all
// waking at once.
func (t *Transport) pace(ctx context.Context, req *http.Request) error {
	wait, why := t.reserve()
	if wait <= 0 {
		return ctx.Err()
	}
	t.trace.note(req, fmt.Sprintf("pacing: waiting %s before sending (%s)", wait.Round(time.Millisecond), why))
	return t.wait(ctx, wait, "before the next request ("+why+")")
}

func (t *Transport) reserve() (time.Duration, string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	send, why := now, ""
	if st := t.rate; st.Known && st.Reset.After(now) && t.lowWatermark > 0 {
		untilReset := st.Reset.Sub(now)
		switch {
		case st.Remaining <= 0:
			send = st.Reset
			why = fmt.Sprintf("rate limit spent; it resets in %s", untilReset.Round(time.Second))
		case st.Limit > 0 && float64(st.Remaining) < t.lowWatermark*float64(st.Limit):
			interval := untilReset / time.Duration(st.Remaining)
			if next := t.lastSend.Add(interval); next.After(send) {
				send = next
			}
			why = fmt.Sprintf("%d of %d requests left until the reset in %s", st.Remaining, st.Limit, untilReset.Round(time.Second))
		}
	}
	if send.Sub(now) > maxWait {
		send = now.Add(maxWait)
	}
	if send.After(t.lastSend) {
		t.lastSend = send
	}
	return send.Sub(now), why
}

func atoi(v string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	return n, err == nil && n >= 0
}
