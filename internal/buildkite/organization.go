package buildkite

import (
	"context"
	"errors"
	"fmt"

	"github.com/tokenctl/tokenctl/internal/buildkite/gql"
	"github.com/tokenctl/tokenctl/internal/ident"
)

func orgNotFound(org ident.Org) error {
	return &Error{Kind: KindNotFound, Message: fmt.Sprintf(
		"organization %q not found: check the slug (as in buildkite.com/SLUG) and that the token's owner belongs to it and the token was granted access to it", org.String())}
}

func fromOrgFields(f gql.OrganizationFields) Organization {
	return Organization{ID: f.Id, UUID: f.Uuid, Slug: f.Slug, Name: f.Name}
}

// missingID refuses an answer without an id a later request would need.
// GraphQL declares ids non-null, so only a broken answer (or a proxy's
// invention) lacks one; carrying on would send mutations with empty ids.
func missingID(what, thing string) error {
	return &Error{Kind: KindInvalid, Message: fmt.Sprintf("%s: Buildkite's answer has %s without an id", what, thing)}
}

// orgOrMissing returns the organization in f, or an error if it has no id.
func orgOrMissing(f gql.OrganizationFields, what string) (Organization, error) {
	if f.Id == "" {
		return Organization{}, missingID(what, "the organization")
	}
	return fromOrgFields(f), nil
}

// Slugged is the organization named by org with its slug, for the queries
// and REST endpoints that take only a slug: one named by slug costs no
// request (only the slug is filled in), one named by id is looked up.
func (c *Client) Slugged(ctx context.Context, org ident.Org) (Organization, error) {
	if org.ID == "" {
		return Organization{Slug: org.Slug}, nil
	}
	return c.Organization(ctx, org)
}

// Organization resolves a slug or node id to the organization.
func (c *Client) Organization(ctx context.Context, org ident.Org) (Organization, error) {
	what := fmt.Sprintf("looking up organization %q", org.String())
	if org.ID != "" {
		resp, err := gql.OrganizationByID(ctx, c.gql, org.ID)
		if err != nil {
			return Organization{}, callError(ctx, err, what, false)
		}
		if resp.Node != nil {
			if o, ok := (*resp.Node).(*gql.OrganizationByIDNodeOrganization); ok && o != nil {
				return orgOrMissing(o.OrganizationFields, what)
			}
		}
		return Organization{}, orgNotFound(org)
	}
	resp, err := gql.OrganizationBySlug(ctx, c.gql, org.Slug)
	if err != nil {
		return Organization{}, callError(ctx, err, what, false)
	}
	if resp.Organization == nil {
		return Organization{}, orgNotFound(org)
	}
	return orgOrMissing(resp.Organization.OrganizationFields, what)
}

// TokenPage is one page of an organization's tokens.
type TokenPage struct {
	Organization Organization
	Tokens       []Token
	HasNextPage  bool
}

// ListTokens pages Organization.apiAccessTokens. The first request also
// returns the organization, so a caller that finds what it wants on page
// one has spent one round trip. visit returns false to stop early. It
// returns the organization.
//
// Each token is handed to visit once per listing, by id: a server whose
// list changes while it is paged may repeat a token on a later page, and
// every caller (check, tokens list, revoke's resolution, plans) would
// otherwise judge or count it twice. A repeat that says the same is
// dropped before its page is handed over; one that says otherwise (used
// since, described anew) fails the listing, since which copy is current
// cannot be told and judging may already have begun on the first. A page
// with a hole in it (see incompleteListing) is handed over with the tokens
// it does show, and fails the listing unless visit stops there: a caller
// that found what it looked for (a revocation's named tokens) has no need
// of the rest, but one that asks for more is never told the listing ended,
// so a token the hole hid is never taken for one without access.
func (c *Client) ListTokens(ctx context.Context, org ident.Org, visit func(TokenPage) bool) (Organization, error) {
	what := fmt.Sprintf("listing API access tokens of organization %q", org.String())
	var found Organization
	seen := newInterner()
	err := pageThrough(what, func(after *string) (string, bool, error) {
		raw, cursor, err := c.fetchTokenPage(ctx, org, after, what)
		if err != nil {
			return "", false, asAPIError(ctx, err, what)
		}
		page, err := raw.tokens(seen, what)
		if err != nil {
			return "", false, err
		}
		found = page.Organization
		if !visit(page) {
			return "", false, nil
		}
		return cursor, page.HasNextPage, raw.hole
	})
	return found, err
}

