package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// This file is the one table of every error the emulator answers with: its
// HTTP status, its type, and its message in each wording. Every error path
// of the emulator goes through it; nothing in tokenctl's client reads it.
//
// What Buildkite states: 401 for a missing or bad credential, 403 without
// GraphQL access, 429 when the rate limit is spent, and HTTP 200 with an
// `errors` array for not found, not permitted and invalid input (API notes).
// The wording of the complexity errors is documented; every other message,
// and every error's `type`, is not. So the emulator can answer in a second
// wording (Options.ErrorWording) in which every message differs and each
// error's type is carried as `extensions.code` instead of `type`: a client
// that is right under both wordings classifies errors by status, type and
// shape, not by sentences it guessed.

// ErrorWording selects how errors are worded.
type ErrorWording string

const (
	// WordingBuildkite words errors as Buildkite is seen to, with the
	// error's type in `errors[].type`. The default.
	WordingBuildkite ErrorWording = "buildkite"
	// WordingAlternate words every message differently and carries the
	// type as `errors[].extensions.code`, upper case.
	WordingAlternate ErrorWording = "alternate"
)

// ErrorWordings lists every wording, default first.
var ErrorWordings = []ErrorWording{WordingBuildkite, WordingAlternate}

// ParseErrorWording reads the --error-wording flag; "" is the default.
func ParseErrorWording(s string) (ErrorWording, error) {
	if s == "" {
		return WordingBuildkite, nil
	}
	w := ErrorWording(s)
	if !slices.Contains(ErrorWordings, w) {
		return "", fmt.Errorf("unknown error wording %q (want buildkite or alternate)", s)
	}
	return w, nil
}

// ErrorName names an entry of the error table.
type ErrorName string

// The emulator's errors.
const (
	ErrAuthRequired      ErrorName = "auth-required"
	ErrTokenRevoked      ErrorName = "token-revoked"
	ErrTokenExpired      ErrorName = "token-expired"
	ErrNoGraphQLAccess   ErrorName = "no-graphql-access"
	ErrBadRequestBody    ErrorName = "bad-request-body"
	ErrGraphQLNotPOST    ErrorName = "graphql-not-post"
	ErrRESTMethod        ErrorName = "rest-method-not-allowed"
	ErrNoRoute           ErrorName = "no-route"
	ErrInvalidVariables  ErrorName = "invalid-variables"
	ErrComplexityTooHigh ErrorName = "complexity-too-high"
	ErrGraphQLRateLimit  ErrorName = "graphql-rate-limited"
	ErrRESTRateLimit     ErrorName = "rest-rate-limited"
	ErrNotAdmin          ErrorName = "not-admin"
	ErrTokenNoOrgAccess  ErrorName = "token-no-organization-access"
	// ErrNotAdminUntyped is not-admin as an error without a type, in words
	// no client knows (Options.UntypedNotAdmin).
	ErrNotAdminUntyped ErrorName = "not-admin-untyped"
	ErrOrgNotFound     ErrorName = "organization-not-found"
	ErrTokenNotFound   ErrorName = "token-not-found"
	ErrNotAnOrgID      ErrorName = "not-an-organization-id"
	ErrNotATokenID     ErrorName = "not-a-token-id"
	ErrPageArgsMissing ErrorName = "page-arguments-missing"
	ErrPageArgNegative ErrorName = "page-argument-negative"
	ErrPageTooLarge    ErrorName = "page-too-large"
	ErrInvalidCursor   ErrorName = "invalid-cursor"
	ErrNoCaller        ErrorName = "no-caller"
	// Paid features (audit.go).
	ErrAuditNotOnPlan      ErrorName = "audit-log-not-on-plan"
	ErrAuditNotAdmin       ErrorName = "audit-log-not-admin"
	ErrInactivityNotOnPlan ErrorName = "inactivity-policy-not-on-plan"
	ErrSettingsNotAdmin    ErrorName = "settings-not-admin"
	// Organization API settings (settings.go) and allowlists.
	ErrIPNotAllowed            ErrorName = "ip-not-allowed"
	ErrIPNotAllowedREST        ErrorName = "ip-not-allowed-rest"
	ErrSettingsOrgNotFound     ErrorName = "settings-organization-not-found"
	ErrSettingsNoOrgAccess     ErrorName = "settings-token-no-organization-access"
	ErrSettingsScope           ErrorName = "settings-scope-missing"
	ErrSettingsAdminOnly       ErrorName = "settings-admin-only"
	ErrAllowlistNotOnPlan      ErrorName = "allowlist-not-on-plan"
	ErrInactivityNotOnPlanREST ErrorName = "inactivity-policy-not-on-plan-rest"
	// Faults: answers the emulator gives only when told to.
	ErrFaultStatus   ErrorName = "fault-status"
	ErrFaultThrottle ErrorName = "fault-throttle"
	ErrFaultInternal ErrorName = "internal"
	// ErrFaultUnknown is an error of a type no client has seen, for
	// proving that unknown errors are reported as failures.
	ErrFaultUnknown ErrorName = "unknown"
)

