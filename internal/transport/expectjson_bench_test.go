package transport

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkExpectJSON measures what checking that an answer is JSON adds
// to a round trip carrying a full page of 500 tokens (about 600 KB), the
// largest answer tokenctl asks for.
func BenchmarkExpectJSON(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"data":{"organization":{"apiAccessTokens":{"edges":[`)
	for i := range 500 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"node":{"id":"QVBJQWNjZXNzVG9rZW4tLS0%08d","uuid":"%08d-0000-4000-8000-000000000000","description":"token %d","scopes":["GRAPHQL","READ_BUILDS"],"createdAt":"2024-01-01T00:00:00Z","expiresAt":null,"lastAccessedAt":"2025-01-01T00:00:00Z","ipAddress":"192.0.2.1","owner":{"id":"VXNlcg","uuid":"u","name":"Someone With A Name","email":"someone@example.com"}}}`, i, i, i)
	}
	sb.WriteString(`],"pageInfo":{"hasNextPage":false,"endCursor":"c"}}}}}`)
	page := sb.String()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, page)
	}))
	b.Cleanup(srv.Close)
	for _, expect := range []bool{false, true} {
		b.Run(fmt.Sprintf("ExpectJSON=%v", expect), func(b *testing.B) {
			tr := New(Options{ExpectJSON: expect})
			b.Cleanup(tr.CloseIdleConnections)
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			for b.Loop() {
				req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL, strings.NewReader(`{"query":"q"}`))
				if err != nil {
					b.Fatal(err)
				}
				resp, err := tr.RoundTrip(req)
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
			}
		})
	}
}
