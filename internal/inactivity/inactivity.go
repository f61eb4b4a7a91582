// Package inactivity is the organization's inactive-token revocation
// policy (revokeInactiveTokensAfter): how long a token may go unused before
// Buildkite takes the organization's access from it, and which tokens that
// rule takes next. It reads the policy through the API client; it never
// prints, prompts or revokes anything.
package inactivity

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// Report is the JSON document printed by `tokenctl policy show -o json`.
// Fields are only ever added.
type Report struct {
	Organization Organization `json:"organization"`
	// RevokeInactiveTokensAfter is Buildkite's value (DAYS_30 ... DAYS_365,
	// NEVER), null when unset.
	RevokeInactiveTokensAfter *string `json:"revokeInactiveTokensAfter"`
	// PeriodDays is the period in days, null when tokens are never revoked
	// automatically (NEVER, unset, or a value tokenctl does not know).
	PeriodDays *int `json:"periodDays"`
	// AsOf is the time "due" was judged at.
	AsOf time.Time `json:"asOf"`
	// Tokens lists the tokens past the period (and, with a horizon, those
	// reaching it soon), soonest revokeAt first. Never null.
	Tokens []Token `json:"tokens"`
}

// Organization names the organization.
type Organization struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// Token is one token the policy takes.
type Token struct {
	ID             string        `json:"id"`
	UUID           string        `json:"uuid"`
	Description    *string       `json:"description"`
	Owner          *revoke.Owner `json:"owner"`
	CreatedAt      time.Time     `json:"createdAt"`
	LastAccessedAt *time.Time    `json:"lastAccessedAt"` // null: never used
	ExpiresAt      *time.Time    `json:"expiresAt"`      // null: never expires
	// InactiveSince is lastAccessedAt, or createdAt for a token never used.
	InactiveSince time.Time `json:"inactiveSince"`
	// RevokeAt is inactiveSince plus the period: from then on the token is
	// revoked at Buildkite's next sweep.
	RevokeAt time.Time `json:"revokeAt"`
	// Due is true when revokeAt is not after asOf.
	Due bool `json:"due"`
}

// Show reads the organization's policy and, when it revokes tokens
// automatically, lists the tokens it takes by now+within. The tokens are
// listed only then: with no automatic revocation there is nothing to show.
func Show(ctx context.Context, client *buildkite.Client, org ident.Org, now time.Time, within time.Duration) (Report, error) {
	slug := org.Slug
	if slug == "" {
		// The policy query takes a slug only.
		found, err := client.Organization(ctx, org)
		if err != nil {
			return Report{}, err
		}
		slug = found.Slug
	}
	found, period, err := client.Policy(ctx, slug)
	if err != nil {
		return Report{}, err
	}
	report := Report{
		Organization: Organization{ID: found.ID, Slug: found.Slug, Name: found.Name},
		AsOf:         now,
		Tokens:       []Token{},
	}
	if period != "" {
		report.RevokeInactiveTokensAfter = &period
	}
	days, known := PeriodDays(period)
	if !known || days == 0 {
		return report, nil
	}
	report.PeriodDays = &days
	var tokens []buildkite.Token
	_, err = client.ListTokens(ctx, ident.Org{ID: found.ID}, func(page buildkite.TokenPage) bool {
		tokens = append(tokens, page.Tokens...)
		return true
	})
	if err != nil {
		return Report{}, err
	}
	report.Tokens = TokensTakenBy(tokens, days, now, within)
	return report, nil
}

// PeriodDays reads a RevokeInactiveTokenPeriod: DAYS_n is n days; NEVER and
// unset are 0 (no automatic revocation). known is false for values this
// version of tokenctl has not heard of.
func PeriodDays(period string) (days int, known bool) {
	switch period {
	case "", "NEVER":
		return 0, true
	}
	n, err := strconv.Atoi(strings.TrimPrefix(period, "DAYS_"))
	if !strings.HasPrefix(period, "DAYS_") || err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// TokensTakenBy returns the tokens whose revocation time (inactive since,
// plus the period of days) is no later than now+within, soonest first.
// A token never used is counted from its creation.
func TokensTakenBy(tokens []buildkite.Token, days int, now time.Time, within time.Duration) []Token {
	period := time.Duration(days) * 24 * time.Hour
	horizon := now.Add(within)
	out := []Token{}
	for _, t := range tokens {
		since := t.CreatedAt
		if t.LastAccessedAt != nil {
			since = *t.LastAccessedAt
		}
		at := since.Add(period)
		if at.After(horizon) {
			continue
		}
		pt := Token{
			ID: t.ID, UUID: t.UUID, Description: optional(t.Description),
			CreatedAt: t.CreatedAt, LastAccessedAt: t.LastAccessedAt, ExpiresAt: t.ExpiresAt,
			InactiveSince: since, RevokeAt: at, Due: !at.After(now),
		}
		if t.Owner != nil {
			pt.Owner = &revoke.Owner{Name: t.Owner.Name, Email: t.Owner.Email}
		}
		out = append(out, pt)
	}
	slices.SortStableFunc(out, func(a, b Token) int {
		if c := a.RevokeAt.Compare(b.RevokeAt); c != 0 {
			return c
		}
		return strings.Compare(a.UUID, b.UUID)
	})
	return out
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
