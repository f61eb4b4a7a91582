// Package orgsettings reads and changes organizations' API settings (REST
// /v2/organizations/{slug}/api-settings): the API IP allowlist, the
// automatic revocation of inactive tokens and whether only administrators
// may create API access tokens. It owns the rules of a change: only the
// fields asked for and that differ are sent, a field the plan does not
// include is refused before anything is sent, an allowlist that would
// shut the caller out is refused (the lock-out guard), and the change is
// recorded in the audit log before and after. It never prints or prompts.
package orgsettings

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/inactivity"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// REST scopes of the settings endpoint, as GET /v2/access-token names them.
const (
	ScopeRead  = "read_organization_settings"
	ScopeWrite = "write_organization_settings"
)

// Organization names an organization in a settings document.
type Organization struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// Features say which plan-gated settings the organization's plan
// includes; null: Buildkite's answer did not say.
type Features struct {
	APIIPAllowlist          *bool `json:"apiIpAllowlist"`
	InactiveTokenRevocation *bool `json:"inactiveTokenRevocation"`
}

// IsFalse says whether b is known and false: only a feature the answer
// says explicitly the plan lacks is "not on the plan".
func IsFalse(b *bool) bool { return b != nil && !*b }

// Settings are one organization's API settings, as tokenctl prints them.
type Settings struct {
	Organization Organization `json:"organization"`
	// AllowedIPAddresses are the allowlist's CIDR ranges; null: no
	// allowlist, every address may use the API.
	AllowedIPAddresses []string `json:"allowedIpAddresses"`
	// RevokeInactiveTokensAfter is DAYS_30 ... DAYS_365, or NEVER, as
	// policy show names it.
	RevokeInactiveTokensAfter string `json:"revokeInactiveTokensAfter"`
	// RevokeInactiveTokensAfterDays is the same in days; null: never.
	RevokeInactiveTokensAfterDays *int `json:"revokeInactiveTokensAfterDays"`
	// RestrictTokenCreation: only administrators may create API access
	// tokens; null: not known.
	RestrictTokenCreation *bool    `json:"restrictTokenCreation"`
	Features              Features `json:"features"`
	// Unknown names the fields Buildkite's answer did not give (a key
	// missing, or null where null has no meaning): allowedIpAddresses,
	// revokeInactiveTokensAfter (then ""), restrictTokenCreation,
	// features.apiIpAllowlist, features.inactiveTokenRevocation. Such a
	// field is shown as unknown, never equals anything, and is not
	// changed by settings set.
	Unknown []string `json:"unknown,omitempty"`
}

// Known says whether the answer gave the field (a Field... name, or
// features.apiIpAllowlist / features.inactiveTokenRevocation).
func (s Settings) Known(field string) bool { return !slices.Contains(s.Unknown, field) }

// Inactivity is the period as the one inactivity setting.
func (s Settings) Inactivity() inactivity.Setting {
	set, err := inactivity.FromPeriod(s.RevokeInactiveTokensAfter)
	if err != nil {
		return inactivity.Setting{Period: s.RevokeInactiveTokensAfter}
	}
	return set
}

