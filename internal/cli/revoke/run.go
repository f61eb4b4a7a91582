package revoke

import (
	"context"
	"errors"
	"fmt"

	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/iostreams"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

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
	exec := &revoke.Executor{
		Client: client, Concurrency: o.Concurrency, Audit: auditLog, DryRun: o.DryRun,
		NewMutationID: o.Factory.NewMutationID, Now: o.Factory.Now,
		Sleep: o.Factory.SleepAnnounced("for Buildkite's rate limit to allow more revocations"),
	}
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
