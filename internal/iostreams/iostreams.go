// Package iostreams carries a command's standard streams and what is known
// about them (terminal or not, colour allowed). Commands print and prompt
// only through it, so tests can run them with buffers.
package iostreams

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/tokenctl/tokenctl/internal/output"
)

// IOStreams is the I/O of one command run.
type IOStreams struct {
	In  io.Reader
	Out io.Writer
	// ErrOut is for people only (errors, notes, plans): it escapes what
	// could act on a terminal, since messages repeat what Buildkite
	// answered (see output.Printable).
	ErrOut io.Writer

	// progressOut is standard error unescaped, for the progress bar,
	// which draws with carriage returns and escape sequences.
	progressOut io.Writer

	stdinTTY  bool
	stdoutTTY bool
	stderrTTY bool
	color     bool
	// width is the terminal's width in columns, 0 when stdout is not a
	// terminal or it cannot be told.
	width int

	// openTerminal opens the controlling terminal, for questions when
	// standard error is not a terminal, and for their answers when
	// standard input is not; nil when there is none to open. It is called
	// at most once. What it returns is read from when it is also an
	// io.Reader.
	openTerminal func() (io.Writer, error)
	terminalOnce sync.Once
	terminal     io.Writer
	terminalIn   io.Reader // nil when the terminal cannot be read

	// pager is the running pager, while StartPager has it show Out.
	pager *pager
}

// System returns the process's streams, probing which are terminals.
func System() *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: output.NewTerminalWriter(os.Stderr), progressOut: os.Stderr}
	s.stdinTTY = isTerminal(os.Stdin)
	s.stdoutTTY = isTerminal(os.Stdout)
	if !s.stdoutTTY {
		// A file or a pipe: written a buffer at a time (see Flush). A
		// terminal shows output as it comes.
		s.Out = newBufferedOut(os.Stdout)
	}
	s.stderrTTY = isTerminal(os.Stderr)
	s.color = colourAllowed(s.stdoutTTY, os.LookupEnv)
	if s.stdoutTTY {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			s.width = w
		}
	}
	s.openTerminal = openControllingTerminal
	return s
}

// colourAllowed decides colour as other command-line tools do: NO_COLOR
// (any value) turns it off; CLICOLOR_FORCE (any value but 0) turns it on
// even when output is not a terminal; otherwise a terminal that is not
// dumb gets it.
func colourAllowed(stdoutTTY bool, env func(string) (string, bool)) bool {
	if _, ok := env("NO_COLOR"); ok {
		return false
	}
	if v, ok := env("CLICOLOR_FORCE"); ok && v != "" && v != "0" {
		return true
	}
	term, _ := env("TERM")
	return stdoutTTY && term != "dumb"
}

// controllingTerminal is the device that names the process's terminal
// whatever its standard streams are redirected to.
func controllingTerminal() string {
	if runtime.GOOS == "windows" {
		return "CONOUT$"
	}
	return "/dev/tty"
}

func openControllingTerminal() (io.Writer, error) {
	// Never closed: it lives as long as the process, like stderr.
	if runtime.GOOS == "windows" {
		return os.OpenFile(controllingTerminal(), os.O_WRONLY, 0)
	}
	return os.OpenFile(controllingTerminal(), os.O_RDWR, 0)
}

// Test returns streams backed by buffers; none is a terminal.
func Test(in string) (*IOStreams, *strings.Builder, *strings.Builder) {
	out, errOut := &strings.Builder{}, &strings.Builder{}
	return &IOStreams{In: strings.NewReader(in), Out: out, ErrOut: output.NewTerminalWriter(errOut), progressOut: errOut}, out, errOut
}

// SetTTY marks the streams as terminals (tests of interactive behaviour).
func (s *IOStreams) SetTTY(stdin, stdout, stderr bool) {
	s.stdinTTY, s.stdoutTTY, s.stderrTTY = stdin, stdout, stderr
}

// SetTerminal gives the controlling terminal questions are written to
// when standard error is not a terminal (tests of interactive behaviour);
// nil means there is none.
func (s *IOStreams) SetTerminal(w io.Writer) {
	s.openTerminal = nil
	if w != nil {
		s.openTerminal = func() (io.Writer, error) { return w, nil }
	}
}

// SetColor allows or forbids colour (tests).
func (s *IOStreams) SetColor(on bool) { s.color = on }

// SetTerminalWidth sets the terminal's width in columns (tests).
func (s *IOStreams) SetTerminalWidth(columns int) { s.width = columns }

// TerminalWidth is the width of the terminal stdout goes to, 0 when it
// is not one or cannot be told.
func (s *IOStreams) TerminalWidth() int {
	if !s.stdoutTTY {
		return 0
	}
	return s.width
}

