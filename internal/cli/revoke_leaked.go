package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/config"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/inputfile"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// leakedTokenOptions are the inputs of `tokenctl revoke` for a token known
// only by its secret value, as when it has leaked. The value is read from a
// file or standard input, never from argv, and is only ever sent to
// Buildkite as a credential: to learn the token's uuid (GET
// /v2/access-token) and, with --everywhere, to delete the token (DELETE
// /v2/access-token). It is never printed, logged or put in an error.
type leakedTokenOptions struct {
	ValueFile  string
	AllOrgs    bool
	Everywhere bool

	value   config.Secret // read by completeLeaked
	readErr error         // why it could not be
}

// requested reports whether any leaked-token flag was given.
func (l *leakedTokenOptions) requested() bool {
	return l.ValueFile != "" || l.AllOrgs || l.Everywhere
}

// addLeakedTokenFlags registers the leaked-token flags of `tokenctl revoke`.
func addLeakedTokenFlags(fl *pflag.FlagSet, l *leakedTokenOptions) {
	fl.StringVar(&l.ValueFile, "token-value-file", "", "revoke the token whose secret value is in `FILE` (- for standard input), e.g. a leaked one")
	fl.BoolVar(&l.AllOrgs, "all-orgs", false, "with --token-value-file: revoke it from every organization you administer, instead of --org")
	fl.BoolVar(&l.Everywhere, "everywhere", false, "with --token-value-file: delete the token itself, for every organization (asks; without a terminal needs --yes)")
}

// maxLeakedValueFile bounds what --token-value-file reads, so a wrong file
// (a log, /dev/zero) fails fast instead of filling memory.
const maxLeakedValueFile = 64 << 10

// completeLeaked reads the leaked value, unless the command line already
// rules it out or reading it would be unsafe (see validateLeaked).
func (o *RevokeOptions) completeLeaked() {
	l := &o.Leaked
	if l.ValueFile == "" || len(o.TokenArgs) > 0 || o.Bulk.requested() ||
		(l.ValueFile == inputfile.Stdin && (o.apiTokenFile == inputfile.Stdin || o.IO.IsStdinTTY())) {
		return
	}
	l.value, l.readErr = readLeakedValue(l.ValueFile, o.IO.In)
}

