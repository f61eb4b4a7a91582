package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/hygiene"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// makePlan runs the check with --plan-out and returns the plan's path.
func makePlan(t *testing.T, h *harness) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plan.json")
	r := h.run("check", "--org", "hygiene", "--policy", hygienePolicy, "--plan-out", path, "-o", "json")
	if r.code != int(exitcode.Findings) || !strings.Contains(r.stderr, "wrote a plan of 2 revocation(s) to "+path) {
		t.Fatalf("check --plan-out: %s", r)
	}
	plan := readPlanFile(t, path)
	if len(plan.Revocations) != 2 || plan.Revocations[0].Token.UUID != hIdleYear || plan.Revocations[1].Token.UUID != hAbandoned ||
		plan.Revocations[0].Findings[0].Rule != "idle-a-year" {
		t.Fatalf("plan = %+v", plan)
	}
	return path
}

// applyStatus is the result for the plan's first token, after checking
// that the second (unchanged) got the status want.
func applyStatus(t *testing.T, r result, want revoke.Status) revoke.Result {
	t.Helper()
	rep := decodeReport(t, r)
	if len(rep.Results) != 2 {
		t.Fatalf("%d results, want 2\n%s", len(rep.Results), r)
	}
	if other := rep.Results[1]; *other.Token.UUID != hAbandoned || other.Status != want {
		t.Errorf("the plan's other token: %+v, want %s", other, want)
	}
	return rep.Results[0]
}

// A plan applied as made revokes exactly its tokens, through the audit log
// and report of every revocation.
func TestRevokePlanApplies(t *testing.T) {
	h := newHygieneHarness(t, true)
	plan := makePlan(t, h)
	audit := filepath.Join(t.TempDir(), "audit.jsonl")

	dry := h.run("revoke", "--plan", plan, "--dry-run", "-o", "json")
	if res := applyStatus(t, dry, revoke.StatusDryRun); dry.code != 0 || res.Status != revoke.StatusDryRun {
		t.Fatalf("dry run: %s", dry)
	}
	if !h.srv.TokenHasOrg(hIdleYear, "hygiene") {
		t.Fatal("the dry run revoked the token")
	}

	r := h.run("revoke", "--plan", plan, "--yes", "--audit-log", audit, "-o", "json")
	res := applyStatus(t, r, revoke.StatusRevoked)
	if r.code != 0 || res.Status != revoke.StatusRevoked || *res.Token.UUID != hIdleYear || *res.Organization.Slug != "hygiene" {
		t.Fatalf("apply: %s", r)
	}
	if h.srv.TokenHasOrg(hIdleYear, "hygiene") || h.srv.RevocationCount("hygiene", hIdleYear) != 1 {
		t.Error("the planned token still has access, or was revoked more than once")
	}
	log, err := os.ReadFile(audit)
	if err != nil || strings.Count(string(log), hIdleYear) != 2 || strings.Count(string(log), hAbandoned) != 2 {
		t.Errorf("audit log (%v):\n%s", err, log)
	}

	// Applying it again: the token is gone, and nothing is sent.
	again := h.run("revoke", "--plan", plan, "--yes", "-o", "json")
	if res := applyStatus(t, again, revoke.StatusNotFound); again.code != int(exitcode.NotFound) || res.Status != revoke.StatusNotFound {
		t.Errorf("second apply: %s", again)
	}
}

// A token the plan's policy no longer condemns, or that was redescribed,
// is refused with the reason, never revoked on stale evidence.
func TestRevokePlanRefusesChangedTokens(t *testing.T) {
	tests := []struct {
		name   string
		change func(*harness)
		want   string
	}{
		{"used since", func(h *harness) {
			if resp := h.srv.Do(t, "GET", "/v2/access-token", hygieneIdleToken, nil); resp.Status != 200 {
				t.Fatalf("using the token: %d", resp.Status)
			}
		}, "the plan's policy no longer condemns it on what Buildkite shows now: the token was used since the plan was made (last used 2026-06-01T12:00:00Z, the plan saw 2025-04-27T12:00:00Z)"},
		{"description changed", func(h *harness) {
			if !h.srv.SetTokenDescription(hIdleYear, "Deploy script (still needed!)") {
				t.Fatal("no such token")
			}
		}, `its description changed (now "Deploy script (still needed!)") since the plan was made`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHygieneHarness(t, true)
			plan := makePlan(t, h)
			tt.change(h)
			r := h.run("revoke", "--plan", plan, "--yes", "-o", "json")
			res := applyStatus(t, r, revoke.StatusRevoked)
			// The other token is revoked: some revoked, some not.
			if r.code != int(exitcode.Partial) || res.Status != revoke.StatusRefused || res.Error == nil || !strings.Contains(*res.Error, tt.want) {
				t.Errorf("want refused with %q:\n%s", tt.want, r)
			}
			mustContain(t, "stderr", r.stderr, hIdleYear+": refused: ", "not revoked: run the check again")
			if !h.srv.TokenHasOrg(hIdleYear, "hygiene") || h.srv.RevocationCount("hygiene", hIdleYear) != 0 {
				t.Error("a token that changed since the plan was revoked")
			}
		})
	}
}