// ListAllTokens pages Organization.apiAccessTokens to its end, as
// ListTokens does for a visit that never stops it, and returns the
// organization. Each page is asked for as soon as the page before is read
// and checked, and its tokens are converted and handed to visit (in
// order, each once, from another goroutine) while the next is fetched:
// on a listing's chain of round trips there is nothing but the requests
// and the reading of their answers. ListAllTokens returns once visit has
// had every page read; on an error, the pages read before it. A page that
// repeats a token differently (see ListTokens) stops the listing, and is
// its error.
func (c *Client) ListAllTokens(ctx context.Context, org ident.Org, visit func(TokenPage)) (Organization, error) {
	what := fmt.Sprintf("listing API access tokens of organization %q", org.String())
	var found Organization
	pages := make(chan rawTokenPage, 1)
	visited := make(chan struct{})
	stop := make(chan struct{}) // closed when a page cannot be handed over
	var convertErr error        // read once visited is closed
	go func() {
		defer close(visited)
		seen := newInterner()
		for raw := range pages {
			if convertErr != nil {
				continue
			}
			page, err := raw.tokens(seen, what)
			if err != nil {
				convertErr = err
				close(stop)
				continue
			}
			visit(page)
		}
	}()
	err := pageThrough(what, func(after *string) (string, bool, error) {
		select {
		case <-stop:
			return "", false, nil
		default:
		}
		raw, cursor, err := c.fetchTokenPage(ctx, org, after, what)
		if err == nil {
			err = raw.hole
		}
		if err != nil {
			return "", false, asAPIError(ctx, err, what)
		}
		found = raw.org
		pages <- raw
		return cursor, *raw.conn.PageInfo.HasNextPage, nil
	})
	close(pages)
	<-visited
	if convertErr != nil {
		return found, convertErr
	}
	return found, err
}

// pageThrough is the one pager over GraphQL connections: fetch asks for
// the page after a cursor (nil for the first) and says where the next
// page starts and whether to ask for it. It refuses a server that promises
// more pages without a cursor, or hands out a cursor twice, rather than
// paging for ever. An organization found on the first page but not
// found on a later one was there: it is not an unknown organization (the
// user's mistake, exit 4, which scripts read as "nothing to do") but one
// that went away or was withdrawn from the token while it was listed, a
// failure of that organization's listing (KindOther).
func pageThrough(what string, fetch func(after *string) (cursor string, more bool, err error)) error {
	var after *string
	seen := map[string]bool{}
	for {
		cursor, more, err := fetch(after)
		if err != nil && after != nil && KindOf(err) == KindNotFound {
			return &Error{Kind: KindOther, Message: what + ": Buildkite answered the first page, then said the organization was not found: it was removed, or this API token's access to it was withdrawn, while it was listed"}
		}
		if err != nil || !more {
			return err
		}
		if cursor == "" {
			return &Error{Kind: KindInvalid, Message: what + ": Buildkite said there are more pages but gave no cursor"}
		}
		if seen[cursor] {
			return &Error{Kind: KindInvalid, Message: what + ": Buildkite gave the same page cursor twice; stopping rather than paging for ever"}
		}
		seen[cursor] = true
		after = &cursor
	}
}

func asAPIError(ctx context.Context, err error, what string) error {
	var apiErr *Error
	if errors.As(err, &apiErr) {
		return err
	}
	return callError(ctx, err, what, false)
}

// rawTokenPage is a page of tokens as Buildkite answered it, its
// organization and every token's id checked.
type rawTokenPage struct {
	org  Organization
	conn gql.APIAccessTokenPage
	// hole says why the page is not whole (see incompleteListing), nil
	// when it is: the tokens it shows are as good as any, but the
	// listing cannot be taken for complete past it.
	hole error
}

