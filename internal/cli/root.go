package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tokenctl/tokenctl/internal/config"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/redact"
	"github.com/tokenctl/tokenctl/internal/version"
)

// NewRootCmd builds the command tree.
func NewRootCmd(f *Factory) *cobra.Command { return newRootCmd(f, nil) }

// topLevel are the commands under the root, each built only when needed.
var topLevel = []struct {
	name  string
	build func(*Factory) *cobra.Command
}{
	{"revoke", func(f *Factory) *cobra.Command { return NewCmdRevoke(f, nil) }},
	{"check", func(f *Factory) *cobra.Command { return NewCmdCheck(f, nil) }},
	{"config", NewCmdConfig},
	{"version", NewCmdVersion},
	{"whoami", func(f *Factory) *cobra.Command { return NewCmdWhoami(f, nil) }},
	{"policy", NewCmdPolicy},
	{"settings", NewCmdSettings},
	{"tokens", NewCmdTokens},
	{"history", func(f *Factory) *cobra.Command { return NewCmdHistory(f, nil) }},
}

// newRootCmd builds the root command and, when args run one of the
// commands of topLevel, that command alone: a run pays for building only
// what it runs. Anything else (no command, help, completion, a name that
// is none of them) gets the whole tree, which help, completion and the
// suggestions for a mistyped name need.
func newRootCmd(f *Factory, args []string) *cobra.Command {
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
		if fe := (*formatError)(nil); errors.As(err, &fe) {
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
func Run(ctx context.Context, f *Factory, args []string) int {
	code := run(ctx, f, args)
	// Output buffered for a file or a pipe goes out when the command
	// ends, interrupted or not.
	if err := f.IO.Flush(); err != nil {
		fmt.Fprintf(f.IO.ErrOut, "tokenctl: %s\n", errorMessage(fmt.Errorf("writing the output: %w", err)))
		if code == int(exitcode.OK) {
			code = int(exitcode.Of(err))
		}
	}
	return code
}

func run(ctx context.Context, f *Factory, args []string) int {
	root := newRootCmd(f, args)
	if unknown := findUnknownSubcommand(root, args); unknown != nil {
		var b strings.Builder
		fmt.Fprintf(&b, "tokenctl: %s\n", errorMessage(unknown))
		unknown.report(&b)
		_, _ = io.WriteString(f.IO.ErrOut, b.String())
		return int(exitcode.Usage)
	}
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return int(exitcode.OK)
	}
	code := exitcode.Of(err)
	var coded *exitcode.Error
	if !errors.As(err, &coded) && isCobraUsageError(err) {
		code = exitcode.Usage
	}
	var silent *silentError
	if !errors.As(err, &silent) {
		var jq *output.JQError
		if errors.As(err, &jq) && jq.Document != nil && !changesThings(cmd) {
			// Nothing to lose: the command can be run again.
			jq.Document = nil
		}
		for _, line := range errorLines(err) {
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

// changesAnnotation marks a command that changes things (a revocation, a
// policy): when its --jq expression fails while running, the unfiltered
// document follows on stderr so that what was done is not lost. A
// read-only command only reports the error.
const changesAnnotation = "tokenctl_changes"

// changes is the annotations of such a command (a map of its own).
func changes() map[string]string { return map[string]string{changesAnnotation: "true"} }

func changesThings(cmd *cobra.Command) bool {
	return cmd != nil && cmd.Annotations[changesAnnotation] == "true"
}

// errorMessage is the one line that reports err. Anything shaped like a
// token value is redacted: errors repeat what was typed, and cobra's and
// pflag's own (a bad --page-size, an unknown flag) quote the value as
// given, which may be a pasted secret.
func errorMessage(err error) string {
	msg := err.Error()
	if errors.Is(err, context.Canceled) {
		msg = "interrupted"
	}
	return redact.Secrets(oneLine(msg))
}

// isCobraUsageError recognises the argument errors cobra produces itself.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "requires exactly", "invalid argument", "flag needs an argument", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// errorLines is err as stderr shows it: one line per problem. Problems
// joined with errors.Join (config.Load reports every invalid setting at
// once) get a line each; any other message is one line.
func errorLines(err error) []string {
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) && joined.(error).Error() == err.Error() {
		parts := joined.Unwrap()
		msgs := make([]string, len(parts))
		for i, e := range parts {
			msgs[i] = e.Error()
		}
		// Only errors.Join's own layout, one message per line, is split.
		if strings.Join(msgs, "\n") == err.Error() {
			var lines []string
			for _, e := range parts {
				lines = append(lines, errorLines(e)...)
			}
			return lines
		}
	}
	return []string{errorMessage(err)}
}

// silentError carries an exit code for a failure already reported in full
// (per-token errors printed by the command).
type silentError struct{ code exitcode.Code }

func (e *silentError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func exitWith(code exitcode.Code) error {
	if code == exitcode.OK {
		return nil
	}
	return exitcode.New(code, &silentError{code})
}

// NewCmdVersion prints the build; it touches neither network nor config.
func NewCmdVersion(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print tokenctl's version",
		Long: `Print tokenctl's version and the commit it was built from. It reads no
configuration and sends nothing.`,
		Example: `  tokenctl version
  tokenctl --version`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(f.IO.Out, "tokenctl %s\n", version.String())
			return err
		},
	}
}
