package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

func decodePolicy(t *testing.T, r result) document.RevocationSetting {
	t.Helper()
	var rep document.RevocationSetting
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout is not the policy document: %v\n%s", err, r)
	}
	return rep
}

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

func TestPolicyShowListsTokensPastThePeriod(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("policy", "show", "--org", "acme", "-o", "json")
	if r.code != 0 {
		t.Fatalf("policy show failed:\n%s", r)
	}
	rep := decodePolicy(t, r)
	if deref(rep.RevokeInactiveTokensAfter) != "DAYS_90" || rep.PeriodDays == nil || *rep.PeriodDays != 90 {
		t.Fatalf("period = %v / %v", rep.RevokeInactiveTokensAfter, rep.PeriodDays)
	}
	if rep.Organization.Slug != "acme" || rep.Organization.ID != emulator.NodeID("Organization", et.AcmeOrgUUID) || !rep.AsOf.Equal(fixedNow) {
		t.Errorf("organization = %+v, asOf = %s", rep.Organization, rep.AsOf)
	}
	// Soonest revocation first: Hackathon (last used 700 days ago), the old
	// laptop (never used, created 500 days ago), CI deploy bot (400 days).
	want := []struct {
		uuid  string
		since time.Duration // before now
	}{
		{et.HackathonTokenUUID, days(700)},
		{et.OldLaptopTokenUUID, days(500)},
		{et.CIDeployBotUUID, days(400)},
	}
	if len(rep.Tokens) != len(want) {
		t.Fatalf("got %d tokens, want %d:\n%s", len(rep.Tokens), len(want), r.stdout)
	}
	for i, w := range want {
		got := rep.Tokens[i]
		if got.UUID != w.uuid || !got.Due {
			t.Errorf("token %d = %s (due %v), want %s due", i, got.UUID, got.Due, w.uuid)
		}
		if !got.InactiveSince.Equal(fixedNow.Add(-w.since)) || !got.RevokeAt.Equal(fixedNow.Add(-w.since+days(90))) {
			t.Errorf("%s: inactiveSince %s, revokeAt %s", got.UUID, got.InactiveSince, got.RevokeAt)
		}
	}
	// Never used: counted from creation, and lastAccessedAt stays null.
	if laptop := rep.Tokens[1]; laptop.LastAccessedAt != nil || !laptop.InactiveSince.Equal(laptop.CreatedAt) {
		t.Errorf("never-used token: lastAccessedAt %v, inactiveSince %s, createdAt %s", laptop.LastAccessedAt, laptop.InactiveSince, laptop.CreatedAt)
	}
	if o := rep.Tokens[0].Owner; o == nil || o.Email != "mo@acme.example" {
		t.Errorf("owner = %+v", o)
	}
	if n := h.requests("OrganizationTokensByID") + h.requests("OrganizationTokensBySlug"); n != 1 {
		t.Errorf("listing requests = %d, want one page", n)
	}
}

func TestPolicyShowWithinAddsTokensDueSoon(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("policy", "show", "--org", "acme", "--within", "60", "-o", "json")
	if r.code != 0 {
		t.Fatalf("policy show failed:\n%s", r)
	}
	rep := decodePolicy(t, r)
	if len(rep.Tokens) != 4 {
		t.Fatalf("got %d tokens, want 4:\n%s", len(rep.Tokens), r.stdout)
	}
	// Release scripts were last used 40 days ago: revoked in 50 days.
	last := rep.Tokens[3]
	if last.UUID != et.ExpiredTokenUUID || last.Due || !last.RevokeAt.Equal(fixedNow.Add(days(50))) {
		t.Errorf("last token = %s due %v at %s", last.UUID, last.Due, last.RevokeAt)
	}
}

func TestPolicyShowTable(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("policy", "show", "--org", "acme")
	if r.code != 0 {
		t.Fatalf("policy show failed:\n%s", r)
	}
	golden(t, "policy.table.golden", r.stdout)
	// Machine formats carry no sentence.
	r = h.run("policy", "show", "--org", "acme", "-o", "csv")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 4 || !strings.HasPrefix(r.stdout, "TOKEN,") {
		t.Errorf("csv:\n%s", r)
	}
}

