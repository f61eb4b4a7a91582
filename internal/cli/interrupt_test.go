package cli

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/iostreams"
)

// The first interrupt cancels a command's context instead of ending the
// process.
func TestInterruptCancelsTheRunInsteadOfEndingIt(t *testing.T) {
	ctx, stop := interruptible(context.Background())
	defer stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(time.Minute): // a bound on a hang, not a speed
		t.Fatal("an interrupt did not cancel the context")
	}
}

// Every command runs under the interrupt handling but version, which has
// nothing to stop gently, and whose start-up pays nothing for it; the
// handling is released when Run returns.
func TestRunHandlesInterruptsForEveryCommandButVersion(t *testing.T) {
	asked, released := 0, 0
	defer func(f func(context.Context) (context.Context, func())) { interruptible = f }(interruptible)
	interruptible = func(parent context.Context) (context.Context, func()) {
		asked++
		ctx, cancel := context.WithCancel(parent)
		return ctx, func() { released++; cancel() }
	}
	for _, tt := range []struct {
		args []string
		want int
	}{
		{[]string{"version"}, 0},
		{[]string{"--version"}, 0},
		{[]string{"completion", "bash"}, 1},
		{[]string{"help", "check"}, 1},
	} {
		asked, released = 0, 0
		ios, _, _ := iostreams.Test("")
		code := Run(context.Background(), &cmdutil.Factory{IO: ios, Now: time.Now}, tt.args)
		if code != int(exitcode.OK) || asked != tt.want || released != tt.want {
			t.Errorf("%q: exit %d, interrupt handling set up %d times and released %d, want %d", tt.args, code, asked, released, tt.want)
		}
	}
}

// A command with a persistent pre-run of its own would shadow the root's,
// which sets up the interrupt handling.
func TestNoCommandShadowsTheRootsPreRun(t *testing.T) {
	ios, _, _ := iostreams.Test("")
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.PersistentPreRun != nil || c.PersistentPreRunE != nil {
			t.Errorf("%s has a persistent pre-run of its own: the root's, which handles Ctrl-C, would not run", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(NewRootCmd(&cmdutil.Factory{IO: ios}))
}
