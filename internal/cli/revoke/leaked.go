package revoke

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/inputfile"
	"github.com/tokenctl/tokenctl/internal/iostreams"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/redact"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// requested reports whether any leaked-token flag was given.
func (l *leakedTokenOptions) requested() bool {
	return l.ValueFile != "" || l.AllOrgs || l.Everywhere || l.OrgsFile != ""
}

// addLeakedTokenFlags registers the leaked-token flags of `tokenctl
// revoke`, and makes the --org that addFlags registered repeatable.
func addLeakedTokenFlags(fl *pflag.FlagSet, l *leakedTokenOptions) {
	fl.StringVar(&l.ValueFile, "token-value-file", "", "revoke the token whose secret value is in `FILE` (- for standard input), e.g. a leaked one")
	fl.BoolVar(&l.AllOrgs, "all-orgs", false, "with --token-value-file: revoke it from every organization you belong to and administer, instead of --org")
	fl.BoolVar(&l.Everywhere, "everywhere", false, "with --token-value-file: delete the token itself, for every organization (asks; without a terminal needs --yes)")
	fl.StringVar(&l.OrgsFile, "orgs-file", "", "with --token-value-file: revoke it from each organization in `FILE` (one slug or id per line; - for standard input)")
	org := fl.Lookup("org")
	org.Value = &l.OrgArgs
	org.Usage += "; with --token-value-file, repeat it to revoke from several"
}

// maxOrgsFile bounds what --orgs-file reads.
const maxOrgsFile = 1 << 20

// readOrgsFile reads --orgs-file: one organization slug or id per line,
// blank lines and # comments ignored, errors naming the line.
func readOrgsFile(path string, in io.Reader) ([]ident.Org, error) {
	source := inputfile.Describe("--orgs-file", path)
	data, err := inputfile.Read(path, in, maxOrgsFile, "organizations")
	if errors.Is(err, inputfile.ErrTooLarge) {
		return nil, fmt.Errorf("%s: larger than %d MiB; it must hold one organization slug per line", source, maxOrgsFile>>20)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	var orgs []ident.Org
	for n, line := range strings.Split(string(data), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		switch len(fields) {
		case 0:
			continue
		case 1:
		default:
			return nil, fmt.Errorf("%s: line %d: more than one word: put one organization slug or id per line (anything after # is a comment)", source, n+1)
		}
		org, err := ident.ParseOrg(fields[0])
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: %w", source, n+1, err)
		}
		orgs = append(orgs, org)
	}
	if len(orgs) == 0 {
		return nil, fmt.Errorf("%s: names no organization: give one organization slug per line (# starts a comment)", source)
	}
	return orgs, nil
}

// maxLeakedValueFile bounds what --token-value-file reads, so a wrong file
// (a log, /dev/zero) fails fast instead of filling memory.
const maxLeakedValueFile = 64 << 10

// completeLeaked reads the leaked value and the organizations named for
// it, unless the command line already rules them out or reading would be
// unsafe (see validateLeaked).
func (o *RevokeOptions) completeLeaked() {
	l := &o.Leaked
	if l.ValueFile == "" || len(o.TokenArgs) > 0 || o.Bulk.requested() || len(o.leakedStdinFlags()) > 1 {
		return
	}
	if l.OrgsFile != "" || len(l.OrgArgs.values) > 1 {
		l.orgs, l.orgsErr = o.namedOrgs()
	}
	if l.ValueFile == inputfile.Stdin && o.IO.IsStdinTTY() {
		return
	}
	l.value, l.readErr = readLeakedValue(l.ValueFile, o.IO.In)
}

// leakedStdinFlags names the flags of a leaked-token run that want
// standard input ("--orgs-file -"); only one of them can have it.
func (o *RevokeOptions) leakedStdinFlags() []string {
	var onStdin []string
	for _, f := range []struct{ flag, path string }{{"--api-token-file", o.apiTokenFile}, {"--token-value-file", o.Leaked.ValueFile}, {"--orgs-file", o.Leaked.OrgsFile}} {
		if f.path == inputfile.Stdin {
			onStdin = append(onStdin, f.flag+" -")
		}
	}
	return onStdin
}

