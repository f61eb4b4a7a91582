package cli

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/cli/clitest"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/iostreams"
)

// truffleHogLines is TruffleHog output finding each value, in order.
func truffleHogLines(t *testing.T, values ...string) string {
	t.Helper()
	var b strings.Builder
	for i, v := range values {
		b.WriteString(`{"SourceMetadata":{"Data":{"Filesystem":{"file":"ci.log","line":` + string(rune('1'+i)) + `}}},"DetectorName":"Buildkite","Raw":"` + v + `"}` + "\n")
	}
	return clitest.WritePrivateFile(t, t.TempDir(), "scan.jsonl", b.String())
}

// With --allow-self, tokenctl's own secret is revoked last in the whole
// run, wherever the scanner found it: every other secret is revoked
// first, while the credential still works.
func TestRevokeFromScanOwnTokenLast(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	// Ada's Terraform token, whose value a scanner knows, is tokenctl's.
	const own, ownUUID = "bkua_terraform0000000000000000000000000000000", "33333333-3333-4333-8333-333333333333"
	h.env["BUILDKITE_API_TOKEN"] = own
	findings := truffleHogLines(t, own, et.CIDeployBotToken)
	auditLog := filepath.Join(t.TempDir(), "audit.jsonl")
	r := h.run("revoke", "--org", "acme", "--from-scan", findings, "--allow-self", "--yes", "--audit-log", auditLog, "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0: the own token first cut the run short\n%s", r.code, r)
	}
	rep := scanReport(t, r)
	if len(rep.Secrets) != 2 || rep.Secrets[0].Status != "revoked" || rep.Secrets[1].Status != "revoked" {
		t.Fatalf("secrets: %+v", rep.Secrets)
	}
	if h.srv.TokenHasOrg(et.CIDeployBotUUID, "acme") || h.srv.TokenHasOrg(ownUUID, "acme") {
		t.Error("a token still has access to acme")
	}
	recs := readAudit(t, auditLog, own)
	var intents []string
	for _, rec := range recs {
		if rec.Event == audit.EventIntent {
			intents = append(intents, rec.Token.UUID)
		}
	}
	if len(intents) != 2 || intents[1] != ownUUID {
		t.Errorf("revocations intended in the order %v; want the own token (%s) last", intents, ownUUID)
	}
}

// One organization's unknown failure does not stop --from-scan --all-orgs:
// each secret is revoked where the caller administers, the organization is
// not checked with its cause, and the run is incomplete.
func TestRevokeFromScanIsolatesAnOrganizationThatFails(t *testing.T) {
	h := untypedHarness(t)
	value := fixtureValue(t, et.MultiOrgFixture(t), et.SharedCITokenUUID)
	r := h.runLeaked(value, false, "", "revoke", "--all-orgs", "--yes", "--from-scan", truffleHogLines(t, value), "-o", "json")
	if r.code != int(exitcode.Incomplete) {
		t.Fatalf("exit %d, want %d\n%s", r.code, exitcode.Incomplete, r)
	}
	s := scanReport(t, r).Secrets[0]
	if s.Status != "revoked" || len(s.Results) != 2 || len(s.NotChecked) != 1 || s.NotChecked[0].Cause != "error" {
		t.Errorf("secret: %+v", s)
	}
	if h.srv.TokenHasOrg(et.SharedCITokenUUID, "acme") || h.srv.TokenHasOrg(et.SharedCITokenUUID, "globex") {
		t.Error("Shared CI still has access where the caller administers")
	}
}

// The ACTION column of an organization revocation never says "delete
// everywhere", however the run ended: declined, or done.
func TestRevokeFromScanActionOfAnOrganizationRun(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.runTTY("n\n", "revoke", "--org", "acme", "--from-scan", truffleHogFindings)
	if r.code != int(exitcode.Refused) || h.requests(revokeMutation) != 0 {
		t.Fatalf("declined: exit %d\n%s", r.code, r)
	}
	if strings.Contains(r.stdout, "delete everywhere") {
		t.Errorf("a declined organization run's table says delete everywhere:\n%s", r.stdout)
	}
	r = h.run("revoke", "--org", "acme", "--from-scan", truffleHogFindings, "--yes")
	if r.code != 0 || strings.Contains(r.stdout, "delete everywhere") {
		t.Errorf("an organization run's table says delete everywhere:\n%s", r)
	}
	mustContain(t, "table", r.stdout, "revoke from acme")
}

