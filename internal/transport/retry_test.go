package transport

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRetryByStatus(t *testing.T) {
	const retries = 3
	tests := []struct {
		code         int
		unsafe       bool
		wantAttempts int
	}{
		{http.StatusTooManyRequests, false, retries + 1},
		{http.StatusBadGateway, false, retries + 1},
		{http.StatusServiceUnavailable, false, retries + 1},
		{http.StatusGatewayTimeout, false, retries + 1},
		{http.StatusInternalServerError, false, retries + 1},
		{http.StatusNotFound, false, 1},
		{http.StatusUnauthorized, false, 1},
		{http.StatusOK, false, 1},
		// Unsafe: only a 429 proves the server did not act.
		{http.StatusTooManyRequests, true, retries + 1},
		{http.StatusBadGateway, true, 1},
		{http.StatusServiceUnavailable, true, 1},
		{http.StatusGatewayTimeout, true, 1},
		{http.StatusInternalServerError, true, 1},
	}
	for _, tt := range tests {
		name := http.StatusText(tt.code)
		if tt.unsafe {
			name = "unsafe " + name
		}
		t.Run(name, func(t *testing.T) {
			srv, s := serve(t, status(tt.code))
			tr, rec := newTestTransport(Options{MaxRetries: retries})
			ctx := context.Background()
			if tt.unsafe {
				ctx = WithUnsafe(ctx)
			}
			resp, err := tr.RoundTrip(newRequest(t, ctx, http.MethodPost, srv.URL, `{"query":"q"}`))
			if err != nil {
				t.Fatalf("RoundTrip: %v (statuses come back as responses)", err)
			}
			if resp.StatusCode != tt.code {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.code)
			}
			if body := readAll(t, resp); body != http.StatusText(tt.code) {
				t.Errorf("final body %q", body)
			}
			if got := int(s.calls.Load()); got != tt.wantAttempts {
				t.Errorf("%d attempts, want %d", got, tt.wantAttempts)
			}
			if got := len(rec.Waits()); got != tt.wantAttempts-1 {
				t.Errorf("%d waits, want %d", got, tt.wantAttempts-1)
			}
			for i, body := range s.bodies {
				if body != `{"query":"q"}` {
					t.Errorf("attempt %d sent body %q", i+1, body)
				}
			}
		})
	}
}

