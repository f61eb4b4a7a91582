// Package revoke is `tokenctl revoke`: every way of naming what to revoke
// (tokens, a file, filters, a plan, a leaked value, a scanner's findings)
// is parsed and confirmed here, then carried out by internal/revoke's one
// executor; this package prints what it did.
package revoke

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/config"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// revokeExamples are the worked examples of `revoke --help`.
const revokeExamples = `  # Revoke one token, asking first
  tokenctl revoke --org acme --token 3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e

  # Show what would happen, send nothing
  tokenctl revoke --org acme --token 3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e --dry-run

  # In CI: machine-readable result and exit code
  tokenctl revoke --org acme --token "$TOKEN_UUID" -o json

  # Every token listed in a file, keeping an audit trail
  tokenctl revoke --org acme --from-file leavers.txt --audit-log audit.jsonl

  # Tokens unused for six months: check, then revoke without a terminal
  tokenctl revoke --org acme --stale 180d --dry-run
  tokenctl revoke --org acme --stale 180d --yes

  # What "tokens list" selected, after review
  tokenctl tokens list --org acme --owner mo@acme.example -o json > mo.json
  tokenctl revoke --org acme --from-file mo.json

  # Every Buildkite token a secret scanner found, in every organization you administer
  trufflehog git file://. --json | tokenctl revoke --all-orgs --from-scan -`

