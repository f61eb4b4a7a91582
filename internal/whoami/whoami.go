// Package whoami describes the API access token tokenctl is using: the
// token as REST reports it, its user, and the organizations GraphQL says it
// can reach. It asks both APIs at once and decides what a partial answer
// means; it never prints.
package whoami

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/tokenctl/tokenctl/internal/buildkite"
)

// Report is the JSON document printed by `tokenctl whoami -o json`. Fields
// are only ever added; organizations is null when they could not be listed
// (the token has no GraphQL access).
type Report struct {
	Token         Token          `json:"token"`
	User          User           `json:"user"`
	GraphQLAccess bool           `json:"graphqlAccess"`
	Organizations []Organization `json:"organizations"`
	Notes         []string       `json:"notes"`
}

// Token describes a token as REST GET /v2/access-token reports it, for the
// token's own credential.
type Token struct {
	UUID        string    `json:"uuid"`
	Description *string   `json:"description"`
	Scopes      []string  `json:"scopes"` // REST scope names, lower case
	CreatedAt   time.Time `json:"createdAt"`
}

// User is the token's owner; uuid is null without GraphQL access.
type User struct {
	Name  string  `json:"name"`
	Email string  `json:"email"`
	UUID  *string `json:"uuid"`
}

// Organization is one organization the token can reach.
type Organization struct {
	ID   string `json:"id"`
	UUID string `json:"uuid"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// OrganizationLimit is the page size buildkite.Client.Viewer asks for.
const OrganizationLimit = 100

// Lookup asks REST and GraphQL at once. REST alone decides success: it
// works for every live token, while GraphQL needs GraphQL access, which a
// REST-only token lacks; that case is reported as a note, not a failure.
func Lookup(ctx context.Context, client *buildkite.Client) (Report, error) {
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
		return Report{}, err
	}
	me := Report{
		Token: DescribeToken(tok),
		User:  User{Name: tok.User.Name, Email: tok.User.Email},
		Notes: []string{},
	}
	switch kind := buildkite.KindOf(viewerErr); {
	case viewerErr == nil:
		me.GraphQLAccess = true
		if viewer.User != nil {
			me.User.UUID = optional(viewer.User.UUID)
		}
		me.Organizations = []Organization{}
		for _, org := range viewer.Organizations {
			me.Organizations = append(me.Organizations, Organization{ID: org.ID, UUID: org.UUID, Slug: org.Slug, Name: org.Name})
		}
		if len(me.Organizations) == OrganizationLimit {
			me.Notes = append(me.Notes, fmt.Sprintf("only the first %d organizations are listed", OrganizationLimit))
		}
	case kind == buildkite.KindForbidden || kind == buildkite.KindUnauthorized:
		// REST accepted the token, so GraphQL refusing it means the token
		// has no GraphQL access rather than that it is dead.
		me.Notes = append(me.Notes, "this token has no GraphQL API access, so its organizations cannot be listed, and tokenctl cannot revoke with it; enable GraphQL access for it, or use another token")
	default:
		return Report{}, viewerErr
	}
	return me, nil
}

// DescribeToken is the document's view of a REST token description:
// an empty description is null and scopes are never null.
func DescribeToken(tok buildkite.AccessToken) Token {
	info := Token{UUID: tok.UUID, Description: optional(tok.Description), Scopes: tok.Scopes, CreatedAt: tok.CreatedAt}
	if info.Scopes == nil {
		info.Scopes = []string{}
	}
	return info
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
