package emulator

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	graphql "github.com/graph-gophers/graphql-go"
)

// TypeAuditEvent is the node type name inside an audit event's id.
const TypeAuditEvent = "AuditEvent"

type permissionResolver struct {
	allowed       bool
	code, message string
}

func (p *permissionResolver) Allowed() bool    { return p.allowed }
func (p *permissionResolver) Code() *string    { return strPtr(p.code) }
func (p *permissionResolver) Message() *string { return strPtr(p.message) }

type orgPermissionsResolver struct{ auditEventsView *permissionResolver }

func (p *orgPermissionsResolver) AuditEventsView() *permissionResolver { return p.auditEventsView }

// auditRefusal is why the caller may not read the organization's audit
// log, nil when it may. Expects st.mu held.
func (st *store) auditRefusal(c *caller, o *organization) *apiError {
	switch {
	case st.canManageTokens(c, o) != nil:
		return newAPIError(ErrAuditNotAdmin, o.slug)
	case !st.paid.has(o, FeatureAuditLog):
		return newAPIError(ErrAuditNotOnPlan, o.slug)
	}
	return nil
}

// auditPermission is Organization.permissions.auditEventsView for the
// caller: its message is the refusal's, in the server's wording, so a
// client cannot tell anything from the words. Expects st.mu held.
func (s *Server) auditPermission(c *caller, o *organization) *permissionResolver {
	e := s.store.auditRefusal(c, o)
	if e == nil {
		return &permissionResolver{allowed: true}
	}
	code := map[ErrorName]string{ErrAuditNotAdmin: "not_admin", ErrAuditNotOnPlan: "not_available_on_plan"}[e.name]
	if s.opts.ErrorWording == WordingAlternate {
		code = strings.ToUpper(code)
	}
	return &permissionResolver{code: code, message: e.message(s.opts.ErrorWording)}
}

func (o *orgResolver) Permissions(ctx context.Context) (*orgPermissionsResolver, error) {
	c := callerFrom(ctx)
	if c == nil {
		return nil, errNoCaller
	}
	st := o.s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	return &orgPermissionsResolver{auditEventsView: o.s.auditPermission(c, st.orgByUUID(o.uuid))}, nil
}

type auditEventsArgs struct {
	Actor          *[]graphql.ID
	ActorType      *[]string
	After, Before  *string
	First, Last    *int32
	OccurredAtFrom *dateTime
	OccurredAtTo   *dateTime
	Order          string
	Subject        *[]graphql.ID
	SubjectType    *[]string
	SubjectUUID    *[]graphql.ID
	Type           *[]string
}

// matches applies the server-side filters of Organization.auditEvents.
func (a auditEventsArgs) matches(ids *idCodec, e *auditEvent) bool {
	in := func(list *[]graphql.ID, v ...string) bool {
		return list == nil || slices.ContainsFunc(*list, func(id graphql.ID) bool {
			return slices.ContainsFunc(v, func(v string) bool { return strings.EqualFold(string(id), v) })
		})
	}
	inEnum := func(list *[]string, v string) bool { return list == nil || slices.Contains(*list, v) }
	var actorIDs []string
	actorType := ""
	if e.actor != nil {
		actorIDs, actorType = ids.spellings(TypeUser, e.actor.uuid), "USER"
	}
	return in(a.Actor, actorIDs...) && inEnum(a.ActorType, actorType) && inEnum(a.Type, e.typ) &&
		inEnum(a.SubjectType, "API_ACCESS_TOKEN") && in(a.SubjectUUID, e.subjectUUID) &&
		in(a.Subject, ids.spellings(TypeAPIAccessToken, e.subjectUUID)...) &&
		(a.OccurredAtFrom == nil || !e.occurredAt.Before(a.OccurredAtFrom.Time)) &&
		(a.OccurredAtTo == nil || !e.occurredAt.After(a.OccurredAtTo.Time))
}

