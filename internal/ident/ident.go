// Package ident tells apart the ways a user can name an organization or a
// token (slug or node id, uuid or node id) and rejects what is clearly
// something else before any request is sent. GraphQL ids are opaque: this
// package never derives a token's or an organization's identity from an
// id's bytes, it only refuses ids that plainly belong to another type. It
// does no network work.
package ident

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tokenctl/tokenctl/internal/lazyregexp"
	"github.com/tokenctl/tokenctl/internal/redact"
)

var (
	uuidPattern = lazyregexp.New(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	slugPattern = lazyregexp.New(`^[a-z0-9][a-z0-9_-]{0,99}$`)
	// wordsPattern is lower-case words joined by dashes or underscores
	// ("not-a-uuid", "ci_token"), which no GraphQL id is spelled as.
	wordsPattern = lazyregexp.New(`^[a-z0-9]+([-_][a-z0-9]+)+$`)
	// typedNodeID is the one id shape known to belong to a type: base64 of
	// "<Type>---<uuid>". It is used only to refuse an id of another type.
	typedNodeID = lazyregexp.New(`^([A-Za-z]+)---([0-9a-fA-F-]{36})$`)
)

// maxIDLength bounds an opaque id; nothing the API lists comes near it.
const maxIDLength = 512

// otherNodeTypes are the types of Buildkite's published schema that
// implement Node, other than tokens: an id that decodes to one of them was
// pasted in the wrong place.
var otherNodeTypes = []string{
	"APIAccessTokenCode", "APIApplication", "Agent", "AgentToken", "Annotation", "Artifact", "AuditEvent",
	"Build", "Cluster", "ClusterQueue", "ClusterQueueToken", "ClusterToken", "Email",
	"Organization", "OrganizationBanner", "OrganizationInvitation", "OrganizationMember",
	"Pipeline", "PipelineMetric", "PipelineSchedule", "PipelineTemplate", "Registry", "RegistryToken",
	"Rule", "Secret", "Suite", "Team", "TeamMember", "TeamPipeline", "TeamRegistry", "TeamSuite",
	"User", "Viewer",
}

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

// Key identifies the token as written, to drop exact repetitions before
// anything is looked up. Two different spellings of one token (its uuid
// and its id) have different keys: only the server's listing can tell
// they are the same token.
func (t Token) Key() string {
	if t.ID != "" {
		return "id:" + t.ID
	}
	return "uuid:" + t.UUID
}

// Names reports whether t names the token a listing shows with id and
// uuid: by its uuid in any case, or by its id as listed or without the
// base64 padding that copying often drops. An id with more padding than
// listed names nothing. Every command that looks a named token up in a
// listing decides by this rule.
func (t Token) Names(id, uuid string) bool {
	if t.UUID != "" {
		return strings.EqualFold(t.UUID, uuid)
	}
	return slices.Contains(IDSpellings(id), t.ID)
}

// IDSpellings are the ids under which Names finds a token listed with id:
// as listed, and without its padding. A caller holding many named tokens
// in a map looks each listed id up under these.
func IDSpellings(id string) []string {
	if short := Unpadded(id); short != id {
		return []string{id, short}
	}
	return []string{id}
}

// Unpadded is id without trailing base64 padding. It is only ever
// compared, never sent.
func Unpadded(id string) string { return strings.TrimRight(id, "=") }

// ParseOrg accepts an organization slug or an organization's GraphQL id.
// Anything shaped like a slug is taken as a slug.
func ParseOrg(s string) (Org, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Org{}, fmt.Errorf("no organization given: pass --org SLUG, set BUILDKITE_ORGANIZATION_SLUG, or run `tokenctl config set org SLUG`")
	// A lower-case token value would pass for a slug and then be echoed in
	// "organization ... not found".
	case redact.HoldsSecret(s):
		return Org{}, fmt.Errorf("that looks like a secret token value, not an organization: give the organization slug (as in buildkite.com/SLUG) and never pass secrets as arguments")
	case uuidPattern.MatchString(s):
		return Org{}, fmt.Errorf("organization %q is a uuid: give the organization's slug (as in buildkite.com/SLUG) or its GraphQL id", s)
	case slugPattern.MatchString(s):
		return Org{Slug: s}, nil
	case strings.Contains(s, "://"):
		return Org{}, fmt.Errorf("organization %q is a URL: give the organization's slug (as in buildkite.com/SLUG) or its GraphQL id", printable(s))
	}
	if typ, ok := otherTypeID(s, "Organization"); ok {
		return Org{}, fmt.Errorf("organization %q is a %s id, not an organization slug or id", printable(s), typ)
	}
	if !opaqueID(s) {
		return Org{}, fmt.Errorf("organization %q is neither a slug (lower-case letters, digits and dashes, as in buildkite.com/SLUG) nor an organization id", printable(s))
	}
	return Org{ID: s}, nil
}

