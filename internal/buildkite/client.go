// Package buildkite is tokenctl's one client for Buildkite's GraphQL and REST
// APIs: it sends the generated genqlient operations, pages connections,
// and turns every failure into an *Error whose Kind a user can act on.
// It never prints, prompts or decides policy; callers do that.
package buildkite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"

	"github.com/Khan/genqlient/graphql"

	"github.com/tokenctl/tokenctl/internal/buildkite/gql"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/transport"
)

// DefaultPageSize is how many tokens one listing request asks for: as many
// as Buildkite serves, because a page size changes the number of round
// trips, not the points spent. In Buildkite's complexity model (objects 1
// point, scalars 0) a token and its owner cost 2 points, so listing N
// tokens costs about 2N points at any page size, and the largest page
// costs 2×500+3 = 1,003 points: 2% of the 50,000-point five-minute budget.
// The one price of a large page is that complexity is charged on what is
// asked for, so a run that stops on the first page of a small organization
// still pays the 1,003 points, where a page of 100 would cost 203.
const DefaultPageSize = MaxPageSize

// MaxPageSize is the largest page Buildkite serves on a connection.
const MaxPageSize = 500

// Config says where and how to reach Buildkite.
type Config struct {
	GraphQLEndpoint string
	RESTEndpoint    string
	Token           string
	// Transport is the policy every request follows: timeouts, retries,
	// the body bound and the --debug trace. New builds one transport per
	// API from it, always redacting Token from the trace and expecting
	// JSON answers, as both of Buildkite's APIs give.
	Transport transport.Options
	PageSize  int
	// Identities, when set, remembers across runs which token Token is
	// (see Caller).
	Identities IdentityStore
}

// Client talks to one Buildkite endpoint pair with one credential. It owns
// one HTTP transport per API: Buildkite budgets GraphQL (complexity points)
// and REST (requests) separately, and a transport paces by the last budget
// it saw, so shared, the self-check's REST budget would stand in for the
// GraphQL budget that mutations spend.
type Client struct {
	cfg                             Config
	graphQLTransport, restTransport *transport.Transport
	restHTTP                        *http.Client
	gql                             graphql.Client
}

// New returns a client; it sends nothing until used.
func New(cfg Config) *Client {
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultPageSize
	}
	if cfg.PageSize > MaxPageSize {
		cfg.PageSize = MaxPageSize
	}
	opts := cfg.Transport
	opts.ExpectJSON = true
	opts.Redact = slices.Clone(opts.Redact)
	if cfg.Token != "" {
		opts.Redact = append(opts.Redact, cfg.Token)
	}
	if opts.Debug != nil {
		// Both transports trace to the one stream; each writes a block in
		// one call, and blocks must not interleave.
		opts.Debug = &syncWriter{w: opts.Debug}
	}
	c := &Client{cfg: cfg, graphQLTransport: transport.New(opts), restTransport: transport.New(opts)}
	c.restHTTP = &http.Client{Transport: c.restTransport, CheckRedirect: refuseRedirect(restAPI)}
	gqlHTTP := &http.Client{Transport: c.graphQLTransport, CheckRedirect: refuseRedirect(graphQLAPI)}
	c.gql = graphQLClient{endpoint: cfg.GraphQLEndpoint, doer: bearer{doer: gqlHTTP, token: cfg.Token}}
	return c
}

// redirectError is a redirect an API endpoint answered with, not followed.
type redirectError struct {
	api            endpointKind
	status         int
	from, location string
}

func (e *redirectError) Error() string {
	return fmt.Sprintf("HTTP %d redirect from %s to %s, not followed", e.status, redactURL(e.from), redactURL(e.location))
}

// refuseRedirect is the redirect policy of both APIs: never follow.
// Buildkite's API answers at the address it is called at; a redirect means
// a wrong endpoint or something between, and following it would send the
// credential (Go copies Authorization to the same host, whatever the
// scheme: https to http in clear text) where nobody chose to send it.
func refuseRedirect(api endpointKind) func(req *http.Request, via []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		e := &redirectError{api: api, location: req.URL.String()}
		if len(via) > 0 {
			e.from = via[len(via)-1].URL.String()
		}
		if req.Response != nil {
			e.status = req.Response.StatusCode
		}
		return e
	}
}

// RateLimit is what is left of the GraphQL budget, the one mutations
// spend, as Buildkite's last answer reported it.
func (c *Client) RateLimit() transport.RateLimitState { return c.graphQLTransport.RateLimit() }