// A terminal to ask on is found even when standard input is a pipe (the
// scanner's output): the person is asked there, and a no sends nothing.
// Nobody to ask at all: a scan needs --yes, and nothing is sent.
func TestRevokeFromScanAsksOnTheControllingTerminal(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	data := readFile(t, truffleHogFindings)
	var shown strings.Builder
	r := h.execWith(func(ios *iostreams.IOStreams) {
		ios.SetTTY(false, true, true)
		ios.SetTerminal(&fakeTerminal{answer: strings.NewReader("n\n"), shown: &shown})
	}, data, "revoke", "--all-orgs", "--from-scan", "-")
	if r.code != int(exitcode.Refused) || h.requests(revokeMutation) != 0 {
		t.Fatalf("answered no on the terminal: exit %d, %d sent\n%s", r.code, h.requests(revokeMutation), r)
	}
	mustContain(t, "question", r.stderr+shown.String(), "[y/N]")

	h.srv.ResetRequests()
	r = h.exec(false, data, "revoke", "--all-orgs", "--from-scan", "-")
	if r.code != int(exitcode.Usage) || !strings.Contains(r.stderr, "--yes") || h.srv.CountRequests(func(emulator.Request) bool { return true }) != 0 {
		t.Errorf("nobody to ask, no --yes: want exit 2 before any request\n%s", r)
	}
	// Exact tokens keep working in scripts.
	r = h.run("revoke", "--org", "acme", "--token", et.HackathonTokenUUID)
	if r.code != 0 {
		t.Errorf("--token in a script: %s", r)
	}
}

// Ctrl-C at the question ends the run at once: exit 130, nothing sent.
func TestCtrlCAtTheQuestion(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.ctx = ctx
	pr, pw := io.Pipe()
	defer pw.Close()
	asked := &cancelOnQuestion{cancel: cancel}
	r := h.execWith(func(ios *iostreams.IOStreams) {
		ios.SetTTY(true, true, false)
		ios.In = pr
		ios.SetTerminal(asked)
	}, "", "revoke", "--org", "acme", "--token", et.OldLaptopTokenUUID)
	if r.code != int(exitcode.Interrupted) || h.requests(revokeMutation) != 0 || !h.srv.TokenHasOrg(et.OldLaptopTokenUUID, "acme") {
		t.Fatalf("Ctrl-C at the question: exit %d, %d sent\n%s", r.code, h.requests(revokeMutation), r)
	}
	mustContain(t, "stderr", r.stderr, "interrupted at the question: nothing was revoked")
}

// fakeTerminal is a controlling terminal: questions written to shown,
// answers read from answer.
type fakeTerminal struct {
	answer io.Reader
	shown  *strings.Builder
}

func (f *fakeTerminal) Read(p []byte) (int, error)  { return f.answer.Read(p) }
func (f *fakeTerminal) Write(p []byte) (int, error) { return f.shown.Write(p) }

// cancelOnQuestion plays Ctrl-C as soon as a question is shown.
type cancelOnQuestion struct {
	mu     sync.Mutex
	cancel context.CancelFunc
}

func (c *cancelOnQuestion) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if strings.Contains(string(p), "[y/N]") {
		c.cancel()
	}
	return len(p), nil
}

// A --token that is neither a uuid nor anything an id is spelled as is a
// usage error before any request, --ignore-missing or not; a token that
// is not found under --ignore-missing still gets its line on stderr.
func TestTokenTyposDoNotPass(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("revoke", "--org", "acme", "--token", "not-a-uuid", "--ignore-missing")
	if r.code != int(exitcode.Usage) || !strings.Contains(r.stderr, `token "not-a-uuid" is neither a uuid`) {
		t.Errorf("--token not-a-uuid: want exit 2 naming it\n%s", r)
	}
	if n := h.srv.CountRequests(func(emulator.Request) bool { return true }); n != 0 {
		t.Errorf("%d requests sent for a typo", n)
	}
	const missing = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
	r = h.run("revoke", "--org", "acme", "--token", missing, "--ignore-missing")
	if r.code != 0 {
		t.Fatalf("--ignore-missing: %s", r)
	}
	mustContain(t, "stderr", r.stderr, "tokenctl: "+missing+": not-found: ", "(ignored: --ignore-missing)")
}

// An id the listing never showed is no proof that the token is gone (the
// server may spell ids anew and still accept the old spellings): under
// --ignore-missing it still fails the run (exit 4), with a line that says
// so and to name the token by uuid, while the token keeps its access.
func TestIgnoreMissingDoesNotPassANeverListedID(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	oldID := h.srv.NodeID(emulator.TypeAPIAccessToken, et.CIDeployBotUUID)
	h.srv.RespellIDs()
	r := h.run("revoke", "--org", "acme", "--token", oldID, "--ignore-missing")
	if r.code != int(exitcode.NotFound) {
		t.Errorf("a never-listed id under --ignore-missing: want exit %d\n%s", exitcode.NotFound, r)
	}
	mustContain(t, "stderr", r.stderr, "not-found: ", "name the token by its uuid", "not ignored by --ignore-missing")
	if !h.srv.TokenHasOrg(et.CIDeployBotUUID, "acme") {
		t.Fatal("the emulator revoked the token; the test proves nothing")
	}
}
