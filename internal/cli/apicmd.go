package cli

import (
	"context"
	"fmt"
	"slices"

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

	formats  []output.Format // what the command prints, declared by addFlags
	cmd      *cobra.Command
	settings *config.Settings
}

func newAPIOptions(f *Factory) apiOptions { return apiOptions{Factory: f, IO: f.IO} }

// api gives runAPI the shared part of a command's options.
func (o *apiOptions) api() *apiOptions { return o }

// pageSizeUsage is the help of every command's --page-size flag.
var pageSizeUsage = fmt.Sprintf("tokens per listing request, %d-%d (env %s; default %d)",
	config.MinPageSize, config.MaxPageSize, config.EnvVar(config.KeyPageSize), config.DefaultPageSize)

// addFlags registers the shared flags: -o/--output for the formats the
// command prints (the first is its default), and --jq; with perOrg, for a
// command that lists an organization's tokens, also --org and --page-size.
func (o *apiOptions) addFlags(fl *pflag.FlagSet, formats []output.Format, perOrg bool) {
	if perOrg {
		fl.String("org", "", "organization slug or GraphQL id (env BUILDKITE_ORGANIZATION_SLUG)")
		fl.Int("page-size", 0, pageSizeUsage)
	}
	o.formats = formats
	addOutputFlag(fl, formats, " (env TOKENCTL_OUTPUT)")
	fl.StringVar(&o.JQ, "jq", "", "filter the JSON output with a jq `expression`")
}

// outputFormatsAnnotation carries, on a command's --output flag, the
// names of the formats the command prints, for shell completion.
const outputFormatsAnnotation = "tokenctl_output_formats"

// addOutputFlag registers -o/--output for a command that prints formats;
// its help and its completion come from that one declaration.
func addOutputFlag(fl *pflag.FlagSet, formats []output.Format, helpSuffix string) {
	fl.StringP("output", "o", "", "output format: "+output.Describe(formats)+helpSuffix)
	_ = fl.SetAnnotation("output", outputFormatsAnnotation, output.Names(formats))
}

// outputFormat is the format a command prints in, from the output setting
// (already checked to be a format). A format the command does not print is
// a usage error when --output asks for it; from the environment or the
// config file, which every command shares, it is a default for the
// commands that print it, and the others use their own first format.
func outputFormat(s *config.Settings, formats []output.Format) (output.Format, error) {
	f, err := output.ParseFormat(s.Output)
	if err != nil {
		return "", err
	}
	if slices.Contains(formats, f) {
		return f, nil
	}
	if s.Sources[config.KeyOutput] == config.SourceFlag {
		return "", fmt.Errorf("--output %s: this command prints %s", f, output.Describe(formats))
	}
	return formats[0], nil
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
	if o.Format, err = outputFormat(settings, o.formats); err != nil {
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
