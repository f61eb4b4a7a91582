package orgsettings_test

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/orgsettings"
)

// A refusal whose message repeats the credential (here a 403 for a token
// without the write scope) is recorded in the audit log without it.
func TestApplyAuditLogNeverHoldsTheEchoedToken(t *testing.T) {
	srv, err := emulator.New(emulator.Options{Fixture: emulatortest.SettingsFixture(t), Settings: emulator.SettingsQuirks{EchoCredential: true}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	c := buildkite.New(buildkite.Config{GraphQLEndpoint: hs.URL + "/v1", RESTEndpoint: hs.URL, Token: emulatortest.SettingsReadToken})
	before := read(t, c, "acme")
	restrict := true
	ch, err := orgsettings.PlanChange(before, orgsettings.Request{RestrictTokenCreation: &restrict})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	log, err := audit.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	_, applyErr := orgsettings.Apply(t.Context(), c, log, ch, orgsettingsCaller)
	_ = log.Close()
	// The emulator echoed the credential; the transport took it out of
	// the answer before any error was made from it.
	if applyErr == nil || !strings.Contains(applyErr.Error(), "request authorized by") {
		t.Fatalf("the emulator did not echo the credential: %v", applyErr)
	}
	if strings.Contains(applyErr.Error(), emulatortest.SettingsReadToken) {
		t.Errorf("the error repeats the credential: %v", applyErr)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), emulatortest.SettingsReadToken) || !strings.Contains(string(data), `"result":"failed"`) {
		t.Errorf("audit log:\n%s", data)
	}
}