// namedOrgs parses every --org and reads --orgs-file.
func (o *RevokeOptions) namedOrgs() ([]ident.Org, error) {
	l := &o.Leaked
	orgs, err := cmdutil.ParseOrgs(l.OrgArgs.values)
	if err != nil {
		return nil, fmt.Errorf("--org: %w", err)
	}
	if l.OrgsFile != "" {
		fromFile, err := readOrgsFile(l.OrgsFile, o.IO.In)
		if err != nil {
			return nil, err
		}
		orgs = append(orgs, fromFile...)
	}
	return orgs, nil
}

// validateLeaked checks the flag combinations of a leaked-token run, all
// before any network call.
func (o *RevokeOptions) validateLeaked() error {
	l := &o.Leaked
	usage := func(format string, args ...any) error {
		return exitcode.New(exitcode.Usage, fmt.Errorf(format, args...))
	}
	named := o.OrgGiven || l.OrgsFile != ""
	switch {
	case l.ValueFile == "":
		return usage("--all-orgs, --everywhere and --orgs-file act on a leaked token: give its value with --token-value-file FILE (or - for standard input)")
	case len(o.TokenArgs) > 0:
		return usage("--token and --token-value-file are mutually exclusive: name the token by its uuid or by its value, not both")
	case l.AllOrgs && l.Everywhere:
		return usage("--all-orgs and --everywhere are mutually exclusive: --all-orgs removes the organizations you administer from the token, --everywhere deletes the token itself")
	case l.Everywhere && named:
		return usage("--org and --orgs-file cannot be combined with --everywhere, which deletes the token for every organization; drop them")
	case l.AllOrgs && named:
		return usage("--org and --orgs-file cannot be combined with --all-orgs: --all-orgs asks Buildkite for your organizations, --org and --orgs-file name them; use one or the other")
	}
	if onStdin := o.leakedStdinFlags(); len(onStdin) > 1 {
		both := "both"
		if len(onStdin) > 2 {
			both = "all"
		}
		return usage("%s %s want standard input; put all but one of them in files", strings.Join(onStdin, " and "), both)
	}
	if l.ValueFile == inputfile.Stdin && o.IO.IsStdinTTY() {
		return usage("--token-value-file -: standard input is a terminal, which would show the value as you type or paste it; pipe it in or put it in a file only you can read")
	}
	switch {
	case l.orgsErr != nil:
		return exitcode.New(exitcode.Usage, l.orgsErr)
	case l.orgs == nil && !l.AllOrgs && !l.Everywhere:
		if err := o.CheckOrg(); err != nil {
			return err
		}
	}
	if l.readErr != nil {
		return exitcode.New(exitcode.Usage, l.readErr)
	}
	return nil
}

// readLeakedValue reads a token value from path ("-" is in). Errors say
// what is wrong with the content, never what it is.
func readLeakedValue(path string, in io.Reader) (redact.Secret, error) {
	source := inputfile.Describe("--token-value-file", path)
	data, err := inputfile.Read(path, in, maxLeakedValueFile, "the value")
	if errors.Is(err, inputfile.ErrTooLarge) {
		return "", fmt.Errorf("%s: is too large to hold a token value; it must hold only the leaked token's value", source)
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", source, err)
	}
	v := strings.TrimSpace(string(data))
	switch {
	case v == "":
		return "", fmt.Errorf("%s: is empty; it must hold the leaked token's value", source)
	case strings.ContainsAny(v, "\r\n"):
		return "", fmt.Errorf("%s: holds more than one line; it must hold only the leaked token's value", source)
	case strings.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || r < '!' || r > '~' }) >= 0:
		return "", fmt.Errorf("%s: contains characters that never appear in an API token value", source)
	}
	return redact.Secret(v), nil
}

// leakedClient is the API client for a leaked-token run. Its --debug trace
// scrubs the leaked value wherever it appears, as it does the API token,
// on top of credential headers and token-shaped strings.
func (o *RevokeOptions) leakedClient() (*buildkite.Client, error) {
	return o.Factory.APIClient(o.Settings, o.Debug, o.Leaked.value.Reveal())
}

