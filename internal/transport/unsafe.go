package transport

import "context"

type unsafeKey struct{}

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
