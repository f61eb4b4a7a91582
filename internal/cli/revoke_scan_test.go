package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/cli/clitest"
	revokeCmd "github.com/tokenctl/tokenctl/internal/cli/revoke"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/scan"
)

// The scanner fixtures: the CI deploy bot's value found twice, the
// Hackathon token's once, the revoked "Leaked in CI logs" value, and one
// finding that is not a Buildkite token.
var (
	truffleHogFindings = filepath.Join("..", "scan", "testdata", "trufflehog.jsonl")
	gitleaksFindings   = filepath.Join("..", "scan", "testdata", "gitleaks.json")
)

func scanReport(t *testing.T, r result) revokeCmd.ScanReport {
	t.Helper()
	var rep revokeCmd.ScanReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	return rep
}

func noValues(t *testing.T, what, s string) {
	t.Helper()
	for _, v := range []string{et.CIDeployBotToken, "bkua_hackathon", et.RevokedToken, "AKIAIOSFODNN7EXAMPLE"} {
		if strings.Contains(s, v) {
			t.Errorf("%s contains a scanned secret value:\n%s", what, s)
		}
	}
}

func TestRevokeFromScanInOneOrganization(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	auditLog := filepath.Join(t.TempDir(), "audit.jsonl")
	r := h.run("revoke", "--org", "acme", "--from-scan", truffleHogFindings, "--yes", "--audit-log", auditLog, "-o", "json")
	if r.code != 0 {
		t.Fatal(r)
	}
	rep := scanReport(t, r)
	if rep.Scanner != scan.FormatTruffleHog || rep.Ignored != 1 || len(rep.Secrets) != 3 {
		t.Fatalf("report: %+v", rep)
	}
	want := []struct {
		token, status string
		locations     int
	}{
		{et.CIDeployBotUUID, "revoked", 2},
		{et.HackathonTokenUUID, "revoked", 1},
		{"", "not-found", 1},
	}
	for i, w := range want {
		s := rep.Secrets[i]
		uuid := ""
		if s.Token != nil {
			uuid = s.Token.UUID
		}
		if uuid != w.token || s.Status != w.status || len(s.Locations) != w.locations || s.Fingerprint != scan.Fingerprint([]string{et.CIDeployBotToken, "bkua_hackathon0000000000000000000000000000000", et.RevokedToken}[i]) {
			t.Errorf("secret %d: %+v", i, s)
		}
	}
	if got := rep.Summary; got.Secrets != 3 || got.Revoked != 2 || got.NotFound != 1 {
		t.Errorf("summary %+v", got)
	}
	if h.srv.TokenHasOrg(et.CIDeployBotUUID, "acme") || !h.srv.TokenHasOrg(et.CIDeployBotUUID, "globex") || h.srv.TokenHasOrg(et.HackathonTokenUUID, "acme") {
		t.Error("the emulator's state does not match the report")
	}
	noValues(t, "stdout", r.stdout)
	noValues(t, "stderr", r.stderr)
	noValues(t, "audit log", readFile(t, auditLog))

	// Again: the live tokens are no longer in acme (not-found, exit 4);
	// the dead value changes nothing.
	r = h.run("revoke", "--org", "acme", "--from-scan", truffleHogFindings, "--yes", "-o", "json")
	if r.code != 4 {
		t.Fatal(r)
	}
	if got := scanReport(t, r).Summary; got.NotFound != 3 || got.Revoked != 0 {
		t.Errorf("second run: %+v", got)
	}
	// --ignore-missing: nothing left to do is success, and nothing claims
	// to be revoked.
	r = h.run("revoke", "--org", "acme", "--from-scan", truffleHogFindings, "--yes", "-o", "json", "--ignore-missing")
	if r.code != 0 || scanReport(t, r).Summary.Revoked != 0 {
		t.Fatal(r)
	}
}

func TestRevokeFromScanAllOrgs(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("revoke", "--all-orgs", "--yes", "--from-scan", gitleaksFindings, "-o", "json")
	// globex, where the demo caller is only a member, could not be
	// looked in: incomplete.
	if exitcode.Code(r.code) != exitcode.Incomplete {
		t.Fatal(r)
	}
	rep := scanReport(t, r)
	ci := rep.Secrets[0]
	// Ada belongs to acme and globex, but tokenctl's own token was granted
	// acme only: the CI deploy bot keeps globex, which is reported as not
	// checked (not missed: nothing can be done there with this token).
	if rep.Scanner != scan.FormatGitleaks || ci.Status != "revoked" || len(ci.Results) != 1 || *ci.Results[0].Organization.Slug != "acme" ||
		len(ci.NotChecked) != 1 || deref(ci.NotChecked[0].Organization.Slug) != "globex" || ci.NotListed == nil || *ci.NotListed != 0 {
		t.Fatalf("CI deploy bot: %+v", ci)
	}
	if h.srv.TokenHasOrg(et.CIDeployBotUUID, "acme") || !h.srv.TokenHasOrg(et.CIDeployBotUUID, "globex") {
		t.Error("the emulator's state does not match the report")
	}
	noValues(t, "stdout", r.stdout)
}

