package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/hygiene"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// Tokens of the hygiene fixture's owners.
const (
	hGraphQLExplorer = "c1000000-0000-4000-8000-00000000000b" // Mo's GraphQL access; Mo is a member
	hLeaverToken     = "c1000000-0000-4000-8000-000000000009" // Len's, last seen 400 days ago
)

func readPolicy(t *testing.T, path string) *hygiene.Policy {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := hygiene.ParsePolicy(data, path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// planWith runs the check with policy and --plan-out and returns the plan's
// path, after checking it plans exactly want.
func planWith(t *testing.T, h *harness, policy string, want ...string) string {
	t.Helper()
	dir := t.TempDir()
	policyFile := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(policyFile, []byte(policy), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "plan.json")
	if r := h.run("check", "--org", "hygiene", "--policy", policyFile, "--plan-out", path, "-o", "json"); r.code != int(exitcode.Findings) {
		t.Fatalf("check --plan-out: %s", r)
	}
	plan := readPlanFile(t, path)
	var got []string
	for _, r := range plan.Revocations {
		got = append(got, r.Token.UUID)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("planned %v, want %v", got, want)
	}
	return path
}

func readPlanFile(t *testing.T, path string) hygiene.Plan {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var plan hygiene.Plan
	if err := json.Unmarshal(data, &plan); err != nil {
		t.Fatal(err)
	}
	return plan
}

// onlyResult is the report's single result.
func onlyResult(t *testing.T, r result) revoke.Result {
	t.Helper()
	rep := decodeReport(t, r)
	if len(rep.Results) != 1 {
		t.Fatalf("%d results, want 1\n%s", len(rep.Results), r)
	}
	return rep.Results[0]
}

// A plan is judged again, with its own policy, on what Buildkite shows
// when it is applied: a token planned because of its owner's role or
// absence is refused once that no longer holds, with the reason.
func TestRevokePlanJudgesOwnersAgain(t *testing.T) {
	tests := []struct {
		name, policy, token string
		change              func(*emulator.Server) bool
		want                string
	}{
		{"owner made an administrator", "version: 1\nrules:\n  - {rule: owner-not-admin, severity: revoke}\n", hGraphQLExplorer,
			func(s *emulator.Server) bool {
				return s.SetMemberRole("hygiene", "mo@hygiene.example", emulator.RoleAdmin)
			},
			"its owner is now an administrator"},
		{"owner seen again", "version: 1\nrules:\n  - {rule: owner-inactive, after: 180d, severity: revoke}\n", hLeaverToken,
			func(s *emulator.Server) bool { return s.SetMemberLastSeen("hygiene", "len@hygiene.example", fixedNow) },
			"its owner was seen in the organization since (last seen 2026-06-01T12:00:00Z)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHygieneHarness(t, true)
			plan := planWith(t, h, tt.policy, tt.token)
			if !tt.change(h.srv.Server) {
				t.Fatal("no such member")
			}
			r := h.run("revoke", "--plan", plan, "--yes", "-o", "json")
			res := onlyResult(t, r)
			if r.code != int(exitcode.Refused) || res.Status != revoke.StatusRefused || res.Error == nil ||
				!strings.Contains(*res.Error, "the plan's policy no longer condemns it on what Buildkite shows now: "+tt.want) {
				t.Errorf("want refused with %q:\n%s", tt.want, r)
			}
			if !h.srv.TokenHasOrg(tt.token, "hygiene") {
				t.Error("a token its policy no longer condemns was revoked")
			}
		})
	}

	// Unchanged, the same plan revokes.
	h := newHygieneHarness(t, true)
	plan := planWith(t, h, tests[0].policy, hGraphQLExplorer)
	if r := h.run("revoke", "--plan", plan, "--yes", "-o", "json"); r.code != 0 || onlyResult(t, r).Status != revoke.StatusRevoked || h.srv.TokenHasOrg(hGraphQLExplorer, "hygiene") {
		t.Errorf("an unchanged plan: %s", r)
	}
}

// A plan edited by hand, its digest recomputed (it is an unkeyed
// checksum), names a token its policy does not condemn: the token is
// refused, the plan's other tokens revoked.
func TestRevokePlanEditedByHandCannotRevokeMore(t *testing.T) {
	h := newHygieneHarness(t, true)
	path := makePlan(t, h)
	plan := readPlanFile(t, path)
	// The token as the check shows it (idle four months: a warning only),
	// with the planned token's finding.
	rep := decodeCheckReport(t, h.run("check", "--org", "hygiene", "--policy", hygienePolicy, "-o", "json"))
	added := plan.Revocations[0]
	for _, f := range rep.Findings {
		if f.Token.UUID == hIdle {
			added.Token = hygiene.PlannedToken{ID: f.Token.ID, UUID: hIdle, Description: f.Token.Description, LastAccessedAt: f.Token.LastAccessedAt, ExpiresAt: f.Token.ExpiresAt}
		}
	}
	if added.Token.UUID != hIdle {
		t.Fatal("the check reports nothing of the idle token")
	}
	plan.Revocations = append(plan.Revocations, added)
	plan.Digest = ""
	canonical, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(canonical)
	plan.Digest = "sha256:" + hex.EncodeToString(sum[:])
	edited, _ := json.Marshal(plan)
	if err := os.WriteFile(path, edited, 0o600); err != nil {
		t.Fatal(err)
	}

	r := h.run("revoke", "--plan", path, "--yes", "-o", "json")
	rr := decodeReport(t, r)
	if r.code != int(exitcode.Partial) || len(rr.Results) != 3 {
		t.Fatalf("exit %d, want partial, 3 results\n%s", r.code, r)
	}
	for _, res := range rr.Results {
		want := revoke.StatusRevoked
		if *res.Token.UUID == hIdle {
			want = revoke.StatusRefused
			if res.Error == nil || !strings.Contains(*res.Error, "the plan's policy no longer condemns it") {
				t.Errorf("refusal: %+v", res)
			}
		}
		if res.Status != want {
			t.Errorf("%s: %s, want %s", *res.Token.UUID, res.Status, want)
		}
	}
	if !h.srv.TokenHasOrg(hIdle, "hygiene") {
		t.Error("a token added to the plan by hand was revoked")
	}
}
