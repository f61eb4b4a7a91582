package transport

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tokenctl/tokenctl/internal/jsonvalid"
	"github.com/tokenctl/tokenctl/internal/redact"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxRetries   = 4
	DefaultMaxBodyBytes = 32 << 20
	DefaultLowWatermark = 0.1
)

// maxWait bounds any single wait (Retry-After, rate-limit reset, pacing), so
// a confused or hostile header cannot park the program for hours.
const maxWait = 5 * time.Minute

// Options configures a Transport. The zero value is usable.
type Options struct {
	// Base sends the requests; nil means a clone of http.DefaultTransport.
	Base http.RoundTripper
	// Timeout bounds each attempt, from sending to the end of the body.
	// Zero means DefaultTimeout; negative means none.
	Timeout time.Duration
	// MaxRetries is how many times a request may be re-sent. Zero means
	// DefaultMaxRetries; negative means never.
	MaxRetries int
	// MaxBodyBytes bounds a response body; zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Debug, when set, receives one trace block per attempt, with every
	// credential redacted.
	Debug io.Writer
	// Redact lists further secret values to scrub from the trace and from
	// every answer, such as the API token or a leaked token value being
	// looked up. A request's own bearer credential is always scrubbed.
	Redact []string
	// UserAgent is sent when the request has none.
	UserAgent string
	// Sleep waits for d or until ctx ends, returning ctx.Err() then. Tests
	// replace it to record waits; nil means a real timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock the rate-limit budget's reset and Retry-After dates
	// are read on; nil means the real one.
	Now func() time.Time
	// Waiting, when set, is told of each wait the transport starts
	// (pacing, before a retry, a Backoff's): how long, and what for, as
	// words that follow "waiting 5m0s". It must return quickly.
	Waiting func(d time.Duration, what string)
	// ExpectJSON says every successful (2xx) answer is JSON, as all of
	// Buildkite's are, but for 204 No Content and an empty answer to a
	// DELETE. One that is not (an empty body or white space included) is
	// treated like an answer
	// that never arrived: a safe request is retried, an unsafe one gets
	// *OutcomeUnknownError, instead of the caller's decoder failing later
	// with nobody to retry or re-check.
	ExpectJSON bool
	// LowWatermark is the fraction of the rate-limit budget below which
	// requests are spaced out to last until the reset. Zero means
	// DefaultLowWatermark; negative turns pacing off.
	LowWatermark float64
}

// Transport is an http.RoundTripper implementing the rules described in
// the package documentation. It is safe for concurrent use, and its
// rate-limit view is shared by all requests through it.
type Transport struct {
	base         http.RoundTripper
	timeout      time.Duration
	maxRetries   int
	maxBody      int64
	userAgent    string
	sleep        func(context.Context, time.Duration) error
	lowWatermark float64
	expectJSON   bool
	trace        *tracer  // nil when tracing is off
	secrets      []string // scrubbed from every answer's body (see scrub)
	waiting      func(time.Duration, string)
	now          func() time.Time

	mu       sync.Mutex
	rate     RateLimitState
	lastSend time.Time // latest send slot handed out by pacing
}

// New returns a Transport with opts' zero fields set to their defaults.
func New(opts Options) *Transport {
	t := &Transport{
		base:         opts.Base,
		timeout:      opts.Timeout,
		maxRetries:   opts.MaxRetries,
		maxBody:      opts.MaxBodyBytes,
		userAgent:    opts.UserAgent,
		sleep:        opts.Sleep,
		lowWatermark: opts.LowWatermark,
		expectJSON:   opts.ExpectJSON,
		now:          time.Now,
	}
	if t.base == nil {
		t.base = http.DefaultTransport.(*http.Transport).Clone()
	}
	switch {
	case t.timeout == 0:
		t.timeout = DefaultTimeout
	case t.timeout < 0:
		t.timeout = 0
	}
	switch {
	case t.maxRetries == 0:
		t.maxRetries = DefaultMaxRetries
	case t.maxRetries < 0:
		t.maxRetries = 0
	}
	if t.maxBody <= 0 {
		t.maxBody = DefaultMaxBodyBytes
	}
	if t.sleep == nil {
		t.sleep = Sleep
	}
	if opts.Now != nil {
		t.now = opts.Now
	}
	t.waiting = opts.Waiting
	switch {
	case t.lowWatermark == 0:
		t.lowWatermark = DefaultLowWatermark
	case t.lowWatermark < 0:
		t.lowWatermark = 0
	}
	if opts.Debug != nil {
		t.trace = newTracer(opts.Debug, opts.Redact)
	}
	for _, secret := range opts.Redact {
		if len(secret) >= minScrubbed {
			t.secrets = append(t.secrets, secret)
			redact.Remember(secret)
		}
	}
	return t
}

// minScrubbed is the shortest secret scrubbed from answers: a shorter one
// (no credential Buildkite issues is) could match ordinary text and break
// the JSON it is found in.
const minScrubbed = 12

