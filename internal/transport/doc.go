// Package transport is tokenctl's one HTTP transport, used for both the
// GraphQL and the REST API. It owns every rule about talking to Buildkite
// over the wire: per-attempt timeouts, bounded response sizes, retries with
// exponential backoff, Retry-After and RateLimit-* handling, pacing so bulk
// runs stay under the rate limit, and a redacted debug trace.
//
// # What RoundTrip returns
//
// Any HTTP status is returned as a normal *http.Response, including the last
// 429 or 5xx after retries ran out: mapping statuses to user-facing errors is
// the API client's job, and it needs the status and body to do it. An error
// is returned only when no complete answer arrived: a connection or timeout
// failure (after retries, for safe requests), a response larger than
// MaxBodyBytes (ErrResponseTooLarge), a 2xx answer that is not JSON when
// Options.ExpectJSON is set (ErrNotJSON, after retries), or the request
// context ending.
//
// Response bodies are read completely, up to MaxBodyBytes, inside the
// attempt. That is what lets the per-attempt timeout cover the body, lets a
// safe request be retried when its body is cut off, and lets an unsafe one
// report a lost answer as *OutcomeUnknownError instead of failing later in
// the caller's JSON decoder. The returned body is in memory; closing it is
// still good practice but frees nothing on the network.
//
// # Safe and unsafe requests
//
// Requests are safe (freely repeatable) unless their context went through
// WithUnsafe, as a GraphQL mutation or a REST DELETE must. An unsafe request
// is re-sent only when the server certainly did not act on it: a 429, or a
// failure before any of the request was written (a refused connection). If
// it may have been applied and no valid answer came back, RoundTrip returns
// *OutcomeUnknownError. A 5xx answer to an unsafe request is returned as is;
// the caller must re-check state before trying again.
//
// The package must not decide what a status means to the user, must not
// print except to Options.Debug, and must never write a credential there.
package transport