// AuditEvents serves the organization's audit log, newest first
// (RECENTLY_OCCURRED is the only order), to administrators of organizations
// whose plan includes it.
func (o *orgResolver) AuditEvents(ctx context.Context, args auditEventsArgs) (*auditEventConnection, error) {
	c := callerFrom(ctx)
	if c == nil {
		return nil, errNoCaller
	}
	if err := checkPageArgs("auditEvents", args.First, args.Last, o.s.opts.MaxPageSize, true); err != nil {
		return nil, err
	}
	st := o.s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	org := st.orgByUUID(o.uuid)
	if e := st.auditRefusal(c, org); e != nil {
		return nil, e
	}
	var list []*auditEvent
	for _, e := range st.paid.events {
		if e.orgUUID == org.uuid && args.matches(o.s.ids, e) {
			list = append(list, e)
		}
	}
	slices.SortFunc(list, func(a, b *auditEvent) int {
		if c := b.occurredAt.Compare(a.occurredAt); c != 0 {
			return c
		}
		return b.seq - a.seq
	})
	// Cursors name an event, so a page boundary stays put when newer
	// events arrive while a client pages.
	position := func(cursor string) (int, error) {
		seq, err := decodeCursor(cursor)
		if err != nil {
			return 0, err
		}
		i := slices.IndexFunc(list, func(e *auditEvent) bool { return e.seq == seq })
		if i < 0 {
			return 0, newAPIError(ErrInvalidCursor, cursor)
		}
		return i, nil
	}
	from, to := 0, len(list)
	repeated := false
	if args.After != nil {
		i, err := position(*args.After)
		if err != nil {
			return nil, err
		}
		from = i + 1
		if o.s.opts.RepeatAcrossPages || o.s.opts.RepeatChanged {
			// The page starts again with the event its cursor names.
			from, repeated = i, true
		}
	}
	if args.Before != nil {
		i, err := position(*args.Before)
		if err != nil {
			return nil, err
		}
		to = min(to, i)
	}
	from = min(from, to)
	if args.First != nil && int(*args.First) < to-from {
		to = from + int(*args.First)
	}
	if args.Last != nil && int(*args.Last) < to-from {
		from = to - int(*args.Last)
	}
	conn := &auditEventConnection{
		count:    int32(min(len(list), math.MaxInt32)),
		pageInfo: &pageInfo{hasPreviousPage: from > 0, hasNextPage: to < len(list)},
	}
	if from < to {
		conn.pageInfo.startCursor = strPtr(encodeCursor(list[from].seq))
		conn.pageInfo.endCursor = strPtr(encodeCursor(list[to-1].seq))
	}
	for _, e := range list[from:to] {
		conn.edges = append(conn.edges, &auditEventEdge{cursor: encodeCursor(e.seq), node: &auditEventResolver{e: *e, ids: o.s.ids}})
	}
	if repeated && from < to && o.s.opts.RepeatChanged {
		// The token was described anew since the page before.
		conn.edges[0].node.e.subjectName += " (renamed)"
	}
	o.s.holeAudit(conn, args)
	return conn, nil
}

type auditEventConnection struct {
	count     int32
	edges     []*auditEventEdge
	nullEdges bool // answer edges with null: see ListingHole
	pageInfo  *pageInfo
}

func (c *auditEventConnection) Count() int32 { return c.count }
func (c *auditEventConnection) Edges() *[]*auditEventEdge {
	if c.nullEdges {
		return nil
	}
	return &c.edges
}
func (c *auditEventConnection) PageInfo() *pageInfo               { return c.pageInfo }
func (e *auditEventEdge) Cursor() string                          { return e.cursor }
func (e *auditEventEdge) Node() *auditEventResolver               { return e.node }
func (n *nodeResolver) ToAuditEvent() (*auditEventResolver, bool) { return nil, false }

type auditEventEdge struct {
	cursor string
	node   *auditEventResolver
}

// auditEventResolver is a copy of the event, taken under the store's lock,
// and the server's way of spelling ids.
type auditEventResolver struct {
	e         auditEvent
	ids       *idCodec
	noSubject bool // answer subject with null: see ListingHole
}

func (r *auditEventResolver) uuid() string {
	return fmt.Sprintf("f0000000-0000-4000-8000-%012d", r.e.seq)
}

func (r *auditEventResolver) ID() graphql.ID       { return graphql.ID(r.ids.id(TypeAuditEvent, r.uuid())) }
func (r *auditEventResolver) UUID() graphql.ID     { return graphql.ID(r.uuid()) }
func (r *auditEventResolver) Type() string         { return r.e.typ }
func (r *auditEventResolver) OccurredAt() dateTime { return dateTime{r.e.occurredAt} }

func (r *auditEventResolver) Actor() *auditActorResolver {
	if r.e.actor == nil {
		return nil
	}
	return &auditActorResolver{uuid: r.e.actor.uuid, name: r.e.actor.name, ids: r.ids}
}

func (r *auditEventResolver) Subject() *auditSubjectResolver {
	if r.noSubject {
		return nil
	}
	return &auditSubjectResolver{uuid: r.e.subjectUUID, name: r.e.subjectName, ids: r.ids}
}