func TestPolicyShowWithoutAutomaticRevocation(t *testing.T) {
	never := emulator.DemoFixture()
	for i := range never.Organizations {
		if never.Organizations[i].Slug == "acme" {
			never.Organizations[i].RevokeInactiveTokensAfter = "NEVER"
		}
	}
	cases := []struct {
		name     string
		fixture  *emulator.Fixture
		org      string
		period   string
		sentence string
	}{
		{"unset", nil, "globex", "", "no automatic revocation period is set"},
		{"never", never, "acme", "NEVER", "revokeInactiveTokensAfter is NEVER"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, emulator.Options{Fixture: c.fixture})
			r := h.run("policy", "show", "--org", c.org, "-o", "json")
			if r.code != 0 {
				t.Fatalf("policy show failed:\n%s", r)
			}
			rep := decodePolicy(t, r)
			if deref(rep.RevokeInactiveTokensAfter) != c.period || rep.PeriodDays != nil || rep.Tokens == nil || len(rep.Tokens) != 0 {
				t.Errorf("report = %+v", rep)
			}
			if c.period == "" && !strings.Contains(r.stdout, `"revokeInactiveTokensAfter": null`) {
				t.Errorf("unset period is not null:\n%s", r.stdout)
			}
			// Nothing is taken automatically, so tokens are not listed at all.
			if n := h.requests("OrganizationTokensByID") + h.requests("OrganizationTokensBySlug"); n != 0 {
				t.Errorf("listed tokens %d times", n)
			}
			r = h.run("policy", "show", "--org", c.org)
			if r.code != 0 || strings.Count(r.stdout, "\n") != 1 {
				t.Errorf("table output should be one sentence:\n%s", r)
			}
			mustContain(t, "table output", r.stdout, c.sentence)
		})
	}
}

func TestPolicyShowByOrganizationID(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("policy", "show", "--org", emulator.NodeID("Organization", et.AcmeOrgUUID), "--jq", ".organization.slug, (.tokens | length)")
	if r.code != 0 || r.stdout != "acme\n3\n" {
		t.Fatalf("by id:\n%s", r)
	}
}

func TestPolicyShowFailures(t *testing.T) {
	cases := []struct {
		name, token string
		args        []string
		want        exitcode.Code
		stderr      string
	}{
		{name: "no org", args: nil, want: exitcode.Usage, stderr: "no organization given"},
		{name: "negative within", args: []string{"--org", "acme", "--within", "-1"}, want: exitcode.Usage, stderr: `--within: invalid duration "-1"`},
		{name: "within too long", args: []string{"--org", "acme", "--within", "3651d"}, want: exitcode.Usage, stderr: "--within 3651d: the most is 3650d"},
		{name: "unknown org", args: []string{"--org", "nope"}, want: exitcode.NotFound, stderr: `organization "nope" not found`},
		{name: "not an administrator", token: et.MemberToken, args: []string{"--org", "acme"}, want: exitcode.Auth, stderr: "administrator"},
		{name: "dead credential", token: et.RevokedToken, args: []string{"--org", "acme"}, want: exitcode.Auth, stderr: "HTTP 401"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, emulator.Options{})
			if c.token != "" {
				h.env["BUILDKITE_API_TOKEN"] = c.token
			}
			r := h.run(append([]string{"policy", "show"}, c.args...)...)
			if exitcode.Code(r.code) != c.want {
				t.Fatalf("exit %d, want %d\n%s", r.code, c.want, r)
			}
			mustContain(t, "stderr", r.stderr, c.stderr)
			if r.stdout != "" || strings.Contains(r.stderr, "goroutine ") {
				t.Errorf("stdout %q, stderr %q", r.stdout, r.stderr)
			}
		})
	}
}

// --within takes a span as every span flag does; a bare number still
// reads as days, with a deprecation warning on stderr.
func TestPolicyShowWithinIsASpan(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	span := h.run("policy", "show", "--org", "acme", "--within", "400d", "-o", "json")
	if span.code != 0 || span.stderr != "" {
		t.Fatalf("--within 400d: %s", span)
	}
	weeks := h.run("policy", "show", "--org", "acme", "--within", "2w")
	if weeks.code != 0 {
		t.Fatalf("--within 2w: %s", weeks)
	}
	mustContain(t, "stdout", weeks.stdout, "within 14 day(s)")
	bare := h.run("policy", "show", "--org", "acme", "--within", "400", "-o", "json")
	if bare.code != 0 || bare.stdout != span.stdout {
		t.Errorf("--within 400 differs from 400d:\n%s", bare)
	}
	mustContain(t, "stderr", bare.stderr, "tokenctl: warning: --within 400: a bare number of days is deprecated; write --within 400d")
	none := h.run("policy", "show", "--org", "acme", "-o", "json")
	if none.stdout == span.stdout {
		t.Errorf("--within 400d lists no more than no --within")
	}
}
