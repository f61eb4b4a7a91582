package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"slices"
	"strings"
)

// The organization's API settings (REST GET and PATCH
// /v2/organizations/{slug}/api-settings), as API-NOTES.md documents them:
// the API IP allowlist and the inactive-token revocation period, both
// plan-gated, and whether only administrators may create API access
// tokens. The period is the one GraphQL's revokeInactiveTokensAfter shows.
// Once an organization has an allowlist, every request about it from an
// address outside the list is refused (refuseAddress).

// SettingsQuirks make api-settings answer in ways API-NOTES.md allows but
// does not describe, so clients can be tested against them. The zero value
// answers as documented.
type SettingsQuirks struct {
	// ExtraAllowlistEntries are entries an organization's allowlist (by
	// slug) holds beyond what clients set, verbatim: another notation
	// (203.0.113.0/255.255.255.0), or a range set by other means. GET and
	// PATCH answers show them, a PATCH does not remove them, and requests
	// are not checked against them.
	ExtraAllowlistEntries map[string][]string
	// EchoCredential makes the endpoint's refusals (403, 422) repeat the
	// request's Authorization header in their message, as a careless
	// server or proxy might.
	EchoCredential bool
	// OmitKeys are keys the answers leave out, NullKeys keys they answer
	// with null: "allowed_ip_addresses", "restrict_user_api_token_creation",
	// "features", or a feature as "features.api_ip_allow_list".
	OmitKeys, NullKeys []string
}

// bend applies the quirks' missing and null keys to an answer.
func (q SettingsQuirks) bend(v apiSettingsJSON) any {
	if len(q.OmitKeys) == 0 && len(q.NullKeys) == 0 {
		return v
	}
	var m map[string]any
	data, _ := json.Marshal(v)
	_ = json.Unmarshal(data, &m)
	apply := func(keys []string, fn func(map[string]any, string)) {
		for _, k := range keys {
			if parent, child, nested := strings.Cut(k, "."); nested {
				if sub, ok := m[parent].(map[string]any); ok {
					fn(sub, child)
				}
				continue
			}
			fn(m, k)
		}
	}
	apply(q.OmitKeys, func(m map[string]any, k string) { delete(m, k) })
	apply(q.NullKeys, func(m map[string]any, k string) { m[k] = nil })
	return m
}

// echo is a refusal's answer, repeating the credential when EchoCredential.
func (q SettingsQuirks) echo(r *http.Request, resp response) response {
	if !q.EchoCredential || resp.status/100 != 4 {
		return resp
	}
	var m map[string]any
	if json.Unmarshal(resp.body, &m) != nil {
		return resp
	}
	m["message"] = fmt.Sprintf("%v (request authorized by %q)", m["message"], r.Header.Get("Authorization"))
	return jsonResponse(resp.status, m)
}

// FeatureAPIIPAllowlist is the plan feature of the API IP allowlist.
const FeatureAPIIPAllowlist = "api-ip-allowlist"

// Scopes of the settings endpoint (APIAccessTokenScopes names).
const (
	scopeReadSettings  = "READ_ORGANIZATION_SETTINGS"
	scopeWriteSettings = "WRITE_ORGANIZATION_SETTINGS"
)

// settingsPathPrefix and settingsPathSuffix frame the organization's slug.
const (
	settingsPathPrefix = "/v2/organizations/"
	settingsPathSuffix = "/api-settings"
)

// settingsSlug is the organization slug of an api-settings path.
func settingsSlug(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, settingsPathPrefix)
	if !ok {
		return "", false
	}
	slug, ok := strings.CutSuffix(rest, settingsPathSuffix)
	if !ok || slug == "" || strings.Contains(slug, "/") {
		return "", false
	}
	return slug, true
}

// apiSettingsJSON is the body of GET and PATCH api-settings.
type apiSettingsJSON struct {
	URL                           string  `json:"url"`
	AllowedIPAddresses            *string `json:"allowed_ip_addresses"`
	RevokeInactiveTokensAfterDays *int    `json:"revoke_inactive_tokens_after_days"`
	RestrictUserAPITokenCreation  bool    `json:"restrict_user_api_token_creation"`
	Features                      struct {
		APIIPAllowList             bool `json:"api_ip_allow_list"`
		InactiveAPITokenRevocation bool `json:"inactive_api_token_revocation"`
	} `json:"features"`
}

