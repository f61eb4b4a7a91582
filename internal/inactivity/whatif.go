package inactivity

import (
	"context"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/ident"
)

// allTokens reads every token of the organization: the setting applies to
// all of them.
func allTokens(ctx context.Context, client *buildkite.Client, orgID string) ([]buildkite.Token, error) {
	var tokens []buildkite.Token
	_, err := client.ListTokens(ctx, ident.Org{ID: orgID}, func(page buildkite.TokenPage) bool {
		tokens = append(tokens, page.Tokens...)
		return true
	})
	return tokens, err
}

// WhatIf is what the setting would revoke today in the organization of
// current (a setting as Show reads it, at the same time), beside what the
// current setting revokes.
func WhatIf(ctx context.Context, client *buildkite.Client, current document.RevocationSetting, s Setting) (*document.RevocationSettingWhatIf, error) {
	w := &document.RevocationSettingWhatIf{RevokeInactiveTokensAfter: s.Period, Tokens: []document.InactiveToken{}}
	if s.Days == 0 {
		return w, nil
	}
	tokens, err := allTokens(ctx, client, current.Organization.ID)
	if err != nil {
		return nil, err
	}
	days := s.Days
	w.PeriodDays = &days
	dueNow := map[string]bool{}
	for _, t := range current.Tokens {
		dueNow[t.UUID] = t.Due
	}
	for _, t := range TokensTakenBy(tokens, days, current.AsOf, 0) {
		w.Tokens = append(w.Tokens, t)
		if !dueNow[t.UUID] {
			w.NewlyTaken++
		}
	}
	return w, nil
}