// ParseToken accepts a token uuid (as shown in Buildkite's web UI) or the
// token's GraphQL id, which is opaque: any id the API could have listed is
// accepted, and only the server can tell whether it names a token.
func ParseToken(s string) (Token, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Token{}, fmt.Errorf("empty token identifier: give a token uuid (as shown in Buildkite's web UI) or its GraphQL id")
	case uuidPattern.MatchString(s):
		return Token{UUID: strings.ToLower(s)}, nil
	case redact.HoldsSecret(s):
		return Token{}, fmt.Errorf("that looks like a secret token value, not a token uuid: never pass secrets as arguments; use --token-value-file to revoke a leaked token by its value")
	case uuidAttempt(s):
		return Token{}, fmt.Errorf("token %q is neither a uuid (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) nor an API access token id: it looks like a uuid with a part missing", printable(s))
	}
	if typ, ok := otherTypeID(s, "APIAccessToken", "OrganizationAPIAccessToken"); ok {
		return Token{}, fmt.Errorf("token %q is a %s id, not an API access token uuid or id", printable(s), typ)
	}
	if !opaqueID(s) {
		return Token{}, fmt.Errorf("token %q is neither a uuid (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) nor an API access token id (ids hold no spaces or control characters)", printable(s))
	}
	if wordsPattern.MatchString(s) {
		// Ids are opaque, but no API spells them as lower-case words
		// joined by dashes: that is a typo, a slug or a description, and
		// under --ignore-missing it would pass as "already gone".
		return Token{}, fmt.Errorf("token %q is neither a uuid (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) nor an API access token id: ids are the opaque strings Buildkite lists (see `tokenctl tokens list`), not words joined by dashes", printable(s))
	}
	return Token{ID: s}, nil
}

// uuidAttempt reports whether s is made of hex digits and dashes, with a
// dash, without being a uuid: a uuid mistyped or cut short.
func uuidAttempt(s string) bool {
	return strings.Contains(s, "-") && strings.Trim(s, "0123456789abcdefABCDEF-") == ""
}

// opaqueID reports whether s could be an id the API gave: printable, with
// no spaces, and of a sane length. Nothing else about it is assumed.
func opaqueID(s string) bool {
	if len(s) > maxIDLength || !utf8.ValidString(s) {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) < 0
}

// otherTypeID reports the type of an id that decodes to a known Node type
// other than the wanted ones. An id that does not decode says nothing.
func otherTypeID(s string, wanted ...string) (string, bool) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if raw, err = base64.RawStdEncoding.DecodeString(s); err != nil {
			return "", false
		}
	}
	m := typedNodeID.FindStringSubmatch(string(raw))
	if m == nil || !uuidPattern.MatchString(m[2]) || slices.Contains(wanted, m[1]) || !slices.Contains(otherNodeTypes, m[1]) {
		return "", false
	}
	return m[1], true
}

// printable shortens and sanitises user input for an error message, so a
// pasted secret or control characters are not echoed. Secrets are redacted
// before shortening, so a cut cannot leave part of one behind.
func printable(s string) string {
	const limit = 40
	var b strings.Builder
	for _, r := range redact.Secrets(s) {
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
