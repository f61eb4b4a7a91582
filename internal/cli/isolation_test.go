package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	revokeCmd "github.com/tokenctl/tokenctl/internal/cli/revoke"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// untypedHarness serves the multi-org fixture, where the caller
// administers acme and globex and is only a member of initech, whose
// listing answers with an error of no known type.
func untypedHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, emulator.Options{Fixture: et.MultiOrgFixture(t), UntypedNotAdmin: true})
	h.env["BUILDKITE_API_TOKEN"] = et.MultiOrgToken
	return h
}

// One organization's unknown failure never stops a leaked token from being
// revoked everywhere else: it is not checked, with Buildkite's words, and
// the run exits 9 (incomplete), whether the organizations are every one
// the caller belongs to or named one by one.
func TestLeakedTokenIsolatesAnOrganizationThatFails(t *testing.T) {
	for _, tc := range []struct {
		name string
		orgs []string
	}{
		{"all-orgs", []string{"--all-orgs", "--yes"}},
		{"repeated --org", []string{"--org", "acme", "--org", et.MultiOrgMemberOnlyOrg, "--org", "globex"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := untypedHarness(t)
			value := fixtureValue(t, et.MultiOrgFixture(t), et.SharedCITokenUUID)
			args := append([]string{"revoke", "--token-value-file", leakedValueFile(t, value), "-o", "json"}, tc.orgs...)
			r := h.runLeaked(value, false, "", args...)
			if r.code != int(exitcode.Incomplete) {
				t.Fatalf("exit %d, want %d (incomplete)\n%s", r.code, exitcode.Incomplete, r)
			}
			var rep revokeCmd.AllOrgsReport
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatalf("stdout: %v\n%s", err, r.stdout)
			}
			if rep.Summary.Revoked != 2 {
				t.Errorf("revoked %d, want 2 (acme and globex)\n%s", rep.Summary.Revoked, r.stdout)
			}
			for _, org := range []string{"acme", "globex"} {
				if h.srv.TokenHasOrg(et.SharedCITokenUUID, org) {
					t.Errorf("Shared CI still has access to %s", org)
				}
			}
			if len(rep.NotChecked) != 1 || deref(rep.NotChecked[0].Organization.Slug) != et.MultiOrgMemberOnlyOrg ||
				rep.NotChecked[0].Cause != revoke.CauseError || !strings.Contains(rep.NotChecked[0].Reason, "Something went wrong") {
				t.Errorf("notChecked = %+v", rep.NotChecked)
			}
			mustContain(t, "stderr", r.stderr, "tokenctl: initech: not checked: ", "may still have access there")
		})
	}
}

