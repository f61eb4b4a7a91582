// Package cli is tokenctl's command tree. Each command parses its flags
// into an options value, validates it before any network call, and hands
// the work to the packages that own it (config, revoke, buildkite, output);
// the plumbing the commands share is in cmdutil.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	revokeCmd "github.com/tokenctl/tokenctl/internal/cli/revoke"

	"github.com/spf13/cobra"

	checkCmd "github.com/tokenctl/tokenctl/internal/cli/check"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	configCmd "github.com/tokenctl/tokenctl/internal/cli/config"
	historyCmd "github.com/tokenctl/tokenctl/internal/cli/history"
	policyCmd "github.com/tokenctl/tokenctl/internal/cli/policy"
	settingsCmd "github.com/tokenctl/tokenctl/internal/cli/settings"
	tokensCmd "github.com/tokenctl/tokenctl/internal/cli/tokens"
	whoamiCmd "github.com/tokenctl/tokenctl/internal/cli/whoami"
	"github.com/tokenctl/tokenctl/internal/config"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/version"
)

// NewRootCmd builds the command tree.
func NewRootCmd(f *cmdutil.Factory) *cobra.Command { return newRootCmd(f, nil) }

// topLevel are the commands under the root, each built only when needed.
var topLevel = []struct {
	name  string
	build func(*cmdutil.Factory) *cobra.Command
}{
	{"revoke", func(f *cmdutil.Factory) *cobra.Command { return revokeCmd.NewCmdRevoke(f, nil) }},
	{"check", func(f *cmdutil.Factory) *cobra.Command { return checkCmd.NewCmdCheck(f, nil) }},
	{"config", configCmd.NewCmdConfig},
	{"version", NewCmdVersion},
	{"whoami", func(f *cmdutil.Factory) *cobra.Command { return whoamiCmd.NewCmdWhoami(f, nil) }},
	{"policy", policyCmd.NewCmdPolicy},
	{"settings", settingsCmd.NewCmdSettings},
	{"tokens", tokensCmd.NewCmdTokens},
	{"history", func(f *cmdutil.Factory) *cobra.Command { return historyCmd.NewCmdHistory(f, nil) }},
}

// newRootCmd builds the root command and, when args run one of the
// commands of topLevel, that command alone: a run pays for building only
// what it runs. Anything else (no command, help, completion, a name that
// is none of them) gets the whole tree, which help, completion and the
// suggestions for a mistyped name need.
func newRootCmd(f *cmdutil.Factory, args []string) *cobra.Command {
	root := &cobra.Command{
		Use:   "tokenctl",
		Short: "Take an organization's access away from Buildkite API access tokens",
		Long: `tokenctl revokes an organization's access from users' Buildkite API access
tokens: when a token leaks, when someone leaves, or when a token review is due.

It talks to Buildkite's GraphQL API (organizationApiAccessTokenRevoke) and
REST API. Revocation is irreversible; tokenctl shows what it is about to do,
asks on a terminal, never revokes the token it is itself using, and can
keep an audit log.`,
		Example: `  # Who am I, as far as Buildkite is concerned?
  tokenctl whoami

  # The organization's tokens; those unused for six months
  tokenctl tokens list --org acme
  tokenctl tokens list --org acme --stale 180d

  # A token leaked: what did it do, then take its access away
  tokenctl tokens activity --org acme 3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e --since 30d
  tokenctl revoke --org acme --token 3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e

  # A token review against a policy, for CI
  tokenctl check --org acme -o markdown`,
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetVersionTemplate("tokenctl {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		if fe := (*cmdutil.FormatError)(nil); errors.As(err, &fe) {
			err = fe // its own words, not pflag's "invalid argument" around them
		}
		return exitcode.New(exitcode.Usage, err)
	})

	pf := root.PersistentFlags()
	pf.String("api-token-file", "", "read the API token from `FILE` (- for standard input) instead of BUILDKITE_API_TOKEN")
	pf.String("graphql-endpoint", "", "Buildkite GraphQL endpoint `URL` (env BUILDKITE_GRAPHQL_ENDPOINT; default https://graphql.buildkite.com/v1)")
	pf.String("rest-endpoint", "", "Buildkite REST API base `URL` (env BUILDKITE_REST_API_ENDPOINT; default https://api.buildkite.com)")
	pf.Duration("timeout", 0, "time limit for each API request, a `DURATION` such as 30s (env TOKENCTL_TIMEOUT; default 30s)")
	pf.Bool("debug", false, "trace HTTP requests on stderr (credentials redacted)")
	pf.Bool(config.FlagNoCache, false, "ask Buildkite which token tokenctl is using instead of remembering it (env "+config.EnvCacheDir+" moves the cache)")

	if name, ok := firstPositional(root, args); ok {
		for _, c := range topLevel {
			if c.name == name {
				root.AddCommand(c.build(f))
				// Nor the completion command cobra would build at
				// Execute: this run is not one of its.
				root.CompletionOptions.DisableDefaultCmd = true
				return root
			}
		}
	}
	for _, c := range topLevel {
		root.AddCommand(c.build(f))
	}
	setUpCompletion(root)
	return root
}

