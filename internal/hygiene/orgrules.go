package hygiene

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/orgsettings"
)

// Organization rules judge an organization's API settings (settings as
// code) rather than its tokens. Their findings go in the same report, with
// the same severities, summary and exit code, under organizationFindings.
const (
	// KindOrgInactivity: automatic revocation of inactive tokens is on,
	// and with max, at most that period.
	KindOrgInactivity = "org-inactivity-revocation"
	// KindOrgCreationRestricted: only administrators may create API access
	// tokens.
	KindOrgCreationRestricted = "org-token-creation-restricted"
	// KindOrgAllowlist: the organization has an API IP allowlist, and
	// with ranges, one covering each of them.
	KindOrgAllowlist = "org-allowlist"
)

// orgKinds are the kinds judged on the API settings.
var orgKinds = []string{KindOrgInactivity, KindOrgCreationRestricted, KindOrgAllowlist}

func (r Rule) isOrgRule() bool {
	for _, k := range orgKinds {
		if r.Kind == k {
			return true
		}
	}
	return false
}

// NeedsSettings reports whether any rule reads organizations' API
// settings, so they must be read (scope read_organization_settings).
func (p *Policy) NeedsSettings() bool {
	for _, r := range p.Rules {
		if r.isOrgRule() {
			return true
		}
	}
	return false
}

// OrganizationFinding is one organization rule an organization's API
// settings break.
type OrganizationFinding struct {
	Organization string   `json:"organization"`
	Rule         string   `json:"rule"`
	Kind         string   `json:"kind"`
	Severity     Severity `json:"severity"`
	Message      string   `json:"message"`
	Evidence     Evidence `json:"evidence"`
	// Status is open: organization findings are not excepted.
	Status string `json:"status"`
}

// ReadSettings reads the API settings of each organization read, for the
// organization rules. One that cannot be read is returned apart with its
// cause and never stops the others; its rules are not judged.
func ReadSettings(ctx context.Context, c *buildkite.Client, orgs []Organization) ([]orgsettings.NotRead, error) {
	refs := make([]ident.Org, len(orgs))
	for i, o := range orgs {
		refs[i] = ident.Org{Slug: o.Organization.Slug}
	}
	reading, err := orgsettings.Read(ctx, c, refs)
	if err != nil {
		return nil, err
	}
	bySlug := map[string]orgsettings.Settings{}
	for _, s := range reading.Settings {
		bySlug[s.Organization.Slug] = s
	}
	for i := range orgs {
		if s, ok := bySlug[orgs[i].Organization.Slug]; ok {
			s.Organization.Name = orgs[i].Organization.Name
			orgs[i].Settings = &s
		}
	}
	return reading.NotRead, nil
}

// judgeOrg applies an organization rule to the settings.
func (r Rule) judgeOrg(s *orgsettings.Settings) (Evidence, string, bool) {
	switch r.Kind {
	case KindOrgInactivity:
		days := s.RevokeInactiveTokensAfterDays
		ev := Evidence{"revokeInactiveTokensAfterDays": nil, "max": nullable(r.Max), "onPlan": s.Features.InactiveTokenRevocation}
		if days != nil {
			ev["revokeInactiveTokensAfterDays"] = *days
		}
		switch {
		case !s.Known(orgsettings.FieldInactivity):
			// Not known is never a pass.
			return ev, "whether inactive tokens are revoked automatically is not known: Buildkite's answer did not say", true
		case days == nil && orgsettings.IsFalse(s.Features.InactiveTokenRevocation):
			return ev, "inactive tokens are not revoked automatically, and the plan does not include it", true
		case days == nil:
			return ev, "inactive tokens are not revoked automatically", true
		case r.max > 0 && float64(*days) > r.max.Hours()/24:
			return ev, fmt.Sprintf("inactive tokens are revoked after %dd (limit %s)", *days, r.Max), true
		}
	case KindOrgCreationRestricted:
		switch {
		case s.RestrictTokenCreation == nil:
			return Evidence{"restrictTokenCreation": nil}, "who may create API access tokens is not known: Buildkite's answer did not say", true
		case !*s.RestrictTokenCreation:
			return Evidence{"restrictTokenCreation": false}, "every member may create API access tokens, not only administrators", true
		}
	case KindOrgAllowlist:
		ev := Evidence{"allowedIpAddresses": s.AllowedIPAddresses, "onPlan": s.Features.APIIPAllowlist}
		if !s.Known(orgsettings.FieldAllowlist) {
			return ev, "whether the organization has an API IP allowlist is not known: Buildkite's answer did not say", true
		}
		if len(s.AllowedIPAddresses) == 0 {
			msg := "no API IP allowlist: any address may use the organization's API"
			if orgsettings.IsFalse(s.Features.APIIPAllowlist) {
				msg += ", and the plan does not include one"
			}
			return ev, msg, true
		}
		var missing []string
		have := s.Allowlist()
		for _, want := range r.ranges {
			if !covered(have, want) {
				missing = append(missing, want.String())
			}
		}
		if len(missing) > 0 {
			ev["missing"] = missing
			return ev, "the API IP allowlist does not cover " + strings.Join(missing, ", "), true
		}
	}
	return nil, "", false
}

// covered says whether one of the ranges holds all of want.
func covered(have []netip.Prefix, want netip.Prefix) bool {
	for _, p := range have {
		if p.Bits() <= want.Bits() && p.Contains(want.Addr()) {
			return true
		}
	}
	return false
}

// judgeOrganizations adds the organization rules' findings.
func judgeOrganizations(p *Policy, orgs []Organization) []OrganizationFinding {
	out := []OrganizationFinding{}
	for _, o := range orgs {
		if o.Settings == nil {
			continue
		}
		for _, rule := range p.Rules {
			if !rule.isOrgRule() {
				continue
			}
			if ev, msg, found := rule.judgeOrg(o.Settings); found {
				out = append(out, OrganizationFinding{
					Organization: o.Organization.Slug, Rule: rule.Name, Kind: rule.Kind, Severity: rule.Severity,
					Message: msg, Evidence: ev, Status: StatusOpen,
				})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b OrganizationFinding) int { return b.Severity.rank() - a.Severity.rank() })
	return out
}

// validateOrgRule checks what only organization rules take.
func validateOrgRule(r *Rule, where string, at func(string) int, errs *problems) {
	if !r.isOrgRule() {
		return
	}
	if r.Severity == SeverityRevoke {
		errs.add(at("severity"), "%s: severity revoke applies to tokens; an organization rule is info, warn or error", where)
	}
	if len(r.Ranges) > 0 {
		ranges, err := orgsettings.ParseRanges(r.Ranges)
		if err != nil {
			errs.add(at("ranges"), "%s: ranges: %v", where, err)
		}
		r.ranges = ranges
	}
}
