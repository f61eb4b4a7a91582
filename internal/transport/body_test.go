package transport

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// A body read in full is handed over whole, as the bytes the transport
// read, whether its length was announced or not; reading it as a stream
// still gives the same bytes.
func TestBodyBytesAreTheWholeAnswer(t *testing.T) {
	page := `{"data":{"items":[` + strings.Repeat(`{"id":"x"},`, 2000) + `{"id":"y"}]}}`
	for _, announced := range []bool{true, false} {
		t.Run("Content-Length "+strconv.FormatBool(announced), func(t *testing.T) {
			srv, _ := serve(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if announced {
					w.Header().Set("Content-Length", strconv.Itoa(len(page)))
				} else {
					w.(http.Flusher).Flush() // chunked: no length known in advance
				}
				_, _ = io.WriteString(w, page)
			})
			tr, _ := newTestTransport(Options{ExpectJSON: true})
			resp, err := tr.RoundTrip(newRequest(t, context.Background(), http.MethodPost, srv.URL, `{"query":"q"}`))
			if err != nil {
				t.Fatalf("RoundTrip: %v", err)
			}
			b, ok := resp.Body.(*Body)
			if !ok {
				t.Fatalf("body is a %T, want *Body", resp.Body)
			}
			if string(b.Bytes()) != page {
				t.Errorf("Bytes() has %d bytes, want the %d sent", len(b.Bytes()), len(page))
			}
			if got := readAll(t, resp); got != page {
				t.Errorf("reading the body gave %d bytes, want the %d sent", len(got), len(page))
			}
		})
	}
}
