package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/output"
)

// WhoamiOptions is every input of `tokenctl whoami`.
type WhoamiOptions struct {
	apiOptions
}

// NewCmdWhoami parses flags into WhoamiOptions; runF does the work (tests
// may replace it to check flag parsing alone).
func NewCmdWhoami(f *Factory, runF func(context.Context, *WhoamiOptions) error) *cobra.Command {
	opts := &WhoamiOptions{apiOptions: newAPIOptions(f)}
	cmd := &cobra.Command{
		Use:   "whoami",
		Short: "Show the API token tokenctl is using, its user and its organizations",
		Long: `Show the API access token tokenctl is using: its uuid, scopes and
description, the user it belongs to, and the organizations it can reach.

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

  # The slugs of every organization the token can reach
  tokenctl whoami --jq '.organizations[].slug'`,
		Args: cobra.NoArgs,
		RunE: runAPI(opts, runF, whoamiRun),
	}
	opts.addFlags(cmd.Flags(), "table, json or yaml", false)
	return cmd
}

// validate has nothing to check: whoami has only the shared inputs.
func (o *WhoamiOptions) validate([]string) error { return nil }

// Whoami is the JSON document printed by `tokenctl whoami -o json`. Fields
// are only ever added; organizations is null when they could not be listed
// (the token has no GraphQL access).
type Whoami struct {
	Token         AccessTokenInfo `json:"token"`
	User          WhoamiUser      `json:"user"`
	GraphQLAccess bool            `json:"graphqlAccess"`
	Organizations []WhoamiOrg     `json:"organizations"`
	Notes         []string        `json:"notes"`
}

// AccessTokenInfo describes a token as REST GET /v2/access-token reports
// it, for the token's own credential.
type AccessTokenInfo struct {
	UUID        string    `json:"uuid"`
	Description *string   `json:"description"`
	Scopes      []string  `json:"scopes"` // REST scope names, lower case
	CreatedAt   time.Time `json:"createdAt"`
}

// WhoamiUser is the token's owner; uuid is null without GraphQL access.
type WhoamiUser struct {
	Name  string  `json:"name"`
	Email string  `json:"email"`
	UUID  *string `json:"uuid"`
}

// WhoamiOrg is one organization the token can reach.
type WhoamiOrg struct {
	ID   string `json:"id"`
	UUID string `json:"uuid"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

func whoamiRun(ctx context.Context, o *WhoamiOptions) error {
	client, _, err := o.Factory.APIClient(o.settings, o.Debug)
	if err != nil {
		return err
	}
	me, err := lookupWhoami(ctx, client)
	if err != nil {
		return err
	}
	for _, n := range me.Notes {
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: note: %s\n", n)
	}
	printer := output.Printer{Out: o.IO.Out, Format: o.Format, JQ: o.JQ}
	return printer.Print(me, func(bool) output.Rows { return whoamiRows(me, o.Factory.Now()) })
}

// lookupWhoami asks REST and GraphQL at once. REST alone decides success:
// it works for every live token, while GraphQL needs GraphQL access, which
// a REST-only token lacks; that case is reported as a note, not a failure.
func lookupWhoami(ctx context.Context, client *buildkite.Client) (Whoami, error) {
	type viewerAnswer struct {
		viewer buildkite.Viewer
		err    error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	viewerCh := make(chan viewerAnswer, 1)
	go func() {
		v, err := client.Viewer(ctx)
		viewerCh <- viewerAnswer{v, err}
	}()

	tok, err := client.AccessToken(ctx)
	if err != nil {
		// Stop the GraphQL lookup and wait for it: nothing of this run (a
		// --debug trace) may be written after its error is reported.
		cancel()
		<-viewerCh
		return Whoami{}, err
	}
	me := Whoami{
		Token: accessTokenInfo(tok),
		User:  WhoamiUser{Name: tok.User.Name, Email: tok.User.Email},
		Notes: []string{},
	}

	v := <-viewerCh
	switch kind := buildkite.KindOf(v.err); {
	case v.err == nil:
		me.GraphQLAccess = true
		if v.viewer.User != nil {
			me.User.UUID = optional(v.viewer.User.UUID)
		}
		me.Organizations = []WhoamiOrg{}
		for _, org := range v.viewer.Organizations {
			me.Organizations = append(me.Organizations, WhoamiOrg{ID: org.ID, UUID: org.UUID, Slug: org.Slug, Name: org.Name})
		}
		if len(me.Organizations) == whoamiOrgLimit {
			me.Notes = append(me.Notes, fmt.Sprintf("only the first %d organizations are listed", whoamiOrgLimit))
		}
	case kind == buildkite.KindForbidden || kind == buildkite.KindUnauthorized:
		// REST accepted the token, so GraphQL refusing it means the token
		// has no GraphQL access rather than that it is dead.
		me.Notes = append(me.Notes, "this token has no GraphQL API access, so its organizations cannot be listed, and tokenctl cannot revoke with it; enable GraphQL access for it, or use another token")
	default:
		return Whoami{}, v.err
	}
	return me, nil
}

func accessTokenInfo(tok buildkite.AccessToken) AccessTokenInfo {
	info := AccessTokenInfo{UUID: tok.UUID, Description: optional(tok.Description), Scopes: tok.Scopes, CreatedAt: tok.CreatedAt}
	if info.Scopes == nil {
		info.Scopes = []string{}
	}
	return info
}

// whoamiOrgLimit is the page size buildkite.Client.Viewer asks for.
const whoamiOrgLimit = 100

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// whoamiRows lays the document out as one field per line, which reads
// better than a one-row table for a single object.
func whoamiRows(me Whoami, now time.Time) output.Rows {
	rows := output.Rows{Headers: []string{"FIELD", "VALUE"}}
	add := func(k, v string) { rows.Cells = append(rows.Cells, []string{k, v}) }
	add("token", me.Token.UUID)
	add("description", deref(me.Token.Description))
	add("scopes", strings.Join(me.Token.Scopes, ", "))
	if !me.Token.CreatedAt.IsZero() {
		add("created", fmt.Sprintf("%s (%s)", me.Token.CreatedAt.UTC().Format(time.DateOnly), relative(me.Token.CreatedAt, now)))
	}
	add("user", ownerString(me.User.Name, me.User.Email))
	if !me.GraphQLAccess {
		add("graphql", "no access")
		add("organizations", "unknown (needs GraphQL access)")
		return rows
	}
	add("graphql", "yes")
	if len(me.Organizations) == 0 {
		add("organizations", "none")
	}
	for _, org := range me.Organizations {
		v := org.Slug
		if org.Name != "" {
			v = fmt.Sprintf("%s (%s)", org.Slug, org.Name)
		}
		add("organization", v)
	}
	return rows
}
