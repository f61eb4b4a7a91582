package buildkite

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/tokenctl/tokenctl/internal/redact"
)

// Kind says what went wrong in terms a user can act on.
type Kind int

const (
	// KindOther is an unclassified failure: an error tokenctl does not
	// know the meaning of.
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
	// KindConfig: the endpoint answered, but not as Buildkite's API does
	// (HTTP 404, an HTML page): a wrong endpoint setting.
	KindConfig
)

// Error is a failed API call.
type Error struct {
	Kind    Kind
	Status  int    // HTTP status, 0 when none
	Message string // what happened, for the user
	Err     error  // underlying cause
}

// Error is the message with the credentials the run holds hidden, as
// every report of it, JSON included, must show it.
func (e *Error) Error() string { return redact.Secrets(e.Message) }
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of err, KindOther when it is not an *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindOther
}

// How a GraphQL error's meaning is found, most reliable first:
//
//  1. the HTTP status (statusError): 401, 403, 429 and 5xx mean what they
//     say; a 404, or an answer that is not JSON, means the endpoint is not
//     Buildkite's API at all (KindConfig);
//  2. the error's type, in `type` or `extensions.code` (errorCodes);
//  3. the shape of the answer, where the caller reads it: a null
//     organization with no errors is an organization this caller cannot
//     see (not found), and an error on the mutation's own field means the
//     mutation was refused; an answer with neither errors nor the data
//     asked for (graphQLClient rejects it) says nothing and is unreadable;
//  4. the few messages whose wording Buildkite documents (documentedMessages).
//
// Anything else is KindOther: reported as a failure (exit 1), never as a
// permission problem or as "not found", which scripts read as "done".

// errorCodes maps an error type, normalised by normaliseCode, to its kind.
// Buildkite does not document its error types; these are the spellings
// GraphQL servers commonly use for the few meanings tokenctl acts on. An
// array, looked through in order, rather than a map: a package-level map
// is built at start-up, whatever the command, and an error is rare.
var errorCodes = [...]struct {
	code string
	kind Kind
}{
	{"notfound", KindNotFound},
	{"recordnotfound", KindNotFound},
	{"forbidden", KindForbidden},
	{"permissiondenied", KindForbidden},
	{"notauthorized", KindForbidden},
	{"unauthorized", KindUnauthorized},
	{"unauthenticated", KindUnauthorized},
	{"ratelimited", KindThrottled},
	{"throttled", KindThrottled},
	{"toomanyrequests", KindThrottled},
	{"internalerror", KindServer},
	{"internalservererror", KindServer},
	{"invalidargument", KindInvalid},
	{"baduserinput", KindInvalid},
	{"badrequest", KindInvalid},
}

// errorCode is the kind of a normalised error type, if errorCodes has it.
func errorCode(code string) (Kind, bool) {
	for _, c := range errorCodes {
		if c.code == code {
			return c.kind, true
		}
	}
	return 0, false
}

// normaliseCode folds NOT_FOUND, not_found, not-found and NotFound together.
func normaliseCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || r == ' ' {
			return -1
		}
		return unicode.ToLower(r)
	}, code)
}

// documentedMessages are the only error messages tokenctl reads: those
// whose wording Buildkite documents ("GraphQL resource limits"). Each
// fragment is matched case-insensitively.
var documentedMessages = []struct {
	fragment string
	kind     Kind
}{
	// "Query has complexity of N, which exceeds max complexity of 50000"
	// (HTTP 200): the request asks for too much at once; waiting does not help.
	{"exceeds max complexity", KindInvalid},
	// "Your organization has exceeded the limit of 20000 complexity
	// points. Please try again in N seconds." (HTTP 429)
	{"complexity points. please try again", KindThrottled},
}

// classifyGraphQLError is the kind of one GraphQL error: from its type,
// else from a documented message, else KindOther.
func classifyGraphQLError(e wireError) Kind {
	if k, ok := errorCode(normaliseCode(e.code())); ok {
		return k
	}
	m := strings.ToLower(e.Message)
	for _, dm := range documentedMessages {
		if strings.Contains(m, dm.fragment) {
			return dm.kind
		}
	}
	return KindOther
}

