package orgsettings

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/inactivity"
)

// Request is what a change asks for; a nil field is left as it is.
type Request struct {
	// Allowlist is the new allowlist; non-nil and empty: no allowlist.
	Allowlist             *[]netip.Prefix
	Inactivity            *inactivity.Setting
	RestrictTokenCreation *bool
}

// Empty says whether the request asks for nothing.
func (r Request) Empty() bool {
	return r.Allowlist == nil && r.Inactivity == nil && r.RestrictTokenCreation == nil
}

// parseRange reads one range: CIDR notation, or a bare address standing
// for itself (/32 or /128).
func parseRange(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("%q is not an IPv4 or IPv6 CIDR range (such as 203.0.113.0/24 or 2001:db8::/32)", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// ParseRanges validates CIDR ranges, IPv4 or IPv6, before anything is
// sent. A range with bits set past its prefix length is refused rather
// than silently widened or narrowed: what is sent is what was written.
func ParseRanges(args []string) ([]netip.Prefix, error) {
	out := []netip.Prefix{}
	for _, arg := range args {
		for _, f := range strings.FieldsFunc(arg, func(r rune) bool { return r == ',' || r == ' ' }) {
			p, err := parseRange(f)
			if err != nil {
				return nil, err
			}
			if m := p.Masked(); m != p {
				return nil, fmt.Errorf("%q has address bits set past /%d: the range is %s (or write the address alone, %s)", f, p.Bits(), m, p.Addr())
			}
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// Field names of a change, as documents and the audit log name them.
const (
	FieldAllowlist             = "allowedIpAddresses"
	FieldInactivity            = "revokeInactiveTokensAfter"
	FieldRestrictTokenCreation = "restrictTokenCreation"
)

// FieldChange is one setting going from one value to another, as people
// read them.
type FieldChange struct {
	Name string `json:"name"`
	From string `json:"from"`
	To   string `json:"to"`
}

// Change is what a request changes in one organization: only the fields
// that differ.
type Change struct {
	Before Settings
	Fields []FieldChange
	// Allowlist is the allowlist to send, when it changes to one.
	Allowlist []netip.Prefix
	patch     buildkite.APISettingsPatch
	want      Request
}

// Empty says whether nothing would change.
func (c Change) Empty() bool { return len(c.Fields) == 0 }

// SendsAllowlist says whether the change sets an allowlist (not clears
// one): the case the lock-out guard must check.
func (c Change) SendsAllowlist() bool { return len(c.Allowlist) > 0 }

// NotOnPlanError is a setting the organization's plan does not include.
type NotOnPlanError struct {
	Org     string
	Feature string // Buildkite's name in the features map
	What    string // for people
}

func (e *NotOnPlanError) Error() string {
	return fmt.Sprintf("organization %q: the plan does not include %s (feature %s), so it cannot be set; nothing was sent", e.Org, e.What, e.Feature)
}

// PlanChange compares the request with the settings Buildkite holds. A
// field the plan does not include is refused (KindForbidden, exit 3),
// whatever its value, before anything is sent.
func PlanChange(before Settings, req Request) (Change, error) {
	ch := Change{Before: before, Fields: []FieldChange{}, patch: buildkite.APISettingsPatch{}, want: req}
	notOnPlan := func(feature, what string) error {
		e := &NotOnPlanError{Org: before.Organization.Slug, Feature: feature, What: what}
		return &buildkite.Error{Kind: buildkite.KindForbidden, Message: e.Error(), Err: e}
	}
	if req.Allowlist != nil && IsFalse(before.Features.APIIPAllowlist) {
		return Change{}, notOnPlan("api_ip_allow_list", "the API IP allowlist")
	}
	if req.Inactivity != nil && IsFalse(before.Features.InactiveTokenRevocation) {
		return Change{}, notOnPlan("inactive_api_token_revocation", "the automatic revocation of inactive API access tokens")
	}
	for _, f := range []struct {
		name  string
		asked bool
	}{{FieldAllowlist, req.Allowlist != nil}, {FieldInactivity, req.Inactivity != nil}, {FieldRestrictTokenCreation, req.RestrictTokenCreation != nil}} {
		if field := f.name; f.asked && !before.Known(field) {
			e := &UnreadFieldError{Org: before.Organization.Slug, Field: field}
			return Change{}, exitcode.New(exitcode.Refused, e)
		}
	}
	if req.Allowlist != nil && !sameEntries(before.AllowedIPAddresses, *req.Allowlist) {
		to := *req.Allowlist
		ch.Fields = append(ch.Fields, FieldChange{Name: FieldAllowlist, From: describeAllowlist(before.AllowedIPAddresses), To: describeRanges(to)})
		if len(to) == 0 {
			ch.patch[buildkite.FieldAllowedIPAddresses] = nil
		} else {
			ch.patch[buildkite.FieldAllowedIPAddresses] = joinRanges(to)
			ch.Allowlist = to
		}
	}
	if req.Inactivity != nil && req.Inactivity.Period != before.RevokeInactiveTokensAfter {
		ch.Fields = append(ch.Fields, FieldChange{Name: FieldInactivity, From: before.Inactivity().String(), To: req.Inactivity.String()})
		ch.patch[buildkite.FieldRevokeInactiveTokensDays] = req.Inactivity.DaysOrNull()
	}
	if req.RestrictTokenCreation != nil && *req.RestrictTokenCreation != *before.RestrictTokenCreation {
		ch.Fields = append(ch.Fields, FieldChange{Name: FieldRestrictTokenCreation, From: strconv.FormatBool(*before.RestrictTokenCreation), To: strconv.FormatBool(*req.RestrictTokenCreation)})
		ch.patch[buildkite.FieldRestrictTokenCreation] = *req.RestrictTokenCreation
	}
	return ch, nil
}

// UnreadFieldError is a field settings set was asked to change whose
// current value Buildkite's answer did not give.
type UnreadFieldError struct {
	Org   string
	Field string
}

func (e *UnreadFieldError) Error() string {
	return fmt.Sprintf("organization %q: Buildkite's answer did not give the current %s (the key was missing or null), so tokenctl will not change it: it could not show what it replaces, nor tell whether it changed; nothing was sent. Check with settings show, or change it in Buildkite's settings page", e.Org, e.Field)
}

// Holds says which of the change's fields the settings do not hold as
// asked: empty when Buildkite holds every one. A field the read-back does
// not give never holds.
func (c Change) Holds(now Settings) []string {
	var differ []string
	for _, f := range c.Fields {
		if !now.Known(f.Name) {
			differ = append(differ, fmt.Sprintf("%s could not be read back (the answer did not give it)", f.Name))
			continue
		}
		switch f.Name {
		case FieldAllowlist:
			if !sameEntries(now.AllowedIPAddresses, *c.want.Allowlist) {
				differ = append(differ, fmt.Sprintf("the allowlist is %s, not %s", describeAllowlist(now.AllowedIPAddresses), f.To))
			}
		case FieldInactivity:
			if now.RevokeInactiveTokensAfter != c.want.Inactivity.Period {
				differ = append(differ, fmt.Sprintf("inactive tokens are revoked after %s, not %s", now.Inactivity(), f.To))
			}
		case FieldRestrictTokenCreation:
			if *now.RestrictTokenCreation != *c.want.RestrictTokenCreation {
				differ = append(differ, fmt.Sprintf("token creation restricted is %t, not %s", *now.RestrictTokenCreation, f.To))
			}
		}
	}
	return differ
}

// Describe is one field of the settings as a FieldChange names it.
func (s Settings) Describe(field string) string {
	if !s.Known(field) {
		return "unknown"
	}
	switch field {
	case FieldAllowlist:
		return describeAllowlist(s.AllowedIPAddresses)
	case FieldInactivity:
		return s.Inactivity().String()
	case FieldRestrictTokenCreation:
		return strconv.FormatBool(*s.RestrictTokenCreation)
	}
	return ""
}

// sameEntries says whether the allowlist entries Buildkite holds (raw,
// as it spells them) are the ranges wanted, compared as sets of ranges.
// An entry that does not parse is never equal to anything: what it admits
// is not known, so it is a difference to show, not one to drop. An empty
// request matches no allowlist only.
func sameEntries(have []string, want []netip.Prefix) bool {
	held := map[netip.Prefix]bool{}
	for _, e := range have {
		p, err := parseRange(e)
		if err != nil {
			return false
		}
		held[p.Masked()] = true
	}
	wanted := map[netip.Prefix]bool{}
	for _, p := range want {
		wanted[p.Masked()] = true
	}
	if len(held) != len(wanted) {
		return false
	}
	for p := range wanted {
		if !held[p] {
			return false
		}
	}
	return true
}

func joinRanges(ps []netip.Prefix) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.String()
	}
	return strings.Join(parts, " ")
}

func describeRanges(ps []netip.Prefix) string {
	if len(ps) == 0 {
		return "none"
	}
	return joinRanges(ps)
}

// describeAllowlist is an allowlist for people: its ranges, or "none".
func describeAllowlist(ranges []string) string {
	if len(ranges) == 0 {
		return "none"
	}
	return strings.Join(ranges, " ")
}

// DescribeAllowlist is the settings' allowlist for people: its ranges,
// "none", or "not on plan".
func (s Settings) DescribeAllowlist() string {
	if !s.Known(FieldAllowlist) {
		return "unknown"
	}
	if IsFalse(s.Features.APIIPAllowlist) && s.AllowedIPAddresses == nil {
		return "not on plan"
	}
	return describeAllowlist(s.AllowedIPAddresses)
}

// DescribeInactivity is the period for people: "90d", "off", or "not on
// plan".
func (s Settings) DescribeInactivity() string {
	if !s.Known(FieldInactivity) {
		return "unknown"
	}
	if IsFalse(s.Features.InactiveTokenRevocation) && s.RevokeInactiveTokensAfterDays == nil {
		return "not on plan"
	}
	return s.Inactivity().String()
}

// DescribeTokenCreation says who may create API access tokens.
func (s Settings) DescribeTokenCreation() string {
	switch {
	case s.RestrictTokenCreation == nil:
		return "unknown"
	case *s.RestrictTokenCreation:
		return "administrators"
	}
	return "everyone"
}
