package emulator

import (
	"context"
	"fmt"
	"math"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
)

// Resolvers copy what they need out of the store while holding its lock, so
// graphql-go can run them in parallel without touching shared state.

type rootResolver struct{ s *Server }

type orgResolver struct {
	s                         *Server
	uuid, slug, name          string
	revokeInactiveTokensAfter string
}

type userResolver struct {
	ids               *idCodec
	uuid, name, email string
	bot, machineUser  bool
}

type viewerResolver struct {
	s    *Server
	user *userResolver
}

type tokenResolver struct {
	ids            *idCodec
	uuid           string
	description    string
	scopes         []string
	createdAt      time.Time
	expiresAt      *time.Time
	lastAccessedAt *time.Time
	ipAddress      string
	owner          *userResolver
}

// nodeResolver is the Node interface: graphql-go picks the concrete type
// through the To* methods.
type nodeResolver struct{ node any }

// dateTime is the DateTime scalar, written as RFC 3339 in UTC like
// Buildkite's API.
type dateTime struct{ time.Time }

func (dateTime) ImplementsGraphQLType(name string) bool { return name == "DateTime" }

func (d *dateTime) UnmarshalGraphQL(input any) error {
	s, ok := input.(string)
	if !ok {
		return fmt.Errorf("DateTime must be a string, got %T", input)
	}
	t, err := time.Parse(time.RFC3339, s)
	d.Time = t
	return err
}

func (d dateTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + d.UTC().Format(time.RFC3339) + `"`), nil
}