// validateLeaked checks the flag combinations of a leaked-token run, all
// before any network call.
func (o *RevokeOptions) validateLeaked() error {
	l := &o.Leaked
	usage := func(format string, args ...any) error {
		return exitcode.New(exitcode.Usage, fmt.Errorf(format, args...))
	}
	switch {
	case l.ValueFile == "":
		return usage("--all-orgs and --everywhere act on a leaked token: give its value with --token-value-file FILE (or - for standard input)")
	case len(o.TokenArgs) > 0:
		return usage("--token and --token-value-file are mutually exclusive: name the token by its uuid or by its value, not both")
	case l.AllOrgs && l.Everywhere:
		return usage("--all-orgs and --everywhere are mutually exclusive: --all-orgs removes the organizations you administer from the token, --everywhere deletes the token itself")
	case (l.AllOrgs || l.Everywhere) && o.orgGiven:
		return usage("--org cannot be combined with --all-orgs or --everywhere, which are not about one organization; drop --org")
	}
	if o.apiTokenFile == inputfile.Stdin && l.ValueFile == inputfile.Stdin {
		return usage("--api-token-file - and --token-value-file - both want standard input; put one of them in a file")
	}
	if l.ValueFile == inputfile.Stdin && o.IO.IsStdinTTY() {
		return usage("--token-value-file -: standard input is a terminal, which would show the value as you type or paste it; pipe it in or put it in a file only you can read")
	}
	if !l.AllOrgs && !l.Everywhere {
		if err := o.checkOrg(); err != nil {
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
func readLeakedValue(path string, in io.Reader) (config.Secret, error) {
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
	return config.Secret(v), nil
}

// leakedClient is the API client for a leaked-token run. Its --debug trace
// scrubs the leaked value wherever it appears, as it does the API token,
// on top of credential headers and token-shaped strings.
func (o *RevokeOptions) leakedClient() (*buildkite.Client, error) {
	return o.Factory.APIClient(o.settings, o.Debug, o.Leaked.value.Reveal())
}

// leakedTokenDeadMessage is the answer when Buildkite no longer accepts the
// value: whoever holds it can do nothing with it any more.
const leakedTokenDeadMessage = "the token is already revoked or expired: nothing to do"

// revokeLeakedRun turns the leaked value into the token's uuid and then
// revokes through the usual plan, confirmation, audit and report: for one
// organization by handing the uuid to revokeFromOrg, for --all-orgs one plan
// per organization, and for --everywhere by deleting the token. Every
// request goes through the client that scrubs the value from traces.
func revokeLeakedRun(ctx context.Context, o *RevokeOptions) error {
	client, err := o.leakedClient()
	if err != nil {
		return err
	}
	tok, err := client.AccessTokenOf(ctx, o.Leaked.value.Reveal())
	if buildkite.KindOf(err) == buildkite.KindUnauthorized {
		return o.leakedTokenDead()
	}
	if err != nil {
		return err
	}
	ref, err := ident.ParseToken(tok.UUID)
	if err != nil || ref.UUID == "" {
		return fmt.Errorf("looking up the given token value: Buildkite answered with a malformed token uuid")
	}
	switch {
	case o.Leaked.Everywhere:
		return revokeEverywhere(ctx, o, client, tok)
	case o.Leaked.AllOrgs:
		return revokeFromAllOrgs(ctx, o, client, ref)
	}
	o.Tokens = []ident.Token{ref}
	return revokeFromOrg(ctx, o, client)
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
	report := AllOrgsReport{Report: revoke.NewReport(nil, o.DryRun), NotChecked: []NotCheckedOrg{}}
	var data any = report
	if !o.Leaked.AllOrgs {
		data = report.Report
	}
	printer := output.Printer{Out: o.IO.Out, Format: o.Format, JQ: o.JQ}
	return printer.Print(data, func(wide bool) output.Rows { return resultRows(report.Report, wide) })
}

// AllOrgsReport is the JSON document of `tokenctl revoke --token-value-file
// FILE --all-orgs`: the revoke report, with one result per organization
// where the token had access, plus the organizations that could not be
// checked. Fields are only ever added.
type AllOrgsReport struct {
	revoke.Report
	NotChecked []NotCheckedOrg `json:"notChecked"`
}

// NotCheckedOrg is an organization the caller's token can reach but whose
// tokens the caller may not list or revoke; Reason is Buildkite's answer.
type NotCheckedOrg struct {
	Organization revoke.OrgRef `json:"organization"`
	Reason       string        `json:"reason"`
}

// orgPlan is the resolution of the leaked token in one organization.
type orgPlan struct {
	plan *revoke.Plan
	err  error
}

// revokeFromAllOrgs revokes the token from every organization the caller
// administers where it has access. Organizations the caller can reach but
// not administer are reported, not failed: nothing can be done there with
// this credential, and --everywhere is the way to cut the token off there.
func revokeFromAllOrgs(ctx context.Context, o *RevokeOptions, client *buildkite.Client, ref ident.Token) error {
	// Which token tokenctl is using is asked once for every organization,
	// alongside the question of which organizations there are.
	type selfAnswer struct {
		token buildkite.AccessToken
		err   error
	}
	selfCh := make(chan selfAnswer, 1)
	go func() {
		t, err := client.Caller(ctx)
		selfCh <- selfAnswer{t, err}
	}()
	viewer, err := client.Viewer(ctx)
	self := <-selfCh
	if err != nil {
		return err
	}
	if self.err != nil {
		return fmt.Errorf("%w (tokenctl refuses to revoke anything until it knows which token it is using)", self.err)
	}
	orgs := viewer.Organizations
	if len(orgs) == 0 {
		return exitcode.New(exitcode.NotFound, errors.New("your API token can reach no organization, so there is nothing to revoke the leaked token from"))
	}

	// Resolve in every organization before revoking in any, so a failure
	// leaves nothing half done.
	answers := make([]orgPlan, len(orgs))
	sem := make(chan struct{}, max(o.Concurrency, 1))
	var wg sync.WaitGroup
	for i, org := range orgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			plan, err := revoke.Resolve(ctx, client, revoke.Request{Org: ident.Org{Slug: org.Slug}, Tokens: []ident.Token{ref}, AllowSelf: o.AllowSelf, Caller: &self.token})
			answers[i] = orgPlan{plan, err}
		}()
	}
	wg.Wait()

	var plans []*revoke.Plan
	var checked []string
	notChecked := []NotCheckedOrg{}
	for i, a := range answers {
		org := orgs[i]
		switch {
		case a.err == nil:
			checked = append(checked, org.Slug)
			if len(a.plan.Items) == 1 && a.plan.Items[0].Status != revoke.StatusNotFound {
				plans = append(plans, a.plan)
			}
		case buildkite.KindOf(a.err) == buildkite.KindForbidden:
			slug := org.Slug
			notChecked = append(notChecked, NotCheckedOrg{Organization: revoke.OrgRef{ID: org.ID, Slug: &slug}, Reason: a.err.Error()})
		default:
			return a.err
		}
	}
	defer reportNotChecked(o, notChecked, ref)

	if len(plans) == 0 {
		msg := fmt.Sprintf("token %s has no access to any organization you administer (%s): nothing to do", ref.UUID, strings.Join(checked, ", "))
		if len(checked) == 0 {
			msg = fmt.Sprintf("Buildkite let tokenctl list the tokens of none of the organizations your API token can reach (see above why), so token %s cannot be revoked from any", ref.UUID)
		}
		if !o.IgnoreMissing || len(checked) == 0 {
			return exitcode.New(exitcode.NotFound, errors.New(msg))
		}
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: %s\n", msg)
	}

	if !o.DryRun && !o.Yes && o.IO.CanPrompt() && len(plans) > 0 {
		if err := confirmAllOrgs(o, plans); err != nil {
			return err
		}
	}

	return executePlans(ctx, o, client, execution{
		plans:    plans,
		document: func(r revoke.Report) any { return AllOrgsReport{Report: r, NotChecked: notChecked} },
		byOrg:    true,
		counted:  "organization(s)",
	})
}

// reportNotChecked tells, on stderr, where the token may still work.
func reportNotChecked(o *RevokeOptions, notChecked []NotCheckedOrg, ref ident.Token) {
	for _, nc := range notChecked {
		slug := document.Deref(nc.Organization.Slug)
		// Buildkite refuses both a user who is not an administrator and a
		// token not granted the organization the same way; its own words
		// say which, so they are shown rather than a guess.
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: %s: not checked: %s; listing and revoking tokens needs an administrator of the organization using a token granted access to it: ask one of its administrators to run `tokenctl revoke --org %s --token %s`, or delete the token with --everywhere\n", slug, nc.Reason, slug, ref.UUID)
	}
}

func confirmAllOrgs(o *RevokeOptions, plans []*revoke.Plan) error {
	now := o.Factory.Now()
	rows := output.Rows{Headers: []string{"ORGANIZATION", "TOKEN", "DESCRIPTION", "OWNER", "SCOPES", "LAST USED"}}
	pending := 0
	for _, p := range plans {
		for _, it := range p.Pending() {
			pending++
			t := it.Token
			if t == nil {
				continue
			}
			owner := ""
			if t.Owner != nil {
				owner = document.FormatUser(t.Owner.Name, t.Owner.Email)
			}
			rows.Cells = append(rows.Cells, []string{document.OrgName(p.Organization), t.UUID, t.Description, owner, strings.Join(t.Scopes, ","), output.LastUsed(t.LastAccessedAt, now)})
		}
	}
	if pending == 0 {
		return nil
	}
	w := o.IO.PromptOut()
	fmt.Fprintf(w, "About to revoke %d organization(s)' access from the leaked API access token. This cannot be undone.\n\n", pending)
	if err := output.WriteTable(w, rows); err != nil {
		return err
	}
	fmt.Fprintln(w)
	ok, err := o.IO.Confirm(fmt.Sprintf("Revoke its access to %d organization(s)?", pending))
	if err != nil || !ok {
		return exitcode.New(exitcode.Refused, errors.New("not confirmed: nothing was revoked"))
	}
	return nil
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

// LeakedToken describes the token a value belongs to.
type LeakedToken struct {
	AccessTokenInfo
	Owner revoke.Owner `json:"owner"`
}

// revokeEverywhere deletes the token itself (revoke.DeleteEverywhere),
// after the self-check. It asks on a terminal by having the user type the
// start of the token's uuid, and needs --yes elsewhere.
func revokeEverywhere(ctx context.Context, o *RevokeOptions, client *buildkite.Client, tok buildkite.AccessToken) error {
	plan, err := revoke.ResolveEverywhere(ctx, client, tok, o.AllowSelf)
	if err != nil {
		return err
	}
	leaked := &LeakedToken{AccessTokenInfo: accessTokenInfo(tok), Owner: revoke.Owner{Name: tok.User.Name, Email: tok.User.Email}}
	if o.DryRun {
		if o.IO.IsStderrTTY() {
			defer fmt.Fprintf(o.IO.ErrOut, "Dry run: nothing was revoked (token %s would be deleted everywhere).\n", tok.UUID)
		}
		return o.printEverywhere(EverywhereReport{DryRun: true, Token: leaked, Status: revoke.StatusDryRun})
	}
	if !o.Yes {
		if !o.IO.CanPrompt() {
			return exitcode.New(exitcode.Refused, fmt.Errorf("--everywhere deletes token %s for every organization and cannot be undone; without a terminal to confirm on, pass --yes", tok.UUID))
		}
		if err := confirmEverywhere(o, tok); err != nil {
			return err
		}
	}

	auditLog, err := openAuditLog(o.AuditLog)
	if err != nil {
		return err
	}
	defer auditLog.Close()
	exec := &revoke.Executor{Client: client, Audit: auditLog, Backoff: client.Backoff}
	note, err := exec.DeleteEverywhere(ctx, plan, o.Leaked.value.Reveal())
	if err != nil {
		return err
	}
	if note != "" {
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: %s\n", note)
	}
	return o.printEverywhere(EverywhereReport{Token: leaked, Status: revoke.StatusRevoked})
}

// openAuditLog opens the audit log when one is configured; a nil *audit.Log
// records nothing.
func openAuditLog(path string) (*audit.Log, error) {
	if path == "" {
		return nil, nil
	}
	l, err := audit.Open(path)
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, err)
	}
	return l, nil
}

