package cmdutil

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/config"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/iostreams"
	"github.com/tokenctl/tokenctl/internal/output"
)

// APIOptions are the inputs shared by every command that calls Buildkite:
// the settings (flags, environment, config file), --debug, the output
// format and --jq, and for a command about one organization, the
// organization. Each such command's options embed it.
type APIOptions struct {
	Factory *Factory
	IO      *iostreams.IOStreams

	JQ    string
	Debug bool

	// Filled in by complete.
	Org      ident.Org
	Format   output.Format
	Settings *config.Settings // the effective configuration

	formats   []output.Format // what the command prints, declared by addFlags
	OrgGiven  bool            // --org was on the command line
	orgErr    error           // why Org could not be had; see checkOrg
	formatErr error           // why Format could not be had
}

func NewAPIOptions(f *Factory) APIOptions { return APIOptions{Factory: f, IO: f.IO} }

// API gives RunAPI the shared part of a command's options.
func (o *APIOptions) API() *APIOptions { return o }

// PageSizeUsage is the help of every command's --page-size flag. It is
// spelled out, not made by pageSizeHelp, so that nothing runs at start-up
// to make it; a test holds it to pageSizeHelp.
const PageSizeUsage = "`N` tokens per listing request, 1-500 (env TOKENCTL_PAGE_SIZE; default 500)"

// EventsPageSizeUsage is --page-size on the commands that read the audit
// log, where a page holds events; spelled out as PageSizeUsage is.
const EventsPageSizeUsage = "`N` events per audit-log request, 1-500 (env TOKENCTL_PAGE_SIZE; default 500)"

// pageSizeHelp is the help of a --page-size flag whose pages hold what.
func pageSizeHelp(what string) string {
	return fmt.Sprintf("`N` %s, %d-%d (env %s; default %d)",
		what, config.MinPageSize, config.MaxPageSize, config.EnvVar(config.KeyPageSize), config.DefaultPageSize)
}

// AddFlags registers the shared flags: -o/--output for the formats the
// command prints (the first stands in for a shared default it does not
// print; see outputFormat), and --jq; with perOrg, for a command about one
// organization, also --org and --page-size.
func (o *APIOptions) AddFlags(fl *pflag.FlagSet, formats []output.Format, perOrg bool) {
	if perOrg {
		fl.String("org", "", "organization `ORG`, by slug or GraphQL id (env BUILDKITE_ORGANIZATION_SLUG)")
		fl.Int("page-size", 0, PageSizeUsage)
	}
	o.formats = formats
	AddOutputFlag(fl, formats, " (env TOKENCTL_OUTPUT)")
	AddJQFlag(fl, &o.JQ)
}

// AddJQFlag registers --jq, which filters the JSON document (and implies
// -o json).
func AddJQFlag(fl *pflag.FlagSet, jq *string) {
	fl.StringVar(jq, "jq", "", "filter the JSON output with a jq `EXPRESSION` (implies -o json)")
}

// OutputFormatsAnnotation carries, on a command's --output flag, the
// names of the formats the command prints, for shell completion.
const OutputFormatsAnnotation = "tokenctl_output_formats"

// AddOutputFlag registers -o/--output for a command that prints formats;
// its help and its completion come from that one declaration.
func AddOutputFlag(fl *pflag.FlagSet, formats []output.Format, helpSuffix string) {
	fl.VarP(&formatFlag{formats: formats}, "output", "o", "output format: "+output.Describe(formats)+helpSuffix)
	_ = fl.SetAnnotation("output", OutputFormatsAnnotation, output.Names(formats))
}

// formatFlag is -o/--output: it accepts only the formats its command
// prints, and its error lists those, not every format tokenctl knows.
type formatFlag struct {
	formats []output.Format
	value   string
}

func (f *formatFlag) String() string { return f.value }

// Type names the value in help (--output FORMAT); the settings loader
// reads the flag as text whatever its type.
func (f *formatFlag) Type() string { return "FORMAT" }

func (f *formatFlag) Set(v string) error {
	v = strings.ToLower(v)
	if !slices.Contains(f.formats, output.Format(v)) {
		return exitcode.New(exitcode.Usage, &FormatError{value: v, formats: f.formats})
	}
	f.value = v
	return nil
}

// FormatError is an -o value the command does not print.
type FormatError struct {
	value   string
	formats []output.Format
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("--output %s: this command prints %s", e.value, output.Describe(e.formats))
}

// JQFormat applies --jq to the format: it filters the JSON document, so
// it implies -o json when no -o was given, and is a usage error with any
// other -o (it used to print JSON whatever -o said).
func JQFormat(jq string, format output.Format, outputGiven bool) (output.Format, error) {
	switch {
	case jq == "":
		return format, nil
	case !outputGiven:
		return output.JSON, nil
	case format != output.JSON:
		return "", fmt.Errorf("--jq filters the JSON output and cannot be used with -o %s: leave -o out, or use -o json", format)
	}
	return format, nil
}

