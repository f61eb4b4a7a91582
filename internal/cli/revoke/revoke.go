// Package revoke is `tokenctl revoke`: every way of naming what to revoke
// (tokens, a file, filters, a plan, a leaked value, a scanner's findings)
// is parsed and confirmed here, then carried out by internal/revoke's one
// executor; this package prints what it did.
package revoke

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/config"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/iostreams"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// RevokeOptions is every input of `tokenctl revoke`.
type RevokeOptions struct {
	cmdutil.APIOptions

	TokenArgs     []string
	DryRun        bool
	Yes           bool
	AllowSelf     bool
	IgnoreMissing bool
	Leaked        leakedTokenOptions // --token-value-file and friends
	Bulk          bulkOptions        // --from-file and the filters
	Scan          scanOptions        // --from-scan
	Planned       plannedOptions     // --plan and --max-plan-age

	// Filled in by complete.
	Tokens       []ident.Token
	AuditLog     string
	Concurrency  int
	tokensErr    error  // the first --token that is not a token
	apiTokenFile string // --api-token-file, which may claim standard input
}

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

// severalOrgs is the where of a confirmation over several organizations
// (a leaked token's --all-orgs, repeated --org).
const severalOrgs = "several organizations"

// confirmRevocation is the one confirmation of every revocation by
// organization. It shows the tokens about to lose access whether or not a
// question follows, so a person always sees what is about to go, where
// the question would be asked (the terminal even when stderr goes to a
// log). Then, unless --yes or --dry-run:
//   - when a person can be asked (iostreams.CanPrompt: standard input is a
//     terminal, or a controlling terminal exists) it asks; Ctrl-C at the
//     question ends the run at once (exit 130), nothing sent;
//   - when nobody can be asked, the targets' evidence decides
//     (revoke.NeedsYes): tokens the user named one by one in organizations
//     the user named go ahead, as scripts need; any other selection is
//     refused, as it needs --yes.
func confirmRevocation(ctx context.Context, o *RevokeOptions, where string, plans []*revoke.Plan) error {
	pending := 0
	for _, p := range plans {
		pending += len(p.Pending())
	}
	if pending == 0 || o.DryRun {
		return nil
	}
	header := fmt.Sprintf("About to revoke organization %s's access from %d API access token(s).", where, pending)
	question := fmt.Sprintf("Revoke %d token(s)?", pending)
	if where == severalOrgs {
		header = fmt.Sprintf("About to revoke %d organization(s)' access from the leaked API access token(s).", pending)
		question = fmt.Sprintf("Revoke their access to %d organization(s)?", pending)
		if len(plans) == pending {
			header = fmt.Sprintf("About to revoke %d organization(s)' access from the leaked API access token.", pending)
			question = fmt.Sprintf("Revoke its access to %d organization(s)?", pending)
		}
	}
	if w := o.IO.PromptOut(); w != nil {
		fmt.Fprintf(w, "%s This cannot be undone.\n\n", header)
		if err := output.WriteTable(w, planRows(o.IO.PromptTableStyle(o.Factory.Now()), plans)); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	switch {
	case o.Yes:
		return nil
	case !o.IO.CanPrompt():
		if !revoke.NeedsYes(plans) {
			return nil
		}
		return needsYes(fmt.Sprintf("%d token(s) were selected, not named one by one", pending))
	}
	ok, err := o.IO.ConfirmContext(ctx, question)
	switch {
	case errors.Is(err, iostreams.ErrInterrupted):
		return exitcode.New(exitcode.Interrupted, errors.New("interrupted at the question: nothing was revoked"))
	case err != nil || !ok:
		return exitcode.New(exitcode.Refused, errors.New("not confirmed: nothing was revoked"))
	}
	return nil
}

// selection is how the command line chooses the tokens to revoke, for the
// one confirmation rule (revoke.Selection.NeedsYes); some is false when it
// is already known to choose none (an empty plan, a scan that found
// nothing), which needs no confirmation.
func (o *RevokeOptions) selection() (sel revoke.Selection, some bool) {
	switch {
	case o.Planned.plan != nil:
		return revoke.Selection{Evidence: revoke.EvidencePolicy}, len(o.Planned.plan.Revocations) > 0
	case o.Scan.File != "":
		return revoke.Selection{Evidence: revoke.EvidenceScan, Reached: o.Leaked.AllOrgs}, len(o.Scan.findings.Secrets) > 0
	case o.Leaked.requested():
		return revoke.Selection{Evidence: revoke.EvidenceValue, Reached: o.Leaked.AllOrgs}, true
	case o.Bulk.selecting:
		return revoke.Selection{Evidence: revoke.EvidenceFilter}, true
	}
	return revoke.Selection{Evidence: revoke.EvidenceNamed}, true
}

// requireYes refuses, before any request, a selection that needs --yes
// (revoke.Selection.NeedsYes) when nobody can be asked to confirm it and
// --yes was not given. The targets are checked again, by the same rule,
// once resolved (confirmRevocation).
func (o *RevokeOptions) requireYes(sel revoke.Selection) error {
	if o.DryRun || o.Yes || o.IO.CanPrompt() || !sel.NeedsYes() {
		return nil
	}
	what := map[revoke.Evidence]string{
		revoke.EvidenceFilter: "the filters select",
		revoke.EvidenceScan:   "--from-scan selects",
		revoke.EvidencePolicy: "--plan selects",
	}[sel.Evidence]
	if what == "" {
		what = "--all-orgs selects"
	}
	return needsYes(what + " the tokens to revoke rather than naming each one")
}

// needsYes is the one refusal of a run that needs --yes where nobody can
// be asked: a usage error (exit 2), since nothing was attempted and the
// fix is a flag.
func needsYes(why string) error {
	return exitcode.New(exitcode.Usage, fmt.Errorf("%s, and there is no terminal to confirm on: it needs confirmation, and nothing was revoked; check the selection with --dry-run, then pass --yes", why))
}

// execution is a run of revocation plans and how its results are told.
type execution struct {
	plans []*revoke.Plan
	// progress draws a bar on a terminal while mutations run.
	progress bool
	// byOrg names each failed token's organization on stderr, for runs
	// whose results come from several organizations.
	byOrg bool
	// counted is what one result stands for in the lines that count
	// them: "token(s)", or "organization(s)" for one token in several.
	counted string
}

// runPlans sends the plans' mutations through the one executor
// (revoke.Executor.Run), writing the audit log, with a progress bar on a
// terminal when progress is set.
func runPlans(ctx context.Context, o *RevokeOptions, client *buildkite.Client, plans []*revoke.Plan, progress bool) ([]revoke.Result, error) {
	var auditLog *audit.Log
	if !o.DryRun {
		var err error
		if auditLog, err = cmdutil.OpenAuditLog(o.AuditLog); err != nil {
			return nil, err
		}
		defer auditLog.Close()
	}
	exec := &revoke.Executor{Client: client, Concurrency: o.Concurrency, Audit: auditLog, DryRun: o.DryRun, NewMutationID: o.Factory.NewMutationID}
	if client != nil {
		exec.RateLimit, exec.Backoff = client.RateLimit, client.Backoff
	}
	var bar *revokeProgress
	if progress {
		bar = newRevokeProgress(o.IO, plans, o.DryRun)
		exec.OnResult = bar.onResult
	}
	results := exec.Run(ctx, plans)
	bar.finish()
	return results, nil
}

// executePlans sends the plans' mutations, writing the audit log, then
// prints the report, one line on stderr per token that failed, and
// returns the run's exit status. It is the last step of every revocation
// by organization, whatever named the tokens; a run whose document or exit
// status says more (revoke --all-orgs) calls its two halves itself.
func executePlans(ctx context.Context, o *RevokeOptions, client *buildkite.Client, x execution) error {
	results, err := runPlans(ctx, o, client, x.plans, x.progress)
	if err != nil {
		return err
	}
	report := revoke.NewReport(results, o.DryRun)
	return printOutcome(ctx, o, x, report, report, revoke.ExitCode(results, o.IgnoreMissing))
}

// printOutcome prints doc (the report, or a document holding it), one line
// on stderr per token that failed, and returns code as the run's exit
// status, or the interruption.
func printOutcome(ctx context.Context, o *RevokeOptions, x execution, report revoke.Report, doc any, code exitcode.Code) error {
	printer := output.Printer{Out: o.IO.Out, Format: o.Format, JQ: o.JQ}
	// An --jq expression that fails while running must not hide what was
	// revoked: the printer hands back the unfiltered report, printed on
	// stderr with the error, and the exit status stays the revocation's.
	var jqFailed *output.JQError
	if err := printer.Print(doc, func(wide bool) output.Rows { return resultRows(o.TableStyle(), report, wide) }); err != nil {
		if !errors.As(err, &jqFailed) || jqFailed.Document == nil {
			return err
		}
	}
	reportFailures(o, report.Results, x.byOrg, x.counted)
	if o.DryRun && o.IO.IsStderrTTY() {
		fmt.Fprintf(o.IO.ErrOut, "Dry run: nothing was revoked (%d %s would be).\n", report.Summary.DryRun, x.counted)
	}
	if ctx.Err() != nil {
		// An interrupted run is reported as such even when some tokens
		// were revoked: what matters first is that it did not finish.
		code = exitcode.Interrupted
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: interrupted: %d revoked, %d not sent\n", report.Summary.Revoked, report.Summary.Skipped)
	}
	if jqFailed != nil {
		return exitcode.New(code, jqFailed)
	}
	return cmdutil.ExitWith(code)
}

// reportFailures writes one line on stderr per token that was not
// revoked, naming its organization when byOrg. A token not found gets its
// line under --ignore-missing too (a typo must not pass in silence), saying
// that it was ignored.
func reportFailures(o *RevokeOptions, results []revoke.Result, byOrg bool, counted string) {
	skipped := 0
	for _, r := range results {
		// After an interrupted bulk run hundreds of tokens can be unsent:
		// the first few are named, the rest counted (the report has all).
		if r.Status == revoke.StatusSkipped {
			if skipped++; skipped > maxSkippedLines {
				continue
			}
		}
		if r.Error == nil {
			continue
		}
		where, ignored := "", ""
		if byOrg {
			where = document.Deref(r.Organization.Slug) + ": "
		}
		switch {
		case o.IgnoreMissing && r.Ignorable():
			ignored = " (ignored: --ignore-missing)"
		case o.IgnoreMissing && r.Status == revoke.StatusNotFound:
			ignored = " (not ignored by --ignore-missing: an id the listing never showed does not prove the token has no access)"
		}
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: %s%s: %s: %s%s\n", where, r.Requested, r.Status, cmdutil.OneLine(*r.Error), ignored)
	}
	if skipped > maxSkippedLines {
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: ... and %d more %s not sent\n", skipped-maxSkippedLines, counted)
	}
}

// maxSkippedLines is how many unsent tokens an interrupted run names on
// stderr before it only counts them.
const maxSkippedLines = 5

// resultRows is the report's table: the status coloured on a terminal,
// descriptions and owners cut to fit one.
func resultRows(style output.TableStyle, r revoke.Report, wide bool) output.Rows {
	p := output.NewTablePrinter(style, "ORGANIZATION", "TOKEN", "DESCRIPTION", "OWNER", "STATUS", "CLIENT MUTATION ID", "REVOKED TOKEN ID")
	if wide {
		p.AddHeader("ORGANIZATION ID", "TOKEN ID", "ERROR")
	}
	for _, res := range r.Results {
		token := document.Deref(res.Token.UUID)
		if token == "" {
			token = res.Requested
		}
		owner := ""
		if res.Token.Owner != nil {
			owner = res.Token.Owner.String()
		}
		org := document.Deref(res.Organization.Slug)
		if org == "" {
			org = res.Organization.ID
		}
		p.AddField(org)
		p.AddField(token)
		p.AddField(document.Deref(res.Token.Description), output.Cut)
		p.AddField(owner, output.Cut)
		p.AddField(string(res.Status), output.WithTone(statusTone(string(res.Status))))
		p.AddField(document.Deref(res.ClientMutationID))
		p.AddField(document.Deref(res.RevokedAPIAccessTokenID))
		if wide {
			p.AddField(res.Organization.ID)
			p.AddField(document.Deref(res.Token.ID))
			p.AddField(document.Deref(res.Error))
		}
		p.EndRow()
	}
	return p.Rows()
}

// statusTone is a status's colour: revoked green, failed red.
func statusTone(status string) output.Tone {
	switch revoke.Status(status) {
	case revoke.StatusRevoked:
		return output.Good
	case revoke.StatusFailed:
		return output.Bad
	}
	return output.Plain
}

// planRows lists the tokens the plans would revoke, with their
// organization when there are several.
func planRows(style output.TableStyle, plans []*revoke.Plan) output.Rows {
	p := output.NewTablePrinter(style, "TOKEN", "DESCRIPTION", "OWNER", "SCOPES", "LAST USED")
	byOrg := len(plans) > 1
	if byOrg {
		p = output.NewTablePrinter(style, "ORGANIZATION", "TOKEN", "DESCRIPTION", "OWNER", "SCOPES", "LAST USED")
	}
	for _, plan := range plans {
		for _, it := range plan.Pending() {
			if byOrg {
				p.AddField(document.OrgName(plan.Organization))
			}
			t := it.Token
			if t == nil {
				p.AddField(cmp.Or(it.KnownUUID, it.Requested))
				p.AddField("(listed in an earlier run, not this one: Buildkite says whether it still has access)")
				p.AddField("")
				p.AddField("")
				p.AddField("")
				p.EndRow()
				continue
			}
			owner := ""
			if t.Owner != nil {
				owner = document.FormatUser(t.Owner.Name, t.Owner.Email)
			}
			p.AddField(t.UUID)
			p.AddField(t.Description, output.Cut)
			p.AddField(owner, output.Cut)
			p.AddField(strings.Join(t.Scopes, ","))
			p.AddTimeField(t.LastAccessedAt, "never")
			p.EndRow()
		}
	}
	return p.Rows()
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