func TestRetryThenSuccess(t *testing.T) {
	ok := func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, `{"data":{}}`) }
	srv, s := serve(t, status(503), status(502), ok)
	tr, rec := newTestTransport(Options{})
	resp, err := tr.RoundTrip(newRequest(t, context.Background(), http.MethodPost, srv.URL, "payload"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || readAll(t, resp) != `{"data":{}}` || s.calls.Load() != 3 {
		t.Errorf("status %d after %d calls", resp.StatusCode, s.calls.Load())
	}
	if strings.Join(s.bodies, ",") != "payload,payload,payload" {
		t.Errorf("bodies re-sent: %q", s.bodies)
	}
	// Exponential backoff with ±50% jitter from 500ms, doubling.
	waits := rec.Waits()
	bounds := [][2]time.Duration{{250 * time.Millisecond, 750 * time.Millisecond}, {500 * time.Millisecond, 1500 * time.Millisecond}}
	if len(waits) != len(bounds) {
		t.Fatalf("waits %v", waits)
	}
	for i, w := range waits {
		if w < bounds[i][0] || w > bounds[i][1] {
			t.Errorf("wait %d = %s, want within %v", i, w, bounds[i])
		}
	}
}

func TestServerRequestedWaits(t *testing.T) {
	clockStart := time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		first  http.HandlerFunc
		want   time.Duration // 0: the backoff decides
		wantLo time.Duration
		wantHi time.Duration
	}{
		{name: "429 Retry-After seconds", first: status(429, "Retry-After", "7"), want: 7 * time.Second},
		{name: "429 RateLimit-Reset", first: status(429, "RateLimit-Reset", "9"), want: 9 * time.Second},
		{name: "429 Retry-After wins over RateLimit-Reset", first: status(429, "Retry-After", "3", "RateLimit-Reset", "50"), want: 3 * time.Second},
		{name: "429 capped at five minutes", first: status(429, "Retry-After", "3600"), want: 5 * time.Minute},
		{name: "429 Retry-After date", first: status(429, "Retry-After", clockStart.Add(20*time.Second).Format(http.TimeFormat)), want: 20 * time.Second},
		{name: "503 Retry-After", first: status(503, "Retry-After", "4"), want: 4 * time.Second},
		{name: "502 ignores Retry-After", first: status(502, "Retry-After", "4"), wantLo: 250 * time.Millisecond, wantHi: 750 * time.Millisecond},
		{name: "503 without Retry-After", first: status(503, "RateLimit-Reset", "40"), wantLo: 250 * time.Millisecond, wantHi: 750 * time.Millisecond},
		{name: "429 without headers", first: status(429), wantLo: 250 * time.Millisecond, wantHi: 750 * time.Millisecond},
		{name: "429 garbage Retry-After", first: status(429, "Retry-After", "soon"), wantLo: 250 * time.Millisecond, wantHi: 750 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, s := serve(t, tt.first, status(200))
			var told []time.Duration
			tr, rec := newTestTransport(Options{Waiting: func(d time.Duration, what string) {
				if !strings.HasPrefix(what, "to retry a request") {
					t.Errorf("told of a wait %q", what)
				}
				told = append(told, d)
			}})
			resp, err := tr.RoundTrip(newRequest(t, context.Background(), http.MethodGet, srv.URL, ""))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || s.calls.Load() != 2 {
				t.Fatalf("status %d after %d calls", resp.StatusCode, s.calls.Load())
			}
			waits := rec.Waits()
			if len(waits) != 1 {
				t.Fatalf("waits %v, want exactly one", waits)
			}
			if len(told) != 1 || told[0] != waits[0] {
				t.Errorf("Options.Waiting was told of %v, want the wait of %s", told, waits[0])
			}
			if tt.want != 0 && waits[0] != tt.want {
				t.Errorf("waited %s, want %s", waits[0], tt.want)
			}
			if tt.want == 0 && (waits[0] < tt.wantLo || waits[0] > tt.wantHi) {
				t.Errorf("waited %s, want backoff within [%s, %s]", waits[0], tt.wantLo, tt.wantHi)
			}
		})
	}
}

