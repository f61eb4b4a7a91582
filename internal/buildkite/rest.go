package buildkite

import (
	"context"
	"encoding/json"
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

func (c *Client) rest(ctx context.Context, method, secret, what string) (*http.Response, error) {
	url := strings.TrimRight(c.cfg.RESTEndpoint, "/") + "/v2/access-token"
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return nil, &Error{Kind: KindInvalid, Message: fmt.Sprintf("%s: bad REST endpoint %q", what, c.cfg.RESTEndpoint), Err: err}
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, callError(ctx, err, what, method != http.MethodGet)
	}
	if resp.StatusCode/100 != 2 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		var msg struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(body, &msg)
		return nil, statusError(resp.StatusCode, msg.Message, what)
	}
	return resp, nil
}
