// Package settings is `tokenctl settings`: organizations' API settings,
// shown and changed behind the lock-out guard.
package settings

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/orgsettings"
	"github.com/tokenctl/tokenctl/internal/output"
)

// NewCmdSettings is the group of commands about organizations' API
// settings.
func NewCmdSettings(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "settings",
		Short: "Show and change organizations' API settings",
		Long: `An organization's API settings (Security > API settings in Buildkite, REST
/v2/organizations/{org}/api-settings): the API IP allowlist, the automatic
revocation of inactive API access tokens, and whether only administrators
may create API access tokens. The allowlist and the revocation period are
paid features; "show" says which the organization's plan includes.

The token needs the read_organization_settings scope to show them and
write_organization_settings to change them, and its owner must be an
administrator of the organization.`,
		Example: `  tokenctl settings show --all-orgs
  tokenctl settings set --org acme --allowed-ip 203.0.113.0/24 --dry-run`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(NewCmdSettingsShow(f, nil), NewCmdSettingsSet(f, nil))
	return cmd
}

// SettingsShowOptions is every input of `tokenctl settings show`.
type SettingsShowOptions struct {
	cmdutil.APIOptions

	OrgArgs []string
	AllOrgs bool

	// Filled in by complete; nil Orgs with AllOrgs: every organization.
	Orgs    []ident.Org
	orgsErr error
}

// NewCmdSettingsShow parses flags into SettingsShowOptions; runF does the
// work (tests may replace it to check flag parsing alone).
func NewCmdSettingsShow(f *cmdutil.Factory, runF func(context.Context, *SettingsShowOptions) error) *cobra.Command {
	opts := &SettingsShowOptions{APIOptions: cmdutil.NewAPIOptions(f)}
	cmd := &cobra.Command{
		Use:   "show --org ORG [--org ORG ... | --all-orgs]",
		Short: "Show organizations' API settings and what their plan includes",
		Long: `Show each organization's API IP allowlist, automatic revocation of inactive
tokens, who may create API access tokens, and which of the plan-gated
settings its plan includes ("not on plan" where it does not).

An organization whose settings cannot be read (the token lacks the
read_organization_settings scope, its owner is not an administrator there,
the organization's allowlist shuts this address out) is reported with its
cause, on stderr and under notRead in JSON, and never stops the others;
the run then exits 9 (incomplete). With one organization, its failure is
the run's, with that failure's exit code.`,
		Example: `  tokenctl settings show --org acme
  tokenctl settings show --org acme --org globex -o yaml
  tokenctl settings show --all-orgs -o json --jq '.notRead[].organization.slug'`,
		Args: cobra.NoArgs,
		RunE: cmdutil.RunAPI(opts, runF, settingsShowRun),
	}
	fl := cmd.Flags()
	opts.AddFlags(fl, output.Generic, false)
	fl.StringArrayVar(&opts.OrgArgs, "org", nil, "organization `ORG`, by slug or GraphQL id (repeatable; env BUILDKITE_ORGANIZATION_SLUG)")
	fl.BoolVar(&opts.AllOrgs, "all-orgs", false, "every organization you belong to")
	return cmd
}

func (o *SettingsShowOptions) Complete(_ *pflag.FlagSet, _ []string) {
	o.Orgs, o.orgsErr = cmdutil.SelectOrgs(o.AllOrgs, o.OrgArgs, o.Org)
}

func (o *SettingsShowOptions) Validate() error {
	switch {
	case o.AllOrgs && len(o.OrgArgs) > 0:
		return exitcode.New(exitcode.Usage, errors.New("--all-orgs shows every organization you belong to: drop --org, or drop --all-orgs"))
	case o.AllOrgs:
		return nil
	case len(o.OrgArgs) > 0:
		return exitcode.New(exitcode.Usage, o.orgsErr)
	}
	return o.CheckOrg()
}

func settingsShowRun(ctx context.Context, o *SettingsShowOptions) error {
	client, err := o.Factory.APIClient(o.Settings, o.Debug)
	if err != nil {
		return err
	}
	reading, err := orgsettings.Read(ctx, client, o.Orgs)
	switch {
	case errors.Is(err, orgsettings.ErrNoOrganizations):
		return exitcode.New(exitcode.NotFound, fmt.Errorf("--all-orgs: %w", err))
	case err != nil:
		return err
	}
	// One organization named: its failure is the run's.
	if len(o.Orgs) == 1 && len(reading.NotRead) == 1 {
		return reading.NotRead[0].Err()
	}
	for _, nr := range reading.NotRead {
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: %s: not read (%s): %s\n", nr.Organization.Slug, nr.Cause, cmdutil.OneLine(nr.Reason))
	}
	if n := reading.NotListed; n > 0 {
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: not read: Buildkite counts %d more organization(s) of yours than it listed; name them with repeated --org\n", n)
	}
	printer := output.Printer{Out: o.IO.Out, Format: o.Format, JQ: o.JQ}
	if err := printer.Print(reading, func(bool) output.Rows { return settingsRows(reading) }); err != nil {
		return err
	}
	if reading.Incomplete() {
		return cmdutil.ExitWith(exitcode.Incomplete)
	}
	return nil
}

// settingsRows is the table of settings show: one row per organization,
// read or not.
func settingsRows(r orgsettings.Reading) output.Rows {
	rows := output.Rows{Headers: []string{"ORGANIZATION", "IP ALLOWLIST", "REVOKE INACTIVE AFTER", "MAY CREATE TOKENS", "PLAN INCLUDES"}}
	for _, s := range r.Settings {
		rows.Cells = append(rows.Cells, []string{s.Organization.Slug, s.DescribeAllowlist(), s.DescribeInactivity(), s.DescribeTokenCreation(), describeFeatures(s.Features)})
	}
	for _, nr := range r.NotRead {
		rows.Cells = append(rows.Cells, []string{nr.Organization.Slug, "not read: " + string(nr.Cause), "-", "-", "-"})
	}
	return rows
}

func describeFeatures(f orgsettings.Features) string {
	var on []string
	unknown := false
	for _, feature := range []struct {
		name string
		has  *bool
	}{{"allowlist", f.APIIPAllowlist}, {"inactivity revocation", f.InactiveTokenRevocation}} {
		switch {
		case feature.has == nil:
			unknown = true
		case *feature.has:
			on = append(on, feature.name)
		}
	}
	switch {
	case unknown:
		return strings.Join(append(on, "unknown"), ", ")
	case len(on) == 0:
		return "neither"
	}
	return strings.Join(on, ", ")
}

func (o *SettingsShowOptions) FailureDocument() any {
	return orgsettings.ReadingFailure()
}