// leakedTokenDeadMessage is the answer when Buildkite no longer accepts the
// value: whoever holds it can do nothing with it any more.
const leakedTokenDeadMessage = "the token is already revoked or expired: nothing to do"

// revokeLeakedRun revokes the token whose value was given, through the
// same plan as a scanner's secrets (revoke.PlanLeaked), the usual
// confirmation, audit and report: from one organization, from several, or
// by deleting the token. Every request goes through the client that
// scrubs the value from traces.
func revokeLeakedRun(ctx context.Context, o *RevokeOptions) error {
	client, err := o.leakedClient()
	if err != nil {
		return err
	}
	lp, err := revoke.PlanLeaked(ctx, client, o.leakedRequest([]redact.Secret{o.Leaked.value}))
	if err != nil {
		return err
	}
	s := lp.Secrets[0]
	switch {
	case s.Dead():
		return o.leakedTokenDead()
	case s.Token == nil || (o.Leaked.Everywhere && s.Everywhere == nil):
		return s.Err
	case o.Leaked.Everywhere:
		return revokeEverywhere(ctx, o, client, lp)
	case lp.Single:
		if err := confirmRevocation(ctx, o, document.OrgName(lp.Orgs.Plans[0].Organization), lp.Orgs.Plans); err != nil {
			return err
		}
		return executePlans(ctx, o, client, execution{plans: lp.Orgs.Plans, progress: true, counted: "token(s)"})
	}
	return revokeFromOrgs(ctx, o, client, lp.Orgs, s.Token.UUID)
}

// leakedRequest is what the leaked-token flags ask for the values.
func (o *RevokeOptions) leakedRequest(values []redact.Secret) revoke.LeakedRequest {
	evidence := revoke.EvidenceValue
	if o.Scan.File != "" {
		evidence = revoke.EvidenceScan
	}
	return revoke.LeakedRequest{Values: values, Evidence: evidence, Org: o.Org, Orgs: o.Leaked.orgs, AllOrgs: o.Leaked.AllOrgs, Everywhere: o.Leaked.Everywhere,
		AllowSelf: o.AllowSelf, FindAll: o.DryRun, Concurrency: o.Concurrency}
}

// leakedOutcome is what a run over leaked values did: the organization
// results, or one deletion per secret.
type leakedOutcome struct {
	results   []revoke.Result
	deletions []revoke.Deletion
}

// carryOutLeaked executes a leaked plan: the organization plans through
// the one executor, or the deletions, tokenctl's own last.
func (o *RevokeOptions) carryOutLeaked(ctx context.Context, client *buildkite.Client, lp *revoke.LeakedPlan) (leakedOutcome, error) {
	if !o.Leaked.Everywhere {
		results, err := runPlans(ctx, o, client, lp.Plans(), true)
		return leakedOutcome{results: results}, err
	}
	out := leakedOutcome{deletions: make([]revoke.Deletion, len(lp.Secrets))}
	if o.DryRun {
		return out, nil
	}
	auditLog, err := cmdutil.OpenAuditLog(o.AuditLog)
	if err != nil {
		return out, err
	}
	defer auditLog.Close()
	exec := &revoke.Executor{Client: client, Audit: auditLog, Backoff: client.Backoff}
	out.deletions = exec.DeleteAll(ctx, lp)
	return out, nil
}

// confirmLeaked asks once for everything a leaked plan would take away:
// the organization revocations, or each deletion (by typing the start of
// the token's uuid; a deletion declined is refused, the others go on).
func (o *RevokeOptions) confirmLeaked(ctx context.Context, lp *revoke.LeakedPlan) error {
	if !o.Leaked.Everywhere {
		where := severalOrgs
		if lp.Single && len(lp.Plans()) == 1 {
			where = document.OrgName(lp.Plans()[0].Organization)
		}
		return confirmRevocation(ctx, o, where, lp.Plans())
	}
	if o.DryRun || o.Yes {
		return nil
	}
	for i := range lp.Secrets {
		s := &lp.Secrets[i]
		if s.Everywhere == nil {
			continue
		}
		if !o.IO.CanPrompt() {
			return needsYes(fmt.Sprintf("--everywhere deletes token %s for every organization and cannot be undone", s.Token.UUID))
		}
		if err := confirmEverywhere(ctx, o, *s.Token); err != nil {
			if exitcode.Of(err) == exitcode.Interrupted {
				return err
			}
			s.Err, s.Everywhere = err, nil
		}
	}
	return nil
}

