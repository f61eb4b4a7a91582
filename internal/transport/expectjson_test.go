package transport

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// body answers 200 with the given content type and body.
func body(contentType, text string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		_, _ = io.WriteString(w, text)
	}
}

const (
	proxyPage = "<html><body><h1>502 Bad Gateway</h1></body></html>"
	cutJSON   = `{"data":{"organization":{"id":"T3Jn`
	goodJSON  = `{"data":{}}`
)

func TestExpectJSONRetriesSafeRequests(t *testing.T) {
	tests := []struct {
		name string
		bad  http.HandlerFunc
	}{
		{"HTML page", body("text/html", proxyPage)},
		{"cut-off JSON", body("application/json", cutJSON)},
		// Empty, or white space of any kind, is not JSON either: the same
		// retry, not a decoder failing later.
		{"empty", body("application/json", "")},
		{"JSON white space only", body("application/json", " \n\t\r")},
		{"form feed", body("application/json", "\f")},
		{"no-break space", body("application/json", "\u00a0")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, s := serve(t, tt.bad, body("application/json", goodJSON))
			tr, rec := newTestTransport(Options{ExpectJSON: true})
			resp, err := tr.RoundTrip(newRequest(t, context.Background(), http.MethodPost, srv.URL, `{"query":"q"}`))
			if err != nil {
				t.Fatalf("RoundTrip: %v", err)
			}
			if got := readAll(t, resp); got != goodJSON {
				t.Errorf("body %q, want the good answer", got)
			}
			if s.calls.Load() != 2 || len(rec.Waits()) != 1 {
				t.Errorf("%d attempts and %d waits, want 2 and 1 (a backoff before the retry)", s.calls.Load(), len(rec.Waits()))
			}
		})
	}
}

func TestExpectJSONGivesUpWithErrNotJSON(t *testing.T) {
	srv, s := serve(t, body("text/html", proxyPage))
	tr, _ := newTestTransport(Options{ExpectJSON: true, MaxRetries: 2})
	_, err := tr.RoundTrip(newRequest(t, context.Background(), http.MethodGet, srv.URL, ""))
	if !errors.Is(err, ErrNotJSON) {
		t.Fatalf("error %v, want ErrNotJSON", err)
	}
	if s.calls.Load() != 3 {
		t.Errorf("%d attempts, want 3", s.calls.Load())
	}
	mustContainAll(t, err.Error(), "HTTP 200", "text/html", "gave up after 3 attempts")
}

// A mutation whose answer is unreadable may have been applied: it is not
// re-sent, and the caller is told to re-check.
func TestExpectJSONUnsafeIsOutcomeUnknown(t *testing.T) {
	srv, s := serve(t, body("application/json", cutJSON))
	tr, _ := newTestTransport(Options{ExpectJSON: true})
	_, err := tr.RoundTrip(newRequest(t, WithUnsafe(context.Background()), http.MethodPost, srv.URL, `{"query":"mutation"}`))
	var unknown *OutcomeUnknownError
	if !errors.As(err, &unknown) || !errors.Is(err, ErrNotJSON) {
		t.Fatalf("error %v, want *OutcomeUnknownError wrapping ErrNotJSON", err)
	}
	if s.calls.Load() != 1 {
		t.Errorf("%d attempts, want 1", s.calls.Load())
	}
}

// Only successful answers must be JSON, but for those that rightly have no
// body: a 204, an empty answer to a DELETE, an error page with an error
// status, and anything when ExpectJSON is off pass through.
func TestExpectJSONPassesThrough(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		expectJSON bool
		handler    http.HandlerFunc
		wantStatus int
	}{
		{"no content", http.MethodGet, true, status(http.StatusNoContent), http.StatusNoContent},
		{"empty answer to a DELETE", http.MethodDelete, true, body("application/json", ""), http.StatusOK},
		{"error status with HTML", http.MethodGet, true, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, proxyPage)
		}, http.StatusNotFound},
		{"off", http.MethodGet, false, body("text/html", proxyPage), http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, s := serve(t, tt.handler)
			tr, _ := newTestTransport(Options{ExpectJSON: tt.expectJSON})
			resp, err := tr.RoundTrip(newRequest(t, context.Background(), tt.method, srv.URL, ""))
			if err != nil {
				t.Fatalf("RoundTrip: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus || s.calls.Load() != 1 {
				t.Errorf("status %d after %d attempts, want %d after 1", resp.StatusCode, s.calls.Load(), tt.wantStatus)
			}
		})
	}
}

func mustContainAll(t *testing.T, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("%q does not contain %q", s, p)
		}
	}
}
