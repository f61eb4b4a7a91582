package iostreams

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
)

// PagerCommand is the pager for long output on a terminal, as other
// command-line tools choose it: TOKENCTL_PAGER, then PAGER (either set
// empty, or to cat, turns paging off), then less when it is installed.
func PagerCommand(env func(string) (string, bool)) string {
	for _, name := range []string{"TOKENCTL_PAGER", "PAGER"} {
		if v, ok := env(name); ok {
			return strings.TrimSpace(v)
		}
	}
	if _, err := exec.LookPath("less"); err == nil {
		return "less"
	}
	return ""
}

// pager is a running pager process reading what Out is given.
type pager struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   io.Writer // Out before the pager started
}

// StartPager sends Out through the pager command until StopPager, when
// Out is a terminal and the command is not empty or cat; otherwise it
// does nothing. A pager that cannot start leaves Out as it was. It is
// for output only: a command that asks a question never starts it.
func (s *IOStreams) StartPager(ctx context.Context, command string) error {
	if !s.stdoutTTY || s.pager != nil || command == "" || command == "cat" {
		return nil
	}
	var cmd *exec.Cmd
	if runtime.GOOS == "windows" {
		args := strings.Fields(command)
		cmd = exec.CommandContext(ctx, args[0], args[1:]...) //nolint:gosec // the user's own pager setting
	} else {
		cmd = exec.CommandContext(ctx, "/bin/sh", "-c", command) //nolint:gosec // the user's own pager setting
	}
	cmd.Env = os.Environ()
	if _, ok := os.LookupEnv("LESS"); !ok {
		// Quit at once when the output fits a screen, keep colour, and
		// leave the output on the screen.
		cmd.Env = append(cmd.Env, "LESS=FRX")
	}
	if _, ok := os.LookupEnv("LV"); !ok {
		cmd.Env = append(cmd.Env, "LV=-c")
	}
	cmd.Stdout = s.Out
	cmd.Stderr = s.progressOut
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	s.pager = &pager{cmd: cmd, stdin: stdin, out: s.Out}
	s.Out = &pagerWriter{w: stdin}
	return nil
}

// StopPager ends the input of the pager and waits for the person to
// quit it; Out is what it was before.
func (s *IOStreams) StopPager() {
	if s.pager == nil {
		return
	}
	_ = s.pager.stdin.Close()
	_ = s.pager.cmd.Wait()
	s.Out = s.pager.out
	s.pager = nil
}

// pagerWriter is Out while a pager runs. When the person quits the pager
// before the end, what is left is dropped: that is not an error.
type pagerWriter struct {
	w      io.Writer
	closed bool
}

func (p *pagerWriter) Write(b []byte) (int, error) {
	if p.closed {
		return len(b), nil
	}
	n, err := p.w.Write(b)
	if err != nil && (errors.Is(err, syscall.EPIPE) || errors.Is(err, os.ErrClosed) || errors.Is(err, io.ErrClosedPipe)) {
		p.closed = true
		return len(b), nil
	}
	return n, err
}
