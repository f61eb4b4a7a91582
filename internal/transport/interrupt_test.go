package transport

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
)

// An unsafe request waiting out a 429 has not been applied: an interrupt
// drops it at once, with an error that says it was not applied.
func TestInterruptDropsUnsafeRequestWaitingToResend(t *testing.T) {
	interrupt, stop := context.WithCancel(context.Background())
	throttled := status(http.StatusTooManyRequests, "Retry-After", "3600")
	srv, s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		stop() // Ctrl-C while the 429 is on its way back
		throttled(w, r)
	})
	tr, rec := newTestTransport(Options{})
	ctx := WithInterrupt(WithUnsafe(context.Background()), interrupt)
	_, err := tr.RoundTrip(newRequest(t, ctx, http.MethodPost, srv.URL, `{"query":"mutation"}`))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want one matching context.Canceled", err)
	}
	var unknown *OutcomeUnknownError
	if errors.As(err, &unknown) {
		t.Errorf("%v claims the outcome is unknown; a 429 was not applied", err)
	}
	mustContainAll(t, err.Error(), "not applied")
	if s.calls.Load() != 1 || len(rec.Waits()) > 1 {
		t.Errorf("%d attempts, %d waits; want 1 and at most 1 (cut short)", s.calls.Load(), len(rec.Waits()))
	}
}

// Pacing before the first send is cut short the same way.
func TestInterruptDropsUnsafeRequestWhilePacing(t *testing.T) {
	srv, s := serve(t, status(http.StatusOK, "RateLimit-Remaining", "0", "RateLimit-Limit", "100", "RateLimit-Reset", "60"))
	tr, _ := newTestTransport(Options{})
	// A first request learns that the budget is spent for a minute.
	if resp, err := tr.RoundTrip(newRequest(t, context.Background(), http.MethodGet, srv.URL, "")); err == nil {
		resp.Body.Close()
	}
	calls := s.calls.Load()
	interrupt, stop := context.WithCancel(context.Background())
	stop()
	ctx := WithInterrupt(WithUnsafe(context.Background()), interrupt)
	_, err := tr.RoundTrip(newRequest(t, ctx, http.MethodPost, srv.URL, `{"query":"mutation"}`))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want one matching context.Canceled", err)
	}
	if s.calls.Load() != calls {
		t.Errorf("the interrupted request was sent")
	}
}

// The interrupt does not touch safe requests (re-checks must be able to
// finish) nor an unsafe request already on the wire.
func TestInterruptSparesSafeAndInFlightRequests(t *testing.T) {
	t.Run("safe", func(t *testing.T) {
		srv, s := serve(t, status(http.StatusServiceUnavailable), status(http.StatusOK))
		tr, _ := newTestTransport(Options{})
		interrupt, stop := context.WithCancel(context.Background())
		stop()
		resp, err := tr.RoundTrip(newRequest(t, WithInterrupt(context.Background(), interrupt), http.MethodGet, srv.URL, ""))
		if err != nil {
			t.Fatalf("RoundTrip: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || s.calls.Load() != 2 {
			t.Errorf("status %d after %d attempts, want 200 after 2", resp.StatusCode, s.calls.Load())
		}
	})
	t.Run("unsafe on the wire", func(t *testing.T) {
		interrupt, stop := context.WithCancel(context.Background())
		srv, _ := serve(t, func(w http.ResponseWriter, _ *http.Request) {
			stop() // Ctrl-C while the server works on it
			_, _ = io.WriteString(w, `{"data":{}}`)
		})
		tr, _ := newTestTransport(Options{})
		ctx := WithInterrupt(WithUnsafe(context.Background()), interrupt)
		resp, err := tr.RoundTrip(newRequest(t, ctx, http.MethodPost, srv.URL, `{"query":"mutation"}`))
		if err != nil {
			t.Fatalf("RoundTrip: %v; a request on the wire must be allowed to finish", err)
		}
		if got := readAll(t, resp); got != `{"data":{}}` {
			t.Errorf("body %q", got)
		}
	})
}