// Backoff starts the GraphQL transport's retry schedule, for a caller that
// re-sends on its own what the transport may not (a mutation found not
// applied).
func (c *Client) Backoff() *transport.Backoff { return c.graphQLTransport.Backoff() }

// CloseIdleConnections closes both APIs' idle connections.
func (c *Client) CloseIdleConnections() {
	c.graphQLTransport.CloseIdleConnections()
	c.restTransport.CloseIdleConnections()
}

// syncWriter serialises the trace blocks of the two transports.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// bearer adds the credential to every request.
type bearer struct {
	doer  graphql.Doer
	token string
}

func (b bearer) Do(req *http.Request) (*http.Response, error) {
	req.Header.Set("Authorization", "Bearer "+b.token)
	req.Header.Set("Accept", "application/json")
	return b.doer.Do(req)
}

// callError turns what a request returned into an *Error.
func callError(ctx context.Context, err error, what string, mutation bool) error {
	if err == nil {
		return nil
	}
	// A redirect was refused before anything was sent to its target: a
	// wrong endpoint setting, even for a mutation (the endpoint answered
	// without running it).
	var redirect *redirectError
	if errors.As(err, &redirect) {
		e := endpointError(what, redirect.api, redirect.from, fmt.Sprintf("answered HTTP %d with a redirect to %s, which tokenctl does not follow (nothing was sent there)", redirect.status, redactURL(redirect.location)))
		e.Err = err
		return e
	}
	// A cancelled run is reported as such, except for a mutation that may
	// already have been applied: that one must be re-checked, not forgotten.
	var unknown *transport.OutcomeUnknownError
	if ctxErr := ctx.Err(); ctxErr != nil && !(mutation && errors.As(err, &unknown)) {
		return ctxErr
	}
	var statusErr *httpStatusError
	if errors.As(err, &statusErr) {
		e := statusError(statusErr, what)
		if mutation && e.Kind == KindServer {
			e.Kind = KindOutcomeUnknown
			e.Message = fmt.Sprintf("%s: Buildkite answered with a server error (HTTP %d) after the request was sent, so it may or may not have been applied", what, statusErr.status)
		}
		e.Err = err
		return e
	}
	var gqlErrs graphQLErrors
	if errors.As(err, &gqlErrs) {
		return graphQLError(gqlErrs, what, mutation)
	}
	// An answer that stayed unreadable through every retry (an HTML page
	// where JSON belongs) is a wrong endpoint, not a network failure. A
	// mutation's is not: it may have been applied, so it is re-checked.
	if !mutation && errors.Is(err, transport.ErrNotJSON) {
		return notJSONError(err, what, graphQLAPI)
	}
	if errors.As(err, &unknown) {
		kind := KindNetwork
		if mutation {
			kind = KindOutcomeUnknown
		}
		return &Error{Kind: kind, Message: fmt.Sprintf("%s: the answer was lost (%v)", what, unknown.Err), Err: err}
	}
	// A request given up while it waited to be sent (transport.WithInterrupt)
	// is an interruption like a cancelled run, not a network failure.
	if errors.Is(err, context.Canceled) {
		return err
	}
	// An answer without the data asked for, and without errors, says
	// nothing: for a query it is unreadable (never "not found"), for a
	// mutation it may hide one that was applied.
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	var noData *noDataError
	if errors.As(err, &syntaxErr) || errors.As(err, &typeErr) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &noData) ||
		errors.Is(err, transport.ErrResponseTooLarge) || errors.Is(err, transport.ErrNotJSON) {
		kind := KindNetwork
		if mutation {
			kind = KindOutcomeUnknown
		}
		return &Error{Kind: kind, Message: fmt.Sprintf("%s: Buildkite's answer could not be read (%v)", what, err), Err: err}
	}
	return &Error{Kind: KindNetwork, Message: fmt.Sprintf("%s: could not reach Buildkite: %v", what, err), Err: err}
}

// graphQLError is the *Error for an HTTP 200 answer with errors.
func graphQLError(errs graphQLErrors, what string, mutation bool) *Error {
	kind := classifyGraphQLErrors(errs)
	e := &Error{Kind: kind, Message: what + ": " + errs.Error(), Err: errs}
	switch {
	case mutation && kind == KindServer:
		// As with a 5xx: the server failed while handling the mutation,
		// so it may have been applied.
		e.Kind = KindOutcomeUnknown
		e.Message += "; it may or may not have been applied"
	case kind == KindOther && mutation && onField(errs[0], revokeMutationField):
		// The mutation's own field failed, so it was refused; why, the
		// answer does not say in a way tokenctl knows.
		e.Message = what + ": Buildkite refused the revocation: " + errs.Error()
	case kind == KindOther && mutation:
		// An error of unknown meaning, not on the mutation's field: the
		// answer does not show whether the mutation ran, so it is
		// re-checked like a lost answer.
		e.Kind = KindOutcomeUnknown
		e.Message += "; the answer does not say whether the revocation was applied"
	}
	return e
}

