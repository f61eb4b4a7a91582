package tokens

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/selector"
)

// TokensListOptions is every input of `tokenctl tokens list`.
type TokensListOptions struct {
	cmdutil.APIOptions

	Select  cmdutil.SelectorFlags
	SortArg string

	// Filled in by complete.
	Filter             selector.Filter
	Sort               selector.Sort
	filterErr, sortErr error
}

// NewCmdTokensList parses flags into TokensListOptions; runF does the work
// (tests may replace it to check flag parsing alone).
func NewCmdTokensList(f *cmdutil.Factory, runF func(context.Context, *TokensListOptions) error) *cobra.Command {
	opts := &TokensListOptions{APIOptions: cmdutil.NewAPIOptions(f)}
	cmd := &cobra.Command{
		Use:   "list --org ORG [filters]",
		Short: "List the API access tokens with access to an organization",
		Long: `List the users' API access tokens that have access to the organization,
reading every page of Buildkite's listing.

Columns: uuid, description, owner, scopes, created, last used, address of
the last request (LAST IP), expiry; -o wide adds the token's GraphQL id and
the owner's uuid. On a terminal times are relative ("3 months ago") and a
summary goes to stderr; otherwise, and in every machine format, times are
RFC 3339 (UTC) and a missing time is null (JSON, YAML) or empty (CSV).

` + cmdutil.SelectorHelp + `

--sort KEY orders by uuid, description, owner, created, last-used or
expires; -KEY reverses. Never-used tokens count as used longest ago and
never-expiring ones as expiring last. Without --sort tokens keep
Buildkite's order (oldest first).

JSON (-o json) is an object, fields only ever added:
  {"organization": {"id","uuid","slug","name"}, "asOf": time,
   "tokens": [{"id","uuid","description","owner": {"id","uuid","name","email"},
               "scopes","createdAt","lastAccessedAt","expiresAt","ipAddress"}],
   "summary": {"tokens","matched","neverUsed","neverExpires","stale","staleAfter"}}
summary counts the whole organization (matched: how many the filters kept;
stale: by --stale, else 90d).`,
		Example: `  # Which tokens have not been used for six months?
  tokenctl tokens list --org acme --stale 180d

  # What does the person who just left still hold?
  tokenctl tokens list --org acme --owner mo@acme.example

  # Tokens that could change permissions and never expire, least used first
  tokenctl tokens list --org acme --admin-capable --no-expiry --sort last-used

  # The uuids of never-used tokens, one per line
  tokenctl tokens list --org acme --never-used --jq '.tokens[].uuid'`,
		Args: cobra.NoArgs,
		RunE: cmdutil.RunAPI(opts, runF, tokensListRun),
	}
	fl := cmd.Flags()
	opts.AddFlags(fl, output.Generic, true)
	cmdutil.AddSelectorFlags(fl, &opts.Select)
	fl.StringVar(&opts.SortArg, "sort", "", "order by `KEY`: uuid, description, owner, created, last-used or expires (-KEY: descending)")
	cmdutil.RegisterSelectorCompletions(cmd)
	return cmd
}

// complete parses the filters and the sort order.
func (o *TokensListOptions) Complete(fl *pflag.FlagSet, _ []string) {
	o.Select.Record(fl)
	o.Filter, o.filterErr = o.Select.Filter()
	o.Sort, o.sortErr = selector.ParseSort(o.SortArg)
}

// validate checks the organization, the filters and the sort order.
func (o *TokensListOptions) Validate() error {
	if err := o.CheckOrg(); err != nil {
		return err
	}
	if o.filterErr != nil {
		return o.filterErr
	}
	if o.sortErr != nil {
		return exitcode.New(exitcode.Usage, fmt.Errorf("--sort: %w", o.sortErr))
	}
	return nil
}

