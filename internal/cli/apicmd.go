package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/config"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/iostreams"
	"github.com/tokenctl/tokenctl/internal/output"
)

// apiOptions are the inputs shared by every command that calls Buildkite:
// the settings (flags, environment, config file), --debug, the output
// format and --jq, and for a command about one organization, the
// organization. Each such command's options embed it.
type apiOptions struct {
	Factory *Factory
	IO      *iostreams.IOStreams

	JQ    string
	Debug bool

	// Filled in by complete (Org by parseOrg).
	Org    ident.Org
	Format output.Format

	cmd      *cobra.Command
	settings *config.Settings
}

func newAPIOptions(f *Factory) apiOptions { return apiOptions{Factory: f, IO: f.IO} }

// api gives runAPI the shared part of a command's options.
func (o *apiOptions) api() *apiOptions { return o }

// allFormats are the formats of --output for a command that prints rows.
const allFormats = "table, wide, json, yaml or csv"

// pageSizeUsage is the help of every command's --page-size flag.
var pageSizeUsage = fmt.Sprintf("tokens per listing request, %d-%d (env %s; default %d)",
	config.MinPageSize, config.MaxPageSize, config.EnvVar(config.KeyPageSize), config.DefaultPageSize)

// addFlags registers the shared flags: -o/--output, whose help names
// formats, and --jq; with perOrg, for a command that lists an
// organization's tokens, also --org and --page-size.
func (o *apiOptions) addFlags(fl *pflag.FlagSet, formats string, perOrg bool) {
	if perOrg {
		fl.String("org", "", "organization slug or GraphQL id (env BUILDKITE_ORGANIZATION_SLUG)")
		fl.Int("page-size", 0, pageSizeUsage)
	}
	fl.StringP("output", "o", "", "output format: "+formats+" (env TOKENCTL_OUTPUT)")
	fl.StringVar(&o.JQ, "jq", "", "filter the JSON output with a jq `expression`")
}

// complete loads the settings and checks every input before any network
// call. validate checks the command's own inputs, with the settings
// loaded; it runs before the output checks, so that of several problems a
// command reports the same one first as it always has.
func (o *apiOptions) complete(cmd *cobra.Command, validate func() error) error {
	settings, err := o.Factory.Settings(cmd.Flags())
	if err != nil {
		return err
	}
	o.cmd, o.settings = cmd, settings
	o.Debug, _ = cmd.Flags().GetBool("debug")
	if err := validate(); err != nil {
		return err
	}
	if o.Format, err = output.ParseFormat(settings.Output); err != nil {
		return exitcode.New(exitcode.Usage, err)
	}
	if err := output.CheckJQ(o.JQ); err != nil {
		return exitcode.New(exitcode.Usage, err)
	}
	return nil
}

// parseOrg sets Org from the settings (--org, environment or config file).
func (o *apiOptions) parseOrg() error {
	org, err := ident.ParseOrg(o.settings.Org)
	if err != nil {
		return exitcode.New(exitcode.Usage, err)
	}
	o.Org = org
	return nil
}

// apiCommand is the options of a command that calls Buildkite.
type apiCommand interface {
	api() *apiOptions
	// validate checks the command's own inputs; args are its positional
	// arguments.
	validate(args []string) error
}

// runAPI is the RunE of a command that calls Buildkite: it completes the
// options, then runs them, or hands them to runF when a test gives one to
// check flag parsing alone.
func runAPI[O apiCommand](opts O, runF, run func(context.Context, O) error) func(*cobra.Command, []string) error {
	if runF != nil {
		run = runF
	}
	return func(cmd *cobra.Command, args []string) error {
		err := opts.api().complete(cmd, func() error { return opts.validate(args) })
		if err == nil {
			err = run(cmd.Context(), opts)
		}
		return printFailureDocument(opts.api(), opts, err)
	}
}
