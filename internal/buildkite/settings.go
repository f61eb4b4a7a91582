package buildkite

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/tokenctl/tokenctl/internal/transport"
)

// APISettings are an organization's API settings (REST
// /v2/organizations/{slug}/api-settings), as Buildkite answers them. A key
// the answer leaves out, or a flag or feature it answers with null, is not
// known: nil here, or Missing names it, never read as false or "none".
type APISettings struct {
	URL string `json:"url"`
	// AllowedIPAddresses is the allowlist, space-separated CIDR ranges;
	// nil: no allowlist (or, when Missing names it, not answered).
	AllowedIPAddresses *string `json:"allowed_ip_addresses"`
	// RevokeInactiveTokensAfterDays is 30, 60, 90, 180 or 365; nil: off
	// (or, when Missing names it, not answered).
	RevokeInactiveTokensAfterDays *int `json:"revoke_inactive_tokens_after_days"`
	// RestrictUserAPITokenCreation: only administrators may create API
	// access tokens; nil: not known.
	RestrictUserAPITokenCreation *bool `json:"restrict_user_api_token_creation"`
	// Features is nil when the answer has none.
	Features *APIFeatures `json:"features"`
	// Missing are the keys among FieldAllowedIPAddresses and
	// FieldRevokeInactiveTokensDays the answer left out.
	Missing []string `json:"-"`
}

// UnmarshalJSON reads the answer and notes which nullable keys it left
// out, since for those null has a meaning of its own.
func (a *APISettings) UnmarshalJSON(data []byte) error {
	type plain APISettings
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return err
	}
	p.Missing = nil
	for _, k := range []string{FieldAllowedIPAddresses, FieldRevokeInactiveTokensDays} {
		if _, ok := keys[k]; !ok {
			p.Missing = append(p.Missing, k)
		}
	}
	*a = APISettings(p)
	return nil
}

// APIFeatures say which plan-gated settings the organization's plan
// includes, so "off" and "not on the plan" can be told apart; nil: not
// answered.
type APIFeatures struct {
	APIIPAllowList             *bool `json:"api_ip_allow_list"`
	InactiveAPITokenRevocation *bool `json:"inactive_api_token_revocation"`
}

// The settings' REST field names, the keys of an APISettingsPatch.
const (
	FieldAllowedIPAddresses       = "allowed_ip_addresses"
	FieldRevokeInactiveTokensDays = "revoke_inactive_tokens_after_days"
	FieldRestrictTokenCreation    = "restrict_user_api_token_creation"
)

// APISettingsPatch holds the fields to change, by REST name; a nil value
// is JSON null (no allowlist, revocation off).
type APISettingsPatch map[string]any

// FieldError is one field Buildkite rejected (HTTP 422) and why.
type FieldError struct {
	Field  string
	Reason string
}

// ValidationError is an HTTP 422: the fields Buildkite rejected.
type ValidationError struct {
	Message string
	Fields  []FieldError
}

func (e *ValidationError) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Reason
		if f.Field != "" {
			parts[i] = f.Field + ": " + f.Reason
		}
	}
	return strings.Join(parts, "; ")
}

// APISettings reads an organization's API settings. The caller must be an
// administrator of the organization, and its token needs the scope
// read_organization_settings.
func (c *Client) APISettings(ctx context.Context, slug string) (APISettings, error) {
	return c.settingsRequest(ctx, http.MethodGet, slug, nil, fmt.Sprintf("reading the API settings of organization %q", slug))
}

// UpdateAPISettings changes the fields of patch, and only those, and
// returns the settings Buildkite then holds (scope
// write_organization_settings). It is sent once: a lost answer is
// KindOutcomeUnknown, for the caller to read the settings again.
func (c *Client) UpdateAPISettings(ctx context.Context, slug string, patch APISettingsPatch) (APISettings, error) {
	body, err := json.Marshal(patch)
	if err != nil {
		return APISettings{}, err
	}
	return c.settingsRequest(transport.WithUnsafe(ctx), http.MethodPatch, slug, body, fmt.Sprintf("changing the API settings of organization %q", slug))
}