// check --all-orgs reads every other organization when one answers with an
// unknown error; the report names it in JSON, in the table and in
// Markdown, never reads as passed, and the run exits 9.
func TestCheckAllOrgsIsolatesAnOrganizationThatFails(t *testing.T) {
	policy := filepath.Join(t.TempDir(), "warn.yaml")
	if err := os.WriteFile(policy, []byte("version: 1\nrules:\n  - {rule: idle, after: 90d, severity: warn}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := untypedHarness(t)
	r := h.run("check", "--all-orgs", "--policy", policy, "-o", "json")
	if r.code != int(exitcode.Incomplete) {
		t.Fatalf("exit %d, want %d\n%s", r.code, exitcode.Incomplete, r)
	}
	rep := decodeCheckReport(t, r)
	if len(rep.Organizations) != 2 || len(rep.NotChecked) != 1 || rep.NotChecked[0].Cause != revoke.CauseError {
		t.Errorf("checked %d organizations, not checked %+v", len(rep.Organizations), rep.NotChecked)
	}
	for _, format := range []string{"markdown", "table"} {
		r := h.run("check", "--all-orgs", "--policy", policy, "-o", format)
		if r.code != int(exitcode.Incomplete) {
			t.Errorf("-o %s: exit %d, want %d\n%s", format, r.code, exitcode.Incomplete, r)
		}
		if strings.Contains(r.stdout, "passed") {
			t.Errorf("-o %s reads as passed with an organization not checked:\n%s", format, r.stdout)
		}
		mustContain(t, "-o "+format, r.stdout, "incomplete", "initech", "Something went wrong")
	}
}

// An organization the caller may not read (not permitted) is reported in
// the Markdown summary too: the check is not a pass for it.
func TestCheckMarkdownNamesOrganizationsNotChecked(t *testing.T) {
	h := newHarness(t, emulator.Options{Fixture: et.MultiOrgFixture(t)})
	h.env["BUILDKITE_API_TOKEN"] = et.MultiOrgToken
	r := h.run("check", "--all-orgs", "-o", "markdown")
	if strings.Contains(r.stdout, "Token check passed") {
		t.Errorf("the summary says passed with initech not checked:\n%s", r.stdout)
	}
	mustContain(t, "markdown", r.stdout, "Not checked (1)", "| initech | not-permitted |")
}

// --compare marks resolved only what was checked in both runs: the
// findings of an organization not checked this time are not resolved.
func TestCheckCompareResolvesOnlyWhatWasChecked(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "warn.yaml")
	if err := os.WriteFile(policy, []byte("version: 1\nrules:\n  - {rule: idle, after: 90d, severity: warn}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, emulator.Options{Fixture: et.MultiOrgFixture(t)})
	h.env["BUILDKITE_API_TOKEN"] = et.MultiOrgToken
	before := h.run("check", "--all-orgs", "--policy", policy, "-o", "json")
	prev := decodeCheckReport(t, before)
	inGlobex := 0
	for _, f := range prev.Findings {
		if f.Organization == "globex" {
			inGlobex++
		}
	}
	if inGlobex == 0 {
		t.Fatalf("the first report has no finding in globex; the test proves nothing\n%s", before.stdout)
	}
	prevPath := filepath.Join(dir, "prev.json")
	if err := os.WriteFile(prevPath, []byte(before.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	r := h.run("check", "--org", "acme", "--policy", policy, "--compare", prevPath, "-o", "json")
	rep := decodeCheckReport(t, r)
	for _, f := range rep.Findings {
		if f.Organization == "globex" {
			t.Errorf("a finding of globex, not checked this time, is in the report as %s", f.Status)
		}
	}
	if rep.Summary.Resolved == nil || *rep.Summary.Resolved != 0 {
		t.Errorf("resolved = %v, want 0", rep.Summary.Resolved)
	}
}

// With the viewer's answer capped (more organizations than one answer
// holds) and one organization failing with an unknown error, check
// --all-orgs still reads every other organization, reached by asking from
// both ends, and revoke --all-orgs still revokes in the last one.
func TestAllOrgsIsolationBeyondOneViewerAnswer(t *testing.T) {
	h, value := manyOrgsHarness(t, emulator.Options{MaxViewerOrganizations: 100, UntypedNotAdmin: true})
	policy := filepath.Join(t.TempDir(), "warn.yaml")
	if err := os.WriteFile(policy, []byte("version: 1\nrules:\n  - {rule: idle, after: 90d, severity: warn}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := h.run("check", "--all-orgs", "--policy", policy, "-o", "json")
	if r.code != int(exitcode.Incomplete) {
		t.Fatalf("check: exit %d, want %d\n%s", r.code, exitcode.Incomplete, r)
	}
	rep := decodeCheckReport(t, r)
	causes := map[string]revoke.NotCheckedCause{}
	for _, nc := range rep.NotChecked {
		causes[nc.Organization.Slug] = nc.Cause
	}
	if len(rep.Organizations) != et.ManyOrgsCount-2 || causes["initech"] != revoke.CauseError || causes[et.ManyOrgsUngranted] != revoke.CauseNotPermitted {
		t.Errorf("checked %d organizations, not checked %v", len(rep.Organizations), causes)
	}
	r = h.runLeaked(value, false, "", "revoke", "--all-orgs", "--yes", "--token-value-file", leakedValueFile(t, value), "-o", "json")
	if r.code != int(exitcode.Incomplete) || h.srv.TokenHasOrg(et.SharedCITokenUUID, et.ManyOrgsLastOrg) || h.srv.TokenHasOrg(et.SharedCITokenUUID, et.ManyOrgsFirstAdmin) {
		t.Errorf("revoke: exit %d, want %d with %s and %s revoked\n%s", r.code, exitcode.Incomplete, et.ManyOrgsFirstAdmin, et.ManyOrgsLastOrg, r)
	}
}
