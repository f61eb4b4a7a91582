package iostreams

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// Whether a person can be asked is decided by the input; where the
// question goes is wherever that person sees it.
func TestPromptGoesWhereThePersonIs(t *testing.T) {
	cases := []struct {
		name                  string
		stdin, stdout, stderr bool
		terminal              bool // a controlling terminal can be opened
		canPrompt             bool
		on                    string // "stderr", "terminal" or "" (nowhere)
	}{
		{"all terminals", true, true, true, true, true, "stderr"},
		{"2>log", true, true, false, true, true, "terminal"},
		{">out 2>log", true, false, false, true, true, "terminal"},
		{"| tee", true, false, true, true, true, "stderr"},
		{"2>log, no controlling terminal", true, true, false, false, false, ""},
		{"input piped in", false, true, true, true, false, ""},
		{"CI", false, false, false, true, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _, errOut := Test("y\n")
			s.SetTTY(c.stdin, c.stdout, c.stderr)
			var terminal strings.Builder
			if c.terminal {
				s.SetTerminal(&terminal)
			}
			if got := s.CanPrompt(); got != c.canPrompt {
				t.Fatalf("CanPrompt = %v, want %v", got, c.canPrompt)
			}
			ok, err := s.Confirm("Revoke 1 token(s)?")
			if c.on == "" {
				if ok || !errors.Is(err, ErrCannotPrompt) || errOut.Len()+terminal.Len() != 0 {
					t.Errorf("Confirm = %v, %v; stderr %q, terminal %q: want no question", ok, err, errOut.String(), terminal.String())
				}
				return
			}
			if !ok || err != nil {
				t.Errorf("Confirm = %v, %v, want yes", ok, err)
			}
			shown, other := errOut.String(), terminal.String()
			if c.on == "terminal" {
				shown, other = other, shown
			}
			if shown != "Revoke 1 token(s)? [y/N] " || other != "" {
				t.Errorf("question on %s = %q, elsewhere %q", c.on, shown, other)
			}
		})
	}
}

// What is written to stderr or the terminal cannot act on it.
func TestStderrIsInert(t *testing.T) {
	s, _, errOut := Test("")
	_, _ = s.ErrOut.Write([]byte("tokenctl: \x1b[2Kdone\r\n"))
	if got := errOut.String(); got != "tokenctl: \\u001b[2Kdone\\r\n" {
		t.Errorf("stderr = %q", got)
	}
	s.SetTTY(true, false, false)
	var terminal strings.Builder
	s.SetTerminal(&terminal)
	_, _ = s.PromptOut().Write([]byte("\u202eplan\n"))
	if got := terminal.String(); got != "\\u202eplan\n" {
		t.Errorf("terminal = %q", got)
	}
}

// NO_COLOR wins; CLICOLOR_FORCE colours even a pipe; a terminal is
// coloured unless it is dumb.
func TestColourAllowed(t *testing.T) {
	cases := []struct {
		tty  bool
		env  map[string]string
		want bool
	}{
		{true, nil, true},
		{false, nil, false},
		{true, map[string]string{"TERM": "dumb"}, false},
		{true, map[string]string{"NO_COLOR": ""}, false},
		{false, map[string]string{"CLICOLOR_FORCE": "1"}, true},
		{false, map[string]string{"CLICOLOR_FORCE": "0"}, false},
		{false, map[string]string{"CLICOLOR_FORCE": ""}, false},
		{true, map[string]string{"CLICOLOR_FORCE": "1", "NO_COLOR": "1"}, false},
		{false, map[string]string{"CLICOLOR_FORCE": "1", "TERM": "dumb"}, true},
	}
	for _, c := range cases {
		env := func(k string) (string, bool) { v, ok := c.env[k]; return v, ok }
		if got := colourAllowed(c.tty, env); got != c.want {
			t.Errorf("tty=%v env=%v: colour %v, want %v", c.tty, c.env, got, c.want)
		}
	}
}

// readWriter is a controlling terminal: written to out, read from in.
type readWriter struct {
	in  *strings.Reader
	out *strings.Builder
}

func (rw readWriter) Read(p []byte) (int, error)  { return rw.in.Read(p) }
func (rw readWriter) Write(p []byte) (int, error) { return rw.out.Write(p) }

// When the input is a pipe (a scanner's output) but the process has a
// controlling terminal, the person is asked there and answers there; the
// piped input is left alone.
func TestPromptOnTheControllingTerminalWhenInputIsPiped(t *testing.T) {
	s, _, _ := Test("findings on the pipe\n")
	s.SetTTY(false, false, false)
	var shown strings.Builder
	s.SetTerminal(readWriter{in: strings.NewReader("y\n"), out: &shown})
	if !s.CanPrompt() {
		t.Fatal("CanPrompt = false with a controlling terminal to read from")
	}
	ok, err := s.Confirm("Revoke 1 token(s)?")
	if !ok || err != nil || shown.String() != "Revoke 1 token(s)? [y/N] " {
		t.Errorf("Confirm = %v, %v; terminal %q", ok, err, shown.String())
	}
	if rest, _ := io.ReadAll(s.In); string(rest) != "findings on the pipe\n" {
		t.Errorf("the answer was read from the pipe: %q left", rest)
	}
}

// Ctrl-C while the question waits ends it at once.
func TestConfirmGivesUpWhenInterrupted(t *testing.T) {
	s, _, _ := Test("")
	s.SetTTY(true, true, true)
	pr, pw := io.Pipe()
	defer pw.Close()
	s.In = pr
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if ok, err := s.ConfirmContext(ctx, "Revoke?"); ok || !errors.Is(err, ErrInterrupted) {
		t.Errorf("ConfirmContext = %v, %v; want ErrInterrupted", ok, err)
	}
}
