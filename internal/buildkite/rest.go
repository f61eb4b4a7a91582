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
// (package identitycache keeps it on disk), and what each organization's
// listing showed: under which id it listed that token, and which ids it
// listed for other tokens. Only the uuid and the owner need to come back
// from Identity.
type IdentityStore interface {
	Identity(restEndpoint, secret string) (AccessToken, bool)
	Remember(restEndpoint, secret string, t AccessToken) error
	// Listed is what organization orgID (as the server spelled it) at
	// graphQLEndpoint listed, matched against secret's remembered
	// identity.
	Listed(restEndpoint, secret, graphQLEndpoint, orgID string) (ListedIDs, bool)
	// RememberListed adds to it, only if uuid is secret's remembered
	// identity.
	RememberListed(restEndpoint, secret, graphQLEndpoint, orgID, uuid string, ids ListedIDs) error
}

// ListedIDs is what an organization's listing showed, as evidence about
// ids named later: each id exactly as the server gave it.
type ListedIDs struct {
	// Own is the id under which the caller's own token was listed; "" if
	// it was not seen.
	Own string
	// Others maps the id of a token that is not the caller's to its uuid.
	Others map[string]string
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

// RememberedListing returns, without sending anything, which token this
// client's credential is and what organization orgID listed in earlier
// runs, when both are remembered. orgID must be spelled as the server gave
// it. See package identitycache for what a listed id proves.
func (c *Client) RememberedListing(orgID string) (caller AccessToken, ids ListedIDs, ok bool) {
	if c.cfg.Identities == nil || orgID == "" {
		return AccessToken{}, ListedIDs{}, false
	}
	caller, ok = c.cfg.Identities.Identity(c.cfg.RESTEndpoint, c.cfg.Token)
	if !ok {
		return AccessToken{}, ListedIDs{}, false
	}
	ids, ok = c.cfg.Identities.Listed(c.cfg.RESTEndpoint, c.cfg.Token, c.cfg.GraphQLEndpoint, orgID)
	if !ok {
		return AccessToken{}, ListedIDs{}, false
	}
	return caller, ids, true
}

// RememberListing records what organization orgID's listing showed, matched
// against the caller's token (uuid callerUUID, as REST described it), so
// that a later run naming those tokens by id need not list. Nothing is
// recorded unless callerUUID is this credential's remembered identity.
func (c *Client) RememberListing(orgID, callerUUID string, ids ListedIDs) {
	if c.cfg.Identities == nil || orgID == "" || (ids.Own == "" && len(ids.Others) == 0) {
		return
	}
	// Not remembering only costs the next run a listing.
	_ = c.cfg.Identities.RememberListed(c.cfg.RESTEndpoint, c.cfg.Token, c.cfg.GraphQLEndpoint, orgID, callerUUID, ids)
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