// scrub replaces every secret the request carries (its bearer credential)
// or the options name, and any part of one long enough to give it away,
// with redact.Placeholder in an answer's body, before
// anything reads it: a server or proxy that repeats the credential in an
// error message, whatever the credential looks like, cannot put it into an
// error, a log or the terminal. This is the one place that holds both the
// secret and the server's words, for the API token and leaked values
// alike.
func (t *Transport) scrub(req *http.Request, body []byte) []byte {
	bearer := ""
	if scheme, value, ok := strings.Cut(req.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		bearer = strings.TrimSpace(value)
	}
	var forms []string
	for _, secret := range append([]string{bearer}, t.secrets...) {
		if len(secret) < minScrubbed {
			continue
		}
		// As written, and as a JSON string spells it (a secret holding
		// quotes, backslashes or <>& comes back escaped); its parts as
		// well (see redact.KnownBytes).
		forms = append(forms, secret)
		if quoted, _ := json.Marshal(secret); string(quoted[1:len(quoted)-1]) != secret {
			forms = append(forms, string(quoted[1:len(quoted)-1]))
		}
	}
	return redact.KnownBytes(body, forms...)
}

// wait tells Options.Waiting of a wait for what, then waits.
func (t *Transport) wait(ctx context.Context, d time.Duration, what string) error {
	if t.waiting != nil && d > 0 {
		t.waiting(d, what)
	}
	return t.sleep(ctx, d)
}

// Sleep waits d on a real timer, or until ctx ends, returning ctx.Err()
// then: the one real wait behind every injectable Sleep.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// CloseIdleConnections closes the base transport's idle connections, so
// http.Client.CloseIdleConnections works through a Transport.
func (t *Transport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// RoundTrip sends req under the retry schedule, timeouts and pacing.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	unsafe := isUnsafe(ctx)
	attempts := t.maxRetries + 1
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		attempts = 1 // the body cannot be sent twice
	}
	bo := newSchedule()
	waitCtx, stopWaiting := waitContext(ctx)
	defer stopWaiting()
	for n := 1; ; n++ {
		err := interrupted(ctx)
		if err == nil {
			err = t.pace(waitCtx, req)
		}
		if err != nil {
			if n == 1 && req.Body != nil {
				req.Body.Close() // a RoundTripper must close the body it never sent
			}
			return nil, waitError(waitCtx, err)
		}
		o := t.attempt(ctx, req, n)
		t.observe(o.resp)

		var wait time.Duration
		var why, what string
		if o.err != nil {
			if unsafe && o.wrote {
				t.trace.attempt(req, n, attempts, o, "the request may have been applied; not retrying")
				return nil, &OutcomeUnknownError{Err: o.err}
			}
			if err := ctx.Err(); err != nil {
				t.trace.attempt(req, n, attempts, o, "")
				return nil, err
			}
			if !retryableError(o.err) || n >= attempts {
				t.trace.attempt(req, n, attempts, o, "")
				return nil, gaveUp(o.err, n)
			}
			wait, why = bo.next(), o.err.Error()
			what = "to retry a request that failed"
		} else {
			if !retryableStatus(o.resp.StatusCode, unsafe) || n >= attempts {
				t.trace.attempt(req, n, attempts, o, "")
				return o.resp, nil
			}
			wait, why = t.statusWait(o.resp, bo), "HTTP "+o.resp.Status
			what = "to retry a request Buildkite answered with " + why
		}
		t.trace.attempt(req, n, attempts, o, fmt.Sprintf("retrying in %s (%s)", wait.Round(time.Millisecond), why))
		if err := t.wait(waitCtx, wait, what); err != nil {
			return nil, waitError(waitCtx, err)
		}
		if err := cmp.Or(interrupted(ctx), waitCtx.Err()); err != nil {
			return nil, waitError(waitCtx, err)
		}
	}
}

// waitError is the error for a wait cut short: the interrupt's, when that
// is what ended it, else err.
func waitError(waitCtx context.Context, err error) error {
	if cause := context.Cause(waitCtx); errors.Is(cause, errInterrupted) {
		return cause
	}
	return err
}

func gaveUp(err error, attempts int) error {
	if attempts == 1 {
		return err
	}
	return fmt.Errorf("gave up after %d attempts: %w", attempts, err)
}

// outcome is what one attempt produced: a response with its body already
// read, or an error.
type outcome struct {
	resp    *http.Response
	body    []byte
	err     error
	wrote   bool // some of the request reached the connection
	elapsed time.Duration
}

