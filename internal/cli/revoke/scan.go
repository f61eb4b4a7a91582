package revoke

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/inputfile"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/redact"
	"github.com/tokenctl/tokenctl/internal/revoke"
	"github.com/tokenctl/tokenctl/internal/scan"
)

// maxScanFile bounds what --from-scan reads: scanner output for a large
// repository's history is megabytes, not gigabytes.
const maxScanFile = 64 << 20

func addScanFlags(fl *pflag.FlagSet, s *scanOptions) {
	fl.StringVar(&s.File, "from-scan", "", "revoke every Buildkite API token a secret scanner found: the JSON output of TruffleHog, gitleaks, betterleaks, ggshield, Nosey Parker or Kingfisher in `FILE` (- for standard input); with --org, --all-orgs or --everywhere")
}

// completeScan reads the scanner's findings, unless the command line
// already rules them out; a problem is kept for validateScan.
func (o *RevokeOptions) completeScan() {
	sc := &o.Scan
	if sc.File == "" || (sc.File == inputfile.Stdin && (o.apiTokenFile == inputfile.Stdin || o.IO.IsStdinTTY())) {
		return
	}
	source := inputfile.Describe("--from-scan", sc.File)
	data, err := inputfile.Read(sc.File, o.IO.In, maxScanFile, "the scanner's findings")
	switch {
	case errors.Is(err, inputfile.ErrTooLarge):
		sc.readErr = fmt.Errorf("%s: is larger than %d MiB; scan less at a time", source, maxScanFile>>20)
	case err != nil:
		sc.readErr = fmt.Errorf("%s: %w", source, err)
	default:
		if sc.findings, err = scan.Parse(data); err != nil {
			sc.readErr = fmt.Errorf("%s: %w", source, err)
		}
	}
}

// validateScan checks the flag combinations of --from-scan and what the
// file held, all before any network call.
func (o *RevokeOptions) validateScan() error {
	l := &o.Leaked
	usage := func(format string, args ...any) error {
		return exitcode.New(exitcode.Usage, fmt.Errorf(format, args...))
	}
	switch {
	case l.ValueFile != "":
		return usage("--from-scan and --token-value-file are mutually exclusive: the scan gives the values")
	case len(o.TokenArgs) > 0 || o.Bulk.requested():
		return usage("--from-scan revokes what the scanner found: do not combine it with --token, --from-file or filters")
	case l.AllOrgs && l.Everywhere:
		return usage("--all-orgs and --everywhere are mutually exclusive: --all-orgs removes the organizations you administer from each token, --everywhere deletes each token itself")
	case (l.AllOrgs || l.Everywhere) && o.OrgGiven:
		return usage("--org cannot be combined with --all-orgs or --everywhere, which are not about one organization; drop --org")
	case len(l.OrgArgs.values) > 1 || l.OrgsFile != "":
		return usage("--from-scan revokes from one organization (--org) or from every organization you administer (--all-orgs): repeated --org and --orgs-file name organizations for --token-value-file only")
	}
	if o.apiTokenFile == inputfile.Stdin && o.Scan.File == inputfile.Stdin {
		return usage("--api-token-file - and --from-scan - both want standard input; put one of them in a file")
	}
	if o.Scan.File == inputfile.Stdin && o.IO.IsStdinTTY() {
		return usage("--from-scan -: standard input is a terminal; pipe the scanner's output in, or give its file")
	}
	if !l.AllOrgs && !l.Everywhere {
		if err := o.CheckOrg(); err != nil {
			return err
		}
	}
	if o.Scan.readErr != nil {
		return exitcode.New(exitcode.Usage, o.Scan.readErr)
	}
	return nil
}

// ScanReport is the JSON document of `tokenctl revoke --from-scan`: one
// result per distinct secret. Fields are only ever added.
type ScanReport struct {
	DryRun bool `json:"dryRun"`
	// Scanner is the format read: trufflehog, gitleaks, betterleaks,
	// ggshield, noseyparker, kingfisher, or none for empty input.
	Scanner string `json:"scanner"`
	// Ignored counts findings that are not Buildkite API access tokens.
	Ignored int                `json:"ignored"`
	Secrets []ScanSecretResult `json:"secrets"`
	Summary ScanSummary        `json:"summary"`

	everywhere bool // --everywhere: each token is deleted, not revoked from organizations
}