func newDateTime(t *time.Time) *dateTime {
	if t == nil {
		return nil
	}
	return &dateTime{*t}
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// errNoCaller is what a resolver answers when it runs without an
// authenticated caller, which the server never lets happen.
var errNoCaller = newAPIError(ErrNoCaller)

func newOrgResolver(s *Server, o *organization) *orgResolver {
	return &orgResolver{s: s, uuid: o.uuid, slug: o.slug, name: o.name, revokeInactiveTokensAfter: o.revokeInactiveTokensAfter}
}

func newUserResolver(ids *idCodec, u *user) *userResolver {
	return &userResolver{ids: ids, uuid: u.uuid, name: u.name, email: u.email, bot: u.bot, machineUser: u.machineUser}
}

func newTokenResolver(ids *idCodec, t *token) *tokenResolver {
	return &tokenResolver{
		ids: ids, uuid: t.uuid, description: t.description, scopes: append([]string{}, t.scopes...),
		createdAt: t.createdAt, expiresAt: t.expiresAt, lastAccessedAt: t.lastAccessedAt,
		ipAddress: t.ipAddress, owner: newUserResolver(ids, t.owner),
	}
}

// Query

func (r *rootResolver) Organization(ctx context.Context, args struct {
	Slug *graphql.ID
	UUID *graphql.ID
}) (*orgResolver, error) {
	c := callerFrom(ctx)
	if c == nil {
		return nil, errNoCaller
	}
	st := r.s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	var o *organization
	switch {
	case args.Slug != nil:
		o = st.orgBySlug(string(*args.Slug))
	case args.UUID != nil:
		o = st.orgByUUID(string(*args.UUID))
	}
	// Buildkite answers null, not an error, for an organization the caller
	// cannot see, so its existence does not leak.
	if !r.s.visibleOrg(c, o) {
		return nil, nil
	}
	if err := o.refuseAddress(c, ErrIPNotAllowed); err != nil {
		return nil, err
	}
	return newOrgResolver(r.s, o), nil
}

func (r *rootResolver) Node(ctx context.Context, args struct{ ID graphql.ID }) (*nodeResolver, error) {
	c := callerFrom(ctx)
	if c == nil {
		return nil, errNoCaller
	}
	typ, id, ok := r.s.ids.parse(string(args.ID))
	if !ok {
		return nil, nil
	}
	st := r.s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	me := st.users[c.userUUID]
	switch typ {
	case TypeOrganization:
		if o := st.orgByUUID(id); r.s.visibleOrg(c, o) {
			if err := o.refuseAddress(c, ErrIPNotAllowed); err != nil {
				return nil, err
			}
			return &nodeResolver{newOrgResolver(r.s, o)}, nil
		}
	case TypeUser:
		// Users are visible to whoever shares an organization with them.
		u := st.users[id]
		if u == me {
			return &nodeResolver{newUserResolver(r.s.ids, u)}, nil
		}
		for _, o := range st.userOrgs(me) {
			if u != nil && o.roles[u.uuid] != "" {
				return &nodeResolver{newUserResolver(r.s.ids, u)}, nil
			}
		}
	case TypeViewer:
		if id == me.uuid {
			return &nodeResolver{&viewerResolver{s: r.s, user: newUserResolver(r.s.ids, me)}}, nil
		}
	}
	return nil, nil // includes APIAccessToken ids: that type is not a Node
}

func (r *rootResolver) Viewer(ctx context.Context) (*viewerResolver, error) {
	c := callerFrom(ctx)
	if c == nil {
		return nil, errNoCaller
	}
	r.s.store.mu.Lock()
	defer r.s.store.mu.Unlock()
	return &viewerResolver{s: r.s, user: newUserResolver(r.s.ids, r.s.store.users[c.userUUID])}, nil
}

// Node

func (n *nodeResolver) ID() graphql.ID {
	switch v := n.node.(type) {
	case *orgResolver:
		return v.ID()
	case *userResolver:
		return v.ID()
	case *viewerResolver:
		return v.ID()
	}
	panic(fmt.Sprintf("unknown node %T", n.node))
}

func (n *nodeResolver) ToOrganization() (*orgResolver, bool) {
	v, ok := n.node.(*orgResolver)
	return v, ok
}

func (n *nodeResolver) ToUser() (*userResolver, bool) {
	v, ok := n.node.(*userResolver)
	return v, ok
}

func (n *nodeResolver) ToViewer() (*viewerResolver, bool) {
	v, ok := n.node.(*viewerResolver)
	return v, ok
}

// Organization

func (o *orgResolver) ID() graphql.ID { return graphql.ID(o.s.ids.id(TypeOrganization, o.uuid)) }
func (o *orgResolver) UUID() string   { return o.uuid }
func (o *orgResolver) Slug() string   { return o.slug }
func (o *orgResolver) Name() string   { return o.name }
func (o *orgResolver) RevokeInactiveTokensAfter() *string {
	return strPtr(o.revokeInactiveTokensAfter)
}

func (o *orgResolver) ApiAccessTokens(ctx context.Context, args pageArgs) (*tokenConnection, error) {
	c := callerFrom(ctx)
	if c == nil {
		return nil, errNoCaller
	}
	if err := checkPageArgs("apiAccessTokens", args.First, args.Last, o.s.opts.MaxPageSize, true); err != nil {
		return nil, err
	}
	st := o.s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	org := st.orgByUUID(o.uuid)
	if err := st.canManageTokens(c, org); err != nil {
		return nil, err
	}
	all := st.listedTokens(org)
	seqs := make([]int, len(all))
	for i, t := range all {
		seqs[i] = t.seq
	}
	from, to, info, err := paginate(seqs, args, o.s.opts.RepeatAcrossPages || o.s.opts.RepeatChanged)
	if err != nil {
		return nil, err
	}
	conn := &tokenConnection{pageInfo: info}
	for _, t := range all[from:to] {
		conn.edges = append(conn.edges, &tokenEdge{cursor: encodeCursor(t.seq), node: newTokenResolver(o.s.ids, t)})
	}
	if info.repeated && o.s.opts.RepeatChanged {
		// Used since the page before, from elsewhere, and described anew.
		now := o.s.opts.Now()
		rt := conn.edges[0].node
		rt.lastAccessedAt, rt.ipAddress, rt.description = &now, "198.51.100.99", rt.description+" (renamed)"
	}
	o.s.holeTokens(conn, args)
	return conn, nil
}

// OrganizationAPIAccessToken

func (t *tokenResolver) ID() graphql.ID {
	return graphql.ID(t.ids.id(TypeAPIAccessToken, t.uuid))
}
func (t *tokenResolver) UUID() graphql.ID          { return graphql.ID(t.uuid) }
func (t *tokenResolver) Description() *string      { return strPtr(t.description) }
func (t *tokenResolver) Scopes() []string          { return t.scopes }
func (t *tokenResolver) CreatedAt() dateTime       { return dateTime{t.createdAt} }
func (t *tokenResolver) ExpiresAt() *dateTime      { return newDateTime(t.expiresAt) }
func (t *tokenResolver) LastAccessedAt() *dateTime { return newDateTime(t.lastAccessedAt) }
func (t *tokenResolver) IpAddress() *string        { return strPtr(t.ipAddress) }
func (t *tokenResolver) Owner() *userResolver      { return t.owner }

// User

func (u *userResolver) ID() graphql.ID    { return graphql.ID(u.ids.id(TypeUser, u.uuid)) }
func (u *userResolver) UUID() string      { return u.uuid }
func (u *userResolver) Name() string      { return u.name }
func (u *userResolver) Email() string     { return u.email }
func (u *userResolver) Bot() bool         { return u.bot }
func (u *userResolver) MachineUser() bool { return u.machineUser }

// Viewer

// capPage lowers a requested page size to limit; a nil request stays nil.
func capPage(n *int32, limit int) *int32 {
	if n == nil {
		return nil
	}
	v := *n
	if int(v) > limit {
		v = int32(min(limit, math.MaxInt32)) //nolint:gosec // bounded by MaxInt32 on the line itself
	}
	return &v
}

func (v *viewerResolver) ID() graphql.ID      { return graphql.ID(v.s.ids.id(TypeViewer, v.user.uuid)) }
func (v *viewerResolver) User() *userResolver { return v.user }

// Organizations lists the organizations the caller's user belongs to,
// whether or not the calling token was granted them (count is their total),
// at most MaxViewerOrganizations of them per answer.
func (v *viewerResolver) Organizations(ctx context.Context, args struct{ First, Last *int32 }) (*orgConnection, error) {
	c := callerFrom(ctx)
	if c == nil {
		return nil, errNoCaller
	}
	if err := checkPageArgs("organizations", args.First, args.Last, v.s.opts.MaxPageSize, false); err != nil {
		return nil, err
	}
	st := v.s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	orgs := st.userOrgs(st.users[c.userUUID])
	seqs := make([]int, len(orgs))
	for i := range orgs {
		seqs[i] = i + 1
	}
	page := pageArgs{First: args.First, Last: args.Last}
	if limit := v.s.opts.MaxViewerOrganizations; limit > 0 {
		page.First, page.Last = capPage(page.First, limit), capPage(page.Last, limit)
		if page.First == nil && page.Last == nil {
			first := int32(min(limit, math.MaxInt32))
			page.First = &first
		}
	}
	from, to, info, err := paginate(seqs, page, false)
	if err != nil {
		return nil, err
	}
	conn := &orgConnection{count: int32(min(len(orgs), math.MaxInt32)), pageInfo: info}
	for i, o := range orgs[from:to] {
		conn.edges = append(conn.edges, &orgEdge{cursor: encodeCursor(from + i + 1), node: newOrgResolver(v.s, o)})
	}
	return conn, nil
}