// A secret revoked from every organization Buildkite listed, when it
// counted more than it listed, leaves the run incomplete (exit 9), as
// --token-value-file --all-orgs does.
func TestRevokeFromScanAllOrgsIncomplete(t *testing.T) {
	h, value := manyOrgsHarness(t, emulator.Options{MaxViewerOrganizations: 40})
	findings := clitest.WritePrivateFile(t, t.TempDir(), "scan.jsonl",
		`{"SourceMetadata":{"Data":{"Filesystem":{"file":"ci.log","line":1}}},"DetectorName":"Buildkite","Raw":"`+value+`"}`+"\n")
	r := h.run("revoke", "--all-orgs", "--yes", "--from-scan", findings, "-o", "json")
	if exitcode.Code(r.code) != exitcode.Incomplete {
		t.Fatalf("exit %d, want %d (incomplete)\n%s", r.code, exitcode.Incomplete, r)
	}
	s := scanReport(t, r).Secrets[0]
	if s.Status != "revoked" || len(s.Results) != 2 || s.NotListed == nil || *s.NotListed != et.ManyOrgsCount-80 {
		t.Errorf("secret: status %s, %d results, notListed %v; want revoked from 2, %d not listed", s.Status, len(s.Results), s.NotListed, et.ManyOrgsCount-80)
	}
	mustContain(t, "stderr", r.stderr, "Buildkite counts 26 more organization(s) of yours than it listed")
	noValues(t, "stdout", r.stdout)
}

func TestRevokeFromScanEverywhere(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("revoke", "--everywhere", "--from-scan", truffleHogFindings)
	if r.code != int(exitcode.Usage) || !strings.Contains(r.stderr, "pass --yes") {
		t.Fatal(r)
	}
	if n := h.srv.CountRequests(func(emulator.Request) bool { return true }); n != 0 {
		t.Errorf("a refused run sent %d requests", n)
	}

	r = h.run("revoke", "--everywhere", "--from-scan", truffleHogFindings, "--dry-run", "-o", "json")
	if r.code != 0 || scanReport(t, r).Summary.DryRun != 2 || h.srv.TokenRevoked(et.CIDeployBotUUID) {
		t.Fatal(r)
	}

	r = h.run("revoke", "--everywhere", "--from-scan", truffleHogFindings, "--yes")
	if r.code != 0 {
		t.Fatal(r)
	}
	if !h.srv.TokenRevoked(et.CIDeployBotUUID) || !h.srv.TokenRevoked(et.HackathonTokenUUID) {
		t.Error("the tokens were not deleted")
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 4 {
		t.Fatalf("want a header and three secrets:\n%s", r.stdout)
	}
	mustContain(t, "CI row", lines[1], scan.Fingerprint(et.CIDeployBotToken), et.CIDeployBotUUID, "delete everywhere", "revoked", "ci/deploy.log:12@4f2a9c1e8b7d", "(+1 more)")
	mustContain(t, "dead row", lines[3], "none: already dead", "not-found", "old/notes.md:40")
	noValues(t, "stdout", r.stdout)
}

func TestRevokeFromScanBadInput(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	dir := t.TempDir()
	notScan := filepath.Join(dir, "leaked.txt")
	if err := os.WriteFile(notScan, []byte(et.CIDeployBotToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--org", "acme", "--from-scan", notScan}, "neither TruffleHog JSON lines"},
		{[]string{"--org", "acme", "--from-scan", truffleHogFindings, "--token-value-file", notScan}, "mutually exclusive"},
		{[]string{"--org", "acme", "--from-scan", truffleHogFindings, "--token", et.CIDeployBotUUID}, "do not combine"},
		{[]string{"--org", "acme", "--from-scan", truffleHogFindings, "--all-orgs"}, "drop --org"},
		{[]string{"--from-scan", filepath.Join(dir, "missing.json"), "--all-orgs"}, "cannot read it"},
	} {
		r := h.run(append([]string{"revoke"}, tt.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: %s", tt.args, r)
		}
		noValues(t, "stderr", r.stderr)
	}
	if n := h.srv.CountRequests(func(emulator.Request) bool { return true }); n != 0 {
		t.Errorf("bad input sent %d requests", n)
	}

	// Scanner output without a Buildkite token: nothing to do, said once.
	r := h.exec(false, `[{"RuleID":"github-pat","Secret":"ghp_x","File":"a","StartLine":1}]`, "revoke", "--org", "acme", "--from-scan", "-", "-o", "json")
	if r.code != 0 || scanReport(t, r).Ignored != 1 || !strings.Contains(r.stderr, "no Buildkite API access token") {
		t.Fatal(r)
	}
}

// The leaked-token drill of docs/guides/leaked-token.md (also .ci/drill.sh, run by `make drill`):
// scanner findings in, revocation with an audit log, Buildkite's audit log
// confirming every revocation.
func TestLeakedTokenDrill(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	auditLog := filepath.Join(t.TempDir(), "audit.jsonl")
	for _, findings := range []string{gitleaksFindings, truffleHogFindings} {
		if r := h.run("revoke", "--org", "acme", "--from-scan", findings, "--yes", "--audit-log", auditLog); r.code != 0 && r.code != 4 {
			t.Fatal(r)
		}
	}
	// The emulator's clock is fixed and the audit log's is not: the window
	// is given.
	r := h.run("history", "--org", "acme", "--reconcile", auditLog, "--since", "1d", "--jq", `.summary | "\(.confirmed) \(.missing) \(.elsewhere)"`)
	if r.code != 0 || strings.TrimSpace(r.stdout) != "2 0 0" {
		t.Fatal(r)
	}
}
