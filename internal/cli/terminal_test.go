package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/iostreams"
)

// hostileDescription is what any token owner can set: it erases the
// line it is on, moves up one row to overwrite it with a harmless-looking
// one, hides text, and reverses what follows.
const hostileDescription = "Mo's old laptop\x1b[2K\r\x1b[1A11111111-1111-4111-8111-111111111111   harmless\x1b[8m\u202etxt.exe\u200b\u009b2J"

// hostileName is the owner's name, which they choose too.
const hostileName = "Mo\x1b]0;pwned\x07 Member\r"

func hostileFixture() *emulator.Fixture {
	f := emulator.DemoFixture()
	for i := range f.Tokens {
		if f.Tokens[i].UUID == et.OldLaptopTokenUUID {
			f.Tokens[i].Description = hostileDescription
		}
	}
	for i := range f.Users {
		if f.Users[i].Email == "mo@acme.example" {
			f.Users[i].Name = hostileName
		}
	}
	return f
}

// inert reports what in s a terminal would act on rather than show.
func inert(t *testing.T, what, s string) {
	t.Helper()
	for _, r := range s {
		if r == '\n' || r == '\t' {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u202e' || r == '\u200b' {
			t.Errorf("%s carries %U, which a terminal acts on:\n%q", what, r, s)
			return
		}
	}
}

// Descriptions and names are shown escaped in every human-readable
// output (tables, the plan and question before a revocation, CSV), and
// exactly in JSON.
func TestHostileDescriptionsAreShownInert(t *testing.T) {
	h := newHarness(t, emulator.Options{Fixture: hostileFixture()})
	escaped := `Mo's old laptop\u001b[2K\r\u001b[1A11111111-1111-4111-8111-111111111111   harmless\u001b[8m\u202etxt.exe\u200b\u009b2J`

	for _, args := range [][]string{
		{"tokens", "list", "--org", "acme"},
		{"tokens", "list", "--org", "acme", "-o", "wide"},
		{"tokens", "list", "--org", "acme", "-o", "csv"},
		{"tokens", "get", et.OldLaptopTokenUUID, "--org", "acme"},
		{"revoke", "--org", "acme", "--token", et.OldLaptopTokenUUID, "--dry-run"},
		{"revoke", "--org", "acme", "--token", et.OldLaptopTokenUUID, "--dry-run", "-o", "csv"},
		{"policy", "show", "--org", "acme", "--within", "3650"},
	} {
		r := h.runTTY("", args...)
		if r.code != 0 {
			t.Fatalf("%v: %s", args, r)
		}
		inert(t, strings.Join(args, " ")+": stdout", r.stdout)
		inert(t, strings.Join(args, " ")+": stderr", r.stderr)
		mustContain(t, strings.Join(args, " "), r.stdout, escaped)
	}

	// The plan an administrator confirms against, and the question.
	r := h.runTTY("n\n", "revoke", "--org", "acme", "--token", et.OldLaptopTokenUUID)
	if r.code != int(exitcode.Refused) {
		t.Fatalf("declined revocation: %s", r)
	}
	inert(t, "plan", r.stderr)
	mustContain(t, "plan", r.stderr, escaped, `Mo\u001b]0;pwned\u0007 Member\r`, "Revoke 1 token(s)? [y/N]")
	if got := len(strings.Split(strings.TrimSpace(r.stderr), "\n")); got > 8 {
		t.Errorf("the plan has %d lines; the description must not break its row:\n%s", got, r.stderr)
	}

	// JSON is data: exactly what Buildkite holds.
	r = h.run("tokens", "get", et.OldLaptopTokenUUID, "--org", "acme", "-o", "json")
	var doc document.TokenDetail
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.Token.Description == nil {
		t.Fatalf("tokens get -o json: %v\n%s", err, r)
	}
	if *doc.Token.Description != hostileDescription || doc.Token.Owner.Name != hostileName {
		t.Errorf("JSON changed the data: description %q, owner %q", *doc.Token.Description, doc.Token.Owner.Name)
	}
}

// A failure line on stderr that repeats what the server said is inert too.
func TestStderrLinesAreInert(t *testing.T) {
	h := newHarness(t, emulator.Options{Fixture: hostileFixture()})
	r := h.run("revoke", "--org", "acme", "--token", et.OldLaptopTokenUUID, "--token", "cccccccc-cccc-4ccc-8ccc-cccccccccccc", "-o", "wide")
	inert(t, "stdout", r.stdout)
	inert(t, "stderr", r.stderr)
	mustContain(t, "stderr", r.stderr, "tokenctl: cccccccc-cccc-4ccc-8ccc-cccccccccccc: not-found")
}

// Point 9: at a terminal with only stderr redirected (`2>log`), the
// person at the keyboard is still asked, on the terminal, and the plan is
// shown there; the log gets neither.
func TestPromptWhenOnlyStderrIsRedirected(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	var terminal strings.Builder
	stderrToLog := func(ios *iostreams.IOStreams) {
		ios.SetTTY(true, true, false)
		ios.SetTerminal(&terminal)
	}

	r := h.execWith(stderrToLog, "n\n", "revoke", "--org", "acme", "--token", et.OldLaptopTokenUUID)
	if r.code != int(exitcode.Refused) {
		t.Fatalf("revoke 2>log at a terminal, answered n: want exit %d (declined)\n%s", exitcode.Refused, r)
	}
	if n := h.requests(revokeMutation); n != 0 {
		t.Errorf("%d revocations sent without a yes", n)
	}
	if !h.srv.TokenHasOrg(et.OldLaptopTokenUUID, "acme") {
		t.Error("the token was revoked without a yes")
	}
	mustContain(t, "terminal", terminal.String(), "About to revoke organization acme's access from 1 API access token(s)", et.OldLaptopTokenUUID, "Revoke 1 token(s)? [y/N]")
	if strings.Contains(r.stderr, "[y/N]") || strings.Contains(r.stderr, "About to revoke") {
		t.Errorf("the question went to the log, where nobody sees it:\n%s", r.stderr)
	}

	// Answered yes, it revokes.
	terminal.Reset()
	r = h.execWith(stderrToLog, "y\n", "revoke", "--org", "acme", "--token", et.OldLaptopTokenUUID)
	if r.code != 0 || h.srv.TokenHasOrg(et.OldLaptopTokenUUID, "acme") {
		t.Fatalf("answered y: %s", r)
	}
	mustContain(t, "terminal", terminal.String(), "[y/N]")

	// A selection by filter, which needs confirmation, is asked too,
	// instead of refused for want of a terminal.
	terminal.Reset()
	r = h.execWith(stderrToLog, "n\n", "revoke", "--org", "acme", "--never-used")
	if r.code != int(exitcode.Refused) {
		t.Fatalf("revoke --never-used 2>log, answered n: %s", r)
	}
	mustContain(t, "terminal", terminal.String(), "[y/N]")

	// Nobody types on a pipe: a script is never asked, even with a
	// terminal around.
	terminal.Reset()
	r = h.execWith(func(ios *iostreams.IOStreams) {
		ios.SetTTY(false, false, false)
		ios.SetTerminal(&terminal)
	}, "", "revoke", "--org", "acme", "--token", et.HackathonTokenUUID)
	if r.code != 0 || terminal.Len() != 0 {
		t.Errorf("a script's run asked or showed on the terminal (%q): %s", terminal.String(), r)
	}
}
