package policy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/inactivity"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// PolicySetOptions is every input of `tokenctl policy set`.
type PolicySetOptions struct {
	cmdutil.APIOptions

	PeriodArg string
	DryRun    bool
	Yes       bool

	// Filled in by validate.
	Setting  inactivity.Setting
	AuditLog string
}

// NewCmdPolicySet parses flags into PolicySetOptions; runF does the work
// (tests may replace it to check flag parsing alone).
func NewCmdPolicySet(f *cmdutil.Factory, runF func(context.Context, *PolicySetOptions) error) *cobra.Command {
	opts := &PolicySetOptions{APIOptions: cmdutil.NewAPIOptions(f)}
	cmd := &cobra.Command{
		Use:   "set --org ORG --revoke-inactive-after PERIOD",
		Short: "Set the period after which inactive tokens are revoked automatically",
		Long: `Set the organization's automatic revocation of inactive API access tokens
(organizationRevokeInactiveTokensAfterUpdate): 30d, 60d, 90d, 180d or 365d,
or never. It is a paid Buildkite feature: where the organization's plan
does not include it, tokenctl says so in one line and exits 3.

First tokenctl shows what the new period would revoke today (as
"policy show --what-if" does). On a terminal it then asks; without one it
needs --yes. --dry-run shows the what-if and changes nothing. The change is
written to --audit-log, with the period before and after.`,
		Example: `  # What would 30 days take? Then set it.
  tokenctl policy set --org acme --revoke-inactive-after 30d --dry-run
  tokenctl policy set --org acme --revoke-inactive-after 30d --yes --audit-log audit.jsonl

  # Turn automatic revocation off
  tokenctl policy set --org acme --revoke-inactive-after never --yes`,
		Args: cobra.NoArgs,
		RunE: cmdutil.RunAPI(opts, runF, policySetRun),
	}
	cmd.Annotations = cmdutil.Changes()
	fl := cmd.Flags()
	opts.AddFlags(fl, output.Generic, true)
	fl.StringVar(&opts.PeriodArg, "revoke-inactive-after", "", "the new `PERIOD`: 30d, 60d, 90d, 180d, 365d or never")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "show what the period would revoke; change nothing")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	fl.String("audit-log", "", "append a JSON Lines audit record before and after the change to `FILE` (env TOKENCTL_AUDIT_LOG)")
	_ = cmd.RegisterFlagCompletionFunc("revoke-inactive-after", cobra.FixedCompletions([]string{"30d", "60d", "90d", "180d", "365d", "never"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// complete takes the audit log's path from the settings.
func (o *PolicySetOptions) Complete(*pflag.FlagSet, []string) {
	o.AuditLog = o.Settings.AuditLog
}

func (o *PolicySetOptions) Validate() error {
	if err := o.CheckOrg(); err != nil {
		return err
	}
	if o.PeriodArg == "" {
		return exitcode.New(exitcode.Usage, errors.New("--revoke-inactive-after is required: 30d, 60d, 90d, 180d, 365d or never"))
	}
	var err error
	if o.Setting, err = inactivity.ParseSetting(o.PeriodArg); err != nil {
		return cmdutil.FlagValueError("--revoke-inactive-after", o.PeriodArg, err)
	}
	if !o.DryRun && !o.Yes && !o.IO.CanPrompt() {
		return exitcode.New(exitcode.Usage, errors.New("changing the inactive-token policy can revoke many tokens at once and needs confirmation, and there is no terminal to ask on: check it with --dry-run, then pass --yes"))
	}
	return nil
}

func policySetRun(ctx context.Context, o *PolicySetOptions) error {
	client, err := o.Factory.APIClient(o.Settings, o.Debug)
	if err != nil {
		return err
	}
	current, err := inactivity.Show(ctx, client, o.Org, o.Factory.Now().UTC().Truncate(time.Second), 0)
	if err != nil {
		return err
	}
	whatIf, err := inactivity.WhatIf(ctx, client, current, o.Setting)
	if err != nil {
		return err
	}
	report := document.RevocationSettingChange{
		Organization: current.Organization, From: current.RevokeInactiveTokensAfter,
		To: o.Setting.Period, DryRun: o.DryRun, WhatIf: whatIf,
	}
	period := document.Deref(current.RevokeInactiveTokensAfter)
	switch {
	case period == o.Setting.Period:
		report.Status = "unchanged"
	case o.DryRun:
		report.Status = "dry-run"
	default:
		if err := o.confirmPolicy(report, current.AsOf); err != nil {
			return err
		}
		org := buildkite.Organization{ID: current.Organization.ID, Slug: current.Organization.Slug, Name: current.Organization.Name}
		if report.ClientMutationID, err = o.applyPolicy(ctx, client, org, period); err != nil {
			return err
		}
		report.Status = inactivity.ResultUpdated
	}
	if o.IO.IsStderrTTY() && report.Status == "unchanged" {
		fmt.Fprintf(o.IO.ErrOut, "%s already revokes inactive tokens after %s: nothing to change.\n", current.Organization.Slug, period)
	}
	printer := output.Printer{Out: o.IO.Out, Format: o.Format, JQ: o.JQ}
	style := o.IO.TableStyle(o.Format, current.AsOf)
	return printer.Print(report, func(wide bool) output.Rows {
		return policyRows(style, document.RevocationSetting{AsOf: current.AsOf, Tokens: whatIf.Tokens}, wide)
	})
}

// confirmPolicy shows the what-if on a terminal and asks, unless --yes.
func (o *PolicySetOptions) confirmPolicy(r document.RevocationSettingChange, asOf time.Time) error {
	w := o.IO.PromptOut()
	if w == nil {
		return nil
	}
	from := "unset"
	if r.From != nil {
		from = *r.From
	}
	fmt.Fprintf(w, "About to change organization %s's automatic revocation of inactive API access tokens from %s to %s.\n", r.Organization.Slug, from, r.To)
	fmt.Fprintln(w, whatIfSentence(r.WhatIf))
	if len(r.WhatIf.Tokens) > 0 {
		fmt.Fprintln(w)
		if err := output.WriteTable(w, policyRows(o.IO.PromptTableStyle(asOf), document.RevocationSetting{AsOf: asOf, Tokens: r.WhatIf.Tokens}, false)); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	if o.Yes || !o.IO.CanPrompt() {
		return nil
	}
	ok, err := o.IO.Confirm(fmt.Sprintf("Set it to %s?", r.To))
	if err != nil || !ok {
		return exitcode.New(exitcode.Refused, errors.New("not confirmed: the policy was not changed"))
	}
	return nil
}

// applyPolicy makes the change through inactivity.Apply, which writes the
// audit log; it returns the change's clientMutationId.
func (o *PolicySetOptions) applyPolicy(ctx context.Context, client *buildkite.Client, org buildkite.Organization, from string) (*string, error) {
	self, err := client.AccessToken(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w (tokenctl records who made the change before making it)", err)
	}
	auditLog, err := cmdutil.OpenAuditLog(o.AuditLog)
	if err != nil {
		return nil, err
	}
	defer auditLog.Close()
	auditLog.Mask(o.Settings.APIToken)
	id := revoke.NewMutationID()
	if o.Factory.NewMutationID != nil {
		id = o.Factory.NewMutationID()
	}
	_, err = inactivity.Apply(ctx, client, auditLog, inactivity.Change{
		Organization: org, From: from, To: o.Setting.Period, ClientMutationID: id,
		Caller: audit.CallerOf(self),
	})
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// FailureDocument is the document of a run that failed before it had
// results (failure.go).
func (o *PolicySetOptions) FailureDocument() any {
	return document.RevocationSettingChangeFailure(o.DryRun)
}