// ScanSecretResult is what became of one secret. The value itself is
// never in it: the fingerprint (the first characters of its SHA-256) and
// the places it was found identify it.
type ScanSecretResult struct {
	Fingerprint string          `json:"fingerprint"`
	Locations   []scan.Location `json:"locations"`
	// Token is what Buildkite says the value belongs to; null when the
	// value is already dead.
	Token *LeakedToken `json:"token"`
	// Status is revoked, dry-run, not-found (already dead, or without
	// access to any organization acted on), refused, partial, failed or
	// skipped.
	Status string `json:"status"`
	// Results are the organization revocations (--org, --all-orgs), as in
	// the revoke document; empty with --everywhere.
	Results    []revoke.Result                        `json:"results"`
	NotChecked []document.NotChecked[document.OrgRef] `json:"notChecked"`
	// NotListed is, with --all-orgs, how many of your organizations
	// Buildkite counted but did not list, so that the token was not looked
	// for there; null otherwise, or when the secret's run failed before it
	// knew.
	NotListed *int    `json:"notListed"`
	Error     *string `json:"error"`
}

// ScanSummary counts secrets by status.
type ScanSummary struct {
	Secrets  int `json:"secrets"`
	Revoked  int `json:"revoked"`
	DryRun   int `json:"dryRun"`
	NotFound int `json:"notFound"`
	Refused  int `json:"refused"`
	Partial  int `json:"partial"`
	Failed   int `json:"failed"`
	Skipped  int `json:"skipped"`
	// Unknown counts secrets whose revocation may or may not have
	// happened (an answer lost and not settled by a re-check).
	Unknown int `json:"unknown"`
}

// revokeScanRun revokes every live token among the scanner's secrets, as
// one run: revoke.PlanLeaked turns each value into its token and plans all
// of them at once (from --org, from every organization you administer, or
// deleted), then one confirmation, and one execution in which tokenctl's
// own token, if allowed, goes last. A dead value is not-found and not a
// failure.
func revokeScanRun(ctx context.Context, o *RevokeOptions) error {
	f := o.Scan.findings
	values := make([]redact.Secret, len(f.Secrets))
	redact := make([]string, len(f.Secrets))
	for i, s := range f.Secrets {
		values[i], redact[i] = s.Value, s.Value.Reveal()
	}
	report := ScanReport{DryRun: o.DryRun, Scanner: f.Format, Ignored: f.Ignored, Secrets: []ScanSecretResult{}, everywhere: o.Leaked.Everywhere}
	switch {
	case f.Format == scan.FormatNone:
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: the scanner's output is empty (a scan that found nothing prints nothing): nothing to revoke\n")
		return o.printScan(report)
	case len(f.Secrets) == 0:
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: no Buildkite API access token among the scanner's findings (%d other finding(s) ignored): nothing to revoke\n", f.Ignored)
		return o.printScan(report)
	}
	client, err := o.Factory.APIClient(o.Settings, o.Debug, redact...)
	if err != nil {
		return err
	}
	if !o.Leaked.AllOrgs && !o.Leaked.Everywhere {
		// One organization for every secret: an unknown one, or one the
		// caller cannot reach, fails the run once, before any value is
		// sent anywhere.
		if _, err := client.Organization(ctx, o.Org); err != nil {
			return err
		}
	}
	lp, err := revoke.PlanLeaked(ctx, client, o.leakedRequest(values))
	if err != nil {
		return err
	}
	if err := o.confirmLeaked(ctx, lp); err != nil {
		return err
	}
	outcome, err := o.carryOutLeaked(ctx, client, lp)
	if err != nil {
		return err
	}
	revoked := 0
	var reasons []exitcode.Code
	for i, s := range f.Secrets {
		res, code := o.scanSecretResult(s, lp, outcome, i)
		report.Secrets = append(report.Secrets, res)
		countScanStatus(&report.Summary, res.Status)
		switch {
		case res.Status == string(revoke.StatusRevoked):
			revoked++
			if code == exitcode.Incomplete {
				// Revoked wherever it was looked for, but some of your
				// organizations were not looked in.
				reasons = append(reasons, code)
			}
		case res.Status == revoke.StatusPartial:
			revoked++
			reasons = append(reasons, exitcode.Partial)
		case code != exitcode.OK:
			reasons = append(reasons, code)
		}
	}
	report.Summary.Secrets = len(report.Secrets)
	if lp.Orgs != nil {
		reportNotChecked(o, lp.Orgs, "TOKEN")
	}
	reportFailures(o, outcome.results, true, "token(s)")
	if err := o.printScan(report); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return cmdutil.ExitWith(exitcode.Interrupted)
	}
	return cmdutil.ExitWith(revoke.Overall(revoked, reasons))
}

func (o *RevokeOptions) printScan(report ScanReport) error {
	printer := output.Printer{Out: o.IO.Out, Format: o.Format, JQ: o.JQ}
	return printer.Print(report, func(wide bool) output.Rows { return scanRows(o.TableStyle(), report, wide) })
}

