package buildkite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/tokenctl/tokenctl/internal/transport"
)

// maxRESTBody bounds the REST answers read into memory; they are tiny.
const maxRESTBody = 1 << 20

// AccessToken describes the credential this client uses (REST
// GET /v2/access-token). That is how tokenctl knows which token it must
// never revoke.
func (c *Client) AccessToken(ctx context.Context) (AccessToken, error) {
	return c.accessToken(ctx, c.cfg.Token, "checking which API token tokenctl is using")
}

// IdentityStore remembers which token a secret is, per REST endpoint
// (package identitycache keeps it on disk), and under which id each
// organization lists that token. Only the uuid and the owner need to come
// back from Identity.
type IdentityStore interface {
	Identity(restEndpoint, secret string) (AccessToken, bool)
	Remember(restEndpoint, secret string, t AccessToken) error
	// ListedID is the id under which organization orgID (as the server
	// spelled it) at graphQLEndpoint listed the token remembered as
	// secret's identity.
	ListedID(restEndpoint, secret, graphQLEndpoint, orgID string) (string, bool)
	// RememberListedID records it, only if uuid is secret's remembered
	// identity.
	RememberListedID(restEndpoint, secret, graphQLEndpoint, orgID, uuid, tokenID string) error
}

// Caller tells which token this client's credential is, for the check that
// tokenctl never revokes its own: the uuid and owner. They never change
// for a given secret, so Config.Identities answers when it remembers them
// (the other fields are then empty), and otherwise remembers what
// AccessToken answered. Use AccessToken to show the token's details.
func (c *Client) Caller(ctx context.Context) (AccessToken, error) {
	if c.cfg.Identities != nil {
		if t, ok := c.cfg.Identities.Identity(c.cfg.RESTEndpoint, c.cfg.Token); ok {
			return t, nil
		}
	}
	t, err := c.AccessToken(ctx)
	if err == nil && c.cfg.Identities != nil {
		// Not remembering only costs the next run a request.
		_ = c.cfg.Identities.Remember(c.cfg.RESTEndpoint, c.cfg.Token, t)
	}
	return t, err
}

// RememberedCallerIn returns, without sending anything, which token this
// client's credential is and the id under which organization orgID listed
// it in an earlier run, when both are remembered. orgID must be spelled as
// the server gave it. See package identitycache for why a listed id stays
// true.
func (c *Client) RememberedCallerIn(orgID string) (caller AccessToken, tokenID string, ok bool) {
	if c.cfg.Identities == nil || orgID == "" {
		return AccessToken{}, "", false
	}
	caller, ok = c.cfg.Identities.Identity(c.cfg.RESTEndpoint, c.cfg.Token)
	if !ok {
		return AccessToken{}, "", false
	}
	tokenID, ok = c.cfg.Identities.ListedID(c.cfg.RESTEndpoint, c.cfg.Token, c.cfg.GraphQLEndpoint, orgID)
	if !ok {
		return AccessToken{}, "", false
	}
	return caller, tokenID, true
}

// RememberCallerListedAs records that organization orgID's listing showed
// the caller's token (uuid callerUUID, as REST described it) under
// tokenID, so that a later run naming tokens by id need not list. Nothing
// is recorded unless callerUUID is this credential's remembered identity.
func (c *Client) RememberCallerListedAs(orgID, callerUUID, tokenID string) {
	if c.cfg.Identities == nil || orgID == "" || tokenID == "" {
		return
	}
	// Not remembering only costs the next run a listing.
	_ = c.cfg.Identities.RememberListedID(c.cfg.RESTEndpoint, c.cfg.Token, c.cfg.GraphQLEndpoint, orgID, callerUUID, tokenID)
}

// AccessTokenOf describes the token whose secret value is given: how a
// leaked value becomes a uuid. The value is only sent as a credential.
func (c *Client) AccessTokenOf(ctx context.Context, secret string) (AccessToken, error) {
	return c.accessToken(ctx, secret, "looking up the given token value")
}

func (c *Client) accessToken(ctx context.Context, secret, what string) (AccessToken, error) {
	resp, err := c.rest(ctx, http.MethodGet, secret, what)
	if err != nil {
		return AccessToken{}, err
	}
	defer resp.Body.Close()
	var out AccessToken
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxRESTBody)).Decode(&out); err != nil {
		return AccessToken{}, &Error{Kind: KindNetwork, Message: fmt.Sprintf("%s: Buildkite's answer could not be read (%v)", what, err), Err: err}
	}
	if out.UUID == "" {
		return AccessToken{}, &Error{Kind: KindInvalid, Message: what + ": Buildkite's answer has no token uuid"}
	}
	return out, nil
}

// DeleteAccessToken revokes the token whose secret is given everywhere
// (REST DELETE /v2/access-token). Irreversible.
func (c *Client) DeleteAccessToken(ctx context.Context, secret string) error {
	resp, err := c.rest(transport.WithUnsafe(ctx), http.MethodDelete, secret, "revoking the token everywhere")
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// restPath is the one REST resource tokenctl uses.
const restPath = "/v2/access-token"

func (c *Client) rest(ctx context.Context, method, secret, what string) (*http.Response, error) {
	endpoint := strings.TrimRight(c.cfg.RESTEndpoint, "/") + restPath
	req, err := http.NewRequestWithContext(ctx, method, endpoint, nil)
	if err != nil {
		return nil, &Error{Kind: KindInvalid, Message: fmt.Sprintf("%s: bad REST endpoint %q", what, c.cfg.RESTEndpoint), Err: err}
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Accept", "application/json")
	resp, err := c.restHTTP.Do(req)
	if err != nil {
		unsafe := method != http.MethodGet
		if !unsafe && errors.Is(err, transport.ErrNotJSON) && ctx.Err() == nil {
			return nil, notJSONError(err, what, restAPI)
		}
		return nil, callError(ctx, err, what, unsafe)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		return nil, statusError(newHTTPStatusError(resp, restAPI, endpoint), what)
	}
	return resp, nil
}
