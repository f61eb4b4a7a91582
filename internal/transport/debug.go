package transport

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tokenctl/tokenctl/internal/redact"
)

// maxTraceBody is how much of each body the trace shows.
const maxTraceBody = 4 << 10

// minHeaderSecret is the shortest credential-header value scrubbed from the
// rest of the trace.
const minHeaderSecret = 8

// maxTraceScan is how much of a request body is read for the trace; it is
// scrubbed before being cut to maxTraceBody, so a secret straddling the cut
// is never half-printed.
const maxTraceScan = 64 << 10

// tracer writes the debug trace. Each block is assembled, scrubbed and then
// written in one call under a lock, so concurrent requests never interleave
// and nothing unscrubbed reaches the writer.
type tracer struct {
	mu      sync.Mutex
	w       io.Writer
	secrets []string
}

func newTracer(w io.Writer, redact []string) *tracer {
	tr := &tracer{w: w}
	for _, s := range redact {
		if strings.TrimSpace(s) != "" {
			tr.secrets = append(tr.secrets, s)
		}
	}
	// Longest first, so a secret containing another is replaced whole.
	slices.SortFunc(tr.secrets, func(a, b string) int { return len(b) - len(a) })
	return tr
}

// scrub removes every known secret, and any part of one long enough to
// give it away (redact.Known), from s: the listed ones, those in the
// request's own credential headers, and anything shaped like a token
// (redact.Secrets, as everywhere else), even when nobody listed it.
func (tr *tracer) scrub(s string, extra []string) string {
	return redact.Secrets(redact.Known(s, slices.Concat(extra, tr.secrets)...))
}

// sensitiveHeader reports headers whose value is, or may be, a credential.
func sensitiveHeader(name string) bool {
	n := strings.ToLower(name)
	for _, word := range []string{"auth", "token", "secret", "passw", "cookie", "session", "key", "credential", "signature"} {
		if strings.Contains(n, word) {
			return true
		}
	}
	return false
}

// headerSecrets returns the credential values in h, so they are scrubbed
// wherever else they appear (a body, a URL).
func headerSecrets(h http.Header) []string {
	var out []string
	for name, values := range h {
		if !sensitiveHeader(name) {
			continue
		}
		for _, v := range values {
			out = append(out, v)
			if _, cred, ok := strings.Cut(v, " "); ok {
				out = append(out, strings.TrimSpace(cred))
			}
		}
	}
	// Short values ("1", "yes") are not credentials, and scrubbing them
	// everywhere would garble the trace.
	out = slices.DeleteFunc(out, func(s string) bool { return len(s) < minHeaderSecret })
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

func maskHeader(name, value string) string {
	if !sensitiveHeader(name) {
		return value
	}
	// Keep the scheme ("Bearer"): it helps debugging and is not secret.
	if scheme, _, ok := strings.Cut(value, " "); ok && !strings.ContainsAny(scheme, "=:") {
		return scheme + " [redacted]"
	}
	return "[redacted]"
}

func writeHeaders(b *bytes.Buffer, prefix string, h http.Header, keep func(string) bool) {
	names := make([]string, 0, len(h))
	for name := range h {
		if keep(name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		for _, v := range h[name] {
			fmt.Fprintf(b, "%s%s: %s\n", prefix, name, maskHeader(name, v))
		}
	}
}

func (tr *tracer) body(b *bytes.Buffer, prefix string, data []byte, extra []string) {
	if len(data) == 0 {
		return
	}
	if !utf8.Valid(data) {
		fmt.Fprintf(b, "%s[%d bytes of binary data]\n", prefix, len(data))
		return
	}
	s := tr.scrub(string(data), extra)
	if len(s) > maxTraceBody {
		s = fmt.Sprintf("%s... [%d more bytes not shown]", s[:maxTraceBody], len(s)-maxTraceBody)
	}
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString(prefix + line + "\n")
	}
}

func requestBody(req *http.Request) ([]byte, string) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, ""
	}
	if req.GetBody == nil {
		return nil, "[body not shown: it can only be read once]"
	}
	rc, err := req.GetBody()
	if err != nil {
		return nil, "[body not shown: " + err.Error() + "]"
	}
	defer rc.Close()
	data, _ := io.ReadAll(io.LimitReader(rc, maxTraceScan))
	return data, ""
}

// attempt writes the block for one attempt; next says what happens now
// ("retrying in 2s (HTTP 503)"), if anything.
func (tr *tracer) attempt(req *http.Request, n, of int, o outcome, next string) {
	if tr == nil {
		return
	}
	extra := headerSecrets(req.Header)
	var b bytes.Buffer
	fmt.Fprintf(&b, "--- attempt %d/%d\n", n, of)
	fmt.Fprintf(&b, "> %s %s\n", req.Method, req.URL.Redacted())
	writeHeaders(&b, "> ", req.Header, func(string) bool { return true })
	if data, note := requestBody(req); note != "" {
		b.WriteString("> " + note + "\n")
	} else if len(data) > 0 {
		b.WriteString(">\n")
		tr.body(&b, "> ", data, extra)
	}
	switch {
	case o.err != nil:
		fmt.Fprintf(&b, "< error after %s: %v\n", o.elapsed.Round(time.Millisecond), o.err)
	case o.resp != nil:
		fmt.Fprintf(&b, "< %s %s in %s\n", o.resp.Proto, o.resp.Status, o.elapsed.Round(time.Millisecond))
		writeHeaders(&b, "< ", o.resp.Header, func(name string) bool {
			return strings.HasPrefix(strings.ToLower(name), "ratelimit-") || strings.EqualFold(name, "Retry-After")
		})
		if len(o.body) > 0 {
			b.WriteString("<\n")
			tr.body(&b, "< ", o.body, extra)
		}
	}
	if next != "" {
		b.WriteString("--- " + next + "\n")
	}
	tr.write(b.String(), extra)
}

// note writes a one-line remark about req, such as a pacing wait.
func (tr *tracer) note(req *http.Request, msg string) {
	if tr == nil {
		return
	}
	tr.write(fmt.Sprintf("--- %s %s: %s\n", req.Method, req.URL.Redacted(), msg), headerSecrets(req.Header))
}

func (tr *tracer) write(block string, extra []string) {
	// Scrub the whole block once more: URLs, header values and error
	// messages can carry a secret too.
	block = tr.scrub(block, extra)
	tr.mu.Lock()
	defer tr.mu.Unlock()
	_, _ = io.WriteString(tr.w, block)
}
