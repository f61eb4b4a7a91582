package hygiene

import (
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/orgsettings"
)

const orgPolicy = `version: 1
rules:
  - rule: org-inactivity-revocation
    max: 90d
    severity: error
  - rule: org-token-creation-restricted
    severity: warn
  - rule: org-allowlist
    ranges: [203.0.113.0/24, "2001:db8::/48"]
    severity: info
`

func TestOrganizationRules(t *testing.T) {
	p, err := ParsePolicy([]byte(orgPolicy), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !p.NeedsSettings() || p.NeedsMembers() {
		t.Fatalf("NeedsSettings=%v NeedsMembers=%v", p.NeedsSettings(), p.NeedsMembers())
	}
	days := func(n int) *int { return &n }
	yes, no := true, false
	for _, tt := range []struct {
		name     string
		settings orgsettings.Settings
		want     []string // rules found, worst first
		failing  bool
	}{
		{"compliant", orgsettings.Settings{
			AllowedIPAddresses: []string{"203.0.113.0/24", "2001:db8::/32"}, RevokeInactiveTokensAfterDays: days(30), RestrictTokenCreation: &yes,
			Features: orgsettings.Features{APIIPAllowlist: &yes, InactiveTokenRevocation: &yes},
		}, nil, false},
		{"period too long, open creation, range missing", orgsettings.Settings{
			AllowedIPAddresses: []string{"203.0.113.0/25"}, RevokeInactiveTokensAfterDays: days(180),
			Features: orgsettings.Features{APIIPAllowlist: &yes, InactiveTokenRevocation: &yes}, RestrictTokenCreation: &no,
		}, []string{"org-inactivity-revocation", "org-token-creation-restricted", "org-allowlist"}, true},
		{"nothing known", orgsettings.Settings{Unknown: []string{"allowedIpAddresses", "revokeInactiveTokensAfter"}},
			[]string{"org-inactivity-revocation", "org-token-creation-restricted", "org-allowlist"}, true},
		{"nothing on the plan", orgsettings.Settings{RestrictTokenCreation: &yes},
			[]string{"org-inactivity-revocation", "org-allowlist"}, true},
	} {
		s := tt.settings
		s.Organization.Slug = "acme"
		r := Check(p, []Organization{{Organization: buildkite.Organization{Slug: "acme"}, Settings: &s}}, time.Now())
		var got []string
		for _, f := range r.OrganizationFindings {
			got = append(got, f.Rule)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") || r.Summary.Failing != tt.failing || r.Summary.Open != len(tt.want) {
			t.Errorf("%s: findings %v, failing %v, open %d; want %v, %v", tt.name, got, r.Summary.Failing, r.Summary.Open, tt.want, tt.failing)
		}
	}
	// Settings not read: nothing judged.
	r := Check(p, []Organization{{Organization: buildkite.Organization{Slug: "acme"}}}, time.Now())
	if len(r.OrganizationFindings) != 0 {
		t.Errorf("judged unread settings: %+v", r.OrganizationFindings)
	}
}

func TestOrganizationRulesRejects(t *testing.T) {
	for yaml, want := range map[string]string{
		"version: 1\nrules:\n  - rule: org-allowlist\n    ranges: [10.0.0.1/8]\n    severity: warn\n":        "the range is 10.0.0.0/8",
		"version: 1\nrules:\n  - rule: org-token-creation-restricted\n    severity: revoke\n":                "severity revoke applies to tokens",
		"version: 1\nrules:\n  - rule: idle\n    after: 30d\n    ranges: [10.0.0.0/8]\n    severity: warn\n": "ranges does not apply to rule idle",
		"version: 1\nrules:\n  - rule: org-inactivity-revocation\n    after: 30d\n    severity: warn\n":      "after does not apply",
		"version: 1\nrules:\n  - rule: lifetime\n    owner-kind: robot\n    severity: warn\n":                "owner-kind \"robot\": use machine-user or person",
		"version: 1\nrules:\n  - rule: org-allowlist\n    owner-kind: person\n    severity: warn\n":          "owner-kind applies to token rules",
	} {
		_, err := ParsePolicy([]byte(yaml), "p.yaml")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", yaml, err, want)
		}
	}
}
