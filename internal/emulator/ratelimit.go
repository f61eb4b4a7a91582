package emulator

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// rateLimiter is a fixed-window budget per key (the caller's token uuid).
// Buildkite counts GraphQL in complexity points and REST in requests; both
// use this with a different cost per request.
type rateLimiter struct {
	mu      sync.Mutex
	limit   int
	window  time.Duration
	buckets map[string]*bucket
}

type bucket struct {
	start time.Time
	used  int
}

// rateStatus is what the RateLimit-* headers report.
type rateStatus struct {
	limit, remaining int
	reset            time.Duration
}

func newRateLimiter(limit int, window time.Duration) *rateLimiter {
	return &rateLimiter{limit: limit, window: window, buckets: map[string]*bucket{}}
}

// take spends cost from key's budget when it fits. A cost of 0 only reports
// the current state.
func (l *rateLimiter) take(key string, cost int, now time.Time) (bool, rateStatus) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil || !now.Before(b.start.Add(l.window)) {
		b = &bucket{start: now}
		l.buckets[key] = b
	}
	ok := cost <= l.limit-b.used
	if ok {
		b.used += cost
	}
	return ok, rateStatus{limit: l.limit, remaining: l.limit - b.used, reset: b.start.Add(l.window).Sub(now)}
}

// resetSeconds rounds up so that a client waiting that long finds a new
// window.
func (st rateStatus) resetSeconds() int {
	return int(math.Ceil(st.reset.Seconds()))
}

func (st rateStatus) setHeaders(h http.Header) {
	h.Set("RateLimit-Limit", strconv.Itoa(st.limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(st.remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(st.resetSeconds()))
}
