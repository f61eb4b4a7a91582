// Command tokenctl takes an organization's access away from Buildkite API
// access tokens. See `tokenctl --help`.
package main

import (
	"context"
	"os"

	"github.com/tokenctl/tokenctl/internal/cli"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
)

func main() {
	// Ctrl-C is handled once the command to run is known (see cli.Run): the
	// first cancels its work gently, a second kills the process as usual.
	os.Exit(cli.Run(context.Background(), cmdutil.NewFactory(), os.Args[1:]))
}