func tokensListRun(ctx context.Context, o *TokensListOptions) error {
	client, err := o.Factory.APIClient(o.Settings, o.Debug)
	if err != nil {
		return err
	}
	now := o.Factory.Now()
	var all []buildkite.Token
	org, err := client.ListAllTokens(ctx, o.Org, func(page buildkite.TokenPage) {
		all = append(all, page.Tokens...)
	})
	if err != nil {
		return err
	}

	// The tokens are held once: counted, then filtered in place.
	staleAfter := o.Filter.StaleAfter
	if staleAfter == 0 {
		staleAfter = selector.DefaultStaleAfter
	}
	summary := selector.Summarize(all, 0, now, staleAfter)
	matched := all[:0]
	for _, t := range all {
		if o.Filter.Match(t, now) {
			matched = append(matched, t)
		}
	}
	clear(all[len(matched):])
	summary.Matched = len(matched)
	o.Sort.Apply(matched)

	doc := document.TokenListing{
		TokenList: document.TokenList{
			Organization: document.OrganizationOf(org),
			AsOf:         now.UTC().Truncate(time.Second),
			Summary:      summary,
		},
		Listed: matched,
	}

	style := newTokenStyle(o.IO, o.Format, now, staleAfter)
	printer := output.Printer{Out: o.IO.Out, Format: o.Format, JQ: o.JQ}
	if err := printer.PrintTable(doc, func(wide bool) (*output.TablePrinter, func()) { return style.listedTable(matched, wide) }); err != nil {
		return err
	}
	if o.IO.IsStderrTTY() {
		fmt.Fprintln(o.IO.ErrOut, summaryLine(org, doc.Summary, !o.Filter.IsZero()))
	}
	return nil
}

// summaryLine is the one-line overview printed on a terminal.
func summaryLine(org buildkite.Organization, s selector.Summary, filtered bool) string {
	line := fmt.Sprintf("%s: %d token(s), %d never used, %d never expire, %d stale (unused for %s or more)",
		document.OrgName(org), s.Tokens, s.NeverUsed, s.NeverExpires, s.Stale, s.StaleAfter)
	if filtered {
		line += fmt.Sprintf("; %d match the filters", s.Matched)
	}
	return line
}

// rows lays tokens out as the list's table; wide adds ids.
func (s tokenStyle) rows(tokens []document.Token, wide bool) output.Rows {
	p, add := s.listTable(tokens, wide)
	add()
	return p.Rows()
}

// listTable is the list's table of tokens and the function that adds their
// rows to it (see output.TablePrinter.WriteRows); wide adds ids.
func (s tokenStyle) listTable(tokens []document.Token, wide bool) (*output.TablePrinter, func()) {
	return s.tokenTable(len(tokens), func(i int) *document.Token { return &tokens[i] }, wide)
}

// listedTable is listTable for tokens as listed, each shown as a
// document's token only while its row is made.
func (s tokenStyle) listedTable(tokens []buildkite.Token, wide bool) (*output.TablePrinter, func()) {
	var view document.TokenView
	return s.tokenTable(len(tokens), func(i int) *document.Token { return view.Of(&tokens[i]) }, wide)
}

// tokenTable is the list's table of n tokens, token(i) the i-th.
func (s tokenStyle) tokenTable(n int, token func(int) *document.Token, wide bool) (*output.TablePrinter, func()) {
	p := output.NewTablePrinter(s.table, "UUID", "DESCRIPTION", "OWNER", "SCOPES", "CREATED", "LAST USED", "LAST IP", "EXPIRES")
	if wide {
		p.AddHeader("ID", "OWNER UUID")
	}
	texts := newRepeatedTexts()
	return p, func() {
		for i := range n {
			s.addRow(p, texts, token(i), wide)
		}
	}
}

// addRow adds a token's row to the list's table.
func (s tokenStyle) addRow(p *output.TablePrinter, texts *repeatedTexts, t *document.Token, wide bool) {
	owner, ownerUUID := "", ""
	if t.Owner != nil {
		owner, ownerUUID = texts.owner(t.Owner), t.Owner.UUID
	}
	p.AddField(t.UUID)
	p.AddField(document.Deref(t.Description), output.Cut)
	p.AddField(owner, output.Cut)
	p.AddField(texts.scopes(t.Scopes), output.Cut)
	p.AddTimeField(&t.CreatedAt, "")
	s.lastUsed(p, t.LastAccessedAt)
	p.AddField(document.Deref(t.IPAddress))
	p.AddTimeField(t.ExpiresAt, "never")
	if wide {
		p.AddField(t.ID)
		p.AddField(ownerUUID)
	}
	p.EndRow()
}

func (o *TokensListOptions) FailureDocument() any {
	return document.TokenListFailure()
}
