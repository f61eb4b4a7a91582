package buildkite

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/transport"
)

// noSleep is the production transport policy with retries that never
// sleep.
var noSleep = transport.Options{Sleep: func(context.Context, time.Duration) error { return nil }}

// emulatorClient is the production wiring against an emulator: the
// transport with retries (that never sleep) and ExpectJSON.
func emulatorClient(t *testing.T, srv *et.Server, token string) *Client {
	t.Helper()
	return New(Config{GraphQLEndpoint: srv.GraphQLEndpoint, RESTEndpoint: srv.RESTEndpoint, Token: token, Transport: noSleep})
}

// acmeIDs are the ids the server gives acme and its CI deploy bot token.
func acmeIDs(t *testing.T, c *Client) (orgID, tokenID string) {
	t.Helper()
	org, err := c.ListTokens(t.Context(), ident.Org{Slug: et.DemoOrgSlug}, func(p TokenPage) bool {
		for _, tok := range p.Tokens {
			if tok.UUID == et.CIDeployBotUUID {
				tokenID = tok.ID
			}
		}
		return tokenID == ""
	})
	if err != nil || tokenID == "" {
		t.Fatalf("listing acme: %v", err)
	}
	return org.ID, tokenID
}

// Every error the emulator can answer a query or the mutation with comes
// out with the same kind under both wordings: the kind is read from the
// status, the type and the shape, not from the words.
func TestErrorKindsUnderEveryWording(t *testing.T) {
	for _, w := range emulator.ErrorWordings {
		t.Run(string(w), func(t *testing.T) {
			srv := et.Start(t, emulator.Options{ErrorWording: w})
			admin := emulatorClient(t, srv, et.DemoToken)
			orgID, tokenID := acmeIDs(t, admin)
			if _, err := admin.Revoke(t.Context(), orgID, tokenID, "cm-1"); err != nil {
				t.Fatal(err)
			}
			unknownOrg := emulator.NodeID(emulator.TypeOrganization, "b0000000-0000-4000-8000-00000000ffff")
			tests := []struct {
				name string
				call func() error
				want Kind
			}{
				{"revoking a token that no longer has access", func() error {
					_, err := admin.Revoke(t.Context(), orgID, tokenID, "cm-2")
					return err
				}, KindNotFound},
				{"revoking in an unknown organization", func() error {
					_, err := admin.Revoke(t.Context(), unknownOrg, tokenID, "cm-3")
					return err
				}, KindNotFound},
				{"an organization this caller cannot see (null, no errors)", func() error {
					_, err := admin.ListTokens(t.Context(), ident.Org{Slug: "no-such-org"}, func(TokenPage) bool { return true })
					return err
				}, KindNotFound},
				{"listing as a member", func() error {
					_, err := emulatorClient(t, srv, et.MemberToken).ListTokens(t.Context(), ident.Org{Slug: et.DemoOrgSlug}, func(TokenPage) bool { return true })
					return err
				}, KindForbidden},
				{"revoking as a member", func() error {
					_, err := emulatorClient(t, srv, et.MemberToken).Revoke(t.Context(), orgID, tokenID, "cm-4")
					return err
				}, KindForbidden},
				{"a revoked credential", func() error {
					_, err := emulatorClient(t, srv, et.RevokedToken).Viewer(t.Context())
					return err
				}, KindUnauthorized},
				{"a credential without GraphQL", func() error {
					_, err := emulatorClient(t, srv, et.NoGraphQLToken).Viewer(t.Context())
					return err
				}, KindForbidden},
			}
			for _, tt := range tests {
				if got := KindOf(tt.call()); got != tt.want {
					t.Errorf("%s: kind %v, want %v", tt.name, got, tt.want)
				}
			}
		})
	}
}

