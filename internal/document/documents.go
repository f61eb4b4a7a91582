package document

import (
	"encoding/json"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/selector"
)

// TokenList is the document of `tokenctl tokens list`.
type TokenList struct {
	Organization Organization `json:"organization"`
	// AsOf is the time staleness was judged at.
	AsOf    time.Time        `json:"asOf"`
	Tokens  []Token          `json:"tokens"` // never null
	Summary selector.Summary `json:"summary"`
}

// SplitList lets the tokens be written one at a time (output.ListDocument).
func (l TokenList) SplitList() (head any, field string, n int, item func(int) any) {
	tokens := l.Tokens
	l.Tokens = []Token{}
	return l, "tokens", len(tokens), func(i int) any { return &tokens[i] }
}

// TokenListing is TokenList with its tokens as they were listed, each
// shown as a document's Token only while it is written (TokenView), so
// that a long list is held once. Its JSON is TokenList's with Tokens
// holding every listed token.
type TokenListing struct {
	TokenList // Tokens unused
	Listed    []buildkite.Token
}

// SplitList lets the tokens be written one at a time (output.ListDocument).
func (l TokenListing) SplitList() (head any, field string, n int, item func(int) any) {
	doc := l.TokenList
	doc.Tokens = []Token{}
	var view TokenView
	return doc, "tokens", len(l.Listed), func(i int) any { return view.Of(&l.Listed[i]) }
}

// MarshalJSON is the JSON of the whole TokenList (YAML and jq read it).
func (l TokenListing) MarshalJSON() ([]byte, error) {
	doc := l.TokenList
	doc.Tokens = make([]Token, len(l.Listed))
	for i := range l.Listed {
		doc.Tokens[i] = TokenOf(l.Listed[i])
	}
	return json.Marshal(doc)
}

// TokenDetail is the document of `tokenctl tokens get`.
type TokenDetail struct {
	Organization Organization `json:"organization"`
	AsOf         time.Time    `json:"asOf"`
	Token        Token        `json:"token"`
}

// Whoami is the document of `tokenctl whoami`; organizations is null when
// they could not be listed (the token has no GraphQL access).
type Whoami struct {
	Token         AccessToken    `json:"token"`
	User          WhoamiUser     `json:"user"`
	GraphQLAccess bool           `json:"graphqlAccess"`
	Organizations []Organization `json:"organizations"`
	Notes         []string       `json:"notes"`
}

// WhoamiUser is the owner of the token tokenctl uses; uuid is null without
// GraphQL access.
type WhoamiUser struct {
	Name  string  `json:"name"`
	Email string  `json:"email"`
	UUID  *string `json:"uuid"`
}

// String is "Name <email>".
func (u WhoamiUser) String() string { return FormatUser(u.Name, u.Email) }

// RevocationSetting is the document of `tokenctl policy show`.
type RevocationSetting struct {
	Organization OrganizationRef `json:"organization"`
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
	Tokens []InactiveToken `json:"tokens"`
	// WhatIf, with --what-if only, is what another period would revoke
	// today; absent otherwise, so the document without it is unchanged.
	WhatIf *RevocationSettingWhatIf `json:"whatIf,omitempty"`
}

// InactiveToken is one token the inactive-token revocation setting takes.
type InactiveToken struct {
	ID             string     `json:"id"`
	UUID           string     `json:"uuid"`
	Description    *string    `json:"description"`
	Owner          *Owner     `json:"owner"`
	CreatedAt      time.Time  `json:"createdAt"`
	LastAccessedAt *time.Time `json:"lastAccessedAt"` // null: never used
	ExpiresAt      *time.Time `json:"expiresAt"`      // null: never expires
	// InactiveSince is lastAccessedAt, or createdAt for a token never used.
	InactiveSince time.Time `json:"inactiveSince"`
	// RevokeAt is inactiveSince plus the period: from then on the token is
	// revoked at Buildkite's next sweep.
	RevokeAt time.Time `json:"revokeAt"`
	// Due is true when revokeAt is not after asOf.
	Due bool `json:"due"`
}

// The failure documents: a command's document when it fails before it has
// results (see output.Printer.PrintFailure). Each has its document's keys,
// in order: lists are empty, what is not known is null.

// TokenListFailure is the document of a `tokens list` that failed.
func TokenListFailure() any {
	return struct {
		Organization *Organization     `json:"organization"`
		AsOf         *time.Time        `json:"asOf"`
		Tokens       []Token           `json:"tokens"`
		Summary      *selector.Summary `json:"summary"`
	}{Tokens: []Token{}}
}

// TokenDetailFailure is the document of a `tokens get` that failed.
func TokenDetailFailure() any {
	return struct {
		Organization *Organization `json:"organization"`
		AsOf         *time.Time    `json:"asOf"`
		Token        *Token        `json:"token"`
	}{}
}

// WhoamiFailure is the document of a `whoami` that failed.
func WhoamiFailure() any {
	return struct {
		Token         *AccessToken   `json:"token"`
		User          *WhoamiUser    `json:"user"`
		GraphQLAccess *bool          `json:"graphqlAccess"`
		Organizations []Organization `json:"organizations"`
		Notes         []string       `json:"notes"`
	}{Notes: []string{}}
}

// RevocationSettingFailure is the document of a `policy show` that
// failed; whatIf is left out, as without --what-if.
func RevocationSettingFailure() any {
	return struct {
		Organization              *OrganizationRef `json:"organization"`
		RevokeInactiveTokensAfter *string          `json:"revokeInactiveTokensAfter"`
		PeriodDays                *int             `json:"periodDays"`
		AsOf                      *time.Time       `json:"asOf"`
		Tokens                    []InactiveToken  `json:"tokens"`
	}{Tokens: []InactiveToken{}}
}
