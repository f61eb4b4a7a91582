package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

func TestPolicyShowWhatIf(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("policy", "show", "--org", "acme", "--what-if", "30d", "-o", "json")
	if r.code != 0 {
		t.Fatal(r)
	}
	var rep document.RevocationSetting
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	w := rep.WhatIf
	if w == nil || w.RevokeInactiveTokensAfter != "DAYS_30" || w.PeriodDays == nil || *w.PeriodDays != 30 {
		t.Fatalf("whatIf: %+v", w)
	}
	// The demo seed, 30 days: the 90-day policy's three, plus the release
	// scripts (40 days), Ada's analytics uploader... every token unused for
	// 30 days or more.
	got := map[string]bool{}
	for _, tok := range w.Tokens {
		if !tok.Due {
			t.Errorf("%s is listed but not due", tok.UUID)
		}
		got[tok.UUID] = true
	}
	for _, uuid := range []string{et.CIDeployBotUUID, et.OldLaptopTokenUUID, et.HackathonTokenUUID, et.ExpiredTokenUUID} {
		if !got[uuid] {
			t.Errorf("%s missing from the 30-day what-if: %v", uuid, got)
		}
	}
	for _, uuid := range []string{et.TerraformTokenUUID, et.DemoTokenUUID} {
		if got[uuid] {
			t.Errorf("recently used %s is in the what-if", uuid)
		}
	}
	if w.NewlyTaken != len(w.Tokens)-len(rep.Tokens) || w.NewlyTaken == 0 {
		t.Errorf("newlyTaken %d, what-if %d, current %d", w.NewlyTaken, len(w.Tokens), len(rep.Tokens))
	}

	r = h.run("policy", "show", "--org", "acme", "--what-if", "30d")
	if r.code != 0 {
		t.Fatal(r)
	}
	mustContain(t, "table", r.stdout, "(DAYS_90). 3 token(s) past the period.", "With DAYS_30, ", "would be revoked today", et.ExpiredTokenUUID)

	// Without --what-if the document is as it was: no whatIf field.
	r = h.run("policy", "show", "--org", "acme", "-o", "json")
	if strings.Contains(r.stdout, "whatIf") {
		t.Errorf("whatIf without --what-if:\n%s", r.stdout)
	}
	for _, bad := range []string{"45d", "soon"} {
		if r := h.run("policy", "show", "--org", "acme", "--what-if", bad); r.code != 2 || !strings.Contains(r.stderr, "--what-if") {
			t.Errorf("--what-if %s: %s", bad, r)
		}
	}
}

func policyPeriod(t *testing.T, h *harness, org string) string {
	t.Helper()
	r := h.run("policy", "show", "--org", org, "--jq", ".revokeInactiveTokensAfter")
	if r.code != 0 {
		t.Fatal(r)
	}
	return strings.TrimSpace(r.stdout)
}

func TestPolicySet(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	auditLog := filepath.Join(t.TempDir(), "audit.jsonl")

	// Without a terminal it needs --yes, and says so before sending anything.
	r := h.run("policy", "set", "--org", "acme", "--revoke-inactive-after", "30d")
	if r.code != 2 || !strings.Contains(r.stderr, "--dry-run, then pass --yes") || h.graphQLRequests() != 0 {
		t.Fatal(r)
	}

	r = h.run("policy", "set", "--org", "acme", "--revoke-inactive-after", "30d", "--dry-run", "-o", "json")
	if r.code != 0 {
		t.Fatal(r)
	}
	var rep document.RevocationSettingChange
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Status != "dry-run" || rep.From == nil || *rep.From != "DAYS_90" || rep.To != "DAYS_30" || rep.WhatIf == nil || len(rep.WhatIf.Tokens) == 0 {
		t.Fatalf("dry run: %+v", rep)
	}
	if p := policyPeriod(t, h, "acme"); p != "DAYS_90" || h.requests("UpdateRevokeInactiveTokensAfter") != 0 {
		t.Fatalf("a dry run changed the policy to %s", p)
	}

	// On a terminal: the what-if, then the question.
	r = h.runTTY("n\n", "policy", "set", "--org", "acme", "--revoke-inactive-after", "30d")
	if r.code != 5 || h.requests("UpdateRevokeInactiveTokensAfter") != 0 {
		t.Fatal(r)
	}
	mustContain(t, "stderr", r.stderr, "from DAYS_90 to DAYS_30", "With DAYS_30, ", "Set it to DAYS_30? [y/N]")

	r = h.run("policy", "set", "--org", "acme", "--revoke-inactive-after", "30d", "--yes", "--audit-log", auditLog, "-o", "json")
	if r.code != 0 {
		t.Fatal(r)
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.Status != "updated" || rep.ClientMutationID == nil {
		t.Fatalf("%+v %v", rep, err)
	}
	if p := policyPeriod(t, h, "acme"); p != "DAYS_30" {
		t.Errorf("after the change the policy is %s", p)
	}
	log := readFile(t, auditLog)
	mustContain(t, "audit log", log, `"event":"intent"`, `"event":"outcome"`, `"action":"organizationRevokeInactiveTokensAfterUpdate"`,
		`"setting":{"name":"revokeInactiveTokensAfter","from":"DAYS_90","to":"DAYS_30"}`, `"result":"updated"`, `"tokenUuid":"`+et.DemoTokenUUID+`"`)

	// Again: nothing to change, nothing sent.
	before := h.requests("UpdateRevokeInactiveTokensAfter")
	r = h.run("policy", "set", "--org", "acme", "--revoke-inactive-after", "DAYS_30", "--yes", "-o", "json", "--jq", ".status")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "unchanged" || h.requests("UpdateRevokeInactiveTokensAfter") != before {
		t.Fatal(r)
	}
	if r := h.run("policy", "set", "--org", "acme", "--revoke-inactive-after", "never", "--yes"); r.code != 0 || policyPeriod(t, h, "acme") != "NEVER" {
		t.Fatal(r)
	}
}

func TestPolicySetWithoutTheFeature(t *testing.T) {
	for _, w := range emulator.ErrorWordings {
		h := newHarness(t, emulator.Options{ErrorWording: w})
		h.env["BUILDKITE_API_TOKEN"] = et.GlobexAdminToken
		auditLog := filepath.Join(t.TempDir(), "audit.jsonl")
		r := h.run("policy", "set", "--org", "globex", "--revoke-inactive-after", "90d", "--yes", "--audit-log", auditLog)
		if r.code != 3 || r.stdout != "" {
			t.Fatalf("%s: %s", w, r)
		}
		if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "plan may not include the feature") {
			t.Errorf("%s: want one line:\n%s", w, r.stderr)
		}
		mustContain(t, "audit log", readFile(t, auditLog), `"result":"failed"`)
		if p := policyPeriod(t, h, "globex"); p != "null" {
			t.Errorf("%s: globex's policy changed to %s", w, p)
		}
	}
}
