// Package whoami describes the API access token tokenctl is using: the
// token as REST reports it, its user, and the organizations GraphQL says
// that user belongs to (not only those the token was granted). It asks
// both APIs at once and decides what a partial answer means; it never
// prints.
package whoami

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/document"
)

// Lookup asks REST and GraphQL at once. REST alone decides success: it
// works for every live token, while GraphQL needs GraphQL access, which a
// REST-only token lacks; that case is reported as a note, not a failure.
func Lookup(ctx context.Context, client *buildkite.Client) (document.Whoami, error) {
	var (
		tok       buildkite.AccessToken
		viewer    buildkite.Viewer
		viewerErr error
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		// The GraphQL answer never fails the group: whether its failure
		// matters is decided once REST has answered.
		viewer, viewerErr = client.Viewer(gctx)
		return nil
	})
	g.Go(func() error {
		var err error
		tok, err = client.AccessToken(gctx)
		return err
	})
	// A REST failure cancels the GraphQL lookup, and Wait waits for it:
	// nothing of this run (a --debug trace) may be written after its error
	// is reported.
	if err := g.Wait(); err != nil {
		return document.Whoami{}, err
	}
	me := document.Whoami{
		Token: document.AccessTokenOf(tok),
		User:  document.WhoamiUser{Name: tok.User.Name, Email: tok.User.Email},
		Notes: []string{},
	}
	switch kind := buildkite.KindOf(viewerErr); {
	case viewerErr == nil:
		me.GraphQLAccess = true
		if viewer.User != nil {
			me.User.UUID = document.Optional(viewer.User.UUID)
		}
		me.Organizations = []document.Organization{}
		for _, org := range viewer.Organizations {
			me.Organizations = append(me.Organizations, document.OrganizationOf(org))
		}
		// Buildkite's count says whether its answers left any out, which
		// the number listed cannot: its cap per answer is not documented.
		if n := viewer.Unlisted(); n > 0 {
			me.Notes = append(me.Notes, fmt.Sprintf("Buildkite counts %d more organization(s) of this user than it listed", n))
		}
	case kind == buildkite.KindForbidden || kind == buildkite.KindUnauthorized:
		// REST accepted the token, so GraphQL refusing it means the token
		// has no GraphQL access rather than that it is dead.
		me.Notes = append(me.Notes, "this token has no GraphQL API access, so its organizations cannot be listed, and tokenctl cannot revoke with it; enable GraphQL access for it, or use another token")
	default:
		return document.Whoami{}, viewerErr
	}
	return me, nil
}