// revokeMutationField is the mutation's top-level field, where its errors
// are reported.
const revokeMutationField = "organizationApiAccessTokenRevoke"

// notJSONError is the error for an answer that was not JSON through every
// retry, at the endpoint the request went to.
func notJSONError(err error, what string, api endpointKind) *Error {
	endpoint := "the endpoint"
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		endpoint = urlErr.URL
	}
	e := endpointError(what, api, endpoint, "did not answer with JSON ("+urlErrOr(err).Error()+")")
	e.Err = err
	return e
}

// urlErrOr is the error under http.Client's *url.Error wrapper, or err.
func urlErrOr(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err
	}
	return err
}

// Revoke removes the organization's access from one token. The mutation is
// marked unsafe so the transport never re-sends it blindly; a lost answer
// comes back as KindOutcomeUnknown for the caller to re-check.
//
// Only an answer about this very request proves the revocation: it must
// carry no errors, echo clientMutationID and name tokenID (up to base64
// padding) as revoked. An answer naming another token, or another request, or not
// echoing the clientMutationId at all (null or missing: the schema allows
// it), says nothing about this one: KindOutcomeUnknown, for the caller to
// re-check by the token's uuid.
func (c *Client) Revoke(ctx context.Context, orgID, tokenID, clientMutationID string) (RevokeResult, error) {
	what := "revoking token " + tokenID
	resp, err := gql.RevokeAPIAccessToken(transport.WithUnsafe(ctx), c.gql, orgID, tokenID, clientMutationID)
	var p *gql.RevokeAPIAccessTokenOrganizationApiAccessTokenRevokeOrganizationAPIAccessTokenRevokeMutationPayload
	if resp != nil {
		p = resp.OrganizationApiAccessTokenRevoke
	}
	// An answer that carries errors is no proof, whatever its payload
	// says. Without a payload the errors say what happened (an error on
	// the mutation's own field means it was refused; an internal or
	// unknown one leaves the outcome to be re-checked).
	if err != nil {
		cerr := callError(ctx, err, what, true)
		// A payload that names a token beside errors contradicts them:
		// neither "revoked" nor what the errors say (refused, not found,
		// not allowed) can be believed, so the caller re-checks the
		// token, as for a lost answer.
		if p != nil && p.RevokedApiAccessTokenId != "" && ctx.Err() == nil {
			return RevokeResult{}, &Error{Kind: KindOutcomeUnknown, Message: cerr.Error() + " (yet the same answer names token " + p.RevokedApiAccessTokenId + " as revoked, so it does not say whether it was)", Err: cerr}
		}
		return RevokeResult{}, cerr
	}
	// An answer without the revoked token's id says neither yes nor no:
	// the caller re-checks, as for a lost answer.
	if p == nil || p.RevokedApiAccessTokenId == "" {
		return RevokeResult{}, &Error{Kind: KindOutcomeUnknown, Message: what + ": Buildkite's answer does not say which token was revoked"}
	}
	// A clientMutationId that is null, missing or another one does not
	// tie the answer to this request.
	if p.ClientMutationId == nil {
		return RevokeResult{}, &Error{Kind: KindOutcomeUnknown, Message: fmt.Sprintf("%s: Buildkite's answer does not echo the request's clientMutationId (sent %q), so it does not say whether this request was applied", what, clientMutationID)}
	}
	if *p.ClientMutationId != clientMutationID {
		return RevokeResult{}, &Error{Kind: KindOutcomeUnknown, Message: fmt.Sprintf("%s: Buildkite's answer is about another request (clientMutationId %q, sent %q), so it does not say whether this one was applied", what, *p.ClientMutationId, clientMutationID)}
	}
	if ident.Unpadded(p.RevokedApiAccessTokenId) != ident.Unpadded(tokenID) {
		return RevokeResult{}, &Error{Kind: KindOutcomeUnknown, Message: fmt.Sprintf("%s: Buildkite's answer names token %s as revoked, not the token asked for, so it does not say whether this one was", what, p.RevokedApiAccessTokenId)}
	}
	return RevokeResult{RevokedAPIAccessTokenID: p.RevokedApiAccessTokenId, ClientMutationID: *p.ClientMutationId}, nil
}