// Allowlist is the allowlist's ranges that parse, nil when there is none.
// It leaves out entries it cannot read (see Unparsed), so it must never
// decide whether an allowlist is what was asked for: Entries does.
func (s Settings) Allowlist() []netip.Prefix {
	if s.AllowedIPAddresses == nil {
		return nil
	}
	out := []netip.Prefix{}
	for _, r := range s.AllowedIPAddresses {
		if p, err := parseRange(r); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// Unparsed is the allowlist's entries tokenctl cannot read as a range
// (such as netmask notation, 203.0.113.0/255.255.255.0), verbatim.
func (s Settings) Unparsed() []string {
	var out []string
	for _, r := range s.AllowedIPAddresses {
		if _, err := parseRange(r); err != nil {
			out = append(out, r)
		}
	}
	return out
}

// FromAPI is the document of what Buildkite answered.
func FromAPI(org Organization, a buildkite.APISettings) (Settings, error) {
	s := Settings{Organization: org, RestrictTokenCreation: a.RestrictUserAPITokenCreation}
	if a.Features != nil {
		s.Features = Features{APIIPAllowlist: a.Features.APIIPAllowList, InactiveTokenRevocation: a.Features.InactiveAPITokenRevocation}
	}
	if s.RestrictTokenCreation == nil {
		s.Unknown = append(s.Unknown, FieldRestrictTokenCreation)
	}
	if s.Features.APIIPAllowlist == nil {
		s.Unknown = append(s.Unknown, "features.apiIpAllowlist")
	}
	if s.Features.InactiveTokenRevocation == nil {
		s.Unknown = append(s.Unknown, "features.inactiveTokenRevocation")
	}
	if slices.Contains(a.Missing, buildkite.FieldAllowedIPAddresses) {
		s.Unknown = append(s.Unknown, FieldAllowlist)
	} else if a.AllowedIPAddresses != nil {
		s.AllowedIPAddresses = strings.Fields(*a.AllowedIPAddresses)
		if s.AllowedIPAddresses == nil {
			s.AllowedIPAddresses = []string{}
		}
	}
	if slices.Contains(a.Missing, buildkite.FieldRevokeInactiveTokensDays) {
		s.Unknown = append(s.Unknown, FieldInactivity)
		return s, nil
	}
	period, err := inactivity.FromDays(a.RevokeInactiveTokensAfterDays)
	if err != nil {
		return Settings{}, &buildkite.Error{Kind: buildkite.KindOther, Message: fmt.Sprintf("the API settings of organization %q: revoke_inactive_tokens_after_days is %d, not a period Buildkite documents", org.Slug, *a.RevokeInactiveTokensAfterDays)}
	}
	s.RevokeInactiveTokensAfter, s.RevokeInactiveTokensAfterDays = period.Period, period.DaysOrNull()
	return s, nil
}

// Cause says why an organization's settings were not read: one of the
// words of every not-checked organization (document.NotCheckedCause).
type Cause = document.NotCheckedCause

// The causes of settings not read: missing-scope (the token lacks the
// endpoint's scope; nothing was sent), not-permitted (HTTP 403: not an
// administrator there, or an address outside the allowlist), no-access
// (no such organization for this token), error (anything else).
const (
	CauseMissingScope = document.CauseMissingScope
	CauseNotPermitted = document.CauseNotPermitted
	CauseNoAccess     = document.CauseNoAccess
	CauseError        = document.CauseError
)

// NotRead is an organization whose settings could not be read, named by
// slug and name.
type NotRead struct {
	document.NotChecked[Organization]
	err error
}

// Err is the failure behind it.
func (n NotRead) Err() error { return n.err }

// Reading is what Read found.
type Reading struct {
	Settings []Settings `json:"organizations"`
	NotRead  []NotRead  `json:"notRead"`
	// NotListed is how many organizations Buildkite counted among the
	// caller's but did not list (--all-orgs): they were not read.
	NotListed int `json:"notListed"`
}

// Incomplete says whether some organization the run was meant to read
// was not.
func (r Reading) Incomplete() bool { return len(r.NotRead) > 0 || r.NotListed > 0 }

// ErrNoOrganizations is a token that reaches no organization at all.
var ErrNoOrganizations = errors.New("your token reaches no organization")

// Read reads the settings of each organization named, or with none named,
// of every organization the caller belongs to as Buildkite lists them
// (revoke.ReachOrganizations: those revoke --all-orgs and check --all-orgs
// look in). An
// organization that cannot be read is recorded in NotRead with its cause
// and never stops the others; only a failure that concerns them all (the
// credential, the list of organizations, an interrupted run) ends Read.
func Read(ctx context.Context, c *buildkite.Client, orgs []ident.Org) (Reading, error) {
	var r Reading
	self, err := c.AccessToken(ctx)
	if err != nil {
		return Reading{}, err
	}
	reach, err := revoke.ReachOrganizations(ctx, c, orgs)
	if err != nil {
		return Reading{}, err
	}
	targets := reach.Organizations
	r.NotListed = reach.NotListed
	if !reach.Named && len(targets) == 0 && r.NotListed == 0 {
		return Reading{}, ErrNoOrganizations
	}
	settings := make([]*Settings, len(targets))
	failed := make([]*NotRead, len(targets))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, org := range targets {
		g.Go(func() error {
			s, err := readOne(gctx, c, self, org)
			if err == nil {
				settings[i] = &s
				return nil
			}
			var scope *ScopeError
			if !errors.As(err, &scope) && revoke.NotCheckedCauseOf(err) == "" {
				// Not about this organization: the credential, the
				// endpoint, an interrupted run.
				return err
			}
			nr := notRead(org, err)
			failed[i] = &nr
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return Reading{}, err
	}
	r.Settings, r.NotRead = []Settings{}, []NotRead{}
	for i := range targets {
		if settings[i] != nil {
			r.Settings = append(r.Settings, *settings[i])
		} else {
			r.NotRead = append(r.NotRead, *failed[i])
		}
	}
	return r, nil
}

// readOne reads one organization's settings; one named by GraphQL id is
// looked up for its slug, which the REST endpoint takes.
func readOne(ctx context.Context, c *buildkite.Client, self buildkite.AccessToken, org buildkite.Organization) (Settings, error) {
	if org.Slug == "" {
		found, err := c.Organization(ctx, ident.Org{ID: org.ID})
		if err != nil {
			return Settings{}, err
		}
		org = found
	}
	ref := Describe(ctx, c, org)
	if err := RequireScope(self, ScopeRead, ref.Slug); err != nil {
		return Settings{}, err
	}
	a, err := c.APISettings(ctx, org.Slug)
	if err != nil {
		return Settings{}, err
	}
	return FromAPI(ref, a)
}

// Describe is the organization as settings documents name it: its slug,
// and its name whether it was listed (--all-orgs) or named by slug (--org),
// looked up then through GraphQL. The settings are REST's, so a token
// GraphQL does not answer still reads them: the name is then left empty.
func Describe(ctx context.Context, c *buildkite.Client, org buildkite.Organization) Organization {
	if org.Name == "" && org.Slug != "" {
		if found, err := c.Organization(ctx, ident.Org{Slug: org.Slug}); err == nil {
			org.Name = found.Name
		}
	}
	return Organization{Slug: org.Slug, Name: org.Name}
}

// ScopeError is a token without the scope an endpoint needs; nothing was
// sent.
type ScopeError struct {
	Scope string
	Org   string
}

func (e *ScopeError) Error() string {
	return fmt.Sprintf("organization %q: the API token lacks the %s scope, which Buildkite requires for this; nothing was sent. Add the scope to the token at https://buildkite.com/user/api-access-tokens (or use one that has it)", e.Org, e.Scope)
}

// RequireScope refuses, before any request, a token whose scopes (as
// GET /v2/access-token lists them) lack scope. A token whose scopes are
// not known (an empty list) is let through: Buildkite decides.
func RequireScope(self buildkite.AccessToken, scope, org string) error {
	if len(self.Scopes) == 0 || slices.ContainsFunc(self.Scopes, func(s string) bool { return strings.EqualFold(s, scope) }) {
		return nil
	}
	e := &ScopeError{Scope: scope, Org: org}
	return &buildkite.Error{Kind: buildkite.KindForbidden, Message: e.Error(), Err: e}
}

func notRead(org buildkite.Organization, err error) NotRead {
	nr := NotRead{NotChecked: document.NotChecked[Organization]{Organization: Organization{Slug: org.Slug, Name: org.Name}, Reason: err.Error()}, err: err}
	if nr.Organization.Slug == "" {
		nr.Organization.Slug = org.ID
	}
	var scope *ScopeError
	switch {
	case errors.As(err, &scope):
		nr.Cause = CauseMissingScope
	case buildkite.KindOf(err) == buildkite.KindForbidden:
		nr.Cause = CauseNotPermitted
	case buildkite.KindOf(err) == buildkite.KindNotFound:
		nr.Cause = CauseNoAccess
	default:
		nr.Cause = CauseError
	}
	return nr
}

// ReadingFailure is the document of a `settings show` that failed before
// it read anything: its keys, lists empty, notListed null (not known).
func ReadingFailure() any {
	return struct {
		Settings  []Settings `json:"organizations"`
		NotRead   []NotRead  `json:"notRead"`
		NotListed *int       `json:"notListed"`
	}{Settings: []Settings{}, NotRead: []NotRead{}}
}