// A plan that was edited, is too old, or is not a plan is refused before
// anything is sent; --plan does not mix with other ways of naming tokens.
func TestRevokePlanRefusesBadPlans(t *testing.T) {
	h := newHygieneHarness(t, true)
	plan := makePlan(t, h)
	dir := t.TempDir()
	good, err := os.ReadFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	edited := filepath.Join(dir, "edited.json")
	if err := os.WriteFile(edited, []byte(strings.Replace(string(good), hIdleYear, hIdle, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	// A plan made two days ago by the same check.
	rep := decodeCheckReport(t, h.run("check", "--org", "hygiene", "--policy", hygienePolicy, "-o", "json"))
	old := filepath.Join(dir, "old.json")
	oldPlan, _ := json.Marshal(hygiene.NewPlan(rep, readPolicy(t, hygienePolicy), fixedNow.Add(-48*time.Hour)))
	if err := os.WriteFile(old, oldPlan, 0o600); err != nil {
		t.Fatal(err)
	}
	before := h.graphQLRequests()
	tests := []struct {
		name string
		args []string
		code exitcode.Code
		want string
	}{
		{"edited", []string{"--plan", edited}, exitcode.Usage, "the plan's digest does not match its content"},
		{"too old", []string{"--plan", old}, exitcode.Refused, "the plan was made 2d ago (2026-05-30T12:00:00Z), more than --max-plan-age 1d; its findings may no longer hold"},
		{"old but allowed", []string{"--plan", old, "--max-plan-age", "3d", "--dry-run"}, exitcode.OK, ""},
		{"a report", []string{"--plan", hygienePolicy}, exitcode.Usage, "not a revocation plan"},
		{"with --token", []string{"--plan", plan, "--token", hIdle}, exitcode.Usage, "--plan revokes exactly the plan's tokens"},
		{"with --org", []string{"--plan", plan, "--org", "hygiene"}, exitcode.Usage, "--plan names its organizations"},
		{"with --from-scan", []string{"--plan", plan, "--from-scan", plan}, exitcode.Usage, "--plan revokes exactly the plan's tokens"},
		{"bad max age", []string{"--plan", plan, "--max-plan-age", "soon"}, exitcode.Usage, "--max-plan-age soon:"},
		{"max age alone", []string{"--max-plan-age", "3d", "--org", "hygiene"}, exitcode.Usage, "--max-plan-age goes with --plan FILE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.run(append([]string{"revoke"}, tt.args...)...)
			if r.code != int(tt.code) || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, want %d with %q\n%s", r.code, tt.code, tt.want, r)
			}
		})
	}
	// Only "old but allowed" reads the organization: one page of tokens
	// and, as the policy judges owners, one of members.
	if n := h.graphQLRequests() - before; n != 2 {
		t.Errorf("%d GraphQL requests while refusing bad plans, want 2", n)
	}
	if !h.srv.TokenHasOrg(hIdleYear, "hygiene") || !h.srv.TokenHasOrg(hAbandoned, "hygiene") {
		t.Error("a refused plan revoked a token")
	}
}

// The token and the plan cannot both come from standard input: the plan
// would read what is left after the token, nothing.
func TestRevokePlanAndTokenBothOnStandardInput(t *testing.T) {
	h := newHygieneHarness(t, true)
	delete(h.env, "BUILDKITE_API_TOKEN")
	r := h.exec(false, hygieneToken+"\n", "revoke", "--plan", "-", "--api-token-file", "-", "--yes")
	if exitcode.Code(r.code) != exitcode.Usage {
		t.Fatalf("exit %d, want usage\n%s", r.code, r)
	}
	mustContain(t, "stderr", r.stderr, "--api-token-file - and --plan - both want standard input")
	if strings.Contains(r.stderr, hygieneToken) || h.graphQLRequests() != 0 {
		t.Errorf("echoed the token or sent requests:\n%s", r.stderr)
	}
}

// On a terminal the planned tokens are shown and the question asked, as
// for every revocation.
func TestRevokePlanConfirms(t *testing.T) {
	h := newHygieneHarness(t, true)
	plan := makePlan(t, h)
	r := h.runTTY("n\n", "revoke", "--plan", plan)
	if r.code != int(exitcode.Refused) {
		t.Fatalf("declined: %s", r)
	}
	mustContain(t, "stderr", r.stderr, "About to revoke organization hygiene's access from 2 API access token(s)", hIdleYear, "Old deploy script", hAbandoned, "Revoke 2 token(s)? [y/N]")
	if !h.srv.TokenHasOrg(hIdleYear, "hygiene") {
		t.Error("a declined plan revoked the token")
	}
	if r := h.runTTY("y\n", "revoke", "--plan", plan); r.code != 0 || h.srv.TokenHasOrg(hIdleYear, "hygiene") {
		t.Errorf("confirmed: %s", r)
	}
}