// errorSpec is one entry: where it is answered at HTTP level, its type
// ("" when Buildkite's answer at that status has none), and its message
// in each wording. Messages are fmt formats over the same arguments.
type errorSpec struct {
	status    int // http.StatusOK: a GraphQL error beside (null) data
	typ       string
	buildkite string
	alternate string
}

// Types. Buildkite does not document them; these are the emulator's.
const (
	typeUnauthorized = "unauthorized"
	typeForbidden    = "forbidden"
	typeNotFound     = "not_found"
	typeInvalid      = "invalid_argument"
	typeRateLimited  = "rate_limited"
	typeInternal     = "internal_error"
)

var errorTable = map[ErrorName]errorSpec{
	ErrAuthRequired: {http.StatusUnauthorized, typeUnauthorized,
		"Authentication required. Please supply a valid API Access Token: https://buildkite.com/docs/apis/rest-api#authentication",
		"Missing or unrecognised bearer credential"},
	ErrTokenRevoked: {http.StatusUnauthorized, typeUnauthorized,
		"The API Access Token used for this request has been revoked",
		"Credential no longer valid"},
	ErrTokenExpired: {http.StatusUnauthorized, typeUnauthorized,
		"The API Access Token used for this request has expired",
		"Credential past its end date"},
	ErrNoGraphQLAccess: {http.StatusForbidden, typeForbidden,
		"The API Access Token used for this request does not have GraphQL access enabled (it lacks the GRAPHQL scope)",
		"GraphQL is switched off for this credential"},
	ErrBadRequestBody: {http.StatusBadRequest, typeInvalid,
		"The request body is not a GraphQL request: %v",
		"Unreadable request (%v)"},
	ErrGraphQLNotPOST: {http.StatusMethodNotAllowed, typeInvalid,
		"GraphQL requests must be POST",
		"Only POST is served here"},
	ErrRESTMethod: {http.StatusMethodNotAllowed, "",
		"Method not allowed",
		"That verb is not served here"},
	ErrNoRoute: {http.StatusNotFound, "",
		"No route matches %s %s",
		"Nothing lives at %s %s"},
	ErrInvalidVariables: {http.StatusOK, typeInvalid,
		"%s",
		"Variables rejected: %s"},
	// Worded as Buildkite documents it (GraphQL resource limits).
	ErrComplexityTooHigh: {http.StatusOK, typeInvalid,
		"Query has complexity of %d, which exceeds max complexity of %d",
		"Requested cost %d is above the ceiling of %d"},
	// Worded as Buildkite documents it, with the cost added.
	ErrGraphQLRateLimit: {http.StatusTooManyRequests, typeRateLimited,
		"Your organization has exceeded the limit of %d complexity points. Please try again in %d seconds.",
		"Budget of %d points spent; the window resets in %d s"},
	ErrRESTRateLimit: {http.StatusTooManyRequests, "",
		"You have exceeded your REST API rate limit. Please wait before retrying",
		"Too many calls; slow down"},
	ErrNotAdmin: {http.StatusOK, typeForbidden,
		"You must be an organization administrator of %q to list or revoke its API access tokens",
		"Role in %q insufficient for this"},
	ErrNotAdminUntyped: {http.StatusOK, "",
		"Something went wrong with the API access tokens of %q",
		"Cannot serve the credentials of %q"},
	ErrTokenNoOrgAccess: {http.StatusOK, typeForbidden,
		"The API Access Token used for this request does not have access to the organization %q",
		"Credential not granted to %q"},
	ErrOrgNotFound: {http.StatusOK, typeNotFound,
		"No organization found with ID %q",
		"Organization %q does not exist"},
	ErrTokenNotFound: {http.StatusOK, typeNotFound,
		"No API access token found with ID %q in organization %q",
		"Nothing to revoke for %q in %q"},
	ErrNotAnOrgID: {http.StatusOK, typeInvalid,
		"organizationId %q is not an Organization ID",
		"Bad organizationId %q"},
	ErrNotATokenID: {http.StatusOK, typeInvalid,
		"apiAccessTokenId %q is not an API access token ID",
		"Bad apiAccessTokenId %q"},
	ErrPageArgsMissing: {http.StatusOK, typeInvalid,
		"You must provide a `first` or `last` value to properly paginate the `%s` connection.",
		"Connection `%s` needs a page size"},
	ErrPageArgNegative: {http.StatusOK, typeInvalid,
		"`%s` on the `%s` connection cannot be less than zero.",
		"Negative `%s` on `%s`"},
	ErrPageTooLarge: {http.StatusOK, typeInvalid,
		"Requesting %d records on the `%s` connection exceeds the `%s` limit of %d records.",
		"Page of %d on `%s` is over the `%s` ceiling of %d"},
	ErrInvalidCursor: {http.StatusOK, typeInvalid,
		"Invalid cursor %q",
		"Cursor %q not recognised"},
	ErrNoCaller: {http.StatusOK, typeUnauthorized,
		"Authentication required",
		"No credential"},
	ErrAuditNotOnPlan: {http.StatusOK, typeForbidden,
		"The audit log is not available on the plan of organization %q",
		"Audit trail not included in %q's subscription"},
	ErrAuditNotAdmin: {http.StatusOK, typeForbidden,
		"Only administrators of organization %q can view its audit log",
		"Role in %q insufficient to read the audit trail"},
	ErrInactivityNotOnPlan: {http.StatusOK, typeForbidden,
		"Revoking inactive API access tokens is an Enterprise feature that the plan of organization %q does not include",
		"Inactive-credential expiry not included in %q's subscription"},
	ErrSettingsNotAdmin: {http.StatusOK, typeForbidden,
		"You must be an organization administrator of %q to change its settings",
		"Role in %q insufficient to change settings"},
	ErrIPNotAllowed: {http.StatusOK, typeForbidden,
		"Requests from %s are not on the API allowlist of organization %q",
		"Address %s refused by %q's allowlist"},
	ErrIPNotAllowedREST: {http.StatusForbidden, "",
		"Requests from %s are not on the API allowlist of organization %q",
		"Address %s refused by %q's allowlist"},
	ErrSettingsOrgNotFound: {http.StatusNotFound, "",
		"No organization found with slug %q",
		"Nothing called %q here"},
	ErrSettingsNoOrgAccess: {http.StatusForbidden, "",
		"The API Access Token used for this request does not have access to the organization %q",
		"Credential not granted to %q"},
	ErrSettingsScope: {http.StatusForbidden, "",
		"The API Access Token used for this request is missing the %s scope",
		"Credential lacks %s"},
	ErrSettingsAdminOnly: {http.StatusForbidden, "",
		"You must be an organization administrator of %q to view or change its API settings",
		"Role in %q insufficient for API settings"},
	ErrAllowlistNotOnPlan: {http.StatusForbidden, "",
		"The API IP allowlist is not available on the plan of organization %q",
		"Address allowlists not included in %q's subscription"},
	ErrInactivityNotOnPlanREST: {http.StatusForbidden, "",
		"Revoking inactive API access tokens is an Enterprise feature that the plan of organization %q does not include",
		"Inactive-credential expiry not included in %q's subscription"},
	ErrFaultStatus: {0, "", // the fault's status
		"%s (emulated fault)",
		"Emulated %s"},
	ErrFaultThrottle: {http.StatusTooManyRequests, typeRateLimited,
		"You have exceeded your rate limit. Please wait before retrying (emulated fault)",
		"Emulated throttling"},
	ErrFaultInternal: {http.StatusOK, typeInternal,
		"Internal server error (emulated fault)",
		"Emulated breakage"},
	ErrFaultUnknown: {http.StatusOK, "unexpected_condition",
		// Words a guesser would misread: "access", "not found".
		"Something about API access went wrong that no client has seen before, and a cause was not found (emulated fault)",
		"Emulated novelty"},
}

