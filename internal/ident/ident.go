// Package ident tells apart the ways a user can name an organization or a
// token (slug or node id, uuid or node id) and rejects malformed ones before
// any request is sent. It does no network work.
package ident

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
)

var (
	uuidPattern   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	slugPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,99}$`)
	secretPattern = regexp.MustCompile(`^(bkua_[A-Za-z0-9]{20,}|[0-9a-f]{40})$`)
	// secretInText finds token values inside longer text ("token=bkua_...",
	// "Bearer ..."), with any of Buildkite's four-letter prefixes.
	secretInText = regexp.MustCompile(`bk[a-z]{2}_[A-Za-z0-9]{16,}|[0-9a-f]{40,}`)
	// Node ids are base64 of "<Type>---<uuid>".
	nodeIDPattern = regexp.MustCompile(`^([A-Za-z]+)---([0-9a-fA-F-]{36})$`)
)

// Org names an organization by exactly one of Slug or ID.
type Org struct {
	Slug string
	ID   string
}

// String is how the user wrote it.
func (o Org) String() string {
	if o.ID != "" {
		return o.ID
	}
	return o.Slug
}

// Token names an API access token by exactly one of UUID or ID.
type Token struct {
	UUID string
	ID   string
}

// String is how the user wrote it.
func (t Token) String() string {
	if t.ID != "" {
		return t.ID
	}
	return t.UUID
}

// Key identifies the token for de-duplication.
func (t Token) Key() string {
	if t.ID != "" {
		return "id:" + t.ID
	}
	return "uuid:" + t.UUID
}

// ParseOrg accepts an organization slug or an Organization node id.
func ParseOrg(s string) (Org, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Org{}, fmt.Errorf("no organization given: pass --org SLUG, set BUILDKITE_ORGANIZATION_SLUG, or run `tokenctl config set org SLUG`")
	}
	if typ, _, ok := decodeNodeID(s); ok {
		if typ != "Organization" {
			return Org{}, fmt.Errorf("organization %q is a %s id, not an organization slug or id", s, typ)
		}
		return Org{ID: s}, nil
	}
	// A lower-case token value would pass for a slug and then be echoed in
	// "organization ... not found".
	if LooksLikeSecret(s) {
		return Org{}, fmt.Errorf("that looks like a secret token value, not an organization: give the organization slug (as in buildkite.com/SLUG) and never pass secrets as arguments")
	}
	if !slugPattern.MatchString(s) {
		return Org{}, fmt.Errorf("organization %q is neither a slug (lower-case letters, digits and dashes, as in buildkite.com/SLUG) nor an organization id", printable(s))
	}
	return Org{Slug: s}, nil
}

// ParseToken accepts a token uuid (as shown in Buildkite's web UI) or the
// token's GraphQL id.
func ParseToken(s string) (Token, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Token{}, fmt.Errorf("empty token identifier: give a token uuid (as shown in Buildkite's web UI) or its GraphQL id")
	}
	if uuidPattern.MatchString(s) {
		return Token{UUID: strings.ToLower(s)}, nil
	}
	if typ, _, ok := decodeNodeID(s); ok {
		if typ != "APIAccessToken" {
			return Token{}, fmt.Errorf("token %q is a %s id, not an API access token uuid or id", s, typ)
		}
		return Token{ID: s}, nil
	}
	if LooksLikeSecret(s) {
		return Token{}, fmt.Errorf("that looks like a secret token value, not a token uuid: never pass secrets as arguments; use --token-value-file to revoke a leaked token by its value")
	}
	return Token{}, fmt.Errorf("token %q is neither a uuid (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) nor an API access token id", printable(s))
}

// LooksLikeSecret reports whether s has the shape of a token's secret value
// (bkua_ followed by hex, or a legacy 40-character hex token), so that such
// a value is never echoed back.
func LooksLikeSecret(s string) bool {
	return secretPattern.MatchString(strings.TrimSpace(s))
}

// UUIDFromID returns the uuid inside a node id, when the id has the usual
// shape. Used to recognise the tool's own token when it is named by id.
func UUIDFromID(id string) (string, bool) {
	_, uuid, ok := decodeNodeID(id)
	return strings.ToLower(uuid), ok
}

func decodeNodeID(s string) (typ, uuid string, ok bool) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(s)
		if err != nil {
			return "", "", false
		}
	}
	m := nodeIDPattern.FindStringSubmatch(string(raw))
	if m == nil || !uuidPattern.MatchString(m[2]) {
		return "", "", false
	}
	return m[1], m[2], true
}

// RedactSecrets replaces everything in s shaped like a token value with
// "[redacted]", so text a user typed can be repeated in a message.
func RedactSecrets(s string) string {
	return secretInText.ReplaceAllString(s, "[redacted]")
}

// printable shortens and sanitises user input for an error message, so a
// pasted secret or control characters are not echoed. Secrets are redacted
// before shortening, so a cut cannot leave part of one behind.
func printable(s string) string {
	const limit = 40
	var b strings.Builder
	for _, r := range RedactSecrets(s) {
		if r < 0x20 || r == 0x7f {
			r = '?'
		}
		b.WriteRune(r)
	}
	out := b.String()
	if len([]rune(out)) > limit {
		out = string([]rune(out)[:limit]) + "…"
	}
	return out
}
