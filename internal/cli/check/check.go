// Package check is `tokenctl check`: a token review against a policy file,
// its report and its revocation plan.
package check

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/config"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/hygiene"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/inputfile"
	"github.com/tokenctl/tokenctl/internal/orgsettings"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/redact"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// checkFormats are the formats `tokenctl check` prints.
var checkFormats = []output.Format{output.Table, output.JSON, output.CSV, output.Markdown}

// Bounds on what --policy and --exceptions (maxPolicyFile) and --compare
// (maxReportFile) read: a policy is a few kilobytes, the report of a very
// large organization some tens of megabytes.
const (
	maxPolicyFile = 1 << 20
	maxReportFile = 256 << 20
)

// CheckOptions is every input of `tokenctl check`.
type CheckOptions struct {
	cmdutil.APIOptions

	OrgArgs            []string
	AllOrgs            bool
	PolicyFile         string
	ExceptionsFile     string
	CompareFile        string
	PlanOut            string
	PrintDefaultPolicy bool
	FromReport         string

	// Filled in by complete, with --from-report.
	Saved        hygiene.Saved
	listingFlags []string // flags given that only a check that lists uses

	// Filled in by complete.
	Orgs         []ident.Org
	Policy       *hygiene.Policy
	Previous     *hygiene.Report
	orgsErr      error  // the first --org that is not an organization
	inputErr     error  // why --policy, --exceptions or --compare could not be had
	apiTokenFile string // --api-token-file, which may claim standard input
}

