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

// A body recycled by its reader lends its bytes to the next answer of a
// known length, which reads as itself, and a recycled body reads as empty.
func TestRecycledBodyIsReused(t *testing.T) {
	pages := []string{
		`{"data":{"page":1,"items":["` + strings.Repeat("a", 5000) + `"]}}`,
		`{"data":{"page":2,"items":["` + strings.Repeat("b", 4000) + `"]}}`,
	}
	n := 0
	srv, _ := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		page := pages[n%2]
		n++
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(page)))
		_, _ = io.WriteString(w, page)
	})
	tr, _ := newTestTransport(Options{ExpectJSON: true})
	get := func() *Body {
		t.Helper()
		resp, err := tr.RoundTrip(newRequest(t, context.Background(), http.MethodPost, srv.URL, `{"query":"q"}`))
		if err != nil {
			t.Fatalf("RoundTrip: %v", err)
		}
		return resp.Body.(*Body)
	}
	// A pool may drop what it is given (the race detector makes it drop
	// some on purpose): reuse must be seen within a few rounds.
	reused := false
	for round := 0; round < 50 && !reused; round++ {
		first := get()
		if string(first.Bytes()) != pages[0] {
			t.Fatalf("round %d: the first answer reads %.40q…", round, first.Bytes())
		}
		at := &first.Bytes()[0]
		first.Recycle()
		if first.Bytes() != nil || readAll(t, &http.Response{Body: first}) != "" {
			t.Fatalf("a recycled body still reads")
		}
		second := get()
		if string(second.Bytes()) != pages[1] {
			t.Fatalf("round %d: the answer read into a recycled buffer reads %.40q…", round, second.Bytes())
		}
		reused = &second.Bytes()[0] == at
		second.Recycle()
	}
	if !reused {
		t.Error("no answer was read into a recycled buffer")
	}
}