// parseAllowlist reads a space-separated list of CIDR ranges (a bare
// address is its own range). Empty means no allowlist.
func parseAllowlist(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Fields(s) {
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("%q is not a CIDR range", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func formatAllowlist(ps []netip.Prefix) *string {
	if ps == nil {
		return nil
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.String()
	}
	s := strings.Join(parts, " ")
	return &s
}

// allowsAddress reports whether the organization's allowlist, if any,
// lets requests from ip through.
func (o *organization) allowsAddress(ip string) bool {
	if o.allowlist == nil {
		return true
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range o.allowlist {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// refuseAddress is the error name answers with when the caller's address
// is outside o's allowlist, nil when it is not.
func (o *organization) refuseAddress(c *caller, name ErrorName) *apiError {
	if o.allowsAddress(c.ip) {
		return nil
	}
	return newAPIError(name, c.ip, o.slug)
}

// periodDays maps RevokeInactiveTokenPeriod values to days.
var periodDays = map[string]int{"DAYS_30": 30, "DAYS_60": 60, "DAYS_90": 90, "DAYS_180": 180, "DAYS_365": 365}

func (s *Server) settingsJSON(r *http.Request, o *organization) apiSettingsJSON {
	out := apiSettingsJSON{
		URL:                          "http://" + r.Host + settingsPathPrefix + o.slug + settingsPathSuffix,
		AllowedIPAddresses:           formatAllowlist(o.allowlist),
		RestrictUserAPITokenCreation: o.restrictTokenCreation,
	}
	if extra := s.opts.Settings.ExtraAllowlistEntries[o.slug]; len(extra) > 0 {
		all := strings.Join(extra, " ")
		if out.AllowedIPAddresses != nil {
			all = *out.AllowedIPAddresses + " " + all
		}
		out.AllowedIPAddresses = &all
	}
	if d, ok := periodDays[o.revokeInactiveTokensAfter]; ok {
		out.RevokeInactiveTokensAfterDays = &d
	}
	out.Features.APIIPAllowList = s.store.paid.has(o, FeatureAPIIPAllowlist)
	out.Features.InactiveAPITokenRevocation = s.store.paid.has(o, FeatureInactivityPolicy)
	return out
}

// serveSettings answers GET and PATCH api-settings for an authenticated
// caller. The checks run in the order a refusal leaks least: an
// organization the caller does not belong to is not found.
func (s *Server) serveSettings(r *http.Request, c *caller, slug string) response {
	return s.opts.Settings.echo(r, s.answerSettings(r, c, slug))
}

func (s *Server) answerSettings(r *http.Request, c *caller, slug string) response {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	o := st.orgBySlug(slug)
	if o == nil || o.roles[c.userUUID] == "" {
		return s.restErrorResponse(newAPIError(ErrSettingsOrgNotFound, slug), 0)
	}
	t := st.tokenByUUID(c.tokenUUID)
	scope := scopeReadSettings
	if r.Method == http.MethodPatch {
		scope = scopeWriteSettings
	}
	switch {
	case !t.orgs[o.uuid]:
		return s.restErrorResponse(newAPIError(ErrSettingsNoOrgAccess, o.slug), 0)
	case !o.allowsAddress(c.ip):
		return s.restErrorResponse(newAPIError(ErrIPNotAllowedREST, c.ip, o.slug), 0)
	case !t.hasScope(scope):
		return s.restErrorResponse(newAPIError(ErrSettingsScope, strings.ToLower(scope)), 0)
	case o.roles[c.userUUID] != RoleAdmin:
		return s.restErrorResponse(newAPIError(ErrSettingsAdminOnly, o.slug), 0)
	}
	if r.Method == http.MethodPatch {
		if resp, ok := s.patchSettings(r, o); !ok {
			return resp
		}
	}
	return jsonResponse(http.StatusOK, s.opts.Settings.bend(s.settingsJSON(r, o)))
}

// settingsPatch is a PATCH body: a field present (even null) is a change.
type settingsPatch map[string]json.RawMessage

// patchSettings applies a PATCH body to o, all or nothing. It reports
// false with the answer when the change is refused. Expects st.mu held.
func (s *Server) patchSettings(r *http.Request, o *organization) (response, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	var patch settingsPatch
	if err == nil {
		err = json.Unmarshal(body, &patch)
	}
	if err != nil || patch == nil {
		return s.validationResponse([]fieldError{{"body", "must be a JSON object"}}), false
	}
	raw := func(name string) (json.RawMessage, bool) { v, ok := patch[name]; return v, ok }
	// Plan-gated fields are refused whatever their value.
	if _, ok := raw("allowed_ip_addresses"); ok && !s.store.paid.has(o, FeatureAPIIPAllowlist) {
		return s.restErrorResponse(newAPIError(ErrAllowlistNotOnPlan, o.slug), 0), false
	}
	if _, ok := raw("revoke_inactive_tokens_after_days"); ok && !s.store.paid.has(o, FeatureInactivityPolicy) {
		return s.restErrorResponse(newAPIError(ErrInactivityNotOnPlanREST, o.slug), 0), false
	}
	next := *o
	var bad []fieldError
	if v, ok := raw("allowed_ip_addresses"); ok {
		var list *string
		if json.Unmarshal(v, &list) != nil {
			bad = append(bad, fieldError{"allowed_ip_addresses", "must be a string of space-separated CIDR ranges, or null"})
		} else if list == nil || strings.TrimSpace(*list) == "" {
			next.allowlist = nil
		} else if ps, perr := parseAllowlist(*list); perr != nil {
			bad = append(bad, fieldError{"allowed_ip_addresses", perr.Error()})
		} else {
			next.allowlist = ps
		}
	}
	if v, ok := raw("revoke_inactive_tokens_after_days"); ok {
		var days *int
		switch {
		case json.Unmarshal(v, &days) != nil:
			bad = append(bad, fieldError{"revoke_inactive_tokens_after_days", "must be 30, 60, 90, 180, 365 or null"})
		case days == nil:
			next.revokeInactiveTokensAfter = "NEVER"
		default:
			period := fmt.Sprintf("DAYS_%d", *days)
			if _, offered := periodDays[period]; !offered {
				bad = append(bad, fieldError{"revoke_inactive_tokens_after_days", fmt.Sprintf("%d is not one of 30, 60, 90, 180, 365", *days)})
			}
			next.revokeInactiveTokensAfter = period
		}
	}
	if v, ok := raw("restrict_user_api_token_creation"); ok {
		var restrict bool
		// JSON null decodes into a bool without error; it is not one.
		if bytes.Equal(bytes.TrimSpace(v), []byte("null")) || json.Unmarshal(v, &restrict) != nil {
			bad = append(bad, fieldError{"restrict_user_api_token_creation", "must be true or false"})
		}
		next.restrictTokenCreation = restrict
	}
	if len(bad) > 0 {
		return s.validationResponse(bad), false
	}
	o.allowlist, o.revokeInactiveTokensAfter, o.restrictTokenCreation = next.allowlist, next.revokeInactiveTokensAfter, next.restrictTokenCreation
	return response{}, true
}

type fieldError struct{ field, reason string }

// validationResponse is a 422. Buildkite does not document the body's
// shape, so each wording uses another common one: a list of
// {field, message} objects, or a map from field to messages.
func (s *Server) validationResponse(errs []fieldError) response {
	slices.SortFunc(errs, func(a, b fieldError) int { return strings.Compare(a.field, b.field) })
	if s.opts.ErrorWording == WordingAlternate {
		byField := map[string][]string{}
		for _, e := range errs {
			byField[e.field] = append(byField[e.field], e.reason)
		}
		return jsonResponse(http.StatusUnprocessableEntity, map[string]any{"message": "Rejected", "errors": byField})
	}
	list := make([]map[string]string, len(errs))
	for i, e := range errs {
		list[i] = map[string]string{"field": e.field, "message": e.reason}
	}
	return jsonResponse(http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed", "errors": list})
}