// fetchTokenPage asks for the page of tokens after the cursor after (nil
// for the first) and returns it with the cursor of the next. An answer
// without the organization, or with it or a token without an id, is an
// error; a hole in the page is the page's hole.
func (c *Client) fetchTokenPage(ctx context.Context, org ident.Org, after *string, what string) (rawTokenPage, string, error) {
	var (
		fields gql.OrganizationFields
		conn   gql.APIAccessTokenPage
	)
	if org.ID != "" {
		resp, err := gql.OrganizationTokensByID(ctx, c.gql, org.ID, c.cfg.PageSize, after)
		if err != nil {
			return rawTokenPage{}, "", err
		}
		var o *gql.OrganizationTokensByIDNodeOrganization
		if resp.Node != nil {
			o, _ = (*resp.Node).(*gql.OrganizationTokensByIDNodeOrganization)
		}
		if o == nil {
			return rawTokenPage{}, "", orgNotFound(org)
		}
		fields, conn = o.OrganizationFields, o.ApiAccessTokens
	} else {
		resp, err := gql.OrganizationTokensBySlug(ctx, c.gql, org.Slug, c.cfg.PageSize, after)
		if err != nil {
			return rawTokenPage{}, "", err
		}
		o := resp.Organization
		if o == nil {
			return rawTokenPage{}, "", orgNotFound(org)
		}
		fields, conn = gql.OrganizationFields{Id: o.Id, Uuid: o.Uuid, Slug: o.Slug, Name: o.Name}, o.ApiAccessTokens
	}
	found, err := orgOrMissing(fields, what)
	if err != nil {
		return rawTokenPage{}, "", err
	}
	raw := rawTokenPage{org: found, conn: conn}
	for _, edge := range conn.Edges {
		switch {
		case edge == nil || edge.Node == nil:
			if raw.hole == nil {
				raw.hole = withheld(what, "token", false)
			}
		case edge.Node.Id == "":
			return rawTokenPage{}, "", missingID(what, "a token")
		}
	}
	switch {
	case conn.PageInfo == nil:
		raw.hole = noPageInfo(what, "token")
	case conn.PageInfo.HasNextPage == nil:
		raw.hole = noHasNextPage(what, "token")
	case conn.Edges == nil:
		raw.hole = withheld(what, "token", true)
	}
	cursor := ""
	if conn.PageInfo != nil && conn.PageInfo.EndCursor != nil {
		cursor = *conn.PageInfo.EndCursor
	}
	return raw, cursor, nil
}

// tokens converts the page's tokens, leaving out those the listing handed
// over before as they were; one handed over before with other data is an
// error (see ListTokens).
func (raw rawTokenPage) tokens(seen *interner, what string) (TokenPage, error) {
	conn := raw.conn
	page := TokenPage{Organization: raw.org, Tokens: make([]Token, 0, len(conn.Edges))}
	if conn.PageInfo != nil && conn.PageInfo.HasNextPage != nil {
		page.HasNextPage = *conn.PageInfo.HasNextPage
	}
	for _, edge := range conn.Edges {
		if edge == nil || edge.Node == nil {
			continue // the page's hole
		}
		first, conflict := seen.listed.first(edge.Node.Id, seen.listed.tokenDigest(edge.Node))
		if conflict {
			return TokenPage{}, conflictingCopies(what, "token", edge.Node.Uuid)
		}
		if first {
			page.Tokens = append(page.Tokens, seen.token(edge.Node))
		}
	}
	// A page with a hole fails the listing on its own (raw.hole).
	if len(page.Tokens) == 0 && page.HasNextPage && raw.hole == nil {
		return TokenPage{}, nothingNew(what, "token")
	}
	return page, nil
}

// interner keeps one copy of what a listing repeats from token to token:
// an owner's user (a member owns many tokens) and the scope names. Tokens
// share them, so a listing of a large organization holds each once. It
// also remembers the tokens listed (a digest of each by id), so that a
// token is listed once.
type interner struct {
	owners map[User]*User
	scopes map[string]string
	listed *copies
}

func newInterner() *interner {
	return &interner{owners: map[User]*User{}, scopes: map[string]string{}, listed: newCopies()}
}