// Run executes the command line and returns the process exit code, printing
// any error on stderr, one line per problem.
func Run(ctx context.Context, f *cmdutil.Factory, args []string) int {
	code, release := run(ctx, f, args)
	// Ctrl-C is handled until the output is out.
	defer release()
	// Output buffered for a file or a pipe goes out when the command
	// ends, interrupted or not.
	if err := f.IO.Flush(); err != nil {
		fmt.Fprintf(f.IO.ErrOut, "tokenctl: %s\n", cmdutil.ErrorMessage(fmt.Errorf("writing the output: %w", err)))
		if code == int(exitcode.OK) {
			code = int(exitcode.Of(err))
		}
	}
	return code
}

// run runs the command line and returns its exit code, and the release of
// the command's Ctrl-C handling (see handleInterrupts).
func run(ctx context.Context, f *cmdutil.Factory, args []string) (int, func()) {
	root := newRootCmd(f, args)
	if unknown := findUnknownSubcommand(root, args); unknown != nil {
		var b strings.Builder
		fmt.Fprintf(&b, "tokenctl: %s\n", cmdutil.ErrorMessage(unknown))
		unknown.report(&b)
		_, _ = io.WriteString(f.IO.ErrOut, b.String())
		return int(exitcode.Usage), func() {}
	}
	root.SetArgs(args)
	release := handleInterrupts(root)
	cmd, err := root.ExecuteContextC(ctx)
	return exitCode(f, cmd, err), release
}

// exitCode is the exit code of a run of cmd that ended with err, which it
// reports on stderr.
func exitCode(f *cmdutil.Factory, cmd *cobra.Command, err error) int {
	if err == nil {
		return int(exitcode.OK)
	}
	code := exitcode.Of(err)
	var coded *exitcode.Error
	if !errors.As(err, &coded) && cmdutil.IsCobraUsageError(err) {
		code = exitcode.Usage
	}
	var silent *cmdutil.SilentError
	if !errors.As(err, &silent) {
		var jq *output.JQError
		if errors.As(err, &jq) && jq.Document != nil && !cmdutil.ChangesThings(cmd) {
			// Nothing to lose: the command can be run again.
			jq.Document = nil
		}
		for _, line := range cmdutil.ErrorLines(err) {
			fmt.Fprintf(f.IO.ErrOut, "tokenctl: %s\n", line)
		}
		if jq != nil && jq.Document != nil {
			_, _ = f.IO.ErrOut.Write(jq.Document)
		}
		if code == exitcode.Usage && cmd != nil {
			fmt.Fprintf(f.IO.ErrOut, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
	}
	return int(code)
}

// NewCmdVersion prints the build; it touches neither network nor config.
func NewCmdVersion(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print tokenctl's version",
		Long: `Print tokenctl's version and the commit it was built from. It reads no
configuration and sends nothing.`,
		Example: `  tokenctl version
  tokenctl --version`,
		Args:        cobra.NoArgs,
		Annotations: map[string]string{exitOnInterruptAnnotation: "true"},
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(f.IO.Out, "tokenctl %s\n", version.String())
			return err
		},
	}
}