// OutputFormat is the format a command prints in, from the output setting
// (already checked to be a format). A format the command does not print is
// a usage error when --output asks for it; from the environment or the
// config file, which every command shares, it is a default for the
// commands that print it, and the others use their own first format.
func OutputFormat(s *config.Settings, formats []output.Format) (output.Format, error) {
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

// complete loads the settings and fills the shared values: the run's
// Complete step, the one that sees the cobra command. Which flags were
// given is recorded in plain fields here, and a value that cannot be had
// (a malformed organization) is kept for validate to report, so that of
// several problems a command reports the same one first as it always has.
func (o *APIOptions) complete(fl *pflag.FlagSet) error {
	settings, err := o.Factory.Settings(fl)
	if err != nil {
		return err
	}
	o.Settings = settings
	o.Debug, _ = fl.GetBool("debug")
	o.OrgGiven = fl.Changed("org")
	o.Org, o.orgErr = ident.ParseOrg(settings.Org)
	o.Format, o.formatErr = OutputFormat(settings, o.formats)
	if o.formatErr == nil {
		o.Format, o.formatErr = JQFormat(o.JQ, o.Format, settings.Sources[config.KeyOutput] == config.SourceFlag)
	}
	return nil
}

// validate checks the output format and --jq; it runs after the command's
// own checks.
func (o *APIOptions) validate() error {
	if o.formatErr != nil {
		return exitcode.New(exitcode.Usage, o.formatErr)
	}
	if err := output.CheckJQ(o.JQ); err != nil {
		return exitcode.New(exitcode.Usage, err)
	}
	return nil
}

// CheckOrg reports a missing or malformed organization (--org,
// environment or config file), for the commands about one organization.
func (o *APIOptions) CheckOrg() error {
	if o.orgErr != nil {
		return exitcode.New(exitcode.Usage, o.orgErr)
	}
	return nil
}

// APICommand is the options of a command that calls Buildkite.
type APICommand interface {
	API() *APIOptions
	// Complete fills the command's own values from its flags (recording
	// which were given), its positional arguments and the files they
	// name. It reports nothing: what cannot be had is kept for Validate.
	Complete(fl *pflag.FlagSet, args []string)
	// Validate checks the command's inputs, before any network call. It
	// only checks, and needs no cobra command.
	Validate() error
}

// RunAPI is the RunE of a command that calls Buildkite: Complete, then
// Validate, then Run (or hand the options to runF when a test gives one to
// check flag handling alone). A failure at any step still prints the
// command's document where the output is one.
func RunAPI[O APICommand](opts O, runF, run func(context.Context, O) error) func(*cobra.Command, []string) error {
	if runF != nil {
		run = runF
	}
	return func(cmd *cobra.Command, args []string) error {
		err := opts.API().complete(cmd.Flags())
		if err == nil {
			opts.Complete(cmd.Flags(), args)
			err = opts.Validate()
		}
		if err == nil {
			err = opts.API().validate()
		}
		if err == nil {
			stop := opts.API().startPager(cmd)
			err = run(cmd.Context(), opts)
			stop()
		}
		return printFailureDocument(opts.API(), opts, err)
	}
}

// startPager shows a table on a terminal through the pager, as other
// tools do with long output; never for a command that changes things,
// which may ask a question. It returns what ends the pager.
func (o *APIOptions) startPager(cmd *cobra.Command) func() {
	if ChangesThings(cmd) || (o.Format != output.Table && o.Format != output.Wide) {
		return func() {}
	}
	if err := o.IO.StartPager(cmd.Context(), iostreams.PagerCommand(os.LookupEnv)); err != nil {
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: warning: the pager did not start: %s\n", ErrorMessage(err))
	}
	return o.IO.StopPager
}

// ParseOrgs reads repeated --org values, each as --org takes one. On the
// first that names no organization it returns those before it and why.
func ParseOrgs(args []string) ([]ident.Org, error) {
	orgs := make([]ident.Org, 0, len(args))
	for _, arg := range args {
		org, err := ident.ParseOrg(arg)
		if err != nil {
			return orgs, err
		}
		orgs = append(orgs, org)
	}
	return orgs, nil
}

// SelectOrgs is what --all-orgs and repeated --org name: nil (every
// organization the token reaches) with all, the --org values when given
// (see ParseOrgs), else the one organization the settings name.
func SelectOrgs(all bool, args []string, org ident.Org) ([]ident.Org, error) {
	switch {
	case all:
		return nil, nil
	case len(args) > 0:
		return ParseOrgs(args)
	}
	return []ident.Org{org}, nil
}

// TableStyle is how this run's tables show times and colours.
func (o *APIOptions) TableStyle() output.TableStyle {
	return o.IO.TableStyle(o.Format, o.Factory.Now())
}
