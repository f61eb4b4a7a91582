package tokens

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/selector"
)

// TokensGetOptions is every input of `tokenctl tokens get`.
type TokensGetOptions struct {
	cmdutil.APIOptions

	TokenArg  string
	TokenFlag string

	// Filled in by complete.
	Token    ident.Token
	tokenErr error
}

// NewCmdTokensGet parses flags into TokensGetOptions; runF does the work
// (tests may replace it to check flag parsing alone).
func NewCmdTokensGet(f *cmdutil.Factory, runF func(context.Context, *TokensGetOptions) error) *cobra.Command {
	opts := &TokensGetOptions{APIOptions: cmdutil.NewAPIOptions(f)}
	cmd := &cobra.Command{
		Use:   "get (TOKEN | --token TOKEN) --org ORG",
		Short: "Show one API access token of an organization",
		Long: `Show one API access token that has access to the organization, named by
its uuid (as in Buildkite's web UI) or its GraphQL id, as the argument or
with --token.

Buildkite cannot look a token up directly, so tokenctl pages through the
organization's tokens and stops at the page where it finds it. A token
without access to the organization (revoked, or never granted) exits with
status 4.

JSON (-o json): {"organization": {...}, "asOf": time, "token": {...}}, with
the organization and token shaped as in "tokens list -o json".`,
		Example: `  tokenctl tokens get --org acme 3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e

  # When was it last used?
  tokenctl tokens get --org acme 3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e --jq .token.lastAccessedAt`,
		Args: cobra.ArbitraryArgs,
		RunE: cmdutil.RunAPI(opts, runF, tokensGetRun),
	}
	opts.AddFlags(cmd.Flags(), output.Generic, true)
	cmdutil.AddTokenFlag(cmd.Flags(), &opts.TokenFlag, "its UUID (as Buildkite's web UI shows it) or GraphQL id")
	return cmd
}

// complete parses the token, named by the argument or --token.
func (o *TokensGetOptions) Complete(_ *pflag.FlagSet, args []string) {
	o.TokenArg, o.tokenErr = cmdutil.OneToken("tokens get", args, o.TokenFlag, "the token to show")
	if o.tokenErr == nil {
		o.Token, o.tokenErr = ident.ParseToken(o.TokenArg)
	}
}

// validate checks the organization and the token.
func (o *TokensGetOptions) Validate() error {
	if err := o.CheckOrg(); err != nil {
		return err
	}
	if o.tokenErr != nil {
		return exitcode.New(exitcode.Usage, o.tokenErr)
	}
	return nil
}

func tokensGetRun(ctx context.Context, o *TokensGetOptions) error {
	client, err := o.Factory.APIClient(o.Settings, o.Debug)
	if err != nil {
		return err
	}
	var found *buildkite.Token
	org, err := client.ListTokens(ctx, o.Org, func(page buildkite.TokenPage) bool {
		for i, t := range page.Tokens {
			if o.Token.Names(t.ID, t.UUID) {
				found = &page.Tokens[i]
				return false
			}
		}
		return true
	})
	if err != nil {
		return err
	}
	if found == nil {
		return exitcode.New(exitcode.NotFound, fmt.Errorf("no API access token %s has access to organization %s (revoked, or never granted); run `tokenctl tokens list --org %s` to see the tokens that do", o.Token, document.OrgName(org), document.OrgName(org)))
	}

	now := o.Factory.Now()
	doc := document.TokenDetail{Organization: document.OrganizationOf(org), AsOf: now.UTC().Truncate(time.Second), Token: document.TokenOf(*found)}
	style := newTokenStyle(o.IO, o.Format, now, selector.DefaultStaleAfter)
	printer := output.Printer{Out: o.IO.Out, Format: o.Format, JQ: o.JQ}
	return printer.Print(doc, func(wide bool) output.Rows {
		if o.Format == output.CSV {
			// CSV is a list's format: one row, the list's columns.
			return style.rows([]document.Token{doc.Token}, wide)
		}
		return style.fields(doc, wide)
	})
}

// fields lays one token out one field per line, which reads better than a
// one-row table.
func (s tokenStyle) fields(d document.TokenDetail, wide bool) output.Rows {
	t := d.Token
	p := output.NewTablePrinter(s.table, "FIELD", "VALUE")
	add := func(k, v string) {
		p.AddField(k)
		p.AddField(v, output.Cut)
		p.EndRow()
	}
	add("organization", d.Organization.String())
	add("uuid", t.UUID)
	if wide {
		add("id", t.ID)
	}
	add("description", document.Deref(t.Description))
	if t.Owner != nil {
		add("owner", t.Owner.String())
		if wide {
			add("owner uuid", t.Owner.UUID)
		}
	}
	add("scopes", strings.Join(t.Scopes, ", "))
	p.AddField("created")
	p.AddTimeField(&t.CreatedAt, "")
	p.EndRow()
	p.AddField("last used")
	s.lastUsed(p, t.LastAccessedAt)
	p.EndRow()
	add("last ip", document.Deref(t.IPAddress))
	p.AddField("expires")
	p.AddTimeField(t.ExpiresAt, "never")
	p.EndRow()
	return p.Rows()
}

func (o *TokensGetOptions) FailureDocument() any {
	return document.TokenDetailFailure()
}
