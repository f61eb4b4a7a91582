package emulator

import (
	"context"
	"math"
	"strings"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
)

// SSO modes of a member, as fixtures write them.
const (
	SSOOptional = "optional"
	SSORequired = "required"
)

// membership is a user's membership of an organization: what
// Organization.members shows beyond the role, which organization.roles
// keeps.
type membership struct {
	seq        int // fixture order; paging order and cursor value
	uuid       string
	user       *user
	createdAt  time.Time
	lastSeenAt *time.Time
	twoFactor  bool
	sso        string
}

func newMembership(o *organization, seq int, u *user, m FixtureMember, now time.Time, at func(string) *time.Time) *membership {
	created := now
	if m.CreatedAt != "" {
		created = *at(m.CreatedAt)
	}
	return &membership{
		seq: seq, uuid: memberUUID(o.uuid, u.uuid), user: u, createdAt: created,
		lastSeenAt: at(m.LastSeenAt), twoFactor: m.TwoFactor, sso: m.SSO,
	}
}

// memberUUID derives a membership's uuid from its organization and user, so
// a fixture need not spell it out and it is the same on every start.
func memberUUID(orgUUID, userUUID string) string {
	return strings.ToLower(uuidFromName("member " + orgUUID + " " + userUUID))
}

type memberResolver struct {
	ids        *idCodec
	uuid       string
	role       string
	createdAt  time.Time
	lastSeenAt *time.Time
	twoFactor  bool
	sso        string
	user       *userResolver
}

func newMemberResolver(ids *idCodec, m *membership, role string) *memberResolver {
	return &memberResolver{
		ids: ids, uuid: m.uuid, role: role, createdAt: m.createdAt, lastSeenAt: m.lastSeenAt,
		twoFactor: m.twoFactor, sso: m.sso, user: newUserResolver(ids, m.user),
	}
}

// Members pages the organization's members. Any member of the
// organization may list them, with a token that can access it.
func (o *orgResolver) Members(ctx context.Context, args pageArgs) (*memberConnection, error) {
	c := callerFrom(ctx)
	if c == nil {
		return nil, errNoCaller
	}
	if err := checkPageArgs("members", args.First, args.Last, o.s.opts.MaxPageSize, true); err != nil {
		return nil, err
	}
	st := o.s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	org := st.orgByUUID(o.uuid)
	if t := st.tokenByUUID(c.tokenUUID); t == nil || !t.orgs[org.uuid] {
		return nil, newAPIError(ErrTokenNoOrgAccess, org.slug)
	}
	seqs := make([]int, len(org.members))
	for i, m := range org.members {
		seqs[i] = m.seq
	}
	from, to, info, err := paginate(seqs, args, o.s.opts.RepeatAcrossPages || o.s.opts.RepeatChanged)
	if err != nil {
		return nil, err
	}
	conn := &memberConnection{count: int32(min(len(org.members), math.MaxInt32)), pageInfo: info}
	for _, m := range org.members[from:to] {
		conn.edges = append(conn.edges, &memberEdge{cursor: encodeCursor(m.seq), node: newMemberResolver(o.s.ids, m, org.roles[m.user.uuid])})
	}
	if info.repeated && o.s.opts.RepeatChanged {
		// Seen since the page before.
		now := o.s.opts.Now()
		conn.edges[0].node.lastSeenAt = &now
	}
	o.s.holeMembers(conn, args)
	return conn, nil
}

func (m *memberResolver) ID() graphql.ID            { return graphql.ID(NodeID(TypeOrganizationMember, m.uuid)) }
func (m *memberResolver) UUID() string              { return m.uuid }
func (m *memberResolver) Role() string              { return strings.ToUpper(m.role) }
func (m *memberResolver) CreatedAt() dateTime       { return dateTime{m.createdAt} }
func (m *memberResolver) LastSeenAt() *dateTime     { return newDateTime(m.lastSeenAt) }
func (m *memberResolver) User() *userResolver       { return m.user }
func (m *memberResolver) Security() *memberSecurity { return &memberSecurity{twoFactor: m.twoFactor} }
func (m *memberResolver) Sso() *memberSSO           { return &memberSSO{mode: m.sso} }

type memberSecurity struct{ twoFactor bool }

func (s *memberSecurity) TwoFactorEnabled() bool { return s.twoFactor }

// PasswordProtected is true for every emulated user: none signs in with SSO
// alone.
func (s *memberSecurity) PasswordProtected() bool { return true }

type memberSSO struct{ mode string }

// Mode is OPTIONAL or REQUIRED, or null for a member SSO does not apply to.
func (s *memberSSO) Mode() *string {
	if s.mode == "" {
		return nil
	}
	m := strings.ToUpper(s.mode)
	return &m
}

type memberConnection struct {
	count     int32
	edges     []*memberEdge
	nullEdges bool // answer edges with null: see ListingHole
	pageInfo  *pageInfo
}

func (c *memberConnection) Count() int32 { return c.count }
func (c *memberConnection) Edges() *[]*memberEdge {
	if c.nullEdges {
		return nil
	}
	return &c.edges
}
func (c *memberConnection) PageInfo() *pageInfo { return c.pageInfo }

type memberEdge struct {
	cursor string
	node   *memberResolver
}

func (e *memberEdge) Cursor() string        { return e.cursor }
func (e *memberEdge) Node() *memberResolver { return e.node }

// TypeOrganizationMember is the node type name inside a membership's id.
const TypeOrganizationMember = "OrganizationMember"
