package settings

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/inactivity"
	"github.com/tokenctl/tokenctl/internal/orgsettings"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/redact"
)

// SettingsSetOptions is every input of `tokenctl settings set`.
type SettingsSetOptions struct {
	cmdutil.APIOptions

	AllowedIPs     []string
	ClearAllowlist bool
	PeriodArg      string
	RestrictArg    string
	AllowLockout   bool
	CallerAddrs    []string
	DryRun         bool
	Yes            bool

	// Filled in by complete and validate.
	Request  orgsettings.Request
	callers  []netip.Addr
	AuditLog string
	given    map[string]bool
}

// NewCmdSettingsSet parses flags into SettingsSetOptions; runF does the
// work (tests may replace it to check flag parsing alone).
func NewCmdSettingsSet(f *cmdutil.Factory, runF func(context.Context, *SettingsSetOptions) error) *cobra.Command {
	opts := &SettingsSetOptions{APIOptions: cmdutil.NewAPIOptions(f)}
	cmd := &cobra.Command{
		Use:   "set --org ORG [--allowed-ip CIDR ... | --clear-allowlist] [--revoke-inactive-after PERIOD] [--restrict-token-creation true|false]",
		Short: "Change an organization's API settings, without locking yourself out",
		Long: `Change an organization's API settings: the API IP allowlist (--allowed-ip,
repeatable, IPv4 or IPv6 CIDR ranges; or --clear-allowlist), the automatic
revocation of inactive tokens (--revoke-inactive-after 30d, 60d, 90d, 180d,
365d or off) and whether only administrators may create API access tokens
(--restrict-token-creation true|false).

tokenctl reads the settings first and sends only the fields that change.
It shows the change as before and after, and asks on a terminal; without
one it needs --yes. --dry-run shows it and sends nothing. A setting the
organization's plan does not include is refused before anything is sent
(exit 3), naming the feature.

An allowlist takes effect at once and Buildkite has no dry run: one that
leaves out your own address locks your token out of the organization's
API. So before sending an allowlist, tokenctl lists the organization's
tokens twice and reads the address Buildkite sees for its own token (the
token's ipAddress), and refuses an allowlist that does not cover it
(exit 5), naming the address and the ranges, unless you pass
--allow-lockout. Buildkite documents that address only as its last
request's, so tokenctl uses it only when both listings agree and the
token's last use is this run's; otherwise it refuses (exit 5) unless
--caller-address names the address your requests come from (the
allowlist must admit it). An IPv4-mapped IPv6 address (::ffff:a.b.c.d)
is admitted only if the allowlist covers both its forms. Behind a proxy
or NAT gateway that address is the gateway's, not your machine's; it is
the address of the GraphQL listing, so if REST requests leave by another
route, allow that one too.

The change is written to --audit-log before and after. Afterwards tokenctl
reads the settings back, reports what Buildkite now holds, and checks that
it can still reach the organization's API (REST and GraphQL).

This is the command for all three settings; "policy set" changes the
inactivity period alone, through GraphQL, and shows which tokens the new
period would revoke.`,
		Example: `  # Allow the office and the CI egress, then check what changed
  tokenctl settings set --org acme --allowed-ip 203.0.113.0/24 --allowed-ip 2001:db8::/48 --dry-run
  tokenctl settings set --org acme --allowed-ip 203.0.113.0/24 --allowed-ip 2001:db8::/48 --yes --audit-log audit.jsonl

  # Only administrators may create tokens; revoke tokens unused for 90 days
  tokenctl settings set --org acme --restrict-token-creation true --revoke-inactive-after 90d --yes

  # Remove the allowlist
  tokenctl settings set --org acme --clear-allowlist --yes`,
		Args:        cobra.NoArgs,
		Annotations: cmdutil.Changes(),
		RunE:        cmdutil.RunAPI(opts, runF, settingsSetRun),
	}
	fl := cmd.Flags()
	opts.AddFlags(fl, output.Generic, true)
	fl.StringArrayVar(&opts.AllowedIPs, "allowed-ip", nil, "allow API requests from the `CIDR` range, IPv4 or IPv6 (repeatable; the whole allowlist, replacing the current one)")
	fl.BoolVar(&opts.ClearAllowlist, "clear-allowlist", false, "remove the allowlist: every address may use the API")
	fl.StringVar(&opts.PeriodArg, "revoke-inactive-after", "", "revoke tokens unused for `PERIOD`: 30d, 60d, 90d, 180d, 365d or off")
	fl.StringVar(&opts.RestrictArg, "restrict-token-creation", "", "whether only administrators may create API access tokens: `BOOL`, true or false")
	fl.BoolVar(&opts.AllowLockout, "allow-lockout", false, "send an allowlist even if it leaves out the address Buildkite sees for your token")
	fl.StringArrayVar(&opts.CallerAddrs, "caller-address", nil, "the `ADDRESS` your requests reach Buildkite from (repeatable): the allowlist must admit it; used when Buildkite's record of your token's address cannot be confirmed as current")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "show the change; send nothing")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	fl.String("audit-log", "", "append a JSON Lines audit record before and after the change to `FILE` (env TOKENCTL_AUDIT_LOG)")
	_ = cmd.RegisterFlagCompletionFunc("revoke-inactive-after", cobra.FixedCompletions([]string{"30d", "60d", "90d", "180d", "365d", "off"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("restrict-token-creation", cobra.FixedCompletions([]string{"true", "false"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func (o *SettingsSetOptions) Complete(fl *pflag.FlagSet, _ []string) {
	o.AuditLog = o.Settings.AuditLog
	o.given = map[string]bool{}
	for _, name := range []string{"allowed-ip", "clear-allowlist", "revoke-inactive-after", "restrict-token-creation"} {
		o.given[name] = fl.Changed(name)
	}
}

// validate reads every setting asked for, all before any request.
func (o *SettingsSetOptions) Validate() error {
	if err := o.CheckOrg(); err != nil {
		return err
	}
	usage := func(err error) error { return exitcode.New(exitcode.Usage, err) }
	switch {
	case o.given["allowed-ip"] && o.ClearAllowlist:
		return usage(errors.New("--allowed-ip sets the allowlist and --clear-allowlist removes it: give one of them"))
	case !o.given["allowed-ip"] && !o.ClearAllowlist && !o.given["revoke-inactive-after"] && !o.given["restrict-token-creation"]:
		return usage(errors.New("nothing to change: give --allowed-ip, --clear-allowlist, --revoke-inactive-after or --restrict-token-creation"))
	}
	o.Request = orgsettings.Request{}
	if o.given["allowed-ip"] {
		ranges, err := orgsettings.ParseRanges(o.AllowedIPs)
		if err != nil {
			return usage(fmt.Errorf("--allowed-ip: %w", err))
		}
		if len(ranges) == 0 {
			return usage(errors.New("--allowed-ip: no range given; to remove the allowlist, use --clear-allowlist"))
		}
		o.Request.Allowlist = &ranges
	}
	for _, a := range o.CallerAddrs {
		addr, err := netip.ParseAddr(strings.TrimSpace(a))
		if err != nil || addr.Zone() != "" {
			return usage(fmt.Errorf("--caller-address %s: want an IPv4 or IPv6 address, such as 203.0.113.7", redact.Quote(a)))
		}
		o.callers = append(o.callers, addr)
	}
	if len(o.callers) > 0 && !o.given["allowed-ip"] {
		return usage(errors.New("--caller-address is checked against the allowlist --allowed-ip sets: give --allowed-ip too"))
	}
	if o.ClearAllowlist {
		none := []netip.Prefix{}
		o.Request.Allowlist = &none
	}
	if o.given["revoke-inactive-after"] {
		s, err := inactivity.ParseSetting(o.PeriodArg)
		if err != nil {
			return cmdutil.FlagValueError("--revoke-inactive-after", o.PeriodArg, err)
		}
		o.Request.Inactivity = &s
	}
	if o.given["restrict-token-creation"] {
		var restrict bool
		switch strings.ToLower(o.RestrictArg) {
		case "true":
			restrict = true
		case "false":
		default:
			return usage(fmt.Errorf("--restrict-token-creation %s: want true or false", redact.Quote(o.RestrictArg)))
		}
		o.Request.RestrictTokenCreation = &restrict
	}
	if !o.DryRun && !o.Yes && !o.IO.CanPrompt() {
		return usage(errors.New("changing an organization's API settings needs confirmation, and there is no terminal to ask on: check it with --dry-run, then pass --yes"))
	}
	return nil
}

// SettingsSetReport is the document of settings set.
type SettingsSetReport struct {
	Organization orgsettings.Organization `json:"organization"`
	DryRun       bool                     `json:"dryRun"`
	// Status is unchanged, dry-run, updated, not-held (Buildkite accepted
	// the change but holds something else), failed or unknown.
	Status  string                    `json:"status"`
	Changes []orgsettings.FieldChange `json:"changes"`
	Before  *orgsettings.Settings     `json:"before"`
	// After is what Buildkite holds, read back after the change; null
	// when nothing was sent or it could not be read.
	After *orgsettings.Settings `json:"after"`
	// CallerAddress is the address Buildkite sees tokenctl's requests
	// come from, when an allowlist was checked against it.
	CallerAddress *string `json:"callerAddress"`
	// Reachable says whether the organization's API still answered
	// after the change; null when nothing was sent.
	Reachable *orgsettings.Reachability `json:"reachable"`
	// Note says how an error answer was settled by reading the settings
	// back (the change was applied after all).
	Note string `json:"note,omitempty"`
}

// settingsSetFailure is the document of a `settings set` that failed
// before it had a report: SettingsSetReport's keys, what is not known null.
func settingsSetFailure(dryRun bool) any {
	return struct {
		Organization  *orgsettings.Organization `json:"organization"`
		DryRun        bool                      `json:"dryRun"`
		Status        *string                   `json:"status"`
		Changes       []orgsettings.FieldChange `json:"changes"`
		Before        *orgsettings.Settings     `json:"before"`
		After         *orgsettings.Settings     `json:"after"`
		CallerAddress *string                   `json:"callerAddress"`
		Reachable     *orgsettings.Reachability `json:"reachable"`
	}{DryRun: dryRun, Changes: []orgsettings.FieldChange{}}
}

func settingsSetRun(ctx context.Context, o *SettingsSetOptions) error {
	started := time.Now()
	if o.Factory.Now != nil {
		started = o.Factory.Now()
	}
	client, err := o.Factory.APIClient(o.Settings, o.Debug)
	if err != nil {
		return err
	}
	self, err := client.AccessToken(ctx)
	if err != nil {
		return err
	}
	found, err := client.Slugged(ctx, o.Org)
	if err != nil {
		return err
	}
	org := orgsettings.Describe(ctx, client, found)
	if err := orgsettings.RequireScope(self, orgsettings.ScopeRead, org.Slug); err != nil {
		return err
	}
	api, err := client.APISettings(ctx, org.Slug)
	if err != nil {
		return err
	}
	before, err := orgsettings.FromAPI(org, api)
	if err != nil {
		return err
	}
	change, err := orgsettings.PlanChange(before, o.Request)
	if err != nil {
		return err
	}
	if unread := before.Unparsed(); len(unread) > 0 && o.Request.Allowlist != nil {
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: warning: %s: the allowlist holds entries tokenctl cannot read as CIDR ranges (%s); they are shown verbatim and count as a difference\n", org.Slug, redact.Secrets(strings.Join(unread, " ")))
	}
	report := SettingsSetReport{Organization: org, DryRun: o.DryRun, Changes: change.Fields, Before: &before}
	if change.Empty() {
		report.Status = "unchanged"
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: %s already holds these settings: nothing to change\n", org.Slug)
		return o.print(report)
	}
	if !o.DryRun {
		if err := orgsettings.RequireScope(self, orgsettings.ScopeWrite, org.Slug); err != nil {
			return err
		}
	}
	if change.SendsAllowlist() {
		addr, err := o.guard(ctx, client, org.Slug, self.UUID, change.Allowlist, started)
		if addr.IsValid() {
			a := addr.String()
			report.CallerAddress = &a
		}
		if err != nil {
			return err
		}
	}
	if o.DryRun {
		report.Status = "dry-run"
		return o.print(report)
	}
	if err := o.confirm(report); err != nil {
		return err
	}
	return o.apply(ctx, client, self, change, report)
}

// guard is the lock-out guard: the address Buildkite sees, confirmed as
// this run's, and the addresses --caller-address names, and a refusal
// (exit 5) of an allowlist that leaves one out, unless --allow-lockout. An
// address that cannot be confirmed is refused too, unless --caller-address
// names the caller's.
func (o *SettingsSetOptions) guard(ctx context.Context, client *buildkite.Client, slug, selfUUID string, allowlist []netip.Prefix, started time.Time) (netip.Addr, error) {
	addr, err := orgsettings.CallerAddress(ctx, client, slug, selfUUID, started)
	var unknown *orgsettings.UnknownAddressError
	switch {
	case err == nil:
		err = orgsettings.Guard(slug, allowlist, append([]netip.Addr{addr}, o.callers...)...)
	case errors.As(err, &unknown) && len(o.callers) > 0:
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: warning: %s; checking the allowlist against --caller-address alone\n", cmdutil.OneLine(unknown.Reason))
		err = orgsettings.Guard(slug, allowlist, o.callers...)
	}
	if ctx.Err() != nil {
		return addr, ctx.Err()
	}
	switch {
	case err == nil:
		return addr, nil
	case o.AllowLockout:
		var lockout *orgsettings.LockoutError
		if errors.As(err, &lockout) {
			fmt.Fprintf(o.IO.ErrOut, "tokenctl: warning: --allow-lockout: the allowlist %s does not admit %s, the address Buildkite sees your requests come from; once it is sent this token can no longer use the API of %s\n", strings.Join(lockout.Ranges, " "), lockout.Address, slug)
		} else {
			fmt.Fprintf(o.IO.ErrOut, "tokenctl: warning: --allow-lockout: whether the allowlist keeps this token's access is not known: %s\n", cmdutil.OneLine(err.Error()))
		}
		return addr, nil
	}
	return addr, exitcode.New(exitcode.Refused, err)
}

// confirm shows the change on a terminal and asks, unless --yes.
func (o *SettingsSetOptions) confirm(r SettingsSetReport) error {
	w := o.IO.PromptOut()
	if w == nil {
		return nil
	}
	fmt.Fprintf(w, "About to change the API settings of organization %s:\n\n", r.Organization.Slug)
	if err := output.WriteTable(w, changeRows(r.Changes)); err != nil {
		return err
	}
	if r.CallerAddress != nil {
		fmt.Fprintf(w, "\nBuildkite sees your requests come from %s.\n", *r.CallerAddress)
	}
	fmt.Fprintln(w)
	if o.Yes || !o.IO.CanPrompt() {
		return nil
	}
	ok, err := o.IO.Confirm("Apply this change?")
	if err != nil || !ok {
		return exitcode.New(exitcode.Refused, errors.New("not confirmed: the settings were not changed"))
	}
	return nil
}

// apply sends the change through orgsettings.Apply, which writes the audit
// log, then checks the organization's API still answers.
func (o *SettingsSetOptions) apply(ctx context.Context, client *buildkite.Client, self buildkite.AccessToken, change orgsettings.Change, report SettingsSetReport) error {
	auditLog, err := cmdutil.OpenAuditLog(o.AuditLog)
	if err != nil {
		return err
	}
	defer auditLog.Close()
	auditLog.Mask(o.Settings.APIToken)
	caller := audit.CallerOf(self)
	outcome, applyErr := orgsettings.Apply(ctx, client, auditLog, change, caller)
	report.Status, report.After, report.Note = outcome.Result, outcome.After, outcome.Note
	if outcome.Note != "" {
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: warning: %s: %s\n", report.Organization.Slug, cmdutil.OneLine(outcome.Note))
	}
	if outcome.Result != orgsettings.ResultFailed {
		reach := orgsettings.CheckReachable(ctx, client, report.Organization.Slug, outcome.ReadBackErr)
		report.Reachable = &reach
	}
	if err := o.print(report); err != nil {
		return errors.Join(applyErr, err)
	}
	// The document is printed: failures are reported on stderr alone.
	if applyErr != nil {
		return o.reported(applyErr)
	}
	switch r := report.Reachable; {
	case r.REST && r.GraphQL:
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: %s: changed; this token still reaches the organization's API\n", report.Organization.Slug)
	case o.AllowLockout:
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: %s: changed; as --allow-lockout allowed, this token no longer reaches the organization's API: %s\n", report.Organization.Slug, cmdutil.OneLine(r.Reason))
	default:
		return o.reported(fmt.Errorf("%s: the settings were changed, but this token can no longer reach the organization's API: %s", report.Organization.Slug, r.Reason))
	}
	return nil
}

// reported writes err on stderr and exits with its code, for a failure
// after the command's document was printed.
func (o *SettingsSetOptions) reported(err error) error {
	fmt.Fprintf(o.IO.ErrOut, "tokenctl: %s\n", cmdutil.ErrorMessage(err))
	return cmdutil.ExitWith(exitcode.Of(err))
}

func (o *SettingsSetOptions) print(r SettingsSetReport) error {
	printer := output.Printer{Out: o.IO.Out, Format: o.Format, JQ: o.JQ}
	if !r.sent() {
		return printer.Print(r, func(bool) output.Rows { return changeRows(r.Changes) })
	}
	return printer.Print(r, func(bool) output.Rows { return outcomeRows(r) })
}

// sent says whether the change was sent (the report has an outcome).
func (r SettingsSetReport) sent() bool {
	switch r.Status {
	case "", "unchanged", "dry-run":
		return false
	}
	return true
}

// changeRows is the before/after table of a change not yet sent.
func changeRows(changes []orgsettings.FieldChange) output.Rows {
	rows := output.Rows{Headers: []string{"SETTING", "BEFORE", "AFTER"}}
	for _, c := range changes {
		rows.Cells = append(rows.Cells, []string{c.Name, c.From, c.To})
	}
	return rows
}

// outcomeRows is the table of a change sent: what was asked, and AFTER
// what reading the settings back shows Buildkite holds, never the request
// taken for the result.
func outcomeRows(r SettingsSetReport) output.Rows {
	rows := output.Rows{Headers: []string{"SETTING", "BEFORE", "REQUESTED", "AFTER"}}
	for _, c := range r.Changes {
		after := "unknown (not read back)"
		if r.After != nil {
			after = r.After.Describe(c.Name)
		}
		rows.Cells = append(rows.Cells, []string{c.Name, c.From, c.To, after})
	}
	return rows
}

func (o *SettingsSetOptions) FailureDocument() any { return settingsSetFailure(o.DryRun) }
