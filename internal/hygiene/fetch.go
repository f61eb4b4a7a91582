package hygiene

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// NotChecked is an organization a check could not read, with why.
type NotChecked struct {
	Organization buildkite.Organization `json:"organization"`
	// Cause is revoke's word for why: not-permitted or no-access.
	Cause  revoke.NotCheckedCause `json:"cause"`
	Reason string                 `json:"reason"`
}

// ErrNoOrganizations is a token that reaches no organization at all.
var ErrNoOrganizations = errors.New("your token reaches no organization")

// Reading is what Read found.
type Reading struct {
	Organizations []Organization
	// NotChecked are the organizations, of all the caller's, whose tokens
	// it may not list.
	NotChecked []NotChecked
	// NotListed is how many organizations Buildkite counted among the
	// caller's but did not list: nothing could be read there.
	NotListed int
}

// Read lists each organization's tokens and, when withMembers, its members:
// the two listings at once, each at the client's page size, so a check
// costs the longer of the two chains of pages. Organizations are read one
// after another. Without orgs, it reads every organization the caller
// belongs to, as revoke --all-orgs lists them (GraphQL viewer, compared
// with its count); then an organization whose tokens the caller may not
// list (it does not administer it, or its token was not granted it) is
// returned as not checked instead of failing the run.
func Read(ctx context.Context, c *buildkite.Client, orgs []ident.Org, withMembers bool) (Reading, error) {
	var r Reading
	skipUnreadable := len(orgs) == 0
	if skipUnreadable {
		viewer, err := c.Viewer(ctx)
		if err != nil {
			return Reading{}, err
		}
		for _, org := range viewer.Organizations {
			orgs = append(orgs, ident.Org{ID: org.ID, Slug: org.Slug})
		}
		r.NotListed = viewer.Unlisted()
		if len(orgs) == 0 && r.NotListed == 0 {
			return Reading{}, ErrNoOrganizations
		}
	}
	for _, ref := range orgs {
		o, err := readOrganization(ctx, c, ref, withMembers)
		if err != nil {
			if cause := revoke.NotCheckedCauseOf(err); skipUnreadable && cause != "" {
				r.NotChecked = append(r.NotChecked, NotChecked{Organization: buildkite.Organization{ID: ref.ID, Slug: ref.Slug}, Cause: cause, Reason: err.Error()})
				continue
			}
			return Reading{}, err
		}
		r.Organizations = append(r.Organizations, o)
	}
	return r, nil
}

func readOrganization(ctx context.Context, c *buildkite.Client, ref ident.Org, withMembers bool) (Organization, error) {
	var o Organization
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		org, err := c.ListTokens(ctx, ref, func(p buildkite.TokenPage) bool {
			o.Tokens = append(o.Tokens, p.Tokens...)
			return true
		})
		o.Organization = org
		return err
	})
	if withMembers {
		o.Members = []buildkite.Member{}
		g.Go(func() error {
			_, err := c.ListMembers(ctx, ref, func(p buildkite.MemberPage) bool {
				o.Members = append(o.Members, p.Members...)
				return true
			})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return Organization{}, err
	}
	if o.Organization.ID == "" {
		return Organization{}, fmt.Errorf("listing API access tokens of organization %q: Buildkite's answer has no organization", ref.String())
	}
	return o, nil
}