// scanSecretResult is what became of one secret, and the exit status it
// calls for.
func (o *RevokeOptions) scanSecretResult(s scan.Secret, lp *revoke.LeakedPlan, out leakedOutcome, i int) (ScanSecretResult, exitcode.Code) {
	ls := lp.Secrets[i]
	res := ScanSecretResult{Fingerprint: s.Fingerprint, Locations: s.Locations, Results: []revoke.Result{}, NotChecked: []document.NotChecked[document.OrgRef]{}}
	fail := func(status string, err error) (ScanSecretResult, exitcode.Code) {
		res.Status = status
		msg := cmdutil.OneLine(err.Error())
		res.Error = &msg
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: secret %s (found at %s): %s: %s\n", s.Fingerprint, s.Locations[0], status, msg)
		return res, exitcode.Of(err)
	}
	switch {
	case ls.Dead():
		res.Status = string(revoke.StatusNotFound)
		msg := leakedTokenDeadMessage
		res.Error = &msg
		return res, exitcode.OK
	case ls.Token == nil:
		return fail(string(revoke.StatusFailed), ls.Err)
	}
	res.Token = &LeakedToken{AccessToken: document.AccessTokenOf(*ls.Token), Owner: document.Owner{Name: ls.Token.User.Name, Email: ls.Token.User.Email}}
	if o.Leaked.Everywhere {
		d := out.deletions[i]
		switch {
		case ls.Err != nil:
			return fail(string(revoke.StatusRefused), ls.Err)
		case o.DryRun:
			res.Status = string(revoke.StatusDryRun)
			return res, exitcode.OK
		case d.Err != nil:
			return fail(string(d.Status), d.Err)
		}
		res.Status = string(d.Status)
		return res, exitcode.OK
	}
	res.Results = revoke.ResultsOf(out.results, ls.Token.UUID)
	res.Status = revoke.SecretStatus(res.Results)
	if !lp.Single {
		res.NotChecked, res.NotListed = notCheckedOrgs(lp.Orgs), &lp.Orgs.NotListed
		code := lp.Orgs.ExitCode(res.Results, o.IgnoreMissing)
		if len(res.Results) == 0 && !o.IgnoreMissing && code == exitcode.OK {
			code = exitcode.NotFound
		}
		return res, code
	}
	return res, revoke.ExitCode(res.Results, o.IgnoreMissing)
}

func countScanStatus(s *ScanSummary, status string) {
	switch status {
	case string(revoke.StatusRevoked):
		s.Revoked++
	case string(revoke.StatusDryRun):
		s.DryRun++
	case string(revoke.StatusNotFound):
		s.NotFound++
	case string(revoke.StatusRefused):
		s.Refused++
	case revoke.StatusPartial:
		s.Partial++
	case string(revoke.StatusSkipped):
		s.Skipped++
	case string(revoke.StatusUnknown):
		s.Unknown++
	default:
		s.Failed++
	}
}

func scanRows(style output.TableStyle, r ScanReport, wide bool) output.Rows {
	p := output.NewTablePrinter(style, "FINGERPRINT", "TOKEN", "DESCRIPTION", "OWNER", "ACTION", "STATUS", "FOUND AT")
	if wide {
		p.AddHeader("ERROR")
	}
	for _, s := range r.Secrets {
		token, desc, owner := "", "", ""
		if s.Token != nil {
			token, desc, owner = s.Token.UUID, document.Deref(s.Token.Description), s.Token.Owner.String()
		}
		found := make([]string, len(s.Locations))
		for i, l := range s.Locations {
			found[i] = l.String()
		}
		where := found[0]
		if len(found) > 1 && !wide {
			where += fmt.Sprintf(" (+%d more)", len(found)-1)
		} else if wide {
			where = strings.Join(found, ", ")
		}
		p.AddField(s.Fingerprint)
		p.AddField(token)
		p.AddField(desc, output.Cut)
		p.AddField(owner, output.Cut)
		p.AddField(scanAction(s, r.everywhere))
		p.AddField(s.Status, output.WithTone(statusTone(s.Status)))
		p.AddField(where)
		if wide {
			p.AddField(document.Deref(s.Error))
		}
		p.EndRow()
	}
	return p.Rows()
}

// scanAction says what was done, or would be, to the secret's token: with
// --everywhere, its deletion, unless that was refused, declined or failed;
// otherwise the organizations it is revoked from.
func scanAction(s ScanSecretResult, everywhere bool) string {
	switch {
	case s.Token == nil:
		return "none: already dead"
	case everywhere:
		switch revoke.Status(s.Status) {
		case revoke.StatusRevoked, revoke.StatusDryRun, revoke.StatusUnknown:
			return "delete everywhere"
		}
		return "none"
	}
	var orgs []string
	for _, r := range s.Results {
		if r.Status == revoke.StatusRevoked || r.Status == revoke.StatusDryRun {
			orgs = append(orgs, document.Deref(r.Organization.Slug))
		}
	}
	if len(orgs) == 0 {
		return "none"
	}
	return "revoke from " + strings.Join(orgs, ", ")
}
