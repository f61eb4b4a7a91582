// Package inactivity is the organization's inactive-token revocation
// setting (revokeInactiveTokensAfter, shown and set by `tokenctl policy`):
// how long a token may go unused before Buildkite takes the organization's
// access from it, and which tokens that rule takes next. It reads the
// setting through the API client; it never prints, prompts or revokes
// anything. ("Policy" alone, in code, is the check's policy file.)
package inactivity

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/ident"
)

// Show reads the organization's revocation setting and, when it revokes tokens
// automatically, lists the tokens it takes by now+within. The tokens are
// listed only then: with no automatic revocation there is nothing to show.
func Show(ctx context.Context, client *buildkite.Client, org ident.Org, now time.Time, within time.Duration) (document.RevocationSetting, error) {
	named, err := client.Slugged(ctx, org) // the setting's query takes a slug only
	if err != nil {
		return document.RevocationSetting{}, err
	}
	found, period, err := client.RevocationSetting(ctx, named.Slug)
	if err != nil {
		return document.RevocationSetting{}, err
	}
	report := document.RevocationSetting{
		Organization: document.OrganizationRefOf(found),
		AsOf:         now,
		Tokens:       []document.InactiveToken{},
	}
	if period != "" {
		report.RevokeInactiveTokensAfter = &period
	}
	days, known := PeriodDays(period)
	if !known || days == 0 {
		return report, nil
	}
	report.PeriodDays = &days
	tokens, err := allTokens(ctx, client, found.ID)
	if err != nil {
		return document.RevocationSetting{}, err
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
func TokensTakenBy(tokens []buildkite.Token, days int, now time.Time, within time.Duration) []document.InactiveToken {
	period := time.Duration(days) * 24 * time.Hour
	horizon := now.Add(within)
	out := []document.InactiveToken{}
	for _, t := range tokens {
		since := t.CreatedAt
		if t.LastAccessedAt != nil {
			since = *t.LastAccessedAt
		}
		at := since.Add(period)
		if at.After(horizon) {
			continue
		}
		out = append(out, document.InactiveToken{
			ID: t.ID, UUID: t.UUID, Description: document.Optional(t.Description), Owner: document.OwnerOf(t.Owner),
			CreatedAt: t.CreatedAt, LastAccessedAt: t.LastAccessedAt, ExpiresAt: t.ExpiresAt,
			InactiveSince: since, RevokeAt: at, Due: !at.After(now),
		})
	}
	slices.SortStableFunc(out, func(a, b document.InactiveToken) int {
		if c := a.RevokeAt.Compare(b.RevokeAt); c != 0 {
			return c
		}
		return strings.Compare(a.UUID, b.UUID)
	})
	return out
}
