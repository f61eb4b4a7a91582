package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/scan"
)

// A clean TruffleHog run prints nothing: piped into tokenctl, that is no
// findings and exit 0, said in one line on stderr, with nothing sent.
func TestRevokeFromScanOfNothing(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.exec(false, "", "revoke", "--all-orgs", "--from-scan", "-", "-o", "json")
	if r.code != 0 || scanReport(t, r).Scanner != scan.FormatNone || len(scanReport(t, r).Secrets) != 0 {
		t.Fatal(r)
	}
	if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "output is empty") {
		t.Errorf("stderr: %q", r.stderr)
	}
	if n := h.srv.CountRequests(func(emulator.Request) bool { return true }); n != 0 {
		t.Errorf("empty scanner output sent %d requests", n)
	}
}

// A redacted report is refused (exit 2) before any request: its values
// cannot be turned into tokens.
func TestRevokeFromScanRefusesRedactedReports(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	redacted := `[{"RuleID":"generic-api-key","Secret":"REDACTED","Match":"BUILDKITE_API_TOKEN=REDACTED","File":"ci/deploy.log","StartLine":12}]`
	r := h.exec(false, redacted, "revoke", "--org", "acme", "--from-scan", "-")
	if r.code != 2 || !strings.Contains(r.stderr, "redacted") || !strings.Contains(r.stderr, "gitleaks --redact") {
		t.Fatal(r)
	}
	if n := h.srv.CountRequests(func(emulator.Request) bool { return true }); n != 0 {
		t.Errorf("a redacted report sent %d requests", n)
	}
}

// A Buildkite detector's finding is trusted whatever the value's shape
// among those Buildkite could have issued: TruffleHog's older detector
// reports 40 characters without the bkua_ prefix, and a bkua_ value may be
// longer or mixed-case. Each is revoked.
func TestRevokeFromScanTrustsTheDetector(t *testing.T) {
	fx := emulator.DemoFixture()
	bare := "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567" // made before the prefix existed
	long := "bkua_" + strings.Repeat("HackAthon", 5) + "x3Yz"
	for i := range fx.Tokens {
		switch fx.Tokens[i].UUID {
		case et.CIDeployBotUUID:
			fx.Tokens[i].Value = bare
		case et.HackathonTokenUUID:
			fx.Tokens[i].Value = long
		}
	}
	h := newHarness(t, emulator.Options{Fixture: fx})
	findings := filepath.Join(t.TempDir(), "trufflehog.jsonl")
	lines := `{"SourceMetadata":{"Data":{"Filesystem":{"file":"ci/deploy.log","line":12}}},"DetectorName":"Buildkite","DetectorDescription":"Buildkite is a platform for running fast, secure, and scalable continuous integration pipelines.","Verified":true,"Raw":"` + bare + `","RawV2":"","Redacted":""}` + "\n" +
		`{"SourceMetadata":{"Data":{"Filesystem":{"file":"scripts/hack.sh","line":7}}},"DetectorName":"Buildkite","Verified":true,"Raw":"` + long + `","RawV2":"","Redacted":""}` + "\n"
	if err := os.WriteFile(findings, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	r := h.run("revoke", "--org", "acme", "--from-scan", findings, "--yes", "-o", "json")
	rep := scanReport(t, r)
	if r.code != 0 || rep.Ignored != 0 || len(rep.Secrets) != 2 {
		t.Fatalf("report %+v\n%s", rep, r)
	}
	for i, uuid := range []string{et.CIDeployBotUUID, et.HackathonTokenUUID} {
		if s := rep.Secrets[i]; s.Token == nil || s.Token.UUID != uuid || s.Status != "revoked" {
			t.Errorf("secret %d: %+v", i, s)
		}
	}
	for _, v := range []string{bare, long} {
		if strings.Contains(r.stdout+r.stderr, v) {
			t.Error("a scanned value was printed")
		}
	}
}

// ggshield, Nosey Parker, Kingfisher and betterleaks reports of the same
// findings revoke the same tokens.
func TestRevokeFromOtherScanners(t *testing.T) {
	for _, name := range []string{"ggshield.json", "noseyparker.json", "kingfisher.json", "betterleaks.json"} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, emulator.Options{})
			r := h.run("revoke", "--org", "acme", "--from-scan", filepath.Join("..", "scan", "testdata", name), "--yes", "-o", "json")
			rep := scanReport(t, r)
			if r.code != 0 || rep.Ignored != 1 || len(rep.Secrets) != 3 || rep.Summary.Revoked != 2 || rep.Summary.NotFound != 1 {
				t.Fatalf("report %+v\n%s", rep.Summary, r)
			}
			noValues(t, "output", r.stdout+r.stderr)
		})
	}
}