func (c *Client) settingsRequest(ctx context.Context, method, slug string, body []byte, what string) (APISettings, error) {
	endpoint := strings.TrimRight(c.cfg.RESTEndpoint, "/") + "/v2/organizations/" + url.PathEscape(slug) + "/api-settings"
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, endpoint, reader)
	if err != nil {
		return APISettings{}, &Error{Kind: KindInvalid, Message: fmt.Sprintf("%s: bad REST endpoint %q", what, c.cfg.RESTEndpoint), Err: err}
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	unsafe := method != http.MethodGet
	resp, err := c.restHTTP.Do(req)
	if err != nil {
		if !unsafe && errors.Is(err, transport.ErrNotJSON) && ctx.Err() == nil {
			return APISettings{}, notJSONError(err, what, restAPI)
		}
		return APISettings{}, callError(ctx, err, what, unsafe)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxRESTBody))
	if err != nil {
		return APISettings{}, callError(ctx, err, what, unsafe)
	}
	if resp.StatusCode/100 != 2 {
		return APISettings{}, settingsStatusError(resp, data, endpoint, what)
	}
	var out APISettings
	if err := json.Unmarshal(data, &out); err != nil {
		kind := KindNetwork
		if unsafe {
			kind = KindOutcomeUnknown
		}
		return APISettings{}, &Error{Kind: kind, Message: fmt.Sprintf("%s: Buildkite's answer could not be read (%v)", what, err), Err: err}
	}
	return out, nil
}

// settingsStatusError reads a refusal. The settings endpoint answers an
// organization it does not show with a JSON 404; 403 is a missing scope,
// a caller who is not an administrator, a request from outside the
// allowlist or a plan-gated field, which only Buildkite's message tells
// apart; 422 names the rejected fields.
func settingsStatusError(resp *http.Response, body []byte, endpoint, what string) error {
	var answer struct {
		Message string          `json:"message"`
		Errors  json.RawMessage `json:"errors"`
	}
	isJSON := json.Unmarshal(bytes.TrimSpace(body), &answer) == nil
	detail := answer.Message
	if len(detail) > 300 {
		detail = detail[:300] + "…"
	}
	switch {
	case resp.StatusCode == http.StatusUnprocessableEntity && isJSON:
		v := &ValidationError{Message: detail, Fields: fieldErrors(answer.Errors)}
		return &Error{Kind: KindInvalid, Status: resp.StatusCode, Message: fmt.Sprintf("%s: Buildkite rejected the change (HTTP 422): %v", what, v), Err: v}
	case resp.StatusCode == http.StatusForbidden && isJSON:
		return &Error{Kind: KindForbidden, Status: resp.StatusCode, Message: fmt.Sprintf("%s: Buildkite refused (HTTP 403)%s; the token's owner must be an administrator of the organization, the token needs the settings scope, and the request must come from an address the organization's API allowlist admits", what, suffix(detail))}
	case resp.StatusCode == http.StatusNotFound && isJSON && answer.Message != "":
		return &Error{Kind: KindNotFound, Status: resp.StatusCode, Message: fmt.Sprintf("%s: no such organization for this token (HTTP 404)%s", what, suffix(detail))}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return statusError(newHTTPStatusError(resp, restAPI, endpoint), what)
}

// fieldErrors reads a 422's errors in the shapes REST APIs use: a list of
// {field, message} objects (or of strings), or a map from field to
// messages. Buildkite does not document which it uses.
func fieldErrors(raw json.RawMessage) []FieldError {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		var out []FieldError
		for _, item := range list {
			var obj struct {
				Field, Message, Code string
			}
			var s string
			switch {
			case json.Unmarshal(item, &s) == nil:
				out = append(out, FieldError{Reason: s})
			case json.Unmarshal(item, &obj) == nil:
				reason := obj.Message
				if reason == "" {
					reason = obj.Code
				}
				out = append(out, FieldError{Field: obj.Field, Reason: reason})
			}
		}
		return out
	}
	var byField map[string]json.RawMessage
	if json.Unmarshal(raw, &byField) != nil {
		return nil
	}
	var out []FieldError
	for field, v := range byField {
		var many []string
		var one string
		switch {
		case json.Unmarshal(v, &many) == nil:
			out = append(out, FieldError{Field: field, Reason: strings.Join(many, "; ")})
		case json.Unmarshal(v, &one) == nil:
			out = append(out, FieldError{Field: field, Reason: one})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}
