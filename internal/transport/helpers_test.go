package transport

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is the transport's clock in tests; only recorded sleeps move it.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// recorder stands in for Options.Sleep: it records each wait and moves the
// fake clock instead of waiting, so no test depends on machine speed.
type recorder struct {
	mu    sync.Mutex
	waits []time.Duration
	clock *fakeClock
}

func (r *recorder) Sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.waits = append(r.waits, d)
	r.mu.Unlock()
	r.clock.advance(d)
	return ctx.Err()
}

func (r *recorder) Waits() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.waits...)
}

// newTestTransport returns a transport on a fake clock whose waits are
// recorded, not slept.
func newTestTransport(opts Options) (*Transport, *recorder) {
	clock := &fakeClock{now: time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)}
	rec := &recorder{clock: clock}
	opts.Sleep = rec.Sleep
	t := New(opts)
	t.now = clock.Now
	return t, rec
}

// scripted serves the i-th request with steps[i], repeating the last step,
// and counts requests and the bodies they carried.
type scripted struct {
	steps  []http.HandlerFunc
	calls  atomic.Int32
	mu     sync.Mutex
	bodies []string
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(s.calls.Add(1))
	if r.Body != nil {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.bodies = append(s.bodies, string(b))
		s.mu.Unlock()
	}
	s.steps[min(n, len(s.steps))-1](w, r)
}

func serve(t *testing.T, steps ...http.HandlerFunc) (*httptest.Server, *scripted) {
	t.Helper()
	s := &scripted{steps: steps}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv, s
}

// status answers with code, the given header pairs and a short body.
func status(code int, headerPairs ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headerPairs); i += 2 {
			w.Header().Set(headerPairs[i], headerPairs[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, http.StatusText(code))
	}
}

// hangUp reads the request, then drops the connection without answering:
// the server may have acted on the request, but the client hears nothing.
func hangUp(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		conn.Close()
	}
}

// stallLimit ends a stalled handler, so a transport that never times out
// fails its test instead of hanging it.
const stallLimit = 10 * time.Second

// stall waits until the client gives up on the request.
func stall(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(stallLimit):
	}
}

func newRequest(t *testing.T, ctx context.Context, method, url, body string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body) // NewRequest sets GetBody for this
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return string(b)
}
