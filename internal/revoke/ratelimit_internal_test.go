package revoke

import (
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/transport"
)

func TestInFlightLimit(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	soon := now.Add(30 * time.Second)
	cases := []struct {
		name       string
		state      *transport.RateLimitState // nil: no hook
		unfinished int
		wantLimit  int
		wantWait   time.Duration
	}{
		{"no hook", nil, 100, 4, 0},
		{"nothing known yet", &transport.RateLimitState{}, 100, 4, 0},
		{"budget covers the rest", &transport.RateLimitState{Known: true, Remaining: 100, Limit: 50000, Reset: soon}, 100, 4, 0},
		{"window already reset", &transport.RateLimitState{Known: true, Remaining: 0, Limit: 50000, Reset: now.Add(-time.Second)}, 100, 4, 0},
		{"reset too far off to trust", &transport.RateLimitState{Known: true, Remaining: 0, Limit: 50000, Reset: now.Add(time.Hour)}, 100, 4, 0},
		{"short, still roomy", &transport.RateLimitState{Known: true, Remaining: 40, Limit: 50000, Reset: soon}, 100, 4, 0},
		{"short, half of it in flight", &transport.RateLimitState{Known: true, Remaining: 6, Limit: 50000, Reset: soon}, 100, 3, 0},
		{"short, one at a time", &transport.RateLimitState{Known: true, Remaining: 3, Limit: 50000, Reset: soon}, 100, 1, 0},
		{"last point", &transport.RateLimitState{Known: true, Remaining: 1, Limit: 50000, Reset: soon}, 100, 1, 0},
		{"spent: wait for the reset", &transport.RateLimitState{Known: true, Remaining: 0, Limit: 50000, Reset: soon}, 100, 0, 30 * time.Second},
		{"spent but nothing left to do", &transport.RateLimitState{Known: true, Remaining: 0, Limit: 50000, Reset: soon}, 0, 4, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := &Executor{}
			if tc.state != nil {
				st := *tc.state
				e.RateLimit = func() transport.RateLimitState { return st }
			}
			limit, wait := e.inFlightLimit(4, tc.unfinished, now)
			if limit != tc.wantLimit || wait != tc.wantWait {
				t.Errorf("inFlightLimit = (%d, %s), want (%d, %s)", limit, wait, tc.wantLimit, tc.wantWait)
			}
		})
	}
}
