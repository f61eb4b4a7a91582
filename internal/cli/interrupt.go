package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// exitOnInterruptAnnotation marks a command that has nothing for Ctrl-C to
// stop gently (it reads nothing and sends nothing): the process keeps the
// signals' default action, and its start-up neither registers a handler
// nor starts the goroutines that wait for one.
const exitOnInterruptAnnotation = "tokenctl.exitOnInterrupt"

// interruptible is the context of a command's run: the first Ctrl-C (or
// SIGTERM) cancels it, so that no new mutation is sent and those in flight
// finish; once it has, the signals get their default action back and a
// second Ctrl-C ends the process. stop releases the handler. A variable,
// so that tests can see who asked for one.
var interruptible = func(parent context.Context) (ctx context.Context, stop func()) {
	ctx, stop = signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	return ctx, stop
}

// handleInterrupts has every command that root runs, except those marked
// exitOnInterruptAnnotation, run under an interruptible context, from
// just before the command runs until release is called.
func handleInterrupts(root *cobra.Command) (release func()) {
	stop := func() {}
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if cmd.Annotations[exitOnInterruptAnnotation] == "" {
			var ctx context.Context
			ctx, stop = interruptible(cmd.Context())
			cmd.SetContext(ctx)
		}
		return nil
	}
	return func() { stop() }
}
