package buildkite

import (
	"context"
	"fmt"

	"github.com/tokenctl/tokenctl/internal/buildkite/gql"
	"github.com/tokenctl/tokenctl/internal/ident"
)

// MemberPage is one page of an organization's members.
type MemberPage struct {
	Organization Organization
	Members      []Member
	HasNextPage  bool
}

// ListMembers pages Organization.members through the same pager as the
// tokens, asking for the same page size. Like ListTokens, the first request
// also returns the organization, so the two listings can start together.
// As with tokens, a member a later page repeats is dropped before the page
// is handed over (by user id; the first answer is kept) when it says the
// same, and fails the listing when it does not. So does a page with a hole
// in it (see incompleteListing): an owner the listing did not show is
// never taken for one who is not a member.
func (c *Client) ListMembers(ctx context.Context, org ident.Org, visit func(MemberPage) bool) (Organization, error) {
	what := fmt.Sprintf("listing the members of organization %q", org.String())
	var found Organization
	listed := newCopies()
	err := pageThrough(what, func(after *string) (string, bool, error) {
		page, cursor, err := c.memberPage(ctx, org, after, what, listed)
		if err != nil {
			return "", false, asAPIError(ctx, err, what)
		}
		found = page.Organization
		return cursor, visit(page) && page.HasNextPage, nil
	})
	return found, err
}

func (c *Client) memberPage(ctx context.Context, org ident.Org, after *string, what string, listed *copies) (MemberPage, string, error) {
	var (
		fields gql.OrganizationFields
		conn   *gql.OrganizationMemberPage
	)
	if org.ID != "" {
		resp, err := gql.OrganizationMembersByID(ctx, c.gql, org.ID, c.cfg.PageSize, after)
		if err != nil {
			return MemberPage{}, "", err
		}
		var o *gql.OrganizationMembersByIDNodeOrganization
		if resp.Node != nil {
			o, _ = (*resp.Node).(*gql.OrganizationMembersByIDNodeOrganization)
		}
		if o == nil {
			return MemberPage{}, "", orgNotFound(org)
		}
		fields, conn = o.OrganizationFields, o.Members
	} else {
		resp, err := gql.OrganizationMembersBySlug(ctx, c.gql, org.Slug, c.cfg.PageSize, after)
		if err != nil {
			return MemberPage{}, "", err
		}
		o := resp.Organization
		if o == nil {
			return MemberPage{}, "", orgNotFound(org)
		}
		fields, conn = gql.OrganizationFields{Id: o.Id, Uuid: o.Uuid, Slug: o.Slug, Name: o.Name}, o.Members
	}
	found, err := orgOrMissing(fields, what)
	if err != nil {
		return MemberPage{}, "", err
	}
	// The schema lets Buildkite answer null for the whole list: taking that
	// for "no members" would judge every owner as unknown, and taking it
	// for a permission problem would be a guess the answer does not state.
	if conn == nil {
		return MemberPage{}, "", incompleteListing(what, "Buildkite's answer has the organization's members as null, so who is a member cannot be told")
	}
	if conn.PageInfo == nil {
		return MemberPage{}, "", noPageInfo(what, "member")
	}
	if conn.PageInfo.HasNextPage == nil {
		return MemberPage{}, "", noHasNextPage(what, "member")
	}
	if conn.Edges == nil {
		return MemberPage{}, "", withheld(what, "member", true)
	}
	page := MemberPage{Organization: found, HasNextPage: *conn.PageInfo.HasNextPage}
	for _, edge := range conn.Edges {
		if edge == nil || edge.Node == nil {
			return MemberPage{}, "", withheld(what, "member", false)
		}
		// user is non-null in the schema: a member without one is a
		// broken answer, not a member to skip.
		if edge.Node.User.Id == "" {
			return MemberPage{}, "", incompleteListing(what, "Buildkite's answer has a member without its user, so whose membership it is cannot be told")
		}
		first, conflict := listed.first(edge.Node.User.Id, listed.memberDigest(edge.Node))
		if conflict {
			return MemberPage{}, "", conflictingCopies(what, "the member with user uuid", edge.Node.User.Uuid)
		}
		if first {
			page.Members = append(page.Members, fromMemberFields(*edge.Node))
		}
	}
	if len(page.Members) == 0 && page.HasNextPage {
		return MemberPage{}, "", nothingNew(what, "member")
	}
	cursor := ""
	if conn.PageInfo.EndCursor != nil {
		cursor = *conn.PageInfo.EndCursor
	}
	return page, cursor, nil
}

func fromMemberFields(f gql.OrganizationMemberFields) Member {
	m := Member{
		User:             User{ID: f.User.Id, UUID: f.User.Uuid, Name: f.User.Name, Email: f.User.Email, Bot: f.User.Bot, MachineUser: f.User.MachineUser},
		Role:             string(f.Role),
		LastSeenAt:       f.LastSeenAt,
		TwoFactorEnabled: f.Security.TwoFactorEnabled,
	}
	if f.Sso.Mode != nil {
		m.SSOMode = string(*f.Sso.Mode)
	}
	return m
}