// NewCmdRevoke parses flags into RevokeOptions; runF does the work (tests
// may replace it to check flag parsing alone).
func NewCmdRevoke(f *cmdutil.Factory, runF func(context.Context, *RevokeOptions) error) *cobra.Command {
	opts := &RevokeOptions{APIOptions: cmdutil.NewAPIOptions(f)}
	cmd := &cobra.Command{
		Use:   "revoke (--org ORG (--token TOKEN... | --from-file FILE | FILTERS) | --plan FILE | --token-value-file FILE (--org ORG... | --orgs-file FILE | --all-orgs | --everywhere) | --from-scan FILE (--org ORG... | --all-orgs | --everywhere))",
		Short: "Remove an organization's access from API access tokens",
		Long: `Remove an organization's access from one or more users' API access tokens.

ORG is an organization slug (as in buildkite.com/SLUG) or its GraphQL id.
TOKEN is a token uuid (as shown in Buildkite's web UI) or its GraphQL id.

This cannot be undone: the organization can never be added back to the same
token; its owner has to create a new one. The token keeps working for its
other organizations.

Whenever a person can be asked, tokenctl shows the tokens and asks before
revoking: on the terminal, even when stderr is redirected, and even when
standard input is piped in (the controlling terminal). --yes skips the
question; Ctrl-C at it ends the run at once (exit 130), nothing sent. When
nobody can be asked (a CI job), tokens named one by one (--token,
--from-file, --token-value-file) are revoked without asking, as scripts
need, while a selection (filters, --from-scan, --plan, --all-orgs) needs
--yes. The token tokenctl is itself using is never revoked unless
--allow-self is given, and then last of all.

` + bulkHelp + `

A leaked token, by its value (--token-value-file FILE):
  --org ORG          revoke it from one organization; repeat --org to
                     revoke it from each organization named
  --orgs-file FILE   ... from each organization in FILE, one slug or id
                     per line (# comments; - reads standard input)
  --all-orgs         ... from every organization you belong to and
                     administer; exits 9 when an organization could not
                     be checked for a reason that says nothing about the
                     token, or Buildkite lists fewer organizations than it
                     counts (name them instead)
  --everywhere       delete the token itself

Mutations run a few at a time (--concurrency, default 4), with a progress
bar on a terminal. Every token gets its own result row; when only some are
revoked the exit status is 6. Ctrl-C stops sending new mutations, lets
those in flight finish, reports what was and was not done, and exits 130.`,
		Example: revokeExamples,
		Args:    cobra.NoArgs,
		RunE:    cmdutil.RunAPI(opts, runF, revokeRun),
	}
	cmd.Annotations = cmdutil.Changes()
	fl := cmd.Flags()
	opts.AddFlags(fl, output.Generic, true)
	fl.StringArrayVar(&opts.TokenArgs, "token", nil, "`TOKEN` to revoke, by uuid or GraphQL id (repeatable)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "resolve and show the plan; send no mutation")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	fl.BoolVar(&opts.AllowSelf, "allow-self", false, "allow revoking the API token tokenctl is using")
	fl.BoolVar(&opts.IgnoreMissing, "ignore-missing", false, "treat tokens that no longer have access as done (safe re-runs)")
	fl.String("audit-log", "", "append a JSON Lines audit record before and after each mutation to `FILE` (env TOKENCTL_AUDIT_LOG)")
	fl.Int("concurrency", 0, "`N` mutations in flight at once (env TOKENCTL_CONCURRENCY; default 4)")
	addLeakedTokenFlags(fl, &opts.Leaked)
	addBulkFlags(fl, &opts.Bulk)
	addScanFlags(fl, &opts.Scan)
	addPlannedFlags(fl, &opts.Planned)
	cmdutil.RegisterSelectorCompletions(cmd)
	return cmd
}

// complete parses the tokens named on the command line and reads the
// files that name more (--from-file) or give a leaked value
// (--token-value-file).
func (o *RevokeOptions) Complete(fl *pflag.FlagSet, _ []string) {
	o.AuditLog = o.Settings.AuditLog
	o.Concurrency = o.Settings.Concurrency
	o.apiTokenFile, _ = fl.GetString(config.FlagAPITokenFile)
	o.Bulk.record(fl)
	o.Planned.record(fl)
	if o.Planned.requested() {
		o.completePlanned()
		return
	}
	for _, arg := range o.TokenArgs {
		t, err := ident.ParseToken(arg)
		if err != nil {
			o.tokensErr = err
			break
		}
		o.Tokens = append(o.Tokens, t)
	}
	o.completeBulk()
	o.completeLeaked()
	o.completeScan()
}

// validate checks the tokens to revoke, however they are given, then
// that a selection which needs --yes where nobody can be asked has it.
func (o *RevokeOptions) Validate() error {
	if err := o.validateTokens(); err != nil {
		return err
	}
	if sel, some := o.selection(); some {
		return o.requireYes(sel)
	}
	return nil
}

// validateTokens checks the tokens to revoke, however they are given.
func (o *RevokeOptions) validateTokens() error {
	if o.Planned.requested() {
		return o.validatePlanned()
	}
	if o.Scan.File != "" {
		return o.validateScan()
	}
	if o.Leaked.requested() && o.Bulk.requested() {
		return exitcode.New(exitcode.Usage, errors.New("--token-value-file names one token by its value: do not combine it with --from-file or filters"))
	}
	if o.Leaked.requested() {
		return o.validateLeaked()
	}
	if n := len(o.Leaked.OrgArgs.values); n > 1 {
		return exitcode.New(exitcode.Usage, fmt.Errorf("--org was given %d times: only a leaked token (--token-value-file) is revoked from several organizations in one run; run once per organization", n))
	}
	if err := o.CheckOrg(); err != nil {
		return err
	}
	if o.tokensErr != nil {
		return exitcode.New(exitcode.Usage, o.tokensErr)
	}
	if err := o.validateBulk(); err != nil {
		return err
	}
	if len(o.Tokens)+len(o.Bulk.listed) == 0 && !o.Bulk.selecting {
		return exitcode.New(exitcode.Usage, errors.New("no token given: name each token with --token UUID, list them with --from-file FILE, or select them with filters such as --stale 180d (see `tokenctl tokens list --org "+o.Org.String()+"`)"))
	}
	return nil
}

func revokeRun(ctx context.Context, o *RevokeOptions) error {
	if o.Scan.File != "" {
		return revokeScanRun(ctx, o)
	}
	if o.Leaked.requested() {
		return revokeLeakedRun(ctx, o)
	}
	if o.Planned.plan != nil {
		return revokePlannedRun(ctx, o)
	}
	client, err := o.Factory.APIClient(o.Settings, o.Debug)
	if err != nil {
		return err
	}
	return revokeFromOrg(ctx, o, client)
}

// revokeFromOrg revokes o.Org's access from o.Tokens, or from the tokens
// the filters select: it resolves them, shows the plan and asks on a
// terminal, then executes it.
func revokeFromOrg(ctx context.Context, o *RevokeOptions, client *buildkite.Client) error {
	plan, err := revoke.Resolve(ctx, client, revoke.Request{Org: o.Org, Tokens: o.Tokens, Evidence: revoke.EvidenceNamed, Listed: o.Bulk.listed, AllowSelf: o.AllowSelf, FindAll: o.DryRun, Select: o.Bulk.selectFunc(o.Factory.Now())})
	if err != nil {
		return err
	}
	if err := o.checkListedFrom(ctx, client, plan); err != nil {
		return err
	}
	if o.Bulk.selecting && len(plan.Items) == 0 && o.IO.IsStderrTTY() {
		fmt.Fprintf(o.IO.ErrOut, "No token of organization %s matches the filters: nothing to revoke.\n", document.OrgName(plan.Organization))
	}

	if err := confirmRevocation(ctx, o, document.OrgName(plan.Organization), []*revoke.Plan{plan}); err != nil {
		return err
	}

	return executePlans(ctx, o, client, execution{
		plans:    []*revoke.Plan{plan},
		progress: true,
		counted:  "token(s)",
	})
}

func (o *RevokeOptions) FailureDocument() any {
	report := revoke.NewReport(nil, o.DryRun)
	switch {
	case o.Scan.File != "":
		return ScanReport{DryRun: o.DryRun, Scanner: o.Scan.findings.Format, Secrets: []ScanSecretResult{}}
	case o.Leaked.Everywhere:
		return everywhereFailure(o.DryRun)
	case o.Leaked.AllOrgs || o.Leaked.orgs != nil:
		// Which organizations went unchecked is not known: null, not [].
		return AllOrgsReport{Report: report}
	}
	return report
}