// classifyGraphQLErrors is the kind of an errors array: the kind its
// errors agree on, KindOther when they do not.
func classifyGraphQLErrors(errs []wireError) Kind {
	if len(errs) == 0 {
		return KindOther
	}
	kind := classifyGraphQLError(errs[0])
	for _, e := range errs[1:] {
		if classifyGraphQLError(e) != kind {
			return KindOther
		}
	}
	return kind
}

// onField says whether a GraphQL error is about the top-level field name
// (or something below it).
func onField(e wireError, name string) bool {
	return len(e.Path) > 0 && e.Path[0] == name
}

// endpointError says that the endpoint answered, but not as Buildkite's API
// does: a wrong setting, not an outage and not "not found".
func endpointError(what string, api endpointKind, endpoint, answer string) *Error {
	setting := "--graphql-endpoint (BUILDKITE_GRAPHQL_ENDPOINT, or graphql-endpoint in the config file; Buildkite's is https://graphql.buildkite.com/v1)"
	if api == restAPI {
		setting = "--rest-endpoint (BUILDKITE_REST_API_ENDPOINT, or rest-endpoint in the config file; Buildkite's is https://api.buildkite.com)"
	}
	return &Error{Kind: KindConfig, Message: fmt.Sprintf("%s: %s %s, so it is not Buildkite's API; check %s", what, redactURL(endpoint), answer, setting)}
}

// endpointKind says which of Buildkite's two APIs an endpoint is meant to be.
type endpointKind int

const (
	graphQLAPI endpointKind = iota
	restAPI
)

// redactURL hides any user:password in an endpoint before it is shown,
// and the credentials the run holds wherever they are in it (a redirect's
// Location is a header, which the scrub of answers' bodies never reads).
func redactURL(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return redact.Secrets(endpoint)
	}
	return redact.Secrets(u.Redacted())
}

func statusError(e *httpStatusError, what string) *Error {
	detail := e.detail()
	if len(detail) > 200 {
		detail = detail[:200] + "…"
	}
	status := e.status
	out := &Error{Status: status}
	switch {
	case status == 401:
		out.Kind = KindUnauthorized
		out.Message = fmt.Sprintf("%s: Buildkite rejected the API token (HTTP 401): it is unknown, expired or revoked; create a new token at https://buildkite.com/user/api-access-tokens and provide it with BUILDKITE_API_TOKEN or --api-token-file", what)
	case status == 403:
		out.Kind = KindForbidden
		out.Message = fmt.Sprintf("%s: the API token is not allowed to do this (HTTP 403)%s; it needs GraphQL API access enabled and its owner must be an administrator of the organization", what, suffix(detail))
	case status == 429:
		out.Kind = KindThrottled
		out.Message = fmt.Sprintf("%s: Buildkite's rate limit is spent (HTTP 429) and stayed spent after retries; wait for the limit to reset and run again", what)
	case status >= 500:
		out.Kind = KindServer
		out.Message = fmt.Sprintf("%s: Buildkite answered with a server error (HTTP %d); try again later", what, status)
	case status == 404 || status == 405 || !e.isJSON:
		// Buildkite answers a missing organization or token inside a
		// JSON answer, never with a 404 for the endpoint itself.
		answer := fmt.Sprintf("answered HTTP %d %s", status, http.StatusText(status))
		if !e.isJSON {
			answer += " with " + cmp.Or(e.contentType, "a body that is not JSON")
		}
		return endpointError(what, e.api, e.endpoint, answer)
	default:
		out.Kind = KindOther
		out.Message = fmt.Sprintf("%s: unexpected HTTP %d%s", what, status, suffix(detail))
	}
	return out
}

func suffix(detail string) string {
	if detail == "" {
		return ""
	}
	return ": " + detail
}
