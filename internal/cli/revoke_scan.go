package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/inputfile"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/revoke"
	"github.com/tokenctl/tokenctl/internal/scan"
)

// scanOptions are the inputs of `tokenctl revoke --from-scan`: a secret
// scanner's findings, each Buildkite API access token among them handled
// as --token-value-file handles one value.
type scanOptions struct {
	File string

	findings scan.Findings // read by completeScan
	readErr  error         // why they could not be
	// collect, while a secret is being handled, takes the report the
	// per-value path would print, so that one report covers every secret.
	collect func(doc any)
}

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
	case (l.AllOrgs || l.Everywhere) && o.orgGiven:
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
		if err := o.checkOrg(); err != nil {
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
	Results    []revoke.Result `json:"results"`
	NotChecked []NotCheckedOrg `json:"notChecked"`
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

// Statuses of a secret beyond revoke's.
const scanStatusPartial = "partial"

// revokeScanRun handles each secret as --token-value-file handles one
// value: Buildkite turns the value into its token, then the token is
// revoked from --org, from every organization you administer, or deleted,
// with the same confirmation, self-guard and audit log. A dead value is
// not-found and not a failure.
func revokeScanRun(ctx context.Context, o *RevokeOptions) error {
	f := o.Scan.findings
	if o.Leaked.Everywhere && !o.Yes && !o.DryRun && !o.IO.CanPrompt() && len(f.Secrets) > 0 {
		return exitcode.New(exitcode.Refused, fmt.Errorf("--everywhere deletes every live token among the %d secret(s) found, for every organization, and cannot be undone; without a terminal to confirm on, check with --dry-run, then pass --yes", len(f.Secrets)))
	}
	if !o.Leaked.AllOrgs && !o.Leaked.Everywhere && len(f.Secrets) > 0 {
		// One organization for every secret: an unknown one, or one the
		// caller cannot reach, fails the run once, before any value is
		// sent anywhere.
		client, err := o.Factory.APIClient(o.settings, o.Debug)
		if err != nil {
			return err
		}
		if _, err := client.Organization(ctx, o.Org); err != nil {
			return err
		}
	}
	report := ScanReport{DryRun: o.DryRun, Scanner: f.Format, Ignored: f.Ignored, Secrets: []ScanSecretResult{}, everywhere: o.Leaked.Everywhere}
	revoked := 0
	var reasons []exitcode.Code
	var stop error
	for _, s := range f.Secrets {
		var res ScanSecretResult
		var code exitcode.Code
		res, code, stop = revokeOneScanned(ctx, o, s)
		report.Secrets = append(report.Secrets, res)
		countScanStatus(&report.Summary, res.Status)
		switch {
		case res.Token == nil && stop == nil && res.Status == string(revoke.StatusNotFound):
			// A dead value needs nothing more: neither revoked by this run
			// nor a failure.
		case res.Status == string(revoke.StatusRevoked):
			revoked++
			if code == exitcode.Incomplete {
				// Revoked wherever it was looked for, but some of your
				// organizations were not looked in.
				reasons = append(reasons, code)
			}
		case res.Status == scanStatusPartial:
			revoked++
			reasons = append(reasons, exitcode.Partial)
		case code != exitcode.OK:
			reasons = append(reasons, code)
		}
		if stop != nil {
			// Interrupted, or tokenctl's own credential refused: the other
			// secrets would fare the same. What was done is reported.
			break
		}
	}
	report.Summary.Secrets = len(report.Secrets)
	switch {
	case f.Format == scan.FormatNone:
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: the scanner's output is empty (a scan that found nothing prints nothing): nothing to revoke\n")
	case len(f.Secrets) == 0:
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: no Buildkite API access token among the scanner's findings (%d other finding(s) ignored): nothing to revoke\n", f.Ignored)
	}
	printer := output.Printer{Out: o.IO.Out, Format: o.Format, JQ: o.JQ}
	if err := printer.Print(report, func(wide bool) output.Rows { return scanRows(report, wide) }); err != nil {
		return err
	}
	if stop != nil {
		if n := len(f.Secrets) - len(report.Secrets); n > 0 {
			fmt.Fprintf(o.IO.ErrOut, "tokenctl: stopped: %d secret(s) not handled\n", n)
		}
		return stop
	}
	return exitWith(revoke.Overall(revoked, reasons))
}

// revokeOneScanned handles one secret. stop is set when the whole run must
// end (interrupted, or tokenctl's own credential refused).
func revokeOneScanned(ctx context.Context, o *RevokeOptions, s scan.Secret) (res ScanSecretResult, code exitcode.Code, stop error) {
	res = ScanSecretResult{Fingerprint: s.Fingerprint, Locations: s.Locations, Results: []revoke.Result{}, NotChecked: []NotCheckedOrg{}}
	fail := func(status string, err error) (ScanSecretResult, exitcode.Code, error) {
		res.Status = status
		msg := oneLine(err.Error())
		res.Error = &msg
		code := exitcode.Of(err)
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: secret %s (found at %s): %s: %s\n", s.Fingerprint, s.Locations[0], status, msg)
		if ctx.Err() != nil || (code == exitcode.Auth && res.Token != nil) {
			return res, code, exitWith(code) // the line above said why
		}
		return res, code, nil
	}

	o.Leaked.value = s.Value
	client, err := o.leakedClient()
	if err != nil {
		return res, exitcode.Of(err), err
	}
	tok, err := client.AccessTokenOf(ctx, s.Value.Reveal())
	if buildkite.KindOf(err) == buildkite.KindUnauthorized {
		res.Status = string(revoke.StatusNotFound)
		msg := leakedTokenDeadMessage
		res.Error = &msg
		return res, exitcode.NotFound, nil
	}
	if err != nil {
		return fail(string(revoke.StatusFailed), err)
	}
	res.Token = &LeakedToken{AccessTokenInfo: accessTokenInfo(tok), Owner: revoke.Owner{Name: tok.User.Name, Email: tok.User.Email}}
	ref, err := ident.ParseToken(tok.UUID)
	if err != nil || ref.UUID == "" {
		return fail(string(revoke.StatusFailed), errors.New("looking up the given token value: Buildkite answered with a malformed token uuid"))
	}

	o.Scan.collect = func(doc any) {
		switch d := doc.(type) {
		case revoke.Report:
			res.Results, res.Status = d.Results, statusOfResults(d.Results)
		case AllOrgsReport:
			res.Results, res.NotChecked, res.NotListed, res.Status = d.Results, d.NotChecked, d.NotListed, statusOfResults(d.Results)
		case EverywhereReport:
			res.Status = string(d.Status)
		}
	}
	defer func() { o.Scan.collect = nil }()
	switch {
	case o.Leaked.Everywhere:
		err = revokeEverywhere(ctx, o, client, tok)
	case o.Leaked.AllOrgs:
		err = revokeFromOrgs(ctx, o, client, ref)
	default:
		o.Tokens = []ident.Token{ref}
		err = revokeFromOrg(ctx, o, client)
	}
	code = exitcode.Of(err)
	var silent *silentError
	switch {
	case err == nil || errors.As(err, &silent):
		// The report says what happened; per-token problems are already
		// on stderr.
		if code == exitcode.Interrupted {
			return res, code, err
		}
		return res, code, nil
	case code == exitcode.NotFound:
		return fail(string(revoke.StatusNotFound), err)
	case code == exitcode.Refused:
		return fail(string(revoke.StatusRefused), err)
	case code == exitcode.Interrupted:
		return fail(string(revoke.StatusSkipped), err)
	}
	return fail(string(revoke.StatusFailed), err)
}

// statusOfResults sums up one token's organization results.
func statusOfResults(results []revoke.Result) string {
	count := map[revoke.Status]int{}
	for _, r := range results {
		count[r.Status]++
	}
	n := len(results)
	switch {
	case n == 0:
		return string(revoke.StatusNotFound)
	case count[revoke.StatusRevoked] == n, count[revoke.StatusDryRun] == n, count[revoke.StatusNotFound] == n,
		count[revoke.StatusRefused] == n, count[revoke.StatusSkipped] == n:
		return string(results[0].Status)
	case count[revoke.StatusRevoked] > 0:
		return scanStatusPartial
	case count[revoke.StatusUnknown] > 0:
		// Not provably revoked anywhere, and not provably failed either:
		// calling it failed would claim the value still works there.
		return string(revoke.StatusUnknown)
	}
	return string(revoke.StatusFailed)
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
	case scanStatusPartial:
		s.Partial++
	case string(revoke.StatusSkipped):
		s.Skipped++
	case string(revoke.StatusUnknown):
		s.Unknown++
	default:
		s.Failed++
	}
}

func scanRows(r ScanReport, wide bool) output.Rows {
	rows := output.Rows{Headers: []string{"FINGERPRINT", "TOKEN", "DESCRIPTION", "OWNER", "ACTION", "STATUS", "FOUND AT"}}
	if wide {
		rows.Headers = append(rows.Headers, "ERROR")
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
		row := []string{s.Fingerprint, token, desc, owner, scanAction(s, r.everywhere), s.Status, where}
		if wide {
			row = append(row, document.Deref(s.Error))
		}
		rows.Cells = append(rows.Cells, row)
	}
	return rows
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
