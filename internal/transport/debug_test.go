package transport

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestDebugTraceRedacts(t *testing.T) {
	const (
		apiToken  = "bkua_0123456789abcdef0123456789abcdef01234567"
		leaked    = "leaked-token-value-987654321"
		otherCred = "hunter2-hunter2-hunter2"
		shaped    = "bkua_ffffffffffffffffffffffffffffffffffffffff" // listed nowhere; caught by shape
	)
	echo := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("RateLimit-Remaining", "42")
		w.Header().Set("RateLimit-Limit", "50000")
		w.Header().Set("RateLimit-Reset", "120")
		w.Header().Set("Set-Cookie", "session="+otherCred)
		_, _ = io.WriteString(w, `{"echo":"`+leaked+` `+apiToken+` `+shaped+`"}`+strings.Repeat(" pad", 2000))
	}
	srv, _ := serve(t, status(503), echo)
	var trace bytes.Buffer
	tr, _ := newTestTransport(Options{Debug: &trace, Redact: []string{leaked, ""}})
	body := `{"query":"q","variables":{"value":"` + leaked + `","token":"` + apiToken + `"}}`
	req := newRequest(t, context.Background(), http.MethodPost, srv.URL+"/v1?lookup="+leaked, body)
	req.Header.Set("Authorization", "Bearer "+apiToken)
	req.Header.Set("X-Api-Key", otherCred)
	req.Header.Set("Content-Type", "application/json")
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	// The caller's answer loses the secrets the request carried or the
	// options named (no answer of Buildkite's holds a credential), and
	// nothing else: a value merely shaped like a token is data.
	got := readAll(t, resp)
	if strings.Contains(got, leaked) || strings.Contains(got, apiToken) || !strings.Contains(got, `{"echo":"[redacted] [redacted] `+shaped+`"}`) {
		t.Errorf("the answer the caller gets: %.200s", got)
	}

	out := trace.String()
	for _, secret := range []string{apiToken, leaked, otherCred, shaped, "0123456789abcdef"} {
		if strings.Contains(out, secret) {
			t.Errorf("trace contains secret %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{
		"--- attempt 1/5", "--- attempt 2/5",
		"> POST " + srv.URL + "/v1?lookup=[redacted]",
		"> Authorization: Bearer [redacted]",
		"> X-Api-Key: [redacted]",
		"> Content-Type: application/json",
		`"value":"[redacted]"`,
		"< HTTP/1.1 503 Service Unavailable",
		"--- retrying in ",
		"< HTTP/1.1 200 OK",
		"< Ratelimit-Remaining: 42",
		"< Ratelimit-Limit: 50000",
		"< Ratelimit-Reset: 120",
		"more bytes not shown]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Set-Cookie") {
		t.Errorf("trace shows response headers beyond the rate-limit ones:\n%s", out)
	}
	if len(out) > 3*maxTraceBody+4096 {
		t.Errorf("trace is %d bytes; bodies should be cut to %d", len(out), maxTraceBody)
	}
}

func TestDebugOffWritesNothing(t *testing.T) {
	srv, _ := serve(t, status(200))
	tr, _ := newTestTransport(Options{})
	if tr.trace != nil {
		t.Fatal("tracing on without a Debug writer")
	}
	resp, err := tr.RoundTrip(newRequest(t, context.Background(), http.MethodGet, srv.URL, ""))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}