// TableStyle is how a table printed on stdout in format is shown: the one
// decision of relative times, colour and fitting for every command.
func (s *IOStreams) TableStyle(format output.Format, now time.Time) output.TableStyle {
	return output.TableStyle{Format: format, Terminal: s.stdoutTTY, Colour: s.color, Width: s.TerminalWidth(), Now: now}
}

// PromptTableStyle is how a table shown with a question (on PromptOut)
// is shown: it is for the person who answers, at a terminal.
func (s *IOStreams) PromptTableStyle(now time.Time) output.TableStyle {
	return output.TableStyle{Format: output.Table, Terminal: true, Now: now}
}

// IsStdinTTY reports whether a person types the input.
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// IsStdoutTTY reports whether output goes to a terminal: human formatting
// (relative times, colour, summaries) is used only then.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether progress may be drawn on stderr.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// CanPrompt reports whether a person can answer a question: the input
// comes from a terminal, where someone types, and there is a terminal to
// show the question on; or, when the input is a pipe or a file, the
// process has a controlling terminal to ask on and read the answer from
// (`scanner | tokenctl revoke --from-scan -` typed at a terminal). It is
// decided by the input side, not by where stderr goes: `tokenctl revoke
// ... 2>log` at a terminal still asks (on the terminal), while a CI job,
// which has no terminal at all, is never asked.
func (s *IOStreams) CanPrompt() bool {
	if s.stdinTTY {
		return s.PromptOut() != nil
	}
	s.openTerminalOnce()
	return s.terminalIn != nil
}

// PromptOut is where a question, and what it is about (such as the plan
// a revocation asks about), is written so that the person who answers
// sees it: standard error on a terminal (even when nobody can answer,
// for what is shown without a question); else, when a person can answer,
// the controlling terminal (standard error goes to a file); nil when
// there is neither.
func (s *IOStreams) PromptOut() io.Writer {
	_ = s.Flush() // what is asked about is written before the question
	if s.stderrTTY {
		return s.ErrOut
	}
	s.openTerminalOnce()
	if !s.stdinTTY && s.terminalIn == nil {
		return nil
	}
	return s.terminal
}

func (s *IOStreams) openTerminalOnce() {
	s.terminalOnce.Do(func() {
		if s.openTerminal == nil {
			return
		}
		if w, err := s.openTerminal(); err == nil {
			s.terminal = output.NewTerminalWriter(w)
			s.terminalIn, _ = w.(io.Reader)
		}
	})
}

// answers is where the answer to a question is read from: standard input
// when a person types it, else the controlling terminal.
func (s *IOStreams) answers() io.Reader {
	if s.stdinTTY {
		return s.In
	}
	return s.terminalIn
}

// ProgressOut is standard error for a progress bar, which draws with
// control characters: only for text tokenctl composes itself, and only
// when IsStderrTTY.
func (s *IOStreams) ProgressOut() io.Writer {
	if s.progressOut == nil {
		return s.ErrOut
	}
	return s.progressOut
}

// ColorEnabled reports whether stdout may be coloured.
func (s *IOStreams) ColorEnabled() bool { return s.color }

// ErrNoAnswer is returned when input ends before an answer.
var ErrNoAnswer = errors.New("no answer given")

// ErrCannotPrompt is returned by Confirm when nobody can be asked.
var ErrCannotPrompt = errors.New("no terminal to ask on")

// ErrInterrupted is returned by ConfirmContext when the run is
// interrupted (Ctrl-C) while the question waits for an answer.
var ErrInterrupted = errors.New("interrupted at the question")

// Confirm asks a yes/no question where the person sees it (PromptOut);
// anything but y/yes is no.
func (s *IOStreams) Confirm(question string) (bool, error) {
	return s.ConfirmContext(context.Background(), question)
}

// ConfirmContext is Confirm that gives up at once, with ErrInterrupted,
// when ctx ends (Ctrl-C) before the answer.
func (s *IOStreams) ConfirmContext(ctx context.Context, question string) (bool, error) {
	if !s.CanPrompt() {
		return false, ErrCannotPrompt
	}
	w := s.PromptOut()
	fmt.Fprintf(w, "%s [y/N] ", question)
	line, err := s.ReadLine(ctx)
	if errors.Is(err, ErrInterrupted) {
		fmt.Fprintln(w)
		return false, err
	}
	if err != nil && line == "" {
		fmt.Fprintln(w)
		return false, ErrNoAnswer
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// ReadLine reads one answer from where the person types (see CanPrompt),
// giving up with ErrInterrupted when ctx ends first. A read given up on is
// left behind: the run is ending.
func (s *IOStreams) ReadLine(ctx context.Context) (string, error) {
	in := s.answers()
	if in == nil {
		return "", ErrCannotPrompt
	}
	type answer struct {
		line string
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		line, err := bufio.NewReader(in).ReadString('\n')
		got <- answer{line, err}
	}()
	select {
	case a := <-got:
		return a.line, a.err
	case <-ctx.Done():
		return "", ErrInterrupted
	}
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