// leakedTokenDead reports a value Buildkite rejects. With --ignore-missing
// that is success (the wanted state is reached) and an empty report is
// printed, so scripts always get a document on stdout when they exit 0.
func (o *RevokeOptions) leakedTokenDead() error {
	if !o.IgnoreMissing {
		return exitcode.New(exitcode.NotFound, errors.New(leakedTokenDeadMessage+" (Buildkite rejects its value with HTTP 401)"))
	}
	fmt.Fprintf(o.IO.ErrOut, "tokenctl: %s\n", leakedTokenDeadMessage)
	if o.Leaked.Everywhere {
		return o.printEverywhere(EverywhereReport{DryRun: o.DryRun, Status: revoke.StatusNotFound})
	}
	// A dead value is dead everywhere: no organization was left unlooked.
	notListed := 0
	report := AllOrgsReport{Report: revoke.NewReport(nil, o.DryRun), NotChecked: []document.NotChecked[document.OrgRef]{}, NotListed: &notListed}
	var data any = report
	if !o.Leaked.AllOrgs && o.Leaked.orgs == nil {
		data = report.Report
	}
	printer := output.Printer{Out: o.IO.Out, Format: o.Format, JQ: o.JQ}
	return printer.Print(data, func(wide bool) output.Rows { return resultRows(o.TableStyle(), report.Report, wide) })
}

// AllOrgsReport is the JSON document of `tokenctl revoke --token-value-file
// FILE --all-orgs` (or with several organizations named): the revoke
// report, with one result per organization where the token had access,
// plus the organizations that could not be checked. Fields are only ever
// added.
type AllOrgsReport struct {
	revoke.Report
	NotChecked []document.NotChecked[document.OrgRef] `json:"notChecked"`
	// NotListed is how many of your organizations Buildkite counted but
	// did not list, so that tokenctl could not look in them; null when
	// the run failed before it knew.
	NotListed *int `json:"notListed"`
}

// notCheckedOrgs is the not-checked part of a report.
func notCheckedOrgs(plan *revoke.OrgsPlan) []document.NotChecked[document.OrgRef] {
	out := []document.NotChecked[document.OrgRef]{}
	for _, nc := range plan.NotChecked {
		out = append(out, nc.Document())
	}
	return out
}

// revokeFromOrgs revokes the token from every organization the caller
// belongs to and may act in (--all-orgs), or from each organization named
// with --org or --orgs-file, where it has access. Organizations it could
// not look in are reported; see revoke.OrgsPlan.Missed for when they make
// the run incomplete.
func revokeFromOrgs(ctx context.Context, o *RevokeOptions, client *buildkite.Client, plan *revoke.OrgsPlan, tokenUUID string) error {
	if len(plan.Checked)+len(plan.NotChecked)+plan.NotListed == 0 {
		return exitcode.New(exitcode.NotFound, errors.New("your API token can reach no organization, so there is nothing to revoke the leaked token from"))
	}
	notChecked := notCheckedOrgs(plan)
	defer reportNotChecked(o, plan, tokenUUID)

	if len(plan.Plans) == 0 && plan.Missed() == 0 {
		var checked []string
		for _, org := range plan.Checked {
			checked = append(checked, org.Slug)
		}
		msg := fmt.Sprintf("token %s has no access to any organization you administer (%s): nothing to do", tokenUUID, strings.Join(checked, ", "))
		if len(checked) == 0 {
			msg = fmt.Sprintf("Buildkite let tokenctl list the tokens of none of your organizations (see above why), so token %s cannot be revoked from any", tokenUUID)
		}
		if !o.IgnoreMissing || len(checked) == 0 {
			return exitcode.New(exitcode.NotFound, errors.New(msg))
		}
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: %s\n", msg)
	}

	if err := confirmRevocation(ctx, o, severalOrgs, plan.Plans); err != nil {
		return err
	}

	x := execution{plans: plan.Plans, byOrg: true, counted: "organization(s)"}
	results, err := runPlans(ctx, o, client, x.plans, x.progress)
	if err != nil {
		return err
	}
	report := revoke.NewReport(results, o.DryRun)
	doc := AllOrgsReport{Report: report, NotChecked: notChecked, NotListed: &plan.NotListed}
	return printOutcome(ctx, o, x, report, doc, plan.ExitCode(results, o.IgnoreMissing))
}

