package policy

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/inactivity"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/span"
)

// PolicyShowOptions is every input of `tokenctl policy show`.
type PolicyShowOptions struct {
	cmdutil.APIOptions

	WithinArg string
	WhatIfArg string

	// Filled in by complete and validate.
	Within    time.Duration
	withinErr error
	WhatIf    *inactivity.Setting
}

// maxWithin bounds --within: beyond the longest period (365 days) every
// token is listed anyway.
const maxWithin = 3650 * 24 * time.Hour

// NewCmdPolicyShow parses flags into PolicyShowOptions; runF does the work
// (tests may replace it to check flag parsing alone).
func NewCmdPolicyShow(f *cmdutil.Factory, runF func(context.Context, *PolicyShowOptions) error) *cobra.Command {
	opts := &PolicyShowOptions{APIOptions: cmdutil.NewAPIOptions(f)}
	cmd := &cobra.Command{
		Use:   "show --org ORG",
		Short: "Show the inactive-token revocation period and the tokens it takes next",
		Long: `Show the organization's automatic inactive-token revocation period
(revokeInactiveTokensAfter) and the API access tokens it applies to: those
whose last use is longer ago than the period, soonest first, each with the
date it reached the period.

A token that has never been used is counted from its creation: tokenctl
assumes Buildkite measures inactivity from creation when there is no last
use. --within SPAN (14d, 2w) also lists the tokens that reach the period
in that span from now.

When the period is NEVER or unset, nothing is revoked automatically and no
token is listed. Listing the tokens needs an administrator of the
organization, like revoking them.`,
		Example: `  # The period and the tokens already past it
  tokenctl policy show --org acme

  # ... and those that will be in the next two weeks
  tokenctl policy show --org acme --within 14d

  # The uuids of the tokens past the period, for a script
  tokenctl policy show --org acme --jq '.tokens[] | select(.due) | .uuid'`,
		Args: cobra.NoArgs,
		RunE: cmdutil.RunAPI(opts, runF, policyShowRun),
	}
	fl := cmd.Flags()
	opts.AddFlags(fl, output.Generic, true)
	fl.StringVar(&opts.WithinArg, "within", "", "also list tokens that reach the period within `SPAN` (14d, 2w)")
	fl.StringVar(&opts.WhatIfArg, "what-if", "", "also list the tokens a `PERIOD` (30d, 60d, 90d, 180d, 365d) would revoke today")
	return cmd
}

// complete reads --within: a span, as every span flag takes; a bare
// number, which it once was, still reads as days, with a warning.
func (o *PolicyShowOptions) Complete(*pflag.FlagSet, []string) {
	o.Within, o.withinErr = parseWithin(o.WithinArg, o.IO.ErrOut)
}

func parseWithin(arg string, warn io.Writer) (time.Duration, error) {
	if arg == "" {
		return 0, nil
	}
	var d time.Duration
	if days, err := strconv.Atoi(arg); err == nil && days >= 0 {
		fmt.Fprintf(warn, "tokenctl: warning: --within %d: a bare number of days is deprecated; write --within %dd\n", days, days)
		d = time.Duration(days) * span.Day
	} else if d, err = span.Parse(arg); err != nil {
		return 0, exitcode.New(exitcode.Usage, fmt.Errorf("--within: %w", err))
	}
	if d > maxWithin {
		return 0, exitcode.New(exitcode.Usage, fmt.Errorf("--within %s: the most is 3650d", output.Printable(arg)))
	}
	return d, nil
}

// validate checks the organization and --within.
func (o *PolicyShowOptions) Validate() error {
	if err := o.CheckOrg(); err != nil {
		return err
	}
	if o.withinErr != nil {
		return o.withinErr
	}
	if o.WhatIfArg != "" {
		s, err := inactivity.ParseSetting(o.WhatIfArg)
		if err != nil {
			return cmdutil.FlagValueError("--what-if", o.WhatIfArg, err)
		}
		o.WhatIf = &s
	}
	return nil
}

func policyShowRun(ctx context.Context, o *PolicyShowOptions) error {
	client, err := o.Factory.APIClient(o.Settings, o.Debug)
	if err != nil {
		return err
	}
	asOf := o.Factory.Now().UTC().Truncate(time.Second)
	report, err := inactivity.Show(ctx, client, o.Org, asOf, o.Within)
	if err != nil {
		return err
	}
	if o.WhatIf != nil {
		if report.WhatIf, err = inactivity.WhatIf(ctx, client, report, *o.WhatIf); err != nil {
			return err
		}
	}
	if period := document.Deref(report.RevokeInactiveTokensAfter); period != "" {
		if _, known := inactivity.PeriodDays(period); !known {
			fmt.Fprintf(o.IO.ErrOut, "tokenctl: note: organization %s has revokeInactiveTokensAfter %s, which tokenctl does not know; no token is listed\n", report.Organization.Slug, period)
		}
	}

	if o.JQ == "" && (o.Format == output.Table || o.Format == output.Wide) {
		fmt.Fprintln(o.IO.Out, output.Printable(policySentence(report, o.Within)))
		if report.WhatIf != nil {
			return printWhatIf(o.IO.Out, o.IO.TableStyle(o.Format, report.AsOf), report)
		}
		if len(report.Tokens) == 0 {
			return nil
		}
		fmt.Fprintln(o.IO.Out)
	}
	printer := output.Printer{Out: o.IO.Out, Format: o.Format, JQ: o.JQ}
	style := o.IO.TableStyle(o.Format, report.AsOf)
	return printer.Print(report, func(wide bool) output.Rows { return policyRows(style, report, wide) })
}

// policySentence says in words what the table below it means.
func policySentence(r document.RevocationSetting, within time.Duration) string {
	name := r.Organization.Describe()
	switch {
	case r.RevokeInactiveTokensAfter == nil:
		return name + ": no automatic revocation period is set, so inactive API access tokens are not revoked automatically."
	case r.PeriodDays == nil:
		return fmt.Sprintf("%s: revokeInactiveTokensAfter is %s: inactive API access tokens are not revoked automatically.", name, *r.RevokeInactiveTokensAfter)
	}
	s := fmt.Sprintf("%s: API access tokens unused for %d days are revoked automatically (%s).", name, *r.PeriodDays, *r.RevokeInactiveTokensAfter)
	due := 0
	for _, t := range r.Tokens {
		if t.Due {
			due++
		}
	}
	switch {
	case within >= span.Day && within%span.Day == 0:
		s += fmt.Sprintf(" %d token(s) past the period, %d more within %d day(s).", due, len(r.Tokens)-due, within/span.Day)
	case within > 0:
		s += fmt.Sprintf(" %d token(s) past the period, %d more within %s.", due, len(r.Tokens)-due, within)
	case due == 0:
		s += " No token is past the period."
	default:
		s += fmt.Sprintf(" %d token(s) past the period.", due)
	}
	return s
}

func (o *PolicyShowOptions) FailureDocument() any {
	return document.RevocationSettingFailure()
}
