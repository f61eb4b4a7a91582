// Package whoami is `tokenctl whoami`: which token tokenctl is using, its
// user and organizations.
package whoami

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/whoami"
)

// WhoamiOptions is every input of `tokenctl whoami`.
type WhoamiOptions struct {
	cmdutil.APIOptions
}

// NewCmdWhoami parses flags into WhoamiOptions; runF does the work (tests
// may replace it to check flag parsing alone).
func NewCmdWhoami(f *cmdutil.Factory, runF func(context.Context, *WhoamiOptions) error) *cobra.Command {
	opts := &WhoamiOptions{APIOptions: cmdutil.NewAPIOptions(f)}
	cmd := &cobra.Command{
		Use:   "whoami",
		Short: "Show the API token tokenctl is using, its user and its organizations",
		Long: `Show the API access token tokenctl is using: its uuid, scopes and
description, the user it belongs to, and the organizations that user
belongs to.

The token is described by REST (GET /v2/access-token) and its user and
organizations by GraphQL (viewer); both are asked at once. A token without
GraphQL access is still described, without its organizations, and a note
says why: tokenctl needs GraphQL access to revoke anything.

Use it to check a credential before a revocation run, or to find which
token a script is using.`,
		Example: `  # Which token, user and organizations?
  tokenctl whoami

  # The token's uuid, for scripts
  tokenctl whoami --jq .token.uuid

  # The slugs of every organization the token's user belongs to
  tokenctl whoami --jq '.organizations[].slug'`,
		Args: cobra.NoArgs,
		RunE: cmdutil.RunAPI(opts, runF, whoamiRun),
	}
	opts.AddFlags(cmd.Flags(), []output.Format{output.Table, output.JSON, output.YAML}, false)
	return cmd
}

// complete and validate have nothing to do: whoami has only the shared
// inputs.
func (o *WhoamiOptions) Complete(*pflag.FlagSet, []string) {}
func (o *WhoamiOptions) Validate() error                   { return nil }

func whoamiRun(ctx context.Context, o *WhoamiOptions) error {
	client, err := o.Factory.APIClient(o.Settings, o.Debug)
	if err != nil {
		return err
	}
	me, err := whoami.Lookup(ctx, client)
	if err != nil {
		return err
	}
	for _, n := range me.Notes {
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: note: %s\n", n)
	}
	printer := output.Printer{Out: o.IO.Out, Format: o.Format, JQ: o.JQ}
	return printer.Print(me, func(bool) output.Rows { return whoamiRows(o.IO.TableStyle(o.Format, o.Factory.Now()), me) })
}

// whoamiRows lays the document out as one field per line, which reads
// better than a one-row table for a single object.
func whoamiRows(style output.TableStyle, me document.Whoami) output.Rows {
	p := output.NewTablePrinter(style, "FIELD", "VALUE")
	add := func(k, v string) {
		p.AddField(k)
		p.AddField(v, output.Cut)
		p.EndRow()
	}
	add("token", me.Token.UUID)
	add("description", document.Deref(me.Token.Description))
	add("scopes", strings.Join(me.Token.Scopes, ", "))
	if !me.Token.CreatedAt.IsZero() {
		p.AddField("created")
		p.AddTimeField(&me.Token.CreatedAt, "")
		p.EndRow()
	}
	add("user", me.User.String())
	if !me.GraphQLAccess {
		add("graphql", "no access")
		add("organizations", "unknown (needs GraphQL access)")
		return p.Rows()
	}
	add("graphql", "yes")
	if len(me.Organizations) == 0 {
		add("organizations", "none")
	}
	for _, org := range me.Organizations {
		add("organization", org.Describe())
	}
	return p.Rows()
}

func (o *WhoamiOptions) FailureDocument() any {
	return document.WhoamiFailure()
}