// attempt sends req once under its own deadline and reads the whole body.
func (t *Transport) attempt(ctx context.Context, req *http.Request, n int) outcome {
	actx, cancel := ctx, context.CancelFunc(func() {})
	if t.timeout > 0 {
		actx, cancel = context.WithTimeout(ctx, t.timeout)
	}
	defer cancel()

	// WroteHeaders fires once the request starts going onto the
	// connection; until then an unsafe request cannot have been applied.
	var wrote atomic.Bool
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{WroteHeaders: func() { wrote.Store(true) }})
	areq := req.Clone(actx)
	if n > 1 && req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return outcome{err: fmt.Errorf("rewinding the request body: %w", err)}
		}
		areq.Body = body
	}
	if t.userAgent != "" && areq.Header.Get("User-Agent") == "" {
		areq.Header.Set("User-Agent", t.userAgent)
	}

	start := time.Now()
	resp, err := t.base.RoundTrip(areq)
	if err != nil {
		return outcome{err: t.explain(ctx, actx, err, "waiting for the response headers"), wrote: wrote.Load(), elapsed: time.Since(start)}
	}
	body, err := readBody(resp, t.maxBody)
	resp.Body.Close()
	body = t.scrub(req, body)
	if err != nil {
		return outcome{resp: nil, body: body, err: t.explain(ctx, actx, err, "reading the response body"), wrote: true, elapsed: time.Since(start)}
	}
	if t.expectJSON && resp.StatusCode/100 == 2 && !noContent(req, resp, body) && !jsonvalid.Valid(body) {
		err := fmt.Errorf("%w (HTTP %d, %s, %d bytes)", ErrNotJSON, resp.StatusCode, contentType(resp), len(body))
		return outcome{body: body, err: err, wrote: true, elapsed: time.Since(start)}
	}
	resp.Body = &Body{Reader: bytes.NewReader(body), data: body}
	resp.ContentLength = int64(len(body))
	return outcome{resp: resp, body: body, wrote: true, elapsed: time.Since(start)}
}

// noContent reports whether a successful answer rightly has no body: 204
// No Content, or nothing at all in answer to a DELETE (Buildkite answers
// DELETE /v2/access-token with 204). Any other answer is promised as JSON,
// and one that is empty or only white space is not JSON, whatever white
// space it holds.
func noContent(req *http.Request, resp *http.Response, body []byte) bool {
	return resp.StatusCode == http.StatusNoContent || (req.Method == http.MethodDelete && len(body) == 0)
}

func contentType(resp *http.Response) string {
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		return ct
	}
	return "no content type"
}

// explain replaces the opaque error of an attempt that hit its own deadline
// with a TimeoutError naming the phase; the caller's own cancellation or
// deadline is reported as the context's error.
func (t *Transport) explain(ctx, actx context.Context, err error, phase string) error {
	if errors.Is(err, ErrResponseTooLarge) {
		return err
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if errors.Is(actx.Err(), context.DeadlineExceeded) {
		return &TimeoutError{After: t.timeout, Phase: phase}
	}
	return err
}

// Body is the body of a response the transport has read in full. It reads
// as any body does; Bytes hands the whole of it over without a copy, so a
// decoder reads the answer once, from the bytes already in memory.
type Body struct {
	*bytes.Reader
	data []byte
}

// Bytes returns the whole body, however much of it was read. The caller
// must not modify it.
func (b *Body) Bytes() []byte { return b.data }

// Close does nothing: the connection's body was closed once read.
func (b *Body) Close() error { return nil }

// Recycle hands the body's bytes back, for the answers that follow to be
// read into: a listing's pages, one after another, then reuse a few
// buffers instead of each taking fresh memory. The caller must not use
// them, nor anything that shares them, afterwards (a decoder copies what
// it decodes).
func (b *Body) Recycle() {
	if b.data == nil {
		return
	}
	buf := b.data[:0]
	b.data = nil
	b.Reader.Reset(nil) //nolint:staticcheck // QF1008: named, so that a Reset of Body's own can never be called here instead
	bodyBuffers.Put(&buf)
}

// bodyBuffers holds the buffers of bodies their readers recycled.
var bodyBuffers sync.Pool // of *[]byte

// bodyBuffer is a buffer of n bytes, a recycled one when it is large
// enough.
func bodyBuffer(n int64) []byte {
	if p, ok := bodyBuffers.Get().(*[]byte); ok && int64(cap(*p)) >= n {
		return (*p)[:n]
	}
	return make([]byte, n)
}

// readBody reads at most limit bytes, failing with ErrResponseTooLarge past
// that instead of holding an unbounded answer in memory. A body of known
// length is read into a buffer of that size, in one allocation.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w: it announces %d bytes; the limit is %d", ErrResponseTooLarge, resp.ContentLength, limit)
	}
	var body []byte
	var err error
	if resp.ContentLength > 0 {
		body, err = readKnownLength(resp.Body, resp.ContentLength)
	} else {
		body, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
	}
	if err != nil {
		return body, err
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%w: it is longer than the limit of %d bytes", ErrResponseTooLarge, limit)
	}
	return body, nil
}

// readKnownLength reads a body announced as n bytes into a buffer of n
// bytes. net/http already fails a body that ends early
// (io.ErrUnexpectedEOF) or runs past its Content-Length.
func readKnownLength(r io.Reader, n int64) ([]byte, error) {
	body := bodyBuffer(n)
	read, err := io.ReadFull(r, body)
	if err != nil {
		return body[:read], err
	}
	return body, nil
}
