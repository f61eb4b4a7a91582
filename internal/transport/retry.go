package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// retryableStatus says whether a response status is worth another attempt.
// A 429 means the request was refused before it ran, so even an unsafe
// request may be re-sent; a 5xx may come after the server acted, so only
// safe ones are. A 500 is retried too: Buildkite answers it during deploys
// and incidents that pass within the backoff, and MaxRetries bounds the
// cost when it does not.
func retryableStatus(code int, unsafe bool) bool {
	switch code {
	case http.StatusTooManyRequests:
		return true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return !unsafe
	}
	return false
}

// retryableError says whether a transport failure may go away on its own.
// Certificate problems, unknown hosts and oversized answers will not.
func retryableError(err error) bool {
	var (
		timeoutErr  *TimeoutError
		certErr     *tls.CertificateVerificationError
		authorityEr x509.UnknownAuthorityError
		hostnameErr x509.HostnameError
		invalidErr  x509.CertificateInvalidError
		dnsErr      *net.DNSError
		netErr      net.Error
	)
	switch {
	case errors.As(err, &timeoutErr), errors.Is(err, ErrNotJSON):
		return true
	case errors.Is(err, ErrResponseTooLarge),
		errors.As(err, &certErr), errors.As(err, &authorityEr),
		errors.As(err, &hostnameErr), errors.As(err, &invalidErr):
		return false
	case errors.As(err, &dnsErr):
		return !dnsErr.IsNotFound
	case errors.As(err, &netErr):
		return true
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE)
}

// statusWait is how long to wait before re-sending after a retryable status:
// what the server asked for on 429 (and on 503 with Retry-After), else the
// exponential backoff.
func (t *Transport) statusWait(resp *http.Response, bo *schedule) time.Duration {
	if d, ok := t.serverWait(resp); ok {
		return d
	}
	return min(bo.next(), maxWait)
}

// serverWait reads the wait a throttling or unavailable answer asks for,
// capped at maxWait.
func (t *Transport) serverWait(resp *http.Response) (time.Duration, bool) {
	var d time.Duration
	var ok bool
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		if d, ok = retryAfter(resp.Header, t.now()); !ok {
			d, ok = seconds(resp.Header.Get("RateLimit-Reset"))
		}
	case http.StatusServiceUnavailable:
		d, ok = retryAfter(resp.Header, t.now())
	}
	if !ok || d <= 0 {
		return 0, false
	}
	return min(d, maxWait), true
}

// retryAfter parses Retry-After, which is either seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if d, ok := seconds(v); ok {
		return d, true
	}
	when, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return when.Sub(now), true
}

func seconds(v string) (time.Duration, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	// Clamp before multiplying so a huge value cannot overflow; callers cap
	// waits far lower anyway.
	const day = 24 * 60 * 60
	return time.Duration(min(n, day)) * time.Second, true
}

// Backoff hands out the waits of the transport's retry schedule to a caller
// that must re-send a request itself: the executor re-sends a revocation
// once a re-check has proven that the attempt did not apply, which the
// transport cannot know. There is one retry schedule; this is it.
type Backoff struct {
	bo    *schedule
	left  int
	sleep func(context.Context, time.Duration) error
}

// Backoff starts a fresh schedule: at most as many further attempts as the
// transport makes for a query, spaced the same way.
func (t *Transport) Backoff() *Backoff {
	return &Backoff{bo: newSchedule(), left: t.maxRetries, sleep: func(ctx context.Context, d time.Duration) error {
		return t.wait(ctx, d, "before checking again")
	}}
}

// DefaultBackoff is the schedule of a transport with default options.
func DefaultBackoff() *Backoff {
	return &Backoff{bo: newSchedule(), left: DefaultMaxRetries, sleep: Sleep}
}

// Wait waits before the next attempt. It returns false, at once, when no
// attempt is left, and false when ctx ends during the wait.
func (b *Backoff) Wait(ctx context.Context) bool {
	if b.left <= 0 {
		return false
	}
	b.left--
	return b.sleep(ctx, min(b.bo.next(), maxWait)) == nil
}
