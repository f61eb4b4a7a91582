package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/cli/clitest"
	settingsCmd "github.com/tokenctl/tokenctl/internal/cli/settings"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/orgsettings"
)

const (
	settingsGET   = "GET /v2/organizations/{org}/api-settings"
	settingsPATCH = "PATCH /v2/organizations/{org}/api-settings"
)

func newSettingsHarness(t *testing.T, opts emulator.Options) *harness {
	t.Helper()
	opts.Fixture = emulatortest.SettingsFixture(t)
	h := newHarness(t, opts)
	h.env["BUILDKITE_API_TOKEN"] = emulatortest.SettingsToken
	return h
}

func TestSettingsShowAllOrgs(t *testing.T) {
	h := newSettingsHarness(t, emulator.Options{})
	r := h.run("settings", "show", "--all-orgs", "-o", "json")
	if r.code != 9 {
		t.Fatalf("want exit 9 (incomplete), got %s", r)
	}
	var doc orgsettings.Reading
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	if len(doc.Settings) != 2 || doc.Settings[0].Organization.Slug != "acme" || doc.Settings[1].Organization.Slug != "hobby" {
		t.Fatalf("organizations read: %+v", doc.Settings)
	}
	acme, hobby := doc.Settings[0], doc.Settings[1]
	if acme.RevokeInactiveTokensAfter != "DAYS_90" || acme.Features.APIIPAllowlist == nil || !*acme.Features.APIIPAllowlist || acme.AllowedIPAddresses != nil {
		t.Errorf("acme = %+v", acme)
	}
	if !orgsettings.IsFalse(hobby.Features.APIIPAllowlist) || !orgsettings.IsFalse(hobby.Features.InactiveTokenRevocation) {
		t.Errorf("hobby's plan has no paid feature: %+v", hobby)
	}
	causes := map[string]orgsettings.Cause{}
	for _, nr := range doc.NotRead {
		causes[nr.Organization.Slug] = nr.Cause
	}
	// globex's allowlist shuts out the loopback address; Ada is not an
	// administrator of initech.
	if causes["globex"] != orgsettings.CauseNotPermitted || causes["initech"] != orgsettings.CauseNotPermitted || len(causes) != 2 {
		t.Errorf("not read: %+v", doc.NotRead)
	}
	mustContain(t, "stderr", r.stderr, "globex: not read (not-permitted)", "initech: not read (not-permitted)")

	table := h.run("settings", "show", "--all-orgs")
	mustContain(t, "table", table.stdout, "not on plan", "not read: not-permitted", "allowlist, inactivity revocation", "90d")
}

func TestSettingsShowMissingScopeSendsNothing(t *testing.T) {
	h := newSettingsHarness(t, emulator.Options{})
	h.env["BUILDKITE_API_TOKEN"] = emulatortest.SettingsNoScopeToken
	r := h.run("settings", "show", "--org", "acme", "--org", "hobby", "-o", "json")
	if r.code != 9 {
		t.Fatalf("want exit 9, got %s", r)
	}
	var doc orgsettings.Reading
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.NotRead) != 2 || doc.NotRead[0].Cause != orgsettings.CauseMissingScope || doc.NotRead[1].Cause != orgsettings.CauseMissingScope {
		t.Errorf("not read: %+v", doc.NotRead)
	}
	if n := h.requests(settingsGET); n != 0 {
		t.Errorf("%d settings requests sent without the scope", n)
	}
	// One organization: its failure is the run's, exit 3.
	one := h.run("settings", "show", "--org", "acme")
	if one.code != 3 {
		t.Fatalf("want exit 3, got %s", one)
	}
	mustContain(t, "stderr", one.stderr, "read_organization_settings")
}

