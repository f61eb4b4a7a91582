package tokens

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/history"
	"github.com/tokenctl/tokenctl/internal/output"
)

// TokensActivityOptions is every input of `tokenctl tokens activity`.
type TokensActivityOptions struct {
	cmdutil.APIOptions

	TokenArg  string
	TokenFlag string
	SinceArg  string
	UntilArg  string
	MaxEvents int

	// Filled in by validate.
	Token        string
	Since, Until *time.Time
	tokenErr     error
}

// defaultMaxEvents bounds the cost of one activity search: 10,000 events
// are 20 pages of 500.
const defaultMaxEvents = 10000

// NewCmdTokensActivity parses flags into TokensActivityOptions; runF does
// the work (tests may replace it to check flag parsing alone).
func NewCmdTokensActivity(f *cmdutil.Factory, runF func(context.Context, *TokensActivityOptions) error) *cobra.Command {
	opts := &TokensActivityOptions{APIOptions: cmdutil.NewAPIOptions(f)}
	cmd := &cobra.Command{
		Use:   "activity (TOKEN | --token TOKEN) --org ORG [--since 7d]",
		Short: "Show the audited requests a token made, to size the damage of a leak",
		Long: `Show the events in the organization's audit log that came from API requests
made with the token: what a leaked token was used for, when, and from where.

Buildkite cannot filter events by the token that made the request, so
tokenctl reads every event of the window (--since, default 7d; --until)
and keeps the token's. That costs API requests: stderr says how many events
and pages were read, and reading stops after --max-events (default 10000),
saying so; the JSON document has eventsRead, pages and truncated.

An event that does not say which token's request made it (Buildkite gave
it no request context, or an API request's context without the token) may
have been made with this one: such events are not shown as the token's,
nor passed over as not its; stderr counts them, and the JSON document
lists them under unattributed.

The audit log is a paid Buildkite feature, readable by organization
administrators: without it tokenctl says so in one line and exits 3.`,
		Example: `  tokenctl tokens activity --org acme 11111111-1111-4111-8111-111111111111 --since 7d
  tokenctl tokens activity --org acme --token 11111111-1111-4111-8111-111111111111 --since 2026-11-01 -o json`,
		Args: cobra.ArbitraryArgs,
		RunE: cmdutil.RunAPI(opts, runF, tokensActivityRun),
	}
	fl := cmd.Flags()
	opts.AddFlags(fl, output.Generic, true)
	fl.Lookup("page-size").Usage = cmdutil.EventsPageSizeUsage
	cmdutil.AddTokenFlag(fl, &opts.TokenFlag, "its UUID (as Buildkite's web UI shows it)")
	cmdutil.AddWindowFlags(fl, &opts.SinceArg, &opts.UntilArg, "7d")
	fl.IntVar(&opts.MaxEvents, "max-events", defaultMaxEvents, "stop after reading `N` events")
	return cmd
}

// complete takes the token from the argument or --token.
func (o *TokensActivityOptions) Complete(_ *pflag.FlagSet, args []string) {
	o.TokenArg, o.tokenErr = cmdutil.OneToken("tokens activity", args, o.TokenFlag, "the token whose requests to show")
}

func (o *TokensActivityOptions) Validate() error {
	if err := o.CheckOrg(); err != nil {
		return err
	}
	if o.tokenErr != nil {
		return o.tokenErr
	}
	tokens, err := cmdutil.ParseTokenUUIDs([]string{o.TokenArg})
	if err != nil {
		return err
	}
	o.Token = tokens[0]
	if o.MaxEvents <= 0 {
		return exitcode.New(exitcode.Usage, fmt.Errorf("--max-events %d: must be at least 1", o.MaxEvents))
	}
	o.Since, o.Until, err = cmdutil.ParseWindow(o.SinceArg, o.UntilArg, o.Factory.Now())
	return err
}

func tokensActivityRun(ctx context.Context, o *TokensActivityOptions) error {
	client, err := o.Factory.APIClient(o.Settings, o.Debug)
	if err != nil {
		return err
	}
	org, err := client.Slugged(ctx, o.Org)
	if err != nil {
		return err
	}
	q := history.ActivityQuery{Org: org.Slug, TokenUUID: o.Token, Since: o.Since, Until: o.Until, MaxEvents: o.MaxEvents}
	a, err := history.TokenActivity(ctx, client, q)
	if err != nil {
		return err
	}
	doc := history.NewActivityDoc(q, a)
	printer := output.Printer{Out: o.IO.Out, Format: o.Format, JQ: o.JQ}
	if err := printer.Print(doc, func(wide bool) output.Rows { return history.EventRows(o.TableStyle(), doc.Events, wide) }); err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "tokenctl: read %d event(s) in %d page(s) to find %d made with token %s\n", a.Read, a.Pages, len(a.Events), o.Token)
	if n := len(a.Unattributed); n > 0 {
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: %d event(s) read do not say which token's request made them (no request context, or an API request without its token), so token %s may have made them too; -o json lists them under unattributed\n", n, o.Token)
	}
	if a.Truncated {
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: stopped after --max-events %d before the start of the window: older requests were not searched; narrow --since or raise --max-events\n", o.MaxEvents)
	}
	return nil
}

// FailureDocument is the document of a run that failed before it had
// results (failure.go).
func (o *TokensActivityOptions) FailureDocument() any {
	return history.ActivityFailure()
}
