package cli

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/iostreams"
)

var (
	rfc3339  = regexp.MustCompile(`\b20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ\b`)
	relative = regexp.MustCompile(`\b(ago|from now|just now)\b`)
)

// One rule for times in every command: relative only in a table on a
// terminal, RFC 3339 in UTC piped. policy show and whoami used to print
// relative times into a pipe.
func TestOneTimeRule(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	for _, args := range [][]string{
		{"tokens", "list", "--org", "acme"},
		{"tokens", "get", "--org", "acme", "11111111-1111-4111-8111-111111111111"},
		{"policy", "show", "--org", "acme"},
		{"whoami"},
		{"history", "--org", "acme"},
	} {
		name := strings.Join(args, " ")
		piped := h.run(args...)
		if piped.code != 0 {
			t.Fatalf("%s: %s", name, piped)
		}
		if relative.MatchString(piped.stdout) || !rfc3339.MatchString(piped.stdout) {
			t.Errorf("%s piped: want RFC 3339 times only:\n%s", name, piped.stdout)
		}
		tty := h.runTTY("", args...)
		if tty.code != 0 {
			t.Fatalf("%s on a terminal: %s", name, tty)
		}
		if !relative.MatchString(tty.stdout) || rfc3339.MatchString(tty.stdout) {
			t.Errorf("%s on a terminal: want relative times only:\n%s", name, tty.stdout)
		}
	}
}

// On a 150-column terminal the token list (about 220 wide) fits, cutting descriptions and
// owners; -o wide and a pipe keep every character.
func TestTokenTableFitsTheTerminal(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	narrow := func(ios *iostreams.IOStreams) {
		ios.SetTTY(true, true, true)
		ios.SetTerminalWidth(150)
	}
	r := h.execWith(narrow, "", "tokens", "list", "--org", "acme")
	if r.code != 0 {
		t.Fatal(r)
	}
	for _, line := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		if n := utf8.RuneCountInString(line); n > 150 {
			t.Errorf("line of %d columns on a 150-column terminal: %q", n, line)
		}
	}
	mustContain(t, "terminal table", r.stdout, "…", "11111111-1111-4111-8111-111111111111")
	for _, args := range [][]string{{"-o", "wide"}, {}} {
		setup := narrow
		if len(args) == 0 {
			setup = func(ios *iostreams.IOStreams) { ios.SetTerminalWidth(150) }
		}
		r := h.execWith(setup, "", append([]string{"tokens", "list", "--org", "acme"}, args...)...)
		if r.code != 0 || strings.Contains(r.stdout, "…") {
			t.Errorf("%v: a cell was cut:\n%s", args, r)
		}
	}
}

// Colour only when allowed (a terminal, or CLICOLOR_FORCE as iostreams
// decides), and then as exact, closed sequences.
func TestForcedColourInAPipe(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.execWith(func(ios *iostreams.IOStreams) { ios.SetColor(true) }, "", "tokens", "list", "--org", "acme")
	if r.code != 0 {
		t.Fatal(r)
	}
	if !strings.Contains(r.stdout, "\x1b[33m2024-07-01T12:00:00Z\x1b[0m") {
		t.Errorf("stale last use not yellow:\n%q", r.stdout)
	}
	// Every sequence is a colour closed right after its text.
	if opens, resets := strings.Count(r.stdout, "\x1b[33m"), strings.Count(r.stdout, "\x1b[0m"); opens == 0 || opens != resets || strings.Count(r.stdout, "\x1b") != opens+resets {
		t.Errorf("%d colours, %d resets, or other sequences:\n%q", opens, resets, r.stdout)
	}
	if strings.Contains(r.stdout, " \x1b[0m") {
		t.Errorf("a reset after padding:\n%q", r.stdout)
	}
	if r := h.run("tokens", "list", "--org", "acme"); strings.Contains(r.stdout, "\x1b") {
		t.Errorf("colour without being allowed:\n%q", r.stdout)
	}
}

// revoke's tables follow the one time rule too: --everywhere's CREATED
// column (-o wide) used to print RFC 3339 on a terminal; piped or at a
// terminal, the dry run's table now reads as every other table does.
func TestRevokeTablesFollowTheTimeRule(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	value := emulatortest.CIDeployBotToken
	args := []string{"revoke", "--token-value-file", leakedValueFile(t, value), "--everywhere", "--dry-run", "-o", "wide"}
	piped := h.runLeaked(value, false, "", args...)
	if piped.code != 0 || relative.MatchString(piped.stdout) || !rfc3339.MatchString(piped.stdout) {
		t.Errorf("piped: want RFC 3339 times only:\n%s", piped)
	}
	tty := h.runLeaked(value, true, "", args...)
	if tty.code != 0 || !relative.MatchString(tty.stdout) || rfc3339.MatchString(tty.stdout) {
		t.Errorf("on a terminal: want relative times only:\n%s", tty)
	}
	// The plan shown with the question is for the person at the terminal.
	asked := h.runTTY("n\n", "revoke", "--org", "acme", "--stale", "90d")
	if !relative.MatchString(asked.stderr) || rfc3339.MatchString(asked.stderr) {
		t.Errorf("the plan asked about: want relative times:\n%s", asked)
	}
}

// check's findings tables fit a terminal as every table does: a long
// description or owner is cut with an ellipsis there, never in a pipe.
func TestCheckTableFitsTheTerminal(t *testing.T) {
	h := newHygieneHarness(t, true)
	args := []string{"check", "--org", "hygiene", "--policy", hygienePolicy}
	narrow := h.execWith(func(ios *iostreams.IOStreams) {
		ios.SetTTY(true, true, true)
		ios.SetTerminalWidth(100)
	}, "", args...)
	if narrow.code != int(exitcode.Findings) {
		t.Fatal(narrow)
	}
	mustContain(t, "terminal table", narrow.stdout, "Member wit…", "mo@hygi…", "c1000000-0000-4000-8000-000000000008", "holds WRITE_ORGANIZATIONS, WRITE_TEAMS and its owner is a member")
	piped := h.execWith(func(ios *iostreams.IOStreams) { ios.SetTerminalWidth(100) }, "", args...)
	if piped.code != int(exitcode.Findings) || strings.Contains(piped.stdout, "…") {
		t.Errorf("piped: a cell was cut:\n%s", piped)
	}
	mustContain(t, "piped table", piped.stdout, "Member with admin scopes", "mo@hygiene.example")
}
