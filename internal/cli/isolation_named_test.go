package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// idlePolicy writes a policy whose one rule is at the given severity.
func idlePolicy(t *testing.T, severity string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "idle.yaml")
	if err := os.WriteFile(path, []byte("version: 1\nrules:\n  - {rule: idle, after: 150d, severity: "+severity+"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// check with several organizations named reads every one it can when one
// answers with an unknown error: that one is not checked, with Buildkite's
// words, and the check exits 9 (incomplete), never passing. An unknown
// organization keeps its own exit status (4).
func TestCheckNamedOrganizationsIsolateOneThatFails(t *testing.T) {
	h := untypedHarness(t)
	policy := idlePolicy(t, "warn")
	r := h.run("check", "--org", "acme", "--org", et.MultiOrgMemberOnlyOrg, "--org", "globex", "--policy", policy, "-o", "json")
	if r.code != int(exitcode.Incomplete) {
		t.Fatalf("exit %d, want %d (incomplete)\n%s", r.code, exitcode.Incomplete, r)
	}
	rep := decodeCheckReport(t, r)
	if len(rep.Organizations) != 2 || len(rep.NotChecked) != 1 || rep.NotChecked[0].Cause != revoke.CauseError ||
		!strings.Contains(rep.NotChecked[0].Reason, "Something went wrong") {
		t.Errorf("checked %d organizations, not checked %+v", len(rep.Organizations), rep.NotChecked)
	}
	mustContain(t, "stderr", r.stderr, "tokenctl: initech: not checked: ")

	// A named organization the caller may not read is not checked either,
	// and the run is incomplete: the user asked for it.
	h = newHarness(t, emulator.Options{Fixture: et.MultiOrgFixture(t)})
	h.env["BUILDKITE_API_TOKEN"] = et.MultiOrgToken
	r = h.run("check", "--org", "acme", "--org", et.MultiOrgMemberOnlyOrg, "--policy", policy, "-o", "json")
	if rep := decodeCheckReport(t, r); r.code != int(exitcode.Incomplete) || len(rep.NotChecked) != 1 || rep.NotChecked[0].Cause != revoke.CauseNotPermitted {
		t.Errorf("not permitted in a named organization: exit %d, want %d\n%s", r.code, exitcode.Incomplete, r)
	}

	r = h.run("check", "--org", "acme", "--org", "no-such-org", "--policy", policy, "-o", "json")
	if r.code != int(exitcode.NotFound) {
		t.Errorf("unknown organization: exit %d, want %d\n%s", r.code, exitcode.NotFound, r)
	}
}

// A plan over several organizations is applied in every organization that
// can be looked in when one answers with an unknown error: the planned
// tokens there are not-checked with the cause, nothing is sent there, and
// the run exits 9 (incomplete).
func TestRevokePlanIsolatesAnOrganizationThatFails(t *testing.T) {
	// The plan is made while the caller still administers initech.
	admin := et.MultiOrgFixture(t)
	for i, m := range admin.Organizations[2].Members {
		if m.User == et.DemoAdminEmail {
			admin.Organizations[2].Members[i].Role = "admin"
		}
	}
	maker := newHarness(t, emulator.Options{Fixture: admin})
	maker.env["BUILDKITE_API_TOKEN"] = et.MultiOrgToken
	planPath := filepath.Join(t.TempDir(), "plan.json")
	r := maker.run("check", "--org", "acme", "--org", et.MultiOrgMemberOnlyOrg, "--policy", idlePolicy(t, "revoke"), "--plan-out", planPath, "-o", "json")
	if r.code != int(exitcode.Findings) || !strings.Contains(r.stderr, "wrote a plan of 2 revocation(s)") {
		t.Fatalf("check --plan-out: %s", r)
	}

	h := untypedHarness(t)
	r = h.run("revoke", "--plan", planPath, "--yes", "-o", "json")
	if r.code != int(exitcode.Incomplete) {
		t.Fatalf("exit %d, want %d (incomplete)\n%s", r.code, exitcode.Incomplete, r)
	}
	rep := decodeReport(t, r)
	byOrg := map[string]revoke.Status{}
	for _, res := range rep.Results {
		byOrg[deref(res.Organization.Slug)] = res.Status
		if res.Status == revoke.StatusNotChecked && (res.Error == nil || !strings.Contains(*res.Error, "Something went wrong")) {
			t.Errorf("a not-checked token without the cause: %+v", res)
		}
	}
	if byOrg["acme"] != revoke.StatusRevoked || byOrg[et.MultiOrgMemberOnlyOrg] != revoke.StatusNotChecked || rep.Summary.NotChecked != 1 {
		t.Errorf("results by organization %v, summary %+v\n%s", byOrg, rep.Summary, r.stdout)
	}
	if h.srv.TokenHasOrg(et.SharedCITokenUUID, "acme") || !h.srv.TokenHasOrg(et.SharedCITokenUUID, et.MultiOrgMemberOnlyOrg) {
		t.Error("want Shared CI revoked from acme and untouched in initech")
	}
	mustContain(t, "stderr", r.stderr, "initech", "not-checked")
}
