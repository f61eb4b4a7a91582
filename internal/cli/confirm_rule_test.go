package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

// When nobody can be asked, every way in that selects tokens rather than
// naming each one needs --yes, with the one exit status of a missing
// --yes (2: nothing was attempted), and nothing sent; every way in that
// names each token goes ahead without it.
func TestNeedsYesWhereNobodyCanBeAsked(t *testing.T) {
	fx := et.MultiOrgFixture(t)
	value := fixtureValue(t, fx, et.SharedCITokenUUID)
	valueFile := leakedValueFile(t, value)
	listFile := filepath.Join(t.TempDir(), "tokens.txt")
	if err := os.WriteFile(listFile, []byte(et.SharedCITokenUUID+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	selections := map[string][]string{
		"filters":                {"revoke", "--org", "acme", "--stale", "1d"},
		"--from-scan":            {"revoke", "--org", "acme", "--from-scan", truffleHogLines(t, value)},
		"--all-orgs":             {"revoke", "--all-orgs", "--token-value-file", valueFile},
		"--from-scan --all-orgs": {"revoke", "--all-orgs", "--from-scan", truffleHogLines(t, value)},
	}
	for name, args := range selections {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, emulator.Options{Fixture: fx})
			h.env["BUILDKITE_API_TOKEN"] = et.MultiOrgToken
			r := h.runLeaked(value, false, "", args...)
			if r.code != int(exitcode.Usage) || !strings.Contains(r.stderr, "then pass --yes") {
				t.Fatalf("exit %d, want %d (needs --yes)\n%s", r.code, exitcode.Usage, r)
			}
			if n := h.srv.CountRequests(func(emulator.Request) bool { return true }); n != 0 {
				t.Errorf("%d requests sent before the refusal", n)
			}
		})
	}

	t.Run("--plan", func(t *testing.T) {
		h := newHygieneHarness(t, true)
		plan := makePlan(t, h)
		h.srv.ResetRequests()
		r := h.run("revoke", "--plan", plan)
		if r.code != int(exitcode.Usage) || !strings.Contains(r.stderr, "then pass --yes") || h.requests(revokeMutation) != 0 {
			t.Fatalf("exit %d, want %d (needs --yes)\n%s", r.code, exitcode.Usage, r)
		}
	})

	named := map[string][]string{
		"--token":                  {"revoke", "--org", "acme", "--token", et.SharedCITokenUUID},
		"--from-file":              {"revoke", "--org", "acme", "--from-file", listFile},
		"--token-value-file --org": {"revoke", "--org", "acme", "--org", "globex", "--token-value-file", valueFile},
	}
	for name, args := range named {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, emulator.Options{Fixture: fx})
			h.env["BUILDKITE_API_TOKEN"] = et.MultiOrgToken
			r := h.runLeaked(value, false, "", args...)
			if r.code != 0 || h.srv.TokenHasOrg(et.SharedCITokenUUID, "acme") {
				t.Fatalf("a token named one by one was not revoked without --yes\n%s", r)
			}
		})
	}
}