func TestSettingsSetDryRunSendsNothing(t *testing.T) {
	h := newSettingsHarness(t, emulator.Options{})
	r := h.run("settings", "set", "--org", "acme", "--allowed-ip", "127.0.0.1/32", "--allowed-ip", "2001:db8::/48",
		"--revoke-inactive-after", "30d", "--dry-run", "-o", "json")
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	var doc settingsCmd.SettingsSetReport
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Status != "dry-run" || len(doc.Changes) != 2 || doc.Changes[0].To != "127.0.0.1/32 2001:db8::/48" || doc.Changes[1].From != "90d" || doc.Changes[1].To != "30d" {
		t.Errorf("report = %+v", doc)
	}
	if doc.CallerAddress == nil || *doc.CallerAddress != "127.0.0.1" {
		t.Errorf("callerAddress = %v", doc.CallerAddress)
	}
	if n := h.requests(settingsPATCH); n != 0 {
		t.Errorf("--dry-run sent %d PATCH", n)
	}
}

func TestSettingsSetAppliesAndAudits(t *testing.T) {
	h := newSettingsHarness(t, emulator.Options{})
	log := filepath.Join(t.TempDir(), "audit.jsonl")
	r := h.run("settings", "set", "--org", "acme", "--allowed-ip", "127.0.0.0/8", "--restrict-token-creation", "true",
		"--revoke-inactive-after", "90d", "--yes", "--audit-log", log, "-o", "json")
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	var doc settingsCmd.SettingsSetReport
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	// The period already was 90 days: it is not among the changes.
	if doc.Status != "updated" || len(doc.Changes) != 2 || doc.After == nil || doc.After.RestrictTokenCreation == nil || !*doc.After.RestrictTokenCreation ||
		strings.Join(doc.After.AllowedIPAddresses, " ") != "127.0.0.0/8" || doc.Reachable == nil || !doc.Reachable.REST || !doc.Reachable.GraphQL {
		t.Errorf("report = %s", r.stdout)
	}
	mustContain(t, "stderr", r.stderr, "still reaches the organization's API")
	if n := h.requests(settingsPATCH); n != 1 {
		t.Errorf("%d PATCH sent, want 1", n)
	}
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"event":"intent"`) || !strings.Contains(lines[1], `"result":"updated"`) ||
		!strings.Contains(lines[0], `"name":"restrictTokenCreation","from":"false","to":"true"`) || strings.Contains(lines[0], "revokeInactiveTokensAfter") {
		t.Errorf("audit log:\n%s", data)
	}
	// The same again changes nothing and sends nothing.
	again := h.run("settings", "set", "--org", "acme", "--allowed-ip", "127.0.0.0/8", "--yes")
	if again.code != 0 || h.requests(settingsPATCH) != 1 {
		t.Errorf("repeat: %s; %d PATCH", again, h.requests(settingsPATCH))
	}
	mustContain(t, "stderr", again.stderr, "nothing to change")
}

func TestSettingsSetLockoutGuard(t *testing.T) {
	h := newSettingsHarness(t, emulator.Options{})
	r := h.run("settings", "set", "--org", "acme", "--allowed-ip", "203.0.113.0/24", "--allowed-ip", "2001:db8::/32", "--yes")
	if r.code != 5 {
		t.Fatalf("want exit 5, got %s", r)
	}
	mustContain(t, "stderr", r.stderr, "127.0.0.1", "203.0.113.0/24 2001:db8::/32", "--allow-lockout")
	if n := h.requests(settingsPATCH); n != 0 {
		t.Fatalf("the guard let %d PATCH through", n)
	}
	// Said explicitly, it is sent, and the run says the token is now
	// shut out.
	r = h.run("settings", "set", "--org", "acme", "--allowed-ip", "203.0.113.0/24", "--yes", "--allow-lockout")
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	mustContain(t, "stderr", r.stderr, "warning: --allow-lockout", "no longer reaches the organization's API")
	if h.run("settings", "show", "--org", "acme").code != 3 {
		t.Error("the allowlist was not enforced")
	}
}

func TestSettingsSetLockoutGuardSeesTheAddressBuildkiteSees(t *testing.T) {
	// Behind a gateway, Buildkite sees the gateway's IPv6 address, not
	// loopback: an allowlist of 127.0.0.1/32 would lock the caller out.
	h := newSettingsHarness(t, emulator.Options{SeenAddress: "2001:db8::5"})
	r := h.run("settings", "set", "--org", "acme", "--allowed-ip", "127.0.0.1/32", "--yes")
	if r.code != 5 {
		t.Fatalf("want exit 5, got %s", r)
	}
	mustContain(t, "stderr", r.stderr, "2001:db8::5", "127.0.0.1/32")
	if r := h.run("settings", "set", "--org", "acme", "--allowed-ip", "2001:db8::/64", "--yes"); r.code != 0 {
		t.Fatalf("%s", r)
	}
	if h.requests(settingsPATCH) != 1 {
		t.Errorf("PATCH sent %d times, want 1", h.requests(settingsPATCH))
	}
}

func TestSettingsSetRefusesBeforeSending(t *testing.T) {
	h := newSettingsHarness(t, emulator.Options{})
	for _, c := range []struct {
		name  string
		token string
		args  []string
		code  int
		says  string
	}{
		{"not on the plan", "", []string{"--org", "hobby", "--allowed-ip", "127.0.0.1/32"}, 3, "api_ip_allow_list"},
		{"period not on the plan", "", []string{"--org", "hobby", "--revoke-inactive-after", "off"}, 3, "inactive_api_token_revocation"},
		{"no write scope", emulatortest.SettingsReadToken, []string{"--org", "acme", "--restrict-token-creation", "true"}, 3, "write_organization_settings"},
		{"bad CIDR", "", []string{"--org", "acme", "--allowed-ip", "10.0.0.0/33"}, 2, "10.0.0.0/33"},
		{"host bits", "", []string{"--org", "acme", "--allowed-ip", "10.1.2.3/8"}, 2, "the range is 10.0.0.0/8"},
		{"bad IPv6", "", []string{"--org", "acme", "--allowed-ip", "2001:db8::g/32"}, 2, "2001:db8::g/32"},
		{"both allowlist flags", "", []string{"--org", "acme", "--allowed-ip", "10.0.0.0/8", "--clear-allowlist"}, 2, "--clear-allowlist"},
		{"bad period", "", []string{"--org", "acme", "--revoke-inactive-after", "45d"}, 2, "30d, 60d"},
		{"bad boolean", "", []string{"--org", "acme", "--restrict-token-creation", "yes"}, 2, "true or false"},
		{"nothing asked", "", []string{"--org", "acme"}, 2, "nothing to change"},
	} {
		h.env["BUILDKITE_API_TOKEN"] = emulatortest.SettingsToken
		if c.token != "" {
			h.env["BUILDKITE_API_TOKEN"] = c.token
		}
		r := h.run(append([]string{"settings", "set", "--yes"}, c.args...)...)
		if r.code != c.code || !strings.Contains(r.stderr, c.says) {
			t.Errorf("%s: want exit %d saying %q, got %s", c.name, c.code, c.says, r)
		}
	}
	if n := h.requests(settingsPATCH); n != 0 {
		t.Errorf("%d PATCH sent", n)
	}
}

func TestSettingsSetConfirms(t *testing.T) {
	h := newSettingsHarness(t, emulator.Options{})
	if r := h.run("settings", "set", "--org", "acme", "--restrict-token-creation", "true"); r.code != 2 || !strings.Contains(r.stderr, "--yes") {
		t.Errorf("no terminal, no --yes: %s", r)
	}
	r := h.runTTY("n\n", "settings", "set", "--org", "acme", "--restrict-token-creation", "true")
	if r.code != 5 || h.requests(settingsPATCH) != 0 {
		t.Fatalf("declined: %s", r)
	}
	mustContain(t, "prompt", r.stderr, "restrictTokenCreation", "false", "true", "Apply this change?")
	if r := h.runTTY("y\n", "settings", "set", "--org", "acme", "--restrict-token-creation", "true"); r.code != 0 || h.requests(settingsPATCH) != 1 {
		t.Fatalf("confirmed: %s", r)
	}
}

const orgRulesPolicy = `version: 1
rules:
  - rule: idle
    after: 90d
    severity: warn
  - rule: org-inactivity-revocation
    max: 30d
    severity: error
  - rule: org-token-creation-restricted
    severity: warn
`

// Settings as code: the organization rules' findings are in the check's
// report, with its severities and exit code.
func TestCheckOrganizationRules(t *testing.T) {
	h := newSettingsHarness(t, emulator.Options{})
	policy := clitest.WritePrivateFile(t, t.TempDir(), "policy.yaml", orgRulesPolicy)
	r := h.run("check", "--org", "acme", "--policy", policy, "-o", "json")
	if r.code != 8 {
		t.Fatalf("want exit 8 (acme revokes after 90 days, the policy wants 30), got %s", r)
	}
	var doc struct {
		OrganizationFindings []struct{ Organization, Rule, Severity, Message string }
		SettingsNotRead      []orgsettings.NotRead
		Summary              struct{ Failing bool }
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.OrganizationFindings) != 2 || doc.OrganizationFindings[0].Rule != "org-inactivity-revocation" ||
		doc.OrganizationFindings[0].Severity != "error" || doc.OrganizationFindings[1].Rule != "org-token-creation-restricted" || !doc.Summary.Failing {
		t.Errorf("report: %s", r.stdout)
	}
	table := h.run("check", "--org", "acme", "--policy", policy)
	mustContain(t, "table", table.stdout, "ORGANIZATION SETTINGS (2)", "inactive tokens are revoked after 90d (limit 30d)")

	// Put right with settings set, the same check passes.
	if r := h.run("settings", "set", "--org", "acme", "--revoke-inactive-after", "30d", "--restrict-token-creation", "true", "--yes"); r.code != 0 {
		t.Fatalf("%s", r)
	}
	if r := h.run("check", "--org", "acme", "--policy", policy, "-o", "json"); r.code != 0 {
		t.Errorf("after the fix: %s", r)
	}

	// A token that may not read the settings: the rules are not judged,
	// and the check says it is incomplete.
	h.env["BUILDKITE_API_TOKEN"] = emulatortest.SettingsNoScopeToken
	r = h.run("check", "--org", "acme", "--policy", policy, "-o", "json")
	if r.code != 9 {
		t.Fatalf("want exit 9, got %s", r)
	}
	mustContain(t, "stderr", r.stderr, "organization rules not judged", "missing-scope")
}

// Machine users' tokens are reported apart, and a rule can be limited to
// them (owner-kind).
func TestCheckMachineUsers(t *testing.T) {
	h := newSettingsHarness(t, emulator.Options{})
	policy := clitest.WritePrivateFile(t, t.TempDir(), "policy.yaml", `version: 1
rules:
  - rule: lifetime
    name: machine-tokens-expire
    owner-kind: machine-user
    severity: error
  - rule: lifetime
    name: people-tokens-expire
    owner-kind: person
    severity: info
`)
	r := h.run("check", "--org", "acme", "--policy", policy, "-o", "json")
	if r.code != 8 {
		t.Fatalf("want exit 8, got %s", r)
	}
	var doc struct {
		Findings []struct {
			Rule        string
			MachineUser bool
			Token       struct{ UUID string }
			Owner       struct{ MachineUser bool }
		}
		Summary struct{ MachineUsers, Open int }
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	machine := 0
	for _, f := range doc.Findings {
		isMachine := f.Token.UUID == emulatortest.SettingsMachineTokenUUID
		if f.MachineUser != isMachine || f.Owner.MachineUser != isMachine {
			t.Errorf("finding %s on %s: machineUser %v", f.Rule, f.Token.UUID, f.MachineUser)
		}
		if isMachine {
			machine++
			if f.Rule != "machine-tokens-expire" {
				t.Errorf("the machine user's token was judged by %s", f.Rule)
			}
		} else if f.Rule != "people-tokens-expire" {
			t.Errorf("a person's token %s was judged by %s", f.Token.UUID, f.Rule)
		}
	}
	if machine != 1 || doc.Summary.MachineUsers != 1 || doc.Summary.Open != len(doc.Findings) {
		t.Errorf("machine findings %d, summary %+v", machine, doc.Summary)
	}
	table := h.run("check", "--org", "acme", "--policy", policy)
	mustContain(t, "table", table.stdout, "MACHINE USERS' TOKENS", "ERROR: never expires")
}
