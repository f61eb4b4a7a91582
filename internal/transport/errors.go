package transport

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrResponseTooLarge reports a response body longer than
// Options.MaxBodyBytes. Such a response is not retried: it would be as large
// again.
var ErrResponseTooLarge = errors.New("response from Buildkite is too large")

// ErrNotJSON reports a successful answer that is not JSON although
// Options.ExpectJSON says it must be: a proxy's HTML page, or a body cut
// short in a way HTTP did not notice. It is retried like a lost answer.
var ErrNotJSON = errors.New("the answer from Buildkite is not valid JSON")

// OutcomeUnknownError is returned for an unsafe request that may have
// reached the server and been applied, when no valid answer came back: the
// connection broke after the request was sent, the attempt timed out, the
// answer was cut off or too large, or the context ended mid-flight. The
// caller must check the server's state before trying again.
type OutcomeUnknownError struct {
	Err error
}

func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("the request was sent but no valid answer came back, so it may or may not have been applied: %v", e.Err)
}

func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// TimeoutError reports an attempt that ran past Options.Timeout. It matches
// context.DeadlineExceeded and reports Timeout() true, like net errors do.
type TimeoutError struct {
	After time.Duration
	Phase string // "waiting for the response headers" or "reading the response body"
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("no answer from Buildkite within %s (%s)", e.After, e.Phase)
}

func (e *TimeoutError) Timeout() bool { return true }
func (e *TimeoutError) Unwrap() error { return context.DeadlineExceeded }
