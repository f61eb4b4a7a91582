package buildkite

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/transport"
)

// endless streams a JSON document that never ends, counting what it
// managed to write before the client hung up.
type endless struct {
	written  atomic.Int64
	requests atomic.Int64
	announce int64 // Content-Length to claim; 0 streams without one
}

func (e *endless) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	e.requests.Add(1)
	w.Header().Set("Content-Type", "application/json")
	if e.announce > 0 {
		w.Header().Set("Content-Length", strconv.FormatInt(e.announce, 10))
	}
	w.WriteHeader(http.StatusOK)
	chunk := []byte(`{"data":{"organization":{"name":"` + strings.Repeat("x", 64<<10))
	for {
		n, err := w.Write(chunk)
		e.written.Add(int64(n))
		if err != nil || e.written.Load() > 4<<30 {
			return
		}
		chunk = []byte(strings.Repeat("x", 64<<10))
	}
}

// newLimitedClient is the production wiring (the transport with its
// default body bound) pointed at srv.
func newLimitedClient(srv *httptest.Server) *Client {
	return New(Config{GraphQLEndpoint: srv.URL + "/v1", RESTEndpoint: srv.URL, Token: "bkua_test"})
}

// A server that sends an endless (or absurdly large) answer gets cut off at
// the transport's bound: the client reads a bounded amount, says the answer
// was too large, and does not retry it.
func TestHugeAnswersAreCutOff(t *testing.T) {
	tests := []struct {
		name     string
		announce int64
	}{
		{"streamed without a length", 0},
		{"announced length", 1 << 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(&endless{announce: tt.announce})
			t.Cleanup(srv.Close)
			h := srv.Config.Handler.(*endless)
			c := newLimitedClient(srv)

			// The server may write some way past the bound into socket
			// buffers before the client hangs up (a loopback socket's
			// receive buffer alone may grow to 32 MiB), but nowhere near
			// the gigabytes it has; that no retry read the bound again is
			// told by the requests it was sent.
			const slack = 64 << 20
			calls := []struct {
				name string
				call func() error
			}{
				{"GraphQL", func() error { _, err := c.Organization(context.Background(), ident.Org{Slug: "acme"}); return err }},
				{"REST", func() error { _, err := c.AccessToken(context.Background()); return err }},
			}
			for _, call := range calls {
				h.written.Store(0)
				h.requests.Store(0)
				err := call.call()
				if !errors.Is(err, transport.ErrResponseTooLarge) {
					t.Fatalf("%s: error %v, want ErrResponseTooLarge", call.name, err)
				}
				if KindOf(err) != KindNetwork || !strings.Contains(err.Error(), "too large") {
					t.Errorf("%s: error %q (kind %v), want a network error saying the answer was too large", call.name, err, KindOf(err))
				}
				srv.CloseClientConnections()
				if w := h.written.Load(); w > transport.DefaultMaxBodyBytes+slack {
					t.Errorf("%s: the server wrote %d bytes before the client stopped reading; the bound is %d", call.name, w, transport.DefaultMaxBodyBytes)
				}
				if n := h.requests.Load(); n != 1 {
					t.Errorf("%s: the server was asked %d times; a too-large answer must not be asked for again", call.name, n)
				}
			}
		})
	}
}
