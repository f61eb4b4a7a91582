package cmdutil

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/selector"
	"github.com/tokenctl/tokenctl/internal/span"
)

// SelectorFlags are the flags, shared by `tokens list` and `revoke`, that
// choose an organization's tokens by what they are. They combine with AND.
type SelectorFlags struct {
	Stale         string
	NeverUsed     bool
	Owner         string
	Scopes        []string
	NoExpiry      bool
	ExpiresBefore string
	AdminCapable  bool

	// Recorded by Record: which filters the command line gave.
	Given                                bool
	staleSet, ownerSet, expiresBeforeSet bool
}

// SelectorFlagNames are the flags AddSelectorFlags defines.
var SelectorFlagNames = []string{"stale", "never-used", "owner", "scope", "no-expiry", "expires-before", "admin-capable"}

// SelectorHelp documents the filters for the Long text of both commands.
// It names selector.AdminScopes one by one rather than joining them, so
// that nothing runs at start-up to make it; a test holds the two together.
const SelectorHelp = `Filters (they combine: a token must meet every one given):
  --stale DURATION       last used at least DURATION ago (90d, 6w, 12h, 1y, 1y6w);
                         tokens never used are not stale (see --never-used)
  --never-used           never used; Buildkite's own system tokens can read
                         never-used and still be needed, so check them first
  --owner EMAIL|NAME     owner's exact email, or part of the owner's name
                         (case-insensitive)
  --scope SCOPE          holds SCOPE (READ_BUILDS or read_builds); repeat to
                         require several
  --no-expiry            never expires
  --expires-before DATE  expires before DATE (YYYY-MM-DD, or RFC 3339);
                         already expired tokens included
  --admin-capable        holds a scope that can change who can do what:
                         ` + selectorAdminScopes

// selectorAdminScopes is selector.AdminScopes as SelectorHelp lists them.
const selectorAdminScopes = `WRITE_ORGANIZATIONS,
                         WRITE_TEAMS,
                         WRITE_ORGANIZATION_INVITATIONS,
                         WRITE_ORGANIZATION_SETTINGS`

// AddSelectorFlags registers the filter flags on fl.
func AddSelectorFlags(fl *pflag.FlagSet, s *SelectorFlags) {
	fl.StringVar(&s.Stale, "stale", "", "only tokens last used at least `DURATION` ago, e.g. 90d, 6w, 1y (never-used tokens are not stale)")
	fl.BoolVar(&s.NeverUsed, "never-used", false, "only tokens that have never been used")
	fl.StringVar(&s.Owner, "owner", "", "only tokens of the owner with this exact `EMAIL`, or whose name contains it")
	fl.StringArrayVar(&s.Scopes, "scope", nil, "only tokens holding `SCOPE`, e.g. WRITE_BUILDS or write_builds (repeatable: all must be held)")
	fl.BoolVar(&s.NoExpiry, "no-expiry", false, "only tokens that never expire")
	fl.StringVar(&s.ExpiresBefore, "expires-before", "", "only tokens expiring before `DATE` (YYYY-MM-DD or RFC 3339)")
	fl.BoolVar(&s.AdminCapable, "admin-capable", false, "only tokens holding a scope that can change permissions ("+strings.Join(selector.AdminScopes, ", ")+")")
}

// RegisterSelectorCompletions completes --scope with the scopes the schema
// knows, and --sort where the command has it, without offering file names.
func RegisterSelectorCompletions(cmd *cobra.Command) {
	_ = cmd.RegisterFlagCompletionFunc("scope", cobra.FixedCompletions(selector.KnownScopes(), cobra.ShellCompDirectiveNoFileComp))
	if cmd.Flags().Lookup("sort") != nil {
		_ = cmd.RegisterFlagCompletionFunc("sort", cobra.FixedCompletions(selector.SortKeys, cobra.ShellCompDirectiveNoFileComp))
	}
}

// Record notes which filter flags the command line gave.
func (s *SelectorFlags) Record(fl *pflag.FlagSet) {
	for _, name := range SelectorFlagNames {
		if fl.Changed(name) {
			s.Given = true
		}
	}
	s.staleSet, s.ownerSet, s.expiresBeforeSet = fl.Changed("stale"), fl.Changed("owner"), fl.Changed("expires-before")
}

// Filter parses the flags into a selector.Filter. Errors name the flag and
// carry the usage exit code.
func (s *SelectorFlags) Filter() (selector.Filter, error) {
	usage := func(flag string, err error) error {
		return exitcode.New(exitcode.Usage, fmt.Errorf("--%s: %w", flag, err))
	}
	// An empty value (--owner "$UNSET_VARIABLE") must not quietly drop the
	// condition: for revoke that would select every token.
	for _, f := range []struct {
		name  string
		set   bool
		value string
	}{{"stale", s.staleSet, s.Stale}, {"owner", s.ownerSet, s.Owner}, {"expires-before", s.expiresBeforeSet, s.ExpiresBefore}} {
		if f.set && strings.TrimSpace(f.value) == "" {
			return selector.Filter{}, usage(f.name, errors.New("empty value: give one, or leave the flag out"))
		}
	}
	f := selector.Filter{NeverUsed: s.NeverUsed, NoExpiry: s.NoExpiry, AdminCapable: s.AdminCapable, Owner: strings.TrimSpace(s.Owner)}
	if s.Stale != "" {
		d, err := span.Parse(s.Stale)
		if err != nil {
			return f, usage("stale", err)
		}
		f.StaleAfter = d
	}
	for _, sc := range s.Scopes {
		name, err := selector.ParseScope(sc)
		if err != nil {
			return f, usage("scope", err)
		}
		f.Scopes = append(f.Scopes, name)
	}
	if s.ExpiresBefore != "" {
		t, err := span.ParseDate(s.ExpiresBefore)
		if err != nil {
			return f, usage("expires-before", err)
		}
		f.ExpiresBefore = t
	}
	if err := f.Validate(); err != nil {
		return f, exitcode.New(exitcode.Usage, err)
	}
	return f, nil
}