// NewCmdCheck parses flags into CheckOptions; runF does the work (tests may
// replace it to check flag parsing alone).
func NewCmdCheck(f *cmdutil.Factory, runF func(context.Context, *CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{APIOptions: cmdutil.NewAPIOptions(f)}
	cmd := &cobra.Command{
		Use:   "check (--org ORG ... | --all-orgs | --from-report FILE) [--policy FILE]",
		Short: "Check an organization's API access tokens against a token policy",
		Long: `Check every API access token of one or more organizations against a token
policy and report the findings: one per token and rule broken.

The policy (--policy FILE, YAML) sets rules and their severities (info,
warn, error, revoke): tokens idle or never used for too long, without an
expiry or living too long, expiring soon, holding scopes they should not,
and owners not seen for a while, without two-factor authentication while
the token can write, or not administrators while the token has GraphQL
access. Without --policy the default policy applies
(--print-default-policy writes it out, to start your own). Exceptions, in
the policy or in --exceptions FILE, hide a token's, an owner's or a
description's findings until a date, for a reason; hidden findings are
still counted, and an expired exception stops hiding and says so. Bot
users' tokens are reported apart and never fail the check.

The organization's members are listed only when a rule needs them,
alongside the tokens.

Exit status: 0 when no finding at error or revoke severity remains, 8 when
some do, 9 when none do but --all-orgs could not see every organization
(Buildkite counted more than it listed); the usual codes when the check
could not run. A check never
revokes anything: --plan-out FILE writes the revocations that revoke
findings call for, and 'tokenctl revoke --plan FILE' applies them.

--from-report FILE renders a report that 'tokenctl check -o json' saved,
in any format, without listing again: a CI job lists once and prints the
JSON, the Markdown and the CSV of that one listing. It exits as the check
that wrote the report did (8 for findings, and so on). When that check
could not run, the file holds its failure document: the Markdown says why
the check could not run, and the exit status is the check's.`,
		Example: `  # The default policy, on a terminal
  tokenctl check --org acme

  # Nightly in CI: list once, keep the JSON report, render its Markdown
  tokenctl check --org acme --policy policy.yaml --compare previous.json -o json > report.json
  tokenctl check --from-report report.json -o markdown > summary.md

  # Every organization you administer
  tokenctl check --all-orgs -o csv > findings.csv

  # Plan the revocations, review them, apply them
  tokenctl check --org acme --policy policy.yaml --plan-out plan.json
  tokenctl revoke --plan plan.json

  # Start your own policy
  tokenctl check --print-default-policy > policy.yaml`,
		Args: cobra.NoArgs,
		RunE: cmdutil.RunAPI(opts, runF, checkRun),
	}
	fl := cmd.Flags()
	opts.AddFlags(fl, checkFormats, false)
	fl.StringArrayVar(&opts.OrgArgs, "org", nil, "organization `ORG`, by slug or GraphQL id (repeatable; env BUILDKITE_ORGANIZATION_SLUG)")
	fl.Int("page-size", 0, cmdutil.PageSizeUsage)
	fl.BoolVar(&opts.AllOrgs, "all-orgs", false, "check every organization you belong to (those whose tokens you may not list are reported as not checked)")
	fl.StringVar(&opts.PolicyFile, "policy", "", "token policy `FILE` (YAML); default: the built-in policy")
	fl.StringVar(&opts.ExceptionsFile, "exceptions", "", "exceptions `FILE` (YAML: version, exceptions), added to the policy's")
	fl.StringVar(&opts.CompareFile, "compare", "", "mark findings new, unchanged or resolved against an earlier JSON report `FILE`")
	fl.StringVar(&opts.PlanOut, "plan-out", "", "write the revocations that revoke-severity findings call for to `FILE`, for tokenctl revoke --plan")
	fl.BoolVar(&opts.PrintDefaultPolicy, "print-default-policy", false, "print the default policy and exit")
	fl.StringVar(&opts.FromReport, "from-report", "", "render the JSON report `FILE` an earlier 'check -o json' wrote, without listing (- for standard input)")
	return cmd
}

// complete parses the organizations and reads the policy, the exceptions
// and the earlier report; what cannot be had is kept for validate.
func (o *CheckOptions) Complete(fl *pflag.FlagSet, _ []string) {
	if o.PrintDefaultPolicy {
		return
	}
	o.apiTokenFile, _ = fl.GetString(config.FlagAPITokenFile)
	if o.FromReport != "" {
		o.completeFromReport(fl)
		return
	}
	// Without organizations (--all-orgs), hygiene.Read reads every one the
	// token reaches.
	o.Orgs, o.orgsErr = cmdutil.SelectOrgs(o.AllOrgs, o.OrgArgs, o.Org)
	if o.stdinClaimedTwice() != "" {
		return
	}
	o.inputErr = o.readInputs()
}

// checkListingFlags are the flags of a check that lists tokens, which
// --from-report does not.
var checkListingFlags = []string{"org", "all-orgs", "page-size", "policy", "exceptions", "compare", "plan-out", "print-default-policy"}

// completeFromReport notes the listing flags given with --from-report and
// reads the saved report.
func (o *CheckOptions) completeFromReport(fl *pflag.FlagSet) {
	for _, name := range checkListingFlags {
		if fl.Changed(name) {
			o.listingFlags = append(o.listingFlags, "--"+name)
		}
	}
	if len(o.listingFlags) > 0 {
		return
	}
	data, source, err := o.readInput("--from-report", o.FromReport, maxReportFile, "a saved report")
	if err == nil {
		o.Saved, err = hygiene.ReadSaved(data, source)
	}
	o.inputErr = err
}

// readInputs reads --policy, --exceptions and --compare.
func (o *CheckOptions) readInputs() error {
	o.Policy = hygiene.DefaultPolicy()
	if o.PolicyFile != "" {
		data, source, err := o.readInput("--policy", o.PolicyFile, maxPolicyFile, "the policy")
		if err != nil {
			return err
		}
		if o.Policy, err = hygiene.ParsePolicy(data, source); err != nil {
			return err
		}
	}
	if o.ExceptionsFile != "" {
		data, source, err := o.readInput("--exceptions", o.ExceptionsFile, maxPolicyFile, "the exceptions")
		if err != nil {
			return err
		}
		if err := o.Policy.ParseExceptions(data, source); err != nil {
			return err
		}
	}
	if o.CompareFile != "" {
		data, source, err := o.readInput("--compare", o.CompareFile, maxReportFile, "the earlier report")
		if err != nil {
			return err
		}
		if o.Previous, err = hygiene.ReadReport(data, source); err != nil {
			return err
		}
	}
	return nil
}

// stdinClaimedTwice names two flags that both want standard input, or "".
func (o *CheckOptions) stdinClaimedTwice() string {
	var claims []string
	for _, in := range []struct{ flag, path string }{
		{"--" + config.FlagAPITokenFile, o.apiTokenFile},
		{"--policy", o.PolicyFile},
		{"--exceptions", o.ExceptionsFile},
		{"--compare", o.CompareFile},
		{"--from-report", o.FromReport},
	} {
		if in.path == inputfile.Stdin {
			claims = append(claims, in.flag)
		}
	}
	if len(claims) < 2 {
		return ""
	}
	return claims[0] + " - and " + claims[1] + " -"
}

// validate checks the organizations and the files read by complete, all
// before any request.
func (o *CheckOptions) Validate() error {
	if o.PrintDefaultPolicy {
		return nil
	}
	usage := func(err error) error { return exitcode.New(exitcode.Usage, err) }
	if o.FromReport != "" {
		if len(o.listingFlags) > 0 {
			return usage(fmt.Errorf("--from-report renders a saved report without listing tokens, so %s cannot apply: give them to the check that writes the report",
				strings.Join(o.listingFlags, ", ")))
		}
		if both := o.stdinClaimedTwice(); both != "" {
			return usage(fmt.Errorf("%s both want standard input; put one of them in a file", both))
		}
		if o.inputErr != nil {
			return usage(o.inputErr)
		}
		return nil
	}
	switch {
	case o.AllOrgs && len(o.OrgArgs) > 0:
		return usage(errors.New("--all-orgs checks every organization you belong to: drop --org, or drop --all-orgs"))
	case o.AllOrgs:
	case len(o.OrgArgs) > 0:
		if o.orgsErr != nil {
			return usage(o.orgsErr)
		}
	default:
		if err := o.CheckOrg(); err != nil {
			return err
		}
	}
	if both := o.stdinClaimedTwice(); both != "" {
		return usage(fmt.Errorf("%s both want standard input; put one of them in a file", both))
	}
	if o.inputErr != nil {
		return usage(o.inputErr)
	}
	return nil
}

// readInput reads a file a flag names, refusing one larger than limit.
// source names the file for the errors of what reads its content.
func (o *CheckOptions) readInput(flag, path string, limit int64, what string) ([]byte, string, error) {
	source := inputfile.Describe(flag, path)
	data, err := inputfile.Read(path, o.IO.In, limit, what)
	switch {
	case errors.Is(err, inputfile.ErrTooLarge):
		return nil, source, fmt.Errorf("%s: is larger than %d MiB, too large to be %s", source, limit>>20, what)
	case err != nil:
		return nil, source, fmt.Errorf("%s: %w", source, err)
	}
	return data, source, nil
}

func checkRun(ctx context.Context, o *CheckOptions) error {
	if o.PrintDefaultPolicy {
		_, err := o.IO.Out.Write(hygiene.DefaultPolicyYAML)
		return err
	}
	if o.FromReport != "" {
		return renderSaved(o)
	}
	client, err := o.Factory.APIClient(o.Settings, o.Debug)
	if err != nil {
		return err
	}
	// Without organizations (--all-orgs), every one the caller belongs to.
	now := o.Factory.Now()
	reading, err := hygiene.Read(ctx, client, o.Orgs, o.Policy, now)
	switch {
	case errors.Is(err, hygiene.ErrNoOrganizations):
		return exitcode.New(exitcode.NotFound, fmt.Errorf("--all-orgs: %w", err))
	case err != nil:
		return err
	}
	for _, nc := range reading.NotChecked {
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: %s: not checked: %s\n", document.OrgName(nc.Organization), cmdutil.OneLine(nc.Reason))
	}
	if n := reading.NotListed; n > 0 {
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: not checked: Buildkite counts %d more organization(s) of yours than it listed; name every organization to check with repeated --org\n", n)
	}
	if len(reading.Organizations) == 0 {
		if len(o.OrgArgs) > 0 {
			return exitcode.New(exitcode.Incomplete, errors.New("--org: none of the organizations named could be checked (see above)"))
		}
		if reading.NotListed > 0 || slices.ContainsFunc(reading.NotChecked, func(nc hygiene.NotChecked) bool { return nc.Cause == revoke.CauseError }) {
			return exitcode.New(exitcode.Incomplete, errors.New("--all-orgs: none of the organizations could be checked, and some of them for reasons that say nothing about their tokens (see above)"))
		}
		return exitcode.New(exitcode.Auth, errors.New("--all-orgs: you may list the tokens of none of the organizations you belong to, so no token could be checked"))
	}

	var settingsNotRead []orgsettings.NotRead
	if o.Policy.NeedsSettings() {
		if settingsNotRead, err = hygiene.ReadSettings(ctx, client, reading.Organizations); err != nil {
			return err
		}
		for _, nr := range settingsNotRead {
			fmt.Fprintf(o.IO.ErrOut, "tokenctl: %s: organization rules not judged, API settings not read (%s): %s\n", nr.Organization.Slug, nr.Cause, cmdutil.OneLine(nr.Reason))
		}
	}

	report := hygiene.Check(o.Policy, reading.Organizations, now)
	report.NotChecked = append(report.NotChecked, reading.NotChecked...)
	report.SettingsNotRead = append(report.SettingsNotRead, settingsNotRead...)
	report.NotListed = reading.NotListed
	if o.Previous != nil {
		if err := report.Compare(o.Previous); err != nil {
			return err
		}
	}
	if o.PlanOut != "" {
		if err := writePlan(o, hygiene.NewPlan(report, o.Policy, now)); err != nil {
			return err
		}
	}

	if err := printCheck(o, report); err != nil {
		return err
	}
	return cmdutil.ExitWith(report.ExitCode())
}

// renderSaved prints the report --from-report read, and exits as the
// check that wrote it did. A failure document is printed as it was (JSON),
// or as the Markdown that says why the check could not run; either way its
// message goes to stderr and its exit status is the command's.
func renderSaved(o *CheckOptions) error {
	if r := o.Saved.Report; r != nil {
		if err := printCheck(o, *r); err != nil {
			return err
		}
		return cmdutil.ExitWith(r.ExitCode())
	}
	f := *o.Saved.Failure
	f.Message = cmdutil.OneLine(redact.Secrets(f.Message))
	var err error
	if o.Format == output.Markdown && o.JQ == "" {
		_, err = fmt.Fprint(o.IO.Out, hygiene.FailureMarkdown(f))
	} else {
		err = (output.Printer{Out: o.IO.Out, Format: o.Format, JQ: o.JQ}).PrintFailure(o.FailureDocument(), f)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "tokenctl: %s: the check that wrote it could not run: %s\n", inputfile.Describe("--from-report", o.FromReport), output.Printable(f.Message))
	return cmdutil.ExitWith(exitcode.Code(f.ExitCode))
}

func printCheck(o *CheckOptions, report hygiene.Report) error {
	printer := output.Printer{Out: o.IO.Out, Format: o.Format, JQ: o.JQ}
	switch {
	case o.JQ == "" && o.Format == output.JSON:
		return report.WriteJSON(o.IO.Out)
	case o.JQ != "" || o.Format == output.CSV:
		return printer.Print(report, func(bool) output.Rows { return report.CSVRows() })
	case o.Format == output.Markdown:
		return report.WriteMarkdown(o.IO.Out, hygiene.AnnotationLimit)
	}
	return report.WriteTable(o.IO.Out, o.TableStyle())
}

// writePlan writes the plan file and says on stderr what it holds.
func writePlan(o *CheckOptions, plan hygiene.Plan) error {
	f, err := os.OpenFile(o.PlanOut, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return exitcode.New(exitcode.Usage, fmt.Errorf("--plan-out %s: cannot write it: %w", o.PlanOut, err))
	}
	if err := (output.Printer{Out: f, Format: output.JSON}).Print(plan, nil); err != nil {
		_ = f.Close()
		return fmt.Errorf("--plan-out %s: %w", o.PlanOut, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--plan-out %s: %w", o.PlanOut, err)
	}
	fmt.Fprintf(o.IO.ErrOut, "tokenctl: wrote a plan of %d revocation(s) to %s; review it, then run `tokenctl revoke --plan %s`\n", len(plan.Revocations), o.PlanOut, o.PlanOut)
	return nil
}

func (o *CheckOptions) FailureDocument() any {
	return hygiene.ReportFailure()
}
