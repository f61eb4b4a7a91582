package emulator

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// rateLimiter keeps fixed-window budgets, one per key: an organization or
// a user (see budgets). Buildkite counts GraphQL in complexity points and
// REST in requests; both use this with a different cost per request.
type rateLimiter struct {
	mu      sync.Mutex
	window  time.Duration
	buckets map[string]*bucket
}

type bucket struct {
	start time.Time
	used  int
}

// budget is one budget a request is charged to.
type budget struct {
	key   string // "org:<uuid>", "user:<uuid>", "ip:<addr>"
	limit int
}

// rateStatus is what the RateLimit-* headers report.
type rateStatus struct {
	limit, remaining int
	reset            time.Duration
}

func newRateLimiter(window time.Duration) *rateLimiter {
	return &rateLimiter{window: window, buckets: map[string]*bucket{}}
}

// take spends cost from every one of budgets when it fits in all of them:
// a request charged to several budgets needs room in each, and spends
// nothing when one lacks it. A cost of 0 only reports. The status is the
// one a client must heed: when refused, the refusing budget that resets
// last; otherwise the budget with the least left.
func (l *rateLimiter) take(budgets []budget, cost int, now time.Time) (bool, rateStatus) {
	l.mu.Lock()
	defer l.mu.Unlock()
	statuses := make([]rateStatus, len(budgets))
	fits := make([]bool, len(budgets))
	ok := true
	for i, bg := range budgets {
		b := l.buckets[bg.key]
		if b == nil || !now.Before(b.start.Add(l.window)) {
			b = &bucket{start: now}
			l.buckets[bg.key] = b
		}
		fits[i] = cost <= bg.limit-b.used
		ok = ok && fits[i]
		statuses[i] = rateStatus{limit: bg.limit, remaining: bg.limit - b.used, reset: b.start.Add(l.window).Sub(now)}
	}
	if ok {
		for i, bg := range budgets {
			l.buckets[bg.key].used += cost
			statuses[i].remaining -= cost
		}
	}
	heed := -1
	for i, st := range statuses {
		switch {
		case heed < 0:
			heed = i
		case !ok && fits[heed] && !fits[i]:
			heed = i
		case !ok && !fits[i] && st.reset > statuses[heed].reset:
			heed = i
		case ok && st.remaining < statuses[heed].remaining:
			heed = i
		}
	}
	if heed < 0 {
		return ok, rateStatus{}
	}
	return ok, statuses[heed]
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

// orgBudgets are the organization budgets a request by c is charged to,
// limit each. API-NOTES.md gives Buildkite's budgets per organization but
// not which organization pays for a request that names none (viewer) or
// reaches several, so the emulator takes the strictest reading: every
// organization the calling token can access pays. For a token of one
// organization that is exact. A token with no organization pays from a
// budget of its own.
func (s *Server) orgBudgets(c *caller, limit int) []budget {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	var out []budget
	if t := s.store.tokenByUUID(c.tokenUUID); t != nil {
		for _, o := range s.store.orgs {
			if t.orgs[o.uuid] {
				out = append(out, budget{key: "org:" + o.uuid, limit: limit})
			}
		}
	}
	if len(out) == 0 {
		out = append(out, budget{key: "token:" + c.tokenUUID, limit: limit})
	}
	return out
}
