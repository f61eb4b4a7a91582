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
// is handed over (by user id; the first answer is kept).
func (c *Client) ListMembers(ctx context.Context, org ident.Org, visit func(MemberPage) bool) (Organization, error) {
	what := fmt.Sprintf("listing the members of organization %q", org.String())
	var found Organization
	listed := onceSet{}
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

func (c *Client) memberPage(ctx context.Context, org ident.Org, after *string, what string, listed onceSet) (MemberPage, string, error) {
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
	// for "no members" would judge every owner as unknown.
	if conn == nil {
		return MemberPage{}, "", &Error{Kind: KindForbidden, Message: what + ": Buildkite did not show the members to this API token; the owner rules need a token of an organization administrator"}
	}
	page := MemberPage{Organization: found}
	for _, edge := range conn.Edges {
		if edge == nil || edge.Node == nil || !listed.first(edge.Node.User.Id) {
			continue
		}
		page.Members = append(page.Members, fromMemberFields(*edge.Node))
	}
	cursor := ""
	switch {
	case conn.PageInfo != nil:
		page.HasNextPage = conn.PageInfo.HasNextPage
		if conn.PageInfo.EndCursor != nil {
			cursor = *conn.PageInfo.EndCursor
		}
	case len(conn.Edges) >= c.cfg.PageSize:
		// pageInfo may be null by the schema; a full page without it may
		// have more behind it, which cannot be asked for.
		return MemberPage{}, "", &Error{Kind: KindInvalid, Message: what + ": Buildkite's answer has a full page of members but no pageInfo to ask for the next one"}
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