// token converts a listed token. Its owner is shared with the other tokens
// of the same user; nothing may change a listed token's owner in place.
func (in *interner) token(f *gql.APIAccessTokenFields) Token {
	t := Token{ID: f.Id, UUID: f.Uuid, CreatedAt: f.CreatedAt, ExpiresAt: f.ExpiresAt, LastAccessedAt: f.LastAccessedAt}
	if f.Description != nil {
		t.Description = *f.Description
	}
	if f.IpAddress != nil {
		t.IPAddress = *f.IpAddress
	}
	if len(f.Scopes) > 0 {
		t.Scopes = make([]string, len(f.Scopes))
		for i, s := range f.Scopes {
			name, ok := in.scopes[string(s)]
			if !ok {
				name = string(s)
				in.scopes[name] = name
			}
			t.Scopes[i] = name
		}
	}
	if f.Owner != nil {
		u := User{ID: f.Owner.Id, UUID: f.Owner.Uuid, Name: f.Owner.Name, Email: f.Owner.Email, Bot: f.Owner.Bot, MachineUser: f.Owner.MachineUser}
		owner, ok := in.owners[u]
		if !ok {
			owner = &u
			in.owners[u] = owner
		}
		t.Owner = owner
	}
	return t
}

// RevocationSetting returns the organization's automatic inactive-token revocation
// period ("" when unset).
func (c *Client) RevocationSetting(ctx context.Context, slug string) (Organization, string, error) {
	org := ident.Org{Slug: slug}
	resp, err := gql.OrganizationPolicy(ctx, c.gql, slug)
	if err != nil {
		return Organization{}, "", callError(ctx, err, fmt.Sprintf("reading the token policy of organization %q", slug), false)
	}
	if resp.Organization == nil {
		return Organization{}, "", orgNotFound(org)
	}
	period := ""
	if resp.Organization.RevokeInactiveTokensAfter != nil {
		period = string(*resp.Organization.RevokeInactiveTokensAfter)
	}
	return fromOrgFields(resp.Organization.OrganizationFields), period, nil
}

// Viewer returns the caller's user and the organizations it belongs to,
// as many as Buildkite lists. Viewer.organizations has no cursor and its
// largest answer is not documented: the first request asks for
// MaxPageSize from the start of the list; when count says some were left
// out, a second asks for the rest from the end (last), which reaches up to
// twice what one answer holds whatever the cap. Organizations are kept
// once each, by id, so an order that changes between the two answers
// cannot count one twice; Viewer.Unlisted says how many are still missing.
func (c *Client) Viewer(ctx context.Context) (Viewer, error) {
	first := MaxPageSize
	resp, err := gql.Viewer(ctx, c.gql, &first, nil)
	if err != nil {
		return Viewer{}, callError(ctx, err, "looking up the caller", false)
	}
	var v Viewer
	if resp.Viewer == nil {
		return v, nil
	}
	if u := resp.Viewer.User; u != nil {
		v.User = &User{ID: u.Id, UUID: u.Uuid, Name: u.Name, Email: u.Email}
	}
	orgs := resp.Viewer.Organizations
	if orgs == nil {
		return v, nil
	}
	v.OrganizationCount = orgs.Count
	seen := map[string]bool{}
	add := func(edges []*gql.ViewerViewerOrganizationsOrganizationConnectionEdgesOrganizationEdge) {
		for _, e := range edges {
			if e != nil && e.Node != nil && !seen[e.Node.Id] {
				seen[e.Node.Id] = true
				v.Organizations = append(v.Organizations, fromOrgFields(e.Node.OrganizationFields))
			}
		}
	}
	add(orgs.Edges)
	if missing := v.Unlisted(); missing > 0 {
		last := min(missing, MaxPageSize)
		rest, err := gql.Viewer(ctx, c.gql, nil, &last)
		if err != nil {
			return Viewer{}, callError(ctx, err, "listing the organizations you belong to", false)
		}
		if rest.Viewer != nil && rest.Viewer.Organizations != nil {
			add(rest.Viewer.Organizations.Edges)
		}
	}
	return v, nil
}
