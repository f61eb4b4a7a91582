package transport

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestPacing(t *testing.T) {
	tests := []struct {
		name      string
		headers   []string
		watermark float64
		want      []time.Duration // waits before the second request
	}{
		{name: "plenty left", headers: []string{"RateLimit-Remaining", "50", "RateLimit-Limit", "100", "RateLimit-Reset", "60"}},
		{name: "low: spread the rest until the reset", headers: []string{"RateLimit-Remaining", "5", "RateLimit-Limit", "100", "RateLimit-Reset", "60"}, want: []time.Duration{12 * time.Second}},
		{name: "one left", headers: []string{"RateLimit-Remaining", "1", "RateLimit-Limit", "100", "RateLimit-Reset", "30"}, want: []time.Duration{30 * time.Second}},
		{name: "spent: wait for the reset", headers: []string{"RateLimit-Remaining", "0", "RateLimit-Limit", "100", "RateLimit-Reset", "60"}, want: []time.Duration{60 * time.Second}},
		{name: "spent, reset far away: capped", headers: []string{"RateLimit-Remaining", "0", "RateLimit-Limit", "100", "RateLimit-Reset", "3600"}, want: []time.Duration{5 * time.Minute}},
		{name: "custom watermark", headers: []string{"RateLimit-Remaining", "40", "RateLimit-Limit", "100", "RateLimit-Reset", "60"}, watermark: 0.5, want: []time.Duration{1500 * time.Millisecond}},
		{name: "pacing off", headers: []string{"RateLimit-Remaining", "0", "RateLimit-Limit", "100", "RateLimit-Reset", "60"}, watermark: -1},
		{name: "no headers", headers: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := serve(t, status(200, tt.headers...))
			tr, rec := newTestTransport(Options{LowWatermark: tt.watermark})
			for i := 0; i < 2; i++ {
				resp, err := tr.RoundTrip(newRequest(t, context.Background(), http.MethodGet, srv.URL, ""))
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
			}
			got := rec.Waits()
			if len(got) != len(tt.want) || (len(got) == 1 && got[0] != tt.want[0]) {
				t.Errorf("waits %v, want %v", got, tt.want)
			}
		})
	}
}

// Concurrent workers must get successive send slots, not the same one.
func TestPacingSpacesConcurrentRequests(t *testing.T) {
	tr, _ := newTestTransport(Options{})
	now := tr.now()
	tr.rate = RateLimitState{Remaining: 4, Limit: 100, Reset: now.Add(40 * time.Second), Known: true}
	tr.lastSend = now
	var got []time.Duration
	for i := 0; i < 3; i++ {
		d, _ := tr.reserve()
		got = append(got, d)
	}
	want := []time.Duration{10 * time.Second, 20 * time.Second, 30 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("slots %v, want %v", got, want)
		}
	}
}

func TestRateLimitState(t *testing.T) {
	srv, _ := serve(t, status(200, "RateLimit-Remaining", "4990", "RateLimit-Limit", "5000", "RateLimit-Reset", "37"))
	tr, _ := newTestTransport(Options{})
	if tr.RateLimit().Known {
		t.Error("known before any response")
	}
	resp, err := tr.RoundTrip(newRequest(t, context.Background(), http.MethodGet, srv.URL, ""))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got := tr.RateLimit()
	want := RateLimitState{Remaining: 4990, Limit: 5000, Reset: tr.now().Add(37 * time.Second), Known: true}
	if got != want {
		t.Errorf("state %+v, want %+v", got, want)
	}
}

// After retries run out on 429, the caller gets the last response and the
// state says how long the budget stays spent.
func TestThrottledUntilGivingUp(t *testing.T) {
	srv, s := serve(t, status(429, "Retry-After", "37"))
	tr, rec := newTestTransport(Options{})
	resp, err := tr.RoundTrip(newRequest(t, context.Background(), http.MethodGet, srv.URL, ""))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "37" || s.calls.Load() != 5 {
		t.Errorf("status %d, Retry-After %q, %d attempts", resp.StatusCode, resp.Header.Get("Retry-After"), s.calls.Load())
	}
	for _, w := range rec.Waits() {
		if w != 37*time.Second {
			t.Errorf("waits %v, want 37s each", rec.Waits())
			break
		}
	}
	st := tr.RateLimit()
	if !st.Known || st.Remaining != 0 || st.Reset.Sub(tr.now()) != 37*time.Second {
		t.Errorf("state %+v", st)
	}
}

func TestCancelDuringWait(t *testing.T) {
	tests := []struct {
		name  string
		setup func(tr *Transport)
		steps []http.HandlerFunc
		calls int32
	}{
		{name: "backoff", steps: []http.HandlerFunc{status(503, "Retry-After", "300")}, calls: 1},
		{name: "pacing", setup: func(tr *Transport) {
			tr.rate = RateLimitState{Remaining: 0, Limit: 100, Reset: time.Now().Add(time.Hour), Known: true}
		}, steps: []http.HandlerFunc{status(200)}, calls: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, s := serve(t, tt.steps...)
			waiting := make(chan time.Duration, 1)
			tr := New(Options{Sleep: func(ctx context.Context, d time.Duration) error {
				waiting <- d
				return Sleep(ctx, d) // the real wait
			}})
			if tt.setup != nil {
				tt.setup(tr)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() {
				resp, err := tr.RoundTrip(newRequest(t, ctx, http.MethodGet, srv.URL, ""))
				if resp != nil {
					resp.Body.Close()
				}
				done <- err
			}()
			select {
			case d := <-waiting:
				if d < time.Minute {
					t.Fatalf("wait of %s; the test needs a long one", d)
				}
			case err := <-done:
				t.Fatalf("RoundTrip returned %v without waiting", err)
			}
			cancel()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("error %v, want context.Canceled", err)
				}
			case <-time.After(10 * time.Second): // generous: the wait was minutes long
				t.Fatal("RoundTrip kept waiting after the context was cancelled")
			}
			if s.calls.Load() != tt.calls {
				t.Errorf("%d requests sent, want %d", s.calls.Load(), tt.calls)
			}
		})
	}
}