func (r *auditEventResolver) Context() *auditContextResolver {
	if r.e.context.kind == "" {
		return nil
	}
	return &auditContextResolver{r.e.context}
}

type auditActorResolver struct {
	uuid, name string
	ids        *idCodec
}

func (a *auditActorResolver) ID() graphql.ID   { return graphql.ID(a.ids.id(TypeUser, a.uuid)) }
func (a *auditActorResolver) UUID() graphql.ID { return graphql.ID(a.uuid) }
func (a *auditActorResolver) Name() *string    { return strPtr(a.name) }
func (a *auditActorResolver) Type() *string    { t := "USER"; return &t }

type auditSubjectResolver struct {
	uuid, name string
	ids        *idCodec
}

func (s *auditSubjectResolver) ID() graphql.ID {
	return graphql.ID(s.ids.id(TypeAPIAccessToken, s.uuid))
}
func (s *auditSubjectResolver) UUID() graphql.ID { return graphql.ID(s.uuid) }
func (s *auditSubjectResolver) Name() *string    { return strPtr(s.name) }
func (s *auditSubjectResolver) Type() *string    { t := "API_ACCESS_TOKEN"; return &t }

// auditContextResolver is the AuditContext union.
type auditContextResolver struct{ c auditContext }

func (u *auditContextResolver) ToAuditAPIContext() (*auditAPIContextResolver, bool) {
	return &auditAPIContextResolver{u.c}, u.c.kind == contextAPI
}

func (u *auditContextResolver) ToAuditWebContext() (*auditWebContextResolver, bool) {
	return &auditWebContextResolver{u.c}, u.c.kind == contextWeb
}

func (u *auditContextResolver) ToAuditAgentAPIContext() (*auditAgentAPIContextResolver, bool) {
	return nil, false // agents do not change API access tokens
}

type auditAPIContextResolver struct{ c auditContext }

func (a *auditAPIContextResolver) RequestApiAccessTokenUuid() *string { return strPtr(a.c.tokenUUID) }
func (a *auditAPIContextResolver) RequestIpAddress() *string          { return strPtr(a.c.ip) }
func (a *auditAPIContextResolver) RequestUserAgent() *string          { return strPtr(a.c.agent) }

type auditWebContextResolver struct{ c auditContext }

func (w *auditWebContextResolver) RequestIpAddress() *string { return strPtr(w.c.ip) }
func (w *auditWebContextResolver) RequestUserAgent() *string { return strPtr(w.c.agent) }

type auditAgentAPIContextResolver struct{}

func (*auditAgentAPIContextResolver) AgentUuid() *string        { return nil }
func (*auditAgentAPIContextResolver) RequestIpAddress() *string { return nil }

// The inactive-token policy mutation.

type revokeInactiveInput struct {
	ClientMutationId          *string
	OrganizationId            graphql.ID
	RevokeInactiveTokensAfter string
}

type revokeInactivePayload struct {
	clientMutationID *string
	org              *orgResolver
}

func (p *revokeInactivePayload) ClientMutationId() *string  { return p.clientMutationID }
func (p *revokeInactivePayload) Organization() *orgResolver { return p.org }

// OrganizationRevokeInactiveTokensAfterUpdate sets the organization's
// automatic revocation period, for administrators whose plan includes it.
func (r *rootResolver) OrganizationRevokeInactiveTokensAfterUpdate(ctx context.Context, args struct{ Input revokeInactiveInput }) (*revokeInactivePayload, error) {
	c := callerFrom(ctx)
	if c == nil {
		return nil, errNoCaller
	}
	in := args.Input
	typ, orgUUID, ok := r.s.ids.parse(string(in.OrganizationId))
	st := r.s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	var o *organization
	if ok && typ == TypeOrganization {
		o = st.orgByUUID(orgUUID)
	}
	if o == nil || o.roles[c.userUUID] == "" {
		return nil, newAPIError(ErrOrgNotFound, in.OrganizationId)
	}
	if err := o.refuseAddress(c, ErrIPNotAllowed); err != nil {
		return nil, err
	}
	if o.roles[c.userUUID] != RoleAdmin {
		return nil, newAPIError(ErrSettingsNotAdmin, o.slug)
	}
	if !st.paid.has(o, FeatureInactivityPolicy) {
		return nil, newAPIError(ErrInactivityNotOnPlan, o.slug)
	}
	o.revokeInactiveTokensAfter = in.RevokeInactiveTokensAfter
	return &revokeInactivePayload{clientMutationID: in.ClientMutationId, org: newOrgResolver(r.s, o)}, nil
}
