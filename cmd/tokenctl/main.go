// Command tokenctl takes an organization's access away from Buildkite API
// access tokens. See `tokenctl --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/tokenctl/tokenctl/internal/cli"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
)

func main() {
	// The first Ctrl-C cancels the context: no new mutation is sent and
	// those in flight finish. A second one kills the process as usual.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	os.Exit(cli.Run(ctx, cmdutil.NewFactory(), os.Args[1:]))
}