// faultArgs fills the arguments of an entry a fault answers with, where
// there is no request to take them from.
func faultArgs(name ErrorName) []any {
	format := strings.ReplaceAll(errorTable[name].buildkite, "%%", "")
	var args []any
	for i := 0; i < len(format)-1; i++ {
		if format[i] != '%' {
			continue
		}
		if format[i+1] == 'd' {
			args = append(args, 0)
		} else {
			args = append(args, "emulated")
		}
	}
	return args
}

// ErrorNames lists the table's entries, sorted.
func ErrorNames() []ErrorName {
	names := make([]ErrorName, 0, len(errorTable))
	for n := range errorTable {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// apiError is an error a resolver returns, answered to the client from the
// table in the server's wording.
type apiError struct {
	name ErrorName
	args []any
}

func newAPIError(name ErrorName, args ...any) *apiError {
	if _, ok := errorTable[name]; !ok {
		panic("emulator: no error " + string(name) + " in the table")
	}
	return &apiError{name: name, args: args}
}

// Error is the default wording; the server rewords before answering.
func (e *apiError) Error() string { return e.message(WordingBuildkite) }

func (e *apiError) message(w ErrorWording) string {
	spec := errorTable[e.name]
	format := spec.buildkite
	if w == WordingAlternate {
		format = spec.alternate
	}
	return fmt.Sprintf(format, e.args...)
}

// status is the HTTP status the error is answered with.
func (e *apiError) status() int { return errorTable[e.name].status }

// decorate adds the error's type to one entry of a GraphQL errors array.
func (e *apiError) decorate(entry map[string]any, w ErrorWording) {
	entry["message"] = e.message(w)
	typ := errorTable[e.name].typ
	if typ == "" {
		return
	}
	if w == WordingAlternate {
		ext, _ := entry["extensions"].(map[string]any)
		if ext == nil {
			ext = map[string]any{}
		}
		ext["code"] = strings.ToUpper(typ)
		entry["extensions"] = ext
		return
	}
	entry["type"] = typ
}

// graphQLErrorEntry is one entry of a GraphQL errors array.
func (s *Server) graphQLErrorEntry(e *apiError) map[string]any {
	entry := map[string]any{}
	e.decorate(entry, s.opts.ErrorWording)
	return entry
}

// graphQLErrorResponse answers with one GraphQL error and no data, at the
// error's status (or status, when the error's is not fixed).
func (s *Server) graphQLErrorResponse(e *apiError, status int) response {
	if st := e.status(); st != 0 {
		status = st
	}
	return jsonResponse(status, map[string]any{"errors": []any{s.graphQLErrorEntry(e)}})
}

// restErrorResponse answers with Buildkite's REST error body.
func (s *Server) restErrorResponse(e *apiError, status int) response {
	if st := e.status(); st != 0 {
		status = st
	}
	return jsonResponse(status, map[string]string{"message": e.message(s.opts.ErrorWording)})
}
