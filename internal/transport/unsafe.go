package transport

import (
	"context"
)

type (
	unsafeKey    struct{}
	interruptKey struct{}
)

// WithUnsafe marks requests made with the returned context as
// non-idempotent (a GraphQL mutation, a REST DELETE): the transport will not
// re-send them unless the server certainly did not act on them.
func WithUnsafe(ctx context.Context) context.Context {
	return context.WithValue(ctx, unsafeKey{}, true)
}

func isUnsafe(ctx context.Context) bool {
	v, _ := ctx.Value(unsafeKey{}).(bool)
	return v
}

// WithInterrupt lets an unsafe request made with the returned context be
// given up when interrupt ends, while it certainly has not been applied:
// during pacing before it is first sent, and while waiting to re-send it
// after a 429 or a refused connection. Once it may have reached the server
// only ctx ends it. The caller keeps mutations on a context that survives
// Ctrl-C so that one on the wire can finish and its outcome be known; one
// that is only waiting has nothing to finish, and is dropped with an error
// matching context.Canceled.
func WithInterrupt(ctx, interrupt context.Context) context.Context {
	return context.WithValue(ctx, interruptKey{}, interrupt)
}

// waitContext is the context an unsafe request's waits run under: ctx,
// also ended by its interrupt, if any. stop must be called when done.
func waitContext(ctx context.Context) (context.Context, context.CancelFunc) {
	interrupt, _ := ctx.Value(interruptKey{}).(context.Context)
	if interrupt == nil || !isUnsafe(ctx) {
		return ctx, func() {}
	}
	wctx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(interrupt, func() { cancel(errInterrupted) })
	return wctx, func() {
		stop()
		cancel(nil)
	}
}

// interrupted reports errInterrupted once an unsafe request's interrupt has
// ended. It is checked directly, besides through waitContext, because
// AfterFunc cancels from another goroutine, a moment later.
func interrupted(ctx context.Context) error {
	if interrupt, _ := ctx.Value(interruptKey{}).(context.Context); interrupt != nil && isUnsafe(ctx) && interrupt.Err() != nil {
		return errInterrupted
	}
	return nil
}

// errInterrupted is what an unsafe request given up while waiting returns.
// It wraps context.Canceled.
var errInterrupted error = interruptedError{}

// interruptedError is errInterrupted: a value of a type of its own, which
// the compiler lays out as data, where an error made by fmt.Errorf is made
// at start-up, whatever the command.
type interruptedError struct{}

func (interruptedError) Error() string {
	return "interrupted before Buildkite accepted the request, so it was not applied: " + context.Canceled.Error()
}

func (interruptedError) Unwrap() error { return context.Canceled }