// reportNotChecked tells, on stderr, where the token may still work and
// what to run there.
func reportNotChecked(o *RevokeOptions, plan *revoke.OrgsPlan, tokenUUID string) {
	for _, nc := range plan.NotChecked {
		name := document.OrgName(nc.Organization)
		cmd := fmt.Sprintf("tokenctl revoke --org %s --token %s", name, tokenUUID)
		switch nc.Cause {
		case revoke.CauseError:
			fmt.Fprintf(o.IO.ErrOut, "tokenctl: %s: not checked: %s; the token may still have access there: run `%s` once Buildkite answers, or delete the token with --everywhere\n", name, cmdutil.OneLine(nc.Err.Error()), cmd)
		case revoke.CauseNoAccess:
			fmt.Fprintf(o.IO.ErrOut, "tokenctl: %s: not checked: your API token has no access there (it was not granted this organization, or there is none by that name), so tokenctl cannot see its tokens; with a token that has access, run `%s`, or delete the token with --everywhere\n", name, cmd)
		default:
			// Buildkite refuses both a user who is not an administrator
			// and a token not granted the organization the same way; its
			// own words say which, so they are shown rather than a guess.
			fmt.Fprintf(o.IO.ErrOut, "tokenctl: %s: not checked: %s; listing and revoking tokens needs an administrator of the organization using a token granted access to it: ask one of its administrators to run `%s`, or delete the token with --everywhere\n", name, cmdutil.OneLine(nc.Err.Error()), cmd)
		}
	}
	if n := plan.NotListed; n > 0 {
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: not checked: Buildkite counts %d more organization(s) of yours than it listed, and the token may still have access there; name every organization with --orgs-file FILE (one slug per line) or repeated --org\n", n)
	}
}

// EverywhereReport is the JSON document of `tokenctl revoke
// --token-value-file FILE --everywhere`. Fields are only ever added.
type EverywhereReport struct {
	DryRun bool `json:"dryRun"`
	// Token is null when the value was already dead (with --ignore-missing).
	Token *LeakedToken `json:"token"`
	// Status is revoked (the token was deleted), dry-run, or not-found
	// (already dead, with --ignore-missing).
	Status revoke.Status `json:"status"`
}

// everywhereFailure is the document of a `revoke --everywhere` that failed
// before it knew the token: EverywhereReport's keys, token and status null.
func everywhereFailure(dryRun bool) any {
	return struct {
		DryRun bool           `json:"dryRun"`
		Token  *LeakedToken   `json:"token"`
		Status *revoke.Status `json:"status"`
	}{DryRun: dryRun}
}

// LeakedToken describes the token a value belongs to.
type LeakedToken struct {
	document.AccessToken
	Owner document.Owner `json:"owner"`
}