// A GraphQL error the client does not know is a failure: never a
// permission problem, never "not found". On the mutation's own field it is
// a refusal (not "outcome unknown"): the mutation did not run.
func TestUnknownErrorsAreFailures(t *testing.T) {
	for _, w := range emulator.ErrorWordings {
		t.Run(string(w), func(t *testing.T) {
			srv := et.Start(t, emulator.Options{ErrorWording: w})
			c := emulatorClient(t, srv, et.DemoToken)
			orgID, tokenID := acmeIDs(t, c)
			if err := srv.SetFaults([]emulator.Fault{{Kind: emulator.FaultGraphQLError, Error: string(emulator.ErrFaultUnknown)}}); err != nil {
				t.Fatal(err)
			}
			_, err := c.ListTokens(t.Context(), ident.Org{Slug: et.DemoOrgSlug}, func(TokenPage) bool { return true })
			if KindOf(err) != KindOther {
				t.Errorf("listing: kind %v, want KindOther (%v)", KindOf(err), err)
			}
			_, err = c.Revoke(t.Context(), orgID, tokenID, "cm-1")
			if KindOf(err) != KindOther || !strings.Contains(err.Error(), "refused") {
				t.Errorf("revoking: kind %v, want a refusal of kind KindOther (%v)", KindOf(err), err)
			}
		})
	}
}

// Only two messages are read, both worded as Buildkite documents them.
func TestDocumentedMessages(t *testing.T) {
	tests := []struct {
		msg  string
		want Kind
	}{
		{"Query has complexity of 251503, which exceeds max complexity of 50000", KindInvalid},
		{"Your organization has exceeded the limit of 20000 complexity points. Please try again in 187 seconds.", KindThrottled},
		// Words that once meant something to tokenctl, and no longer do.
		{"The API Access Token used for this request does not have access to the organization", KindOther},
		{"No API access token found with ID x", KindOther},
		{"Not found", KindOther},
		{"Internal server error", KindOther},
	}
	if len(documentedMessages) != 2 {
		t.Errorf("documentedMessages has %d entries; give each new one a case here", len(documentedMessages))
	}
	for _, tt := range tests {
		if got := classifyGraphQLError(wireError{Message: tt.msg}); got != tt.want {
			t.Errorf("%q: kind %v, want %v", tt.msg, got, tt.want)
		}
	}
	// And over the wire: a query over the complexity limit, whose type
	// says the same under either wording.
	for _, w := range emulator.ErrorWordings {
		srv := et.Start(t, emulator.Options{ErrorWording: w, RateLimit: 100})
		_, err := emulatorClient(t, srv, et.DemoToken).ListTokens(t.Context(), ident.Org{Slug: et.DemoOrgSlug}, func(TokenPage) bool { return true })
		if KindOf(err) != KindInvalid {
			t.Errorf("%s: too complex a query: kind %v (%v)", w, KindOf(err), err)
		}
	}
}

// Each spelling of a type maps to its kind, and nothing else does.
func TestErrorCodes(t *testing.T) {
	for code, want := range map[string]Kind{
		"NOT_FOUND": KindNotFound, "not_found": KindNotFound, "NotFound": KindNotFound, "RECORD_NOT_FOUND": KindNotFound,
		"FORBIDDEN": KindForbidden, "permission_denied": KindForbidden, "NOT_AUTHORIZED": KindForbidden,
		"UNAUTHENTICATED": KindUnauthorized, "unauthorized": KindUnauthorized,
		"RATE_LIMITED": KindThrottled, "throttled": KindThrottled, "TOO_MANY_REQUESTS": KindThrottled,
		"INTERNAL_SERVER_ERROR": KindServer, "internal_error": KindServer,
		"invalid_argument": KindInvalid, "BAD_USER_INPUT": KindInvalid, "bad_request": KindInvalid,
		"GRAPHQL_VALIDATION_FAILED": KindOther, "access": KindOther, "": KindOther,
	} {
		for _, e := range []wireError{{Type: code}, {Extensions: map[string]any{"code": code}}} {
			if got := classifyGraphQLError(e); got != want {
				t.Errorf("%+v: kind %v, want %v", e, got, want)
			}
		}
	}
	if len(errorCodes) != 15 {
		t.Errorf("errorCodes has %d entries; give each new one a case here", len(errorCodes))
	}
}

