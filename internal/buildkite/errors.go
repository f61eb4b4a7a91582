package buildkite

import (
	"errors"
	"fmt"
	"strings"
)

// Kind says what went wrong in terms a user can act on.
type Kind int

const (
	// KindOther is an unclassified failure.
	KindOther Kind = iota
	// KindUnauthorized: the credential is missing, unknown, expired or revoked.
	KindUnauthorized
	// KindForbidden: the credential is valid but may not do this.
	KindForbidden
	// KindNotFound: the organization or token does not exist for this caller.
	KindNotFound
	// KindThrottled: the rate limit is spent.
	KindThrottled
	// KindServer: Buildkite answered 5xx.
	KindServer
	// KindNetwork: no usable answer (connection, timeout, unreadable body).
	KindNetwork
	// KindOutcomeUnknown: a mutation was sent but its answer was lost; it
	// may or may not have been applied.
	KindOutcomeUnknown
	// KindInvalid: the server rejected the request as invalid.
	KindInvalid
)

// Error is a failed API call.
type Error struct {
	Kind    Kind
	Status  int    // HTTP status, 0 when none
	Message string // what happened, for the user
	Err     error  // underlying cause
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of err, KindOther when it is not an *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindOther
}

// classifyGraphQLMessage guesses the kind of a GraphQL-level error from its
// message: Buildkite answers not-found and not-permitted as HTTP 200 with
// errors, and the message is all there is to go on.
func classifyGraphQLMessage(msg string) Kind {
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "internal server error"), strings.Contains(m, "internal error"):
		return KindServer
	case strings.Contains(m, "not found"), strings.Contains(m, "no such"), strings.Contains(m, "couldn't find"), strings.Contains(m, "could not find"), strings.Contains(m, "does not exist"):
		return KindNotFound
	case strings.Contains(m, "administrator"), strings.Contains(m, "permission"), strings.Contains(m, "not allowed"), strings.Contains(m, "not authorized"), strings.Contains(m, "forbidden"), strings.Contains(m, "access"):
		return KindForbidden
	case strings.Contains(m, "complexity"), strings.Contains(m, "rate limit"):
		return KindThrottled
	}
	return KindInvalid
}

func statusError(status int, body string, what string) *Error {
	detail := strings.TrimSpace(body)
	if len(detail) > 200 {
		detail = detail[:200] + "…"
	}
	e := &Error{Status: status}
	switch {
	case status == 401:
		e.Kind = KindUnauthorized
		e.Message = fmt.Sprintf("%s: Buildkite rejected the API token (HTTP 401): it is unknown, expired or revoked; create a new token at https://buildkite.com/user/api-access-tokens and provide it with BUILDKITE_API_TOKEN or --api-token-file", what)
	case status == 403:
		e.Kind = KindForbidden
		e.Message = fmt.Sprintf("%s: the API token is not allowed to do this (HTTP 403)%s; it needs GraphQL API access enabled and its owner must be an administrator of the organization", what, suffix(detail))
	case status == 404:
		e.Kind = KindNotFound
		e.Message = fmt.Sprintf("%s: not found (HTTP 404)%s; check the endpoint settings", what, suffix(detail))
	case status == 429:
		e.Kind = KindThrottled
		e.Message = fmt.Sprintf("%s: Buildkite's rate limit is spent (HTTP 429) and stayed spent after retries; wait for the limit to reset and run again", what)
	case status >= 500:
		e.Kind = KindServer
		e.Message = fmt.Sprintf("%s: Buildkite answered with a server error (HTTP %d); try again later", what, status)
	default:
		e.Kind = KindOther
		e.Message = fmt.Sprintf("%s: unexpected HTTP %d%s", what, status, suffix(detail))
	}
	return e
}

func suffix(detail string) string {
	if detail == "" {
		return ""
	}
	return ": " + detail
}