func TestHangUpAfterRequest(t *testing.T) {
	t.Run("unsafe: outcome unknown, not retried", func(t *testing.T) {
		srv, s := serve(t, hangUp(t))
		tr, rec := newTestTransport(Options{})
		_, err := tr.RoundTrip(newRequest(t, WithUnsafe(context.Background()), http.MethodPost, srv.URL, `{"query":"mutation"}`))
		var unknown *OutcomeUnknownError
		if !errors.As(err, &unknown) {
			t.Fatalf("error %v (%T), want *OutcomeUnknownError", err, err)
		}
		if s.calls.Load() != 1 || len(rec.Waits()) != 0 {
			t.Errorf("%d attempts, %d waits; an unsafe request must be sent once", s.calls.Load(), len(rec.Waits()))
		}
	})
	t.Run("safe: retried", func(t *testing.T) {
		srv, s := serve(t, hangUp(t), hangUp(t), status(200))
		tr, _ := newTestTransport(Options{})
		resp, err := tr.RoundTrip(newRequest(t, context.Background(), http.MethodPost, srv.URL, `{"query":"query"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if s.calls.Load() != 3 {
			t.Errorf("%d attempts, want 3", s.calls.Load())
		}
	})
	t.Run("safe: gives up with the cause", func(t *testing.T) {
		srv, s := serve(t, hangUp(t))
		tr, _ := newTestTransport(Options{MaxRetries: 2})
		_, err := tr.RoundTrip(newRequest(t, context.Background(), http.MethodGet, srv.URL, ""))
		var unknown *OutcomeUnknownError
		if err == nil || errors.As(err, &unknown) || !strings.Contains(err.Error(), "gave up after 3 attempts") {
			t.Errorf("error %v", err)
		}
		if s.calls.Load() != 3 {
			t.Errorf("%d attempts, want 3", s.calls.Load())
		}
	})
}

func TestUnsafeRetriedOn429(t *testing.T) {
	srv, s := serve(t, status(429, "Retry-After", "2"), status(200))
	tr, rec := newTestTransport(Options{})
	resp, err := tr.RoundTrip(newRequest(t, WithUnsafe(context.Background()), http.MethodPost, srv.URL, "mutation"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || s.calls.Load() != 2 || strings.Join(s.bodies, ",") != "mutation,mutation" {
		t.Errorf("status %d, calls %d, bodies %q", resp.StatusCode, s.calls.Load(), s.bodies)
	}
	if w := rec.Waits(); len(w) != 1 || w[0] != 2*time.Second {
		t.Errorf("waits %v", w)
	}
}

// closedPort returns an address nothing listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestConnectionRefusedIsRetriedEvenWhenUnsafe(t *testing.T) {
	for _, unsafe := range []bool{false, true} {
		t.Run(map[bool]string{false: "safe", true: "unsafe"}[unsafe], func(t *testing.T) {
			tr, rec := newTestTransport(Options{MaxRetries: 2})
			ctx := context.Background()
			if unsafe {
				ctx = WithUnsafe(ctx)
			}
			_, err := tr.RoundTrip(newRequest(t, ctx, http.MethodDelete, "http://"+closedPort(t)+"/v2/access-token", ""))
			if !errors.Is(err, syscall.ECONNREFUSED) {
				t.Fatalf("error %v, want connection refused", err)
			}
			var unknown *OutcomeUnknownError
			if errors.As(err, &unknown) {
				t.Errorf("a refused connection cannot have applied anything: %v", err)
			}
			if len(rec.Waits()) != 2 {
				t.Errorf("%d waits, want 2 (3 attempts)", len(rec.Waits()))
			}
		})
	}
}

func TestNotReplayableBodyIsSentOnce(t *testing.T) {
	srv, s := serve(t, status(503))
	tr, _ := newTestTransport(Options{})
	req := newRequest(t, context.Background(), http.MethodPost, srv.URL, "")
	req.Body = io.NopCloser(strings.NewReader("one-shot"))
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if s.calls.Load() != 1 || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("%d attempts, status %d", s.calls.Load(), resp.StatusCode)
	}
}

func TestNonRetryableErrors(t *testing.T) {
	tr, rec := newTestTransport(Options{})
	_, err := tr.RoundTrip(newRequest(t, context.Background(), http.MethodGet, "gopher://example.com", ""))
	if err == nil || len(rec.Waits()) != 0 {
		t.Errorf("error %v after %d waits; an unsupported scheme is final", err, len(rec.Waits()))
	}
}

func TestUserAgent(t *testing.T) {
	var got []string
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) { got = append(got, r.UserAgent()) })
	tr, _ := newTestTransport(Options{UserAgent: "tokenctl/1.2.3"})
	for _, preset := range []string{"", "custom/1"} {
		req := newRequest(t, context.Background(), http.MethodGet, srv.URL, "")
		if preset != "" {
			req.Header.Set("User-Agent", preset)
		}
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if req.Header.Get("User-Agent") != preset {
			t.Errorf("RoundTrip modified the caller's request headers")
		}
	}
	if strings.Join(got, ",") != "tokenctl/1.2.3,custom/1" {
		t.Errorf("user agents %q", got)
	}
}