// An endpoint that is not Buildkite's API is a configuration error naming
// it, and it is found out without retrying where nothing can change.
func TestWrongEndpointIsAConfigurationError(t *testing.T) {
	srv := et.Start(t, emulator.Options{})
	org := ident.Org{Slug: et.DemoOrgSlug}
	visit := func(TokenPage) bool { return true }

	t.Run("GraphQL 404", func(t *testing.T) {
		c := New(Config{GraphQLEndpoint: srv.URL + "/graphql", RESTEndpoint: srv.RESTEndpoint, Token: et.DemoToken, Transport: noSleep})
		before := len(srv.Requests())
		_, err := c.ListTokens(t.Context(), org, visit)
		wantConfigError(t, err, srv.URL+"/graphql", "--graphql-endpoint")
		if n := len(srv.Requests()) - before; n != 1 {
			t.Errorf("%d requests, want 1: a 404 is not retried", n)
		}
	})
	t.Run("REST 404", func(t *testing.T) {
		c := emulatorClient(t, srv, et.DemoToken)
		c.cfg.RESTEndpoint = srv.URL + "/api"
		_, err := c.AccessToken(t.Context())
		wantConfigError(t, err, srv.URL+"/api/v2/access-token", "--rest-endpoint")
	})
	for _, tt := range []struct {
		name   string
		status int
	}{{"HTML 404 page", 404}, {"HTML page with 200, every attempt", 200}} {
		t.Run(tt.name, func(t *testing.T) {
			if err := srv.SetFaults([]emulator.Fault{{Kind: emulator.FaultNonJSON, Status: tt.status}}); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = srv.SetFaults(nil) })
			c := emulatorClient(t, srv, et.DemoToken)
			_, err := c.ListTokens(t.Context(), org, visit)
			wantConfigError(t, err, srv.GraphQLEndpoint, "--graphql-endpoint")
			_, err = c.AccessToken(t.Context())
			wantConfigError(t, err, srv.RESTEndpoint, "--rest-endpoint")
		})
	}
}

func wantConfigError(t *testing.T, err error, endpoint, setting string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindConfig {
		t.Fatalf("error %v (kind %v), want a configuration error", err, KindOf(err))
	}
	for _, part := range []string{endpoint, setting} {
		if !strings.Contains(e.Message, part) {
			t.Errorf("message %q does not name %q", e.Message, part)
		}
	}
	if strings.Contains(e.Message, et.DemoToken) {
		t.Error("the token is in the message")
	}
}

// The shape of a mutation's error decides what is known about it: on the
// mutation's field it was refused; elsewhere, of unknown meaning, it may
// have run and is re-checked; an internal error may have run too.
func TestMutationErrorShapes(t *testing.T) {
	onMutation := []any{revokeMutationField}
	tests := []struct {
		name string
		err  wireError
		want Kind
	}{
		{"unknown, on the mutation's field", wireError{Message: "nope", Path: onMutation}, KindOther},
		{"unknown, without a path", wireError{Message: "nope"}, KindOutcomeUnknown},
		{"internal, on the mutation's field", wireError{Message: "boom", Path: onMutation, Type: "internal_error"}, KindOutcomeUnknown},
		{"not found, on the mutation's field", wireError{Message: "gone", Path: onMutation, Extensions: map[string]any{"code": "NOT_FOUND"}}, KindNotFound},
	}
	for _, tt := range tests {
		if got := graphQLError(graphQLErrors{tt.err}, "revoking", true).Kind; got != tt.want {
			t.Errorf("%s: kind %v, want %v", tt.name, got, tt.want)
		}
	}
}