// revokeEverywhere deletes the token of the one value given
// (revoke.Executor.DeleteAll), after the self-check. It asks on a terminal
// by having the user type the start of the token's uuid, and needs --yes
// elsewhere.
func revokeEverywhere(ctx context.Context, o *RevokeOptions, client *buildkite.Client, lp *revoke.LeakedPlan) error {
	tok := *lp.Secrets[0].Token
	leaked := &LeakedToken{AccessToken: document.AccessTokenOf(tok), Owner: document.Owner{Name: tok.User.Name, Email: tok.User.Email}}
	if o.DryRun {
		if o.IO.IsStderrTTY() {
			defer fmt.Fprintf(o.IO.ErrOut, "Dry run: nothing was revoked (token %s would be deleted everywhere).\n", tok.UUID)
		}
		return o.printEverywhere(EverywhereReport{DryRun: true, Token: leaked, Status: revoke.StatusDryRun})
	}
	if err := o.confirmLeaked(ctx, lp); err != nil {
		return err
	}
	if s := lp.Secrets[0]; s.Everywhere == nil {
		return s.Err // declined
	}
	out, err := o.carryOutLeaked(ctx, client, lp)
	if err != nil {
		return err
	}
	d := out.deletions[0]
	if d.Err != nil {
		return d.Err
	}
	if d.Note != "" {
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: %s\n", d.Note)
	}
	return o.printEverywhere(EverywhereReport{Token: leaked, Status: revoke.StatusRevoked})
}

// confirmEverywhere makes the user type the start of the token's uuid: a
// y/N is too easy to give by habit for something this final. Ctrl-C at the
// question ends the run at once.
func confirmEverywhere(ctx context.Context, o *RevokeOptions, tok buildkite.AccessToken) error {
	w := o.IO.PromptOut()
	fmt.Fprintf(w, "About to delete API access token %s itself.\n\n", tok.UUID)
	p := output.NewTablePrinter(o.IO.PromptTableStyle(o.Factory.Now()), "TOKEN", "DESCRIPTION", "OWNER", "SCOPES", "CREATED")
	p.AddField(tok.UUID)
	p.AddField(tok.Description)
	p.AddField(document.FormatUser(tok.User.Name, tok.User.Email))
	p.AddField(strings.Join(tok.Scopes, ","))
	p.AddTimeField(&tok.CreatedAt, "")
	if err := output.WriteTable(w, p.Rows()); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nThis is not an organization revocation: the token stops working for every organization and every API, at once and for good, and everything using it breaks until its owner creates a new one.\n")
	want := tok.UUID[:min(8, len(tok.UUID))]
	fmt.Fprintf(w, "Type %s (the start of the token's uuid) to delete it: ", want)
	line, err := o.IO.ReadLine(ctx)
	if errors.Is(err, iostreams.ErrInterrupted) {
		fmt.Fprintln(w)
		return exitcode.New(exitcode.Interrupted, errors.New("interrupted at the question: nothing was deleted"))
	}
	if err != nil && line == "" {
		fmt.Fprintln(w)
	}
	if !strings.EqualFold(strings.TrimSpace(line), want) {
		return exitcode.New(exitcode.Refused, errors.New("not confirmed: the token was not deleted"))
	}
	return nil
}

func (o *RevokeOptions) printEverywhere(r EverywhereReport) error {
	printer := output.Printer{Out: o.IO.Out, Format: o.Format, JQ: o.JQ}
	return printer.Print(r, func(wide bool) output.Rows { return everywhereRows(o.TableStyle(), r, wide) })
}

// everywhereRows is the --everywhere report's table.
func everywhereRows(style output.TableStyle, r EverywhereReport, wide bool) output.Rows {
	p := output.NewTablePrinter(style, "TOKEN", "DESCRIPTION", "OWNER", "ACTION", "STATUS")
	if wide {
		p.AddHeader("SCOPES", "CREATED")
	}
	if r.Token == nil {
		return p.Rows()
	}
	action := "deleted everywhere"
	if r.Status == revoke.StatusDryRun {
		action = "would be deleted everywhere"
	}
	p.AddField(r.Token.UUID)
	p.AddField(document.Deref(r.Token.Description), output.Cut)
	p.AddField(document.FormatUser(r.Token.Owner.Name, r.Token.Owner.Email), output.Cut)
	p.AddField(action)
	p.AddField(string(r.Status), output.WithTone(statusTone(string(r.Status))))
	if wide {
		p.AddField(strings.Join(r.Token.Scopes, ","))
		p.AddTimeField(&r.Token.CreatedAt, "")
	}
	return p.Rows()
}
