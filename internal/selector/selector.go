// Package selector decides which of an organization's API access tokens a
// user means: the filters of `tokens list` and of `revoke` selection by
// filter (--stale, --never-used, --owner, --scope, --no-expiry,
// --expires-before, --admin-capable) and the --sort orders. It parses the
// user's words into a Filter and a Sort with one-line errors, and matches
// tokens against them. It is pure: no I/O, no clock of its own (callers pass
// now), no network, and it must not print.
package selector

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/span"
)

// DefaultStaleAfter is how long a token must have gone unused to count as
// stale in summaries when no --stale was given. It matches Buildkite's most
// common automatic revocation period (DAYS_90).
const DefaultStaleAfter = 90 * span.Day

// AdminScopes are the scopes that let a token change who can do what in an
// organization: its settings, its members and invitations, and its teams.
// A token holding any of them is "admin-capable" (--admin-capable).
var AdminScopes = []string{
	"WRITE_ORGANIZATIONS",
	"WRITE_TEAMS",
	"WRITE_ORGANIZATION_INVITATIONS",
	"WRITE_ORGANIZATION_SETTINGS",
}

// Filter is a conjunction of conditions on a token: a token matches when it
// meets every condition that is set. The zero Filter matches every token.
type Filter struct {
	// StaleAfter > 0 keeps tokens last used at least this long ago. Tokens
	// never used are not stale: Buildkite's own system tokens can read
	// never-used and still be needed, so they are selected only by
	// NeverUsed.
	StaleAfter time.Duration
	// NeverUsed keeps tokens with no recorded use.
	NeverUsed bool
	// Owner keeps tokens whose owner's email equals it or whose owner's
	// name contains it, ignoring case.
	Owner string
	// Scopes keeps tokens holding every one of these scopes (GraphQL enum
	// names, as ParseScope returns them).
	Scopes []string
	// NoExpiry keeps tokens that never expire.
	NoExpiry bool
	// ExpiresBefore, when not zero, keeps tokens with an expiry strictly
	// before it (already expired ones included).
	ExpiresBefore time.Time
	// AdminCapable keeps tokens holding at least one of AdminScopes.
	AdminCapable bool
}

// IsZero reports whether the filter has no condition: it would select every
// token of the organization.
func (f Filter) IsZero() bool {
	return f.StaleAfter == 0 && !f.NeverUsed && f.Owner == "" && len(f.Scopes) == 0 &&
		!f.NoExpiry && f.ExpiresBefore.IsZero() && !f.AdminCapable
}

// Validate rejects filters that can never match anything, so that a user
// who combined them by mistake is told instead of getting an empty list.
func (f Filter) Validate() error {
	if f.StaleAfter < 0 {
		return fmt.Errorf("--stale must be a positive duration")
	}
	if f.StaleAfter > 0 && f.NeverUsed {
		return fmt.Errorf("--stale and --never-used select different tokens (a stale token has been used; a never-used one has not), and filters combine with AND: run them one at a time")
	}
	if f.NoExpiry && !f.ExpiresBefore.IsZero() {
		return fmt.Errorf("--no-expiry and --expires-before cannot both hold for a token: use one of them")
	}
	return nil
}

// Match reports whether token t meets every condition of the filter at
// time now.
func (f Filter) Match(t buildkite.Token, now time.Time) bool {
	if f.StaleAfter > 0 && !IsStale(t, now, f.StaleAfter) {
		return false
	}
	if f.NeverUsed && t.LastAccessedAt != nil {
		return false
	}
	if f.Owner != "" && !ownerMatches(t.Owner, f.Owner) {
		return false
	}
	for _, s := range f.Scopes {
		if !hasScope(t, s) {
			return false
		}
	}
	if f.NoExpiry && t.ExpiresAt != nil {
		return false
	}
	if !f.ExpiresBefore.IsZero() && (t.ExpiresAt == nil || !t.ExpiresAt.Before(f.ExpiresBefore)) {
		return false
	}
	if f.AdminCapable && !IsAdminCapable(t) {
		return false
	}
	return true
}

// IsStale reports whether t was last used at least after ago. A token never
// used is not stale.
func IsStale(t buildkite.Token, now time.Time, after time.Duration) bool {
	return t.LastAccessedAt != nil && now.Sub(*t.LastAccessedAt) >= after
}

// IsAdminCapable reports whether t holds one of AdminScopes.
func IsAdminCapable(t buildkite.Token) bool {
	for _, s := range AdminScopes {
		if hasScope(t, s) {
			return true
		}
	}
	return false
}

func hasScope(t buildkite.Token, scope string) bool {
	return slices.ContainsFunc(t.Scopes, func(s string) bool { return strings.EqualFold(s, scope) })
}

func ownerMatches(u *buildkite.User, want string) bool {
	if u == nil {
		return false
	}
	want = strings.TrimSpace(want)
	if strings.EqualFold(u.Email, want) {
		return true
	}
	return strings.Contains(strings.ToLower(u.Name), strings.ToLower(want))
}

// Summary counts an organization's tokens by the states a review cares
// about. It is part of the JSON contract of `tokens list`.
type Summary struct {
	// Tokens is how many tokens have access to the organization.
	Tokens int `json:"tokens"`
	// Matched is how many of them the filters selected (all without filters).
	Matched int `json:"matched"`
	// NeverUsed counts tokens with no recorded use.
	NeverUsed int `json:"neverUsed"`
	// NeverExpires counts tokens without an expiry.
	NeverExpires int `json:"neverExpires"`
	// Stale counts tokens last used at least StaleAfter ago.
	Stale int `json:"stale"`
	// StaleAfter is the threshold used for Stale, as span.Format writes it.
	StaleAfter string `json:"staleAfter"`
}

// Summarize counts all, the whole organization's tokens; matched is how
// many the filters kept.
func Summarize(all []buildkite.Token, matched int, now time.Time, staleAfter time.Duration) Summary {
	s := Summary{Tokens: len(all), Matched: matched, StaleAfter: span.Format(staleAfter)}
	for _, t := range all {
		if t.LastAccessedAt == nil {
			s.NeverUsed++
		}
		if t.ExpiresAt == nil {
			s.NeverExpires++
		}
		if IsStale(t, now, staleAfter) {
			s.Stale++
		}
	}
	return s
}
