// Package history is `tokenctl history`: the organization's audit-log
// events about tokens, and --reconcile against tokenctl's own audit log.
package history

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/history"
	"github.com/tokenctl/tokenctl/internal/inputfile"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/redact"
)

// HistoryOptions is every input of `tokenctl history`.
type HistoryOptions struct {
	cmdutil.APIOptions

	TokenArgs []string
	Actors    []string
	EventArgs []string
	SinceArg  string
	UntilArg  string
	Limit     int
	Reconcile string

	// Filled in by validate.
	Tokens       []string
	Types        []string
	Since, Until *time.Time
	local        []history.LocalChange
	localErr     error // why --reconcile's file could not be read
}

// defaultHistoryLimit keeps an unfiltered history of a large organization
// to a screenful of pages; --limit 0 reads everything.
const defaultHistoryLimit = 100

// maxAuditLogFile bounds what --reconcile reads.
const maxAuditLogFile = 256 << 20

// NewCmdHistory parses flags into HistoryOptions; runF does the work (tests
// may replace it to check flag parsing alone).
func NewCmdHistory(f *cmdutil.Factory, runF func(context.Context, *HistoryOptions) error) *cobra.Command {
	opts := &HistoryOptions{APIOptions: cmdutil.NewAPIOptions(f)}
	cmd := &cobra.Command{
		Use:   "history --org ORG [--token UUID] [--since 30d] [--reconcile AUDIT.jsonl]",
		Short: "Show who did what to API access tokens, from Buildkite's audit log",
		Long: `Show the organization's API access token events from Buildkite's audit log,
newest first: when, what happened, to which token, who did it, and the
request it came from (the API token, IP address and user agent of an API
request, or the web UI).

Buildkite filters the events: --token by token uuid, --actor by the actor's
GraphQL id (as in -o json's .actor.id), --event by type, --since and
--until by time (a span back from now such as 7d, or a date). At most
--limit events are read (default 100; 0 reads all).

--reconcile FILE holds tokenctl's own --audit-log against Buildkite's
record for the organization: each revocation tokenctl made is confirmed
(Buildkite has an event for the token, by uuid or id) or missing; one
whose outcome was unknown is confirmed when Buildkite's log shows it
applied, unconfirmed otherwise; deletions (--everywhere) show in the
organizations the token could access, so one not found here is
unconfirmed; revocations and deletions that tokenctl did not make are
listed as made elsewhere, with the actor. Without --since, events from a
day before the file's first change are read. A missing revocation exits
with status 4.

Buildkite's log is read whole or not at all: a page of it with a gap (an
event, or the token an event is about, left null) or an event listed
twice with different data shows no history and no reconciliation, and
exits with status 1.

The audit log is a paid Buildkite feature, readable by organization
administrators: without it tokenctl says so in one line and exits 3.`,
		Example: `  # Every token event of the last 30 days
  tokenctl history --org acme --since 30d

  # What happened to one token, all of it
  tokenctl history --org acme --token 11111111-1111-4111-8111-111111111111 --limit 0

  # Did Buildkite record every revocation tokenctl made?
  tokenctl history --org acme --reconcile audit.jsonl`,
		Args: cobra.NoArgs,
		RunE: cmdutil.RunAPI(opts, runF, historyRun),
	}
	fl := cmd.Flags()
	opts.AddFlags(fl, output.Generic, true)
	fl.Lookup("page-size").Usage = cmdutil.EventsPageSizeUsage
	fl.StringArrayVar(&opts.TokenArgs, "token", nil, "only events about `TOKEN`, by its uuid (repeatable)")
	fl.StringArrayVar(&opts.Actors, "actor", nil, "only events by the actor with this GraphQL `ID` (repeatable)")
	fl.StringArrayVar(&opts.EventArgs, "event", nil, "only events of this `TYPE`, e.g. API_ACCESS_TOKEN_DELETED (repeatable)")
	cmdutil.AddWindowFlags(fl, &opts.SinceArg, &opts.UntilArg, "")
	fl.IntVar(&opts.Limit, "limit", defaultHistoryLimit, "read at most `N` events (0: all)")
	fl.StringVar(&opts.Reconcile, "reconcile", "", "hold tokenctl's audit log `FILE` (- for standard input) against Buildkite's")
	_ = cmd.RegisterFlagCompletionFunc("event", cobra.FixedCompletions(history.TokenEventTypes, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// complete reads --reconcile's file; a problem with it is kept for
// validate.
func (o *HistoryOptions) Complete(*pflag.FlagSet, []string) {
	if o.Reconcile == "" {
		return
	}
	source := inputfile.Describe("--reconcile", o.Reconcile)
	data, err := inputfile.Read(o.Reconcile, o.IO.In, maxAuditLogFile, "the audit log")
	switch {
	case errors.Is(err, inputfile.ErrTooLarge):
		o.localErr = fmt.Errorf("%s: is larger than %d MiB; split it by time", source, maxAuditLogFile>>20)
	case err != nil:
		o.localErr = fmt.Errorf("%s: %w", source, err)
	default:
		o.local, o.localErr = history.ReadLocalChanges(bytes.NewReader(data), source)
	}
}

// validate checks the filters and what --reconcile's file held.
func (o *HistoryOptions) Validate() error {
	if err := o.CheckOrg(); err != nil {
		return err
	}
	var err error
	if o.Tokens, err = cmdutil.ParseTokenUUIDs(o.TokenArgs); err != nil {
		return err
	}
	for _, e := range o.EventArgs {
		typ := strings.ToUpper(strings.TrimSpace(e))
		if !slices.Contains(history.TokenEventTypes, typ) {
			return exitcode.New(exitcode.Usage, fmt.Errorf("--event %s: not a token event type; use one of %s", redact.Quote(e), strings.Join(history.TokenEventTypes, ", ")))
		}
		o.Types = append(o.Types, typ)
	}
	for _, a := range o.Actors {
		if strings.TrimSpace(a) == "" || redact.IsSecret(a) {
			return exitcode.New(exitcode.Usage, errors.New("--actor: give the actor's GraphQL id, as in `tokenctl history -o json` (.events[].actor.id)"))
		}
	}
	if o.Limit < 0 {
		return exitcode.New(exitcode.Usage, fmt.Errorf("--limit %d: must be 0 (all) or more", o.Limit))
	}
	if o.Since, o.Until, err = cmdutil.ParseWindow(o.SinceArg, o.UntilArg, o.Factory.Now()); err != nil {
		return err
	}
	if o.Reconcile != "" {
		if len(o.Tokens)+len(o.Actors)+len(o.Types) > 0 {
			return exitcode.New(exitcode.Usage, errors.New("--reconcile compares every token change: drop --token, --actor and --event"))
		}
		if o.localErr != nil {
			return exitcode.New(exitcode.Usage, o.localErr)
		}
	}
	return nil
}

func historyRun(ctx context.Context, o *HistoryOptions) error {
	client, err := o.Factory.APIClient(o.Settings, o.Debug)
	if err != nil {
		return err
	}
	org, err := client.Slugged(ctx, o.Org)
	if err != nil {
		return err
	}
	if o.Reconcile != "" {
		return reconcileRun(ctx, o, client, org)
	}
	ev, err := history.Read(ctx, client, history.Query{
		Org: org.Slug, Tokens: o.Tokens, Actors: o.Actors, Types: o.Types, Since: o.Since, Until: o.Until, Limit: o.Limit,
	})
	if err != nil {
		return err
	}
	doc := history.NewHistoryDoc(ev)
	printer := output.Printer{Out: o.IO.Out, Format: o.Format, JQ: o.JQ}
	if err := printer.Print(doc, func(wide bool) output.Rows { return history.EventRows(o.TableStyle(), doc.Events, wide) }); err != nil {
		return err
	}
	if ev.Truncated {
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: showing the newest %d of %d events; narrow the filters or raise --limit (0 reads all)\n", len(ev.Events), ev.Total)
	}
	return nil
}

// reconcileRun holds the local audit log against Buildkite's for the
// organization and exits 4 when a local revocation is missing there.
func reconcileRun(ctx context.Context, o *HistoryOptions, client *buildkite.Client, org buildkite.Organization) error {
	doc, r, err := history.ReconcileWith(ctx, client, history.ReconcileRequest{Org: org, Local: o.local, Since: o.Since, Until: o.Until})
	if err != nil {
		return err
	}
	org = buildkite.Organization{ID: doc.Organization.ID, Slug: doc.Organization.Slug}
	printer := output.Printer{Out: o.IO.Out, Format: o.Format, JQ: o.JQ}
	if err := printer.Print(doc, func(wide bool) output.Rows { return reconcileRows(o.TableStyle(), doc) }); err != nil {
		return err
	}
	for _, m := range doc.Missing {
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: %s: missing: tokenctl revoked organization %s's access at %s (audit log line %d), but Buildkite's audit log has no record of it; check with `tokenctl tokens get --org %s %s`\n",
			output.Printable(m.TokenRef()), org.Slug, m.Time.Format(time.RFC3339), m.Line, org.Slug, output.Printable(m.TokenRef()))
	}
	if o.IO.IsStderrTTY() {
		s := doc.Summary
		fmt.Fprintf(o.IO.ErrOut, "%s: %d confirmed, %d missing, %d unconfirmed, %d made elsewhere\n", org.Slug, s.Confirmed, s.Missing, s.Unconfirmed, s.Elsewhere)
	}
	if len(r.Missing) > 0 {
		return cmdutil.ExitWith(exitcode.NotFound)
	}
	return nil
}

func reconcileRows(style output.TableStyle, d history.ReconcileDoc) output.Rows {
	p := output.NewTablePrinter(style, "STATUS", "TOKEN", "ACTION", "TOKENCTL AT", "BUILDKITE AT", "ACTOR", "VIA")
	local := func(status string, tone output.Tone, l history.LocalDoc, e *history.EventDoc) {
		p.AddField(status, output.WithTone(tone))
		p.AddField(l.TokenRef())
		p.AddField(l.Action)
		p.AddTimeField(&l.Time, "")
		if e != nil {
			p.AddTimeField(&e.OccurredAt, "")
			p.AddField(history.EventActor(e.Actor), output.Cut)
			p.AddField(history.EventVia(e.Context))
		} else {
			p.AddField("")
			p.AddField("")
			p.AddField("")
		}
		p.EndRow()
	}
	for _, c := range d.Confirmed {
		local("confirmed", output.Good, c.Local, &c.Event)
	}
	for _, m := range d.Missing {
		local("missing", output.Bad, m, nil)
	}
	for _, u := range d.Unconfirmed {
		local("unconfirmed", output.Warn, u, nil)
	}
	for _, e := range d.Elsewhere {
		p.AddField("made-elsewhere")
		p.AddField(e.Token.UUID)
		p.AddField(e.Type)
		p.AddField("")
		p.AddTimeField(&e.OccurredAt, "")
		p.AddField(history.EventActor(e.Actor), output.Cut)
		p.AddField(history.EventVia(e.Context))
		p.EndRow()
	}
	return p.Rows()
}

// FailureDocument is the document of a run that failed before it had
// results (failure.go): the history's, or the reconciliation's.
func (o *HistoryOptions) FailureDocument() any {
	if o.Reconcile != "" {
		return history.ReconcileFailure()
	}
	return history.HistoryFailure()
}
