package transport

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The timeout here is real but short; no assertion depends on how long
// anything took, only on which error came back.
const shortTimeout = 50 * time.Millisecond

// slowBody sends the headers and part of the body, then stalls.
func slowBody(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Length", "100")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, `{"data":`)
	_ = http.NewResponseController(w).Flush()
	stall(w, r)
}

func TestAttemptTimeout(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		phase   string
	}{
		{"slow headers", stall, "waiting for the response headers"},
		{"slow body", slowBody, "reading the response body"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/safe", func(t *testing.T) {
			srv, s := serve(t, tt.handler)
			tr, _ := newTestTransport(Options{Timeout: shortTimeout, MaxRetries: 1})
			_, err := tr.RoundTrip(newRequest(t, context.Background(), http.MethodGet, srv.URL, ""))
			var te *TimeoutError
			if !errors.As(err, &te) || te.Phase != tt.phase {
				t.Fatalf("error %v, want a timeout %s", err, tt.phase)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("%v does not match context.DeadlineExceeded", err)
			}
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Errorf("%v does not report Timeout()", err)
			}
			if s.calls.Load() != 2 {
				t.Errorf("%d attempts, want 2 (timeouts are retried for safe requests)", s.calls.Load())
			}
		})
		t.Run(tt.name+"/unsafe", func(t *testing.T) {
			srv, s := serve(t, tt.handler)
			tr, _ := newTestTransport(Options{Timeout: shortTimeout, MaxRetries: 1})
			_, err := tr.RoundTrip(newRequest(t, WithUnsafe(context.Background()), http.MethodPost, srv.URL, "mutation"))
			var unknown *OutcomeUnknownError
			var te *TimeoutError
			if !errors.As(err, &unknown) || !errors.As(err, &te) {
				t.Fatalf("error %v, want OutcomeUnknownError wrapping a TimeoutError", err)
			}
			if s.calls.Load() != 1 {
				t.Errorf("%d attempts, want 1", s.calls.Load())
			}
		})
	}
}

// countingTransport counts the response bytes the transport pulls off the
// wire.
type countingTransport struct {
	base http.RoundTripper
	read atomic.Int64
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(r)
	if err == nil {
		resp.Body = countingBody{resp.Body, &c.read}
	}
	return resp, err
}

func TestBodyLimit(t *testing.T) {
	const limit = 1024
	bodyOf := func(size int, announce bool) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			if announce {
				w.Header().Set("Content-Length", strconv.Itoa(size))
			}
			// Written in pieces and flushed, so without a Content-Length
			// the body is chunked and its size unknown up front.
			for sent := 0; sent < size; sent += 256 {
				_, _ = io.WriteString(w, strings.Repeat("x", min(256, size-sent)))
				_ = http.NewResponseController(w).Flush()
			}
		}
	}
	tests := []struct {
		name     string
		handler  http.HandlerFunc
		unsafe   bool
		tooLarge bool
	}{
		{"at the limit", bodyOf(limit, true), false, false},
		{"announced over the limit", bodyOf(limit+1, true), false, true},
		{"chunked over the limit", bodyOf(1<<20, false), false, true},
		{"unsafe over the limit", bodyOf(1<<20, false), true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, s := serve(t, tt.handler)
			counter := &countingTransport{base: http.DefaultTransport.(*http.Transport).Clone()}
			tr, _ := newTestTransport(Options{Base: counter, MaxBodyBytes: limit})
			ctx := context.Background()
			if tt.unsafe {
				ctx = WithUnsafe(ctx)
			}
			resp, err := tr.RoundTrip(newRequest(t, ctx, http.MethodPost, srv.URL, "q"))
			if !tt.tooLarge {
				if err != nil {
					t.Fatal(err)
				}
				if got := len(readAll(t, resp)); got != limit {
					t.Errorf("body of %d bytes", got)
				}
				return
			}
			if !errors.Is(err, ErrResponseTooLarge) {
				t.Fatalf("error %v, want ErrResponseTooLarge", err)
			}
			var unknown *OutcomeUnknownError
			if errors.As(err, &unknown) != tt.unsafe {
				t.Errorf("error %v: outcome unknown should be %v", err, tt.unsafe)
			}
			if s.calls.Load() != 1 {
				t.Errorf("%d attempts; an oversized answer is not retried", s.calls.Load())
			}
			if n := counter.read.Load(); n > limit+1 {
				t.Errorf("read %d bytes of an oversized body; the limit is %d", n, limit)
			}
		})
	}
}