// confirmEverywhere makes the user type the start of the token's uuid: a
// y/N is too easy to give by habit for something this final.
func confirmEverywhere(o *RevokeOptions, tok buildkite.AccessToken) error {
	w := o.IO.PromptOut()
	fmt.Fprintf(w, "About to delete API access token %s itself.\n\n", tok.UUID)
	rows := output.Rows{
		Headers: []string{"TOKEN", "DESCRIPTION", "OWNER", "SCOPES", "CREATED"},
		Cells: [][]string{{tok.UUID, tok.Description, document.FormatUser(tok.User.Name, tok.User.Email),
			strings.Join(tok.Scopes, ","), output.RelativeTime(tok.CreatedAt, o.Factory.Now())}},
	}
	if err := output.WriteTable(w, rows); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nThis is not an organization revocation: the token stops working for every organization and every API, at once and for good, and everything using it breaks until its owner creates a new one.\n")
	want := tok.UUID[:min(8, len(tok.UUID))]
	fmt.Fprintf(w, "Type %s (the start of the token's uuid) to delete it: ", want)
	line, err := bufio.NewReader(o.IO.In).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(w)
	}
	if !strings.EqualFold(strings.TrimSpace(line), want) {
		return exitcode.New(exitcode.Refused, errors.New("not confirmed: the token was not deleted"))
	}
	return nil
}

func (o *RevokeOptions) printEverywhere(r EverywhereReport) error {
	if o.Scan.collect != nil {
		o.Scan.collect(r)
		return nil
	}
	printer := output.Printer{Out: o.IO.Out, Format: o.Format, JQ: o.JQ}
	return printer.Print(r, func(wide bool) output.Rows {
		rows := output.Rows{Headers: []string{"TOKEN", "DESCRIPTION", "OWNER", "ACTION", "STATUS"}}
		if wide {
			rows.Headers = append(rows.Headers, "SCOPES", "CREATED")
		}
		if r.Token == nil {
			return rows
		}
		row := []string{r.Token.UUID, document.Deref(r.Token.Description), document.FormatUser(r.Token.Owner.Name, r.Token.Owner.Email), "deleted everywhere", string(r.Status)}
		if r.Status == revoke.StatusDryRun {
			row[3] = "would be deleted everywhere"
		}
		if wide {
			row = append(row, strings.Join(r.Token.Scopes, ","), r.Token.CreatedAt.UTC().Format(time.RFC3339))
		}
		rows.Cells = append(rows.Cells, row)
		return rows
	})
}
