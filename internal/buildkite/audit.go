package buildkite

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite/gql"
	"github.com/tokenctl/tokenctl/internal/ident"
)

// AuditEvent is one entry of an organization's audit log.
type AuditEvent struct {
	UUID       string
	Type       string // an AuditEventType value, such as API_ACCESS_TOKEN_DELETED
	OccurredAt time.Time
	Actor      *AuditActor // nil when Buildkite names none
	Subject    *AuditSubject
	Context    AuditContext
}

// AuditActor is who caused an event.
type AuditActor struct {
	ID   string `json:"id"`
	UUID string `json:"uuid"`
	Name string `json:"name"`
	Type string `json:"type"` // USER, AGENT, API_APPLICATION, or empty
}

// AuditSubject is what an event happened to: for token events, the token
// (its GraphQL id and uuid, and its description as Name when Buildkite
// knows it).
type AuditSubject struct {
	ID   string `json:"id"`
	UUID string `json:"uuid"`
	Name string `json:"name"`
	Type string `json:"type"`
}

// Kinds of request an audit event can come from.
const (
	AuditContextAPI   = "api"   // a REST or GraphQL request, made with a token
	AuditContextWeb   = "web"   // Buildkite's web UI
	AuditContextAgent = "agent" // an agent's API request
)

// AuditContext is the request that caused an event.
type AuditContext struct {
	Kind      string `json:"kind"`                // one of the AuditContext* kinds, or empty when unknown
	TokenUUID string `json:"tokenUuid,omitempty"` // api: the token that made the request
	IPAddress string `json:"ipAddress,omitempty"`
	UserAgent string `json:"userAgent,omitempty"`
}

// AuditFilter narrows Organization.auditEvents on the server. Empty
// fields do not filter.
type AuditFilter struct {
	Types        []string
	SubjectTypes []string
	SubjectUUIDs []string
	Actors       []string // actor GraphQL ids
	From, To     *time.Time
}

// AuditPage is one page of audit events, newest first.
type AuditPage struct {
	Organization Organization
	Events       []AuditEvent
	// Total is how many events match the filter, as Buildkite counts them.
	Total       int
	HasNextPage bool
}

// ListAuditEvents pages the organization's audit log, newest first, with
// the filter applied by Buildkite. visit returns false to stop early.
//
// The audit log is a paid feature and needs its own permission: when
// Organization.permissions.auditEventsView says no, or the log does not
// come back, the error is KindForbidden and says why in one sentence.
//
// The listing is handed over whole or fails, as the tokens' and members'
// are (see incompleteListing): a page with a null where the schema allows
// one (its pageInfo, its edges, an edge or an edge's node) fails it, since
// an event left out could be the one a reconciliation looks for. An event
// listed twice is handed over once when both copies say the same, and
// fails the listing when they differ. Paging is bounded: every page but
// the last brings an event not seen before, and no more events are handed
// over than Buildkite counts, so a server that keeps saying "more" cannot
// keep the listing going for ever.
func (c *Client) ListAuditEvents(ctx context.Context, slug string, filter AuditFilter, visit func(AuditPage) bool) (Organization, error) {
	what := fmt.Sprintf("reading the audit log of organization %q", slug)
	var found Organization
	seen := newCopies()
	listed, counted := 0, 0
	err := pageThrough(what, func(after *string) (string, bool, error) {
		page, cursor, err := c.auditPage(ctx, slug, filter, after, what)
		if err != nil {
			return "", false, err
		}
		fresh := page.Events[:0]
		for _, e := range page.Events {
			first, conflict := seen.first(e.UUID, seen.auditDigest(&e))
			if conflict {
				return "", false, conflictingCopies(what, "audit event", e.UUID)
			}
			if first {
				fresh = append(fresh, e)
			}
		}
		page.Events = fresh
		listed, counted = listed+len(fresh), max(counted, page.Total)
		switch {
		case listed > counted:
			return "", false, incompleteListing(what, fmt.Sprintf("Buildkite handed out %d audit events but counts %d, so where the listing ends cannot be told", listed, counted))
		case len(fresh) == 0 && page.HasNextPage:
			return "", false, nothingNew(what, "audit event")
		}
		found = page.Organization
		return cursor, visit(page) && page.HasNextPage, nil
	})
	return found, err
}

func (c *Client) auditPage(ctx context.Context, slug string, f AuditFilter, after *string, what string) (AuditPage, string, error) {
	types := make([]gql.AuditEventType, len(f.Types))
	for i, t := range f.Types {
		types[i] = gql.AuditEventType(t)
	}
	subjectTypes := make([]gql.AuditSubjectType, len(f.SubjectTypes))
	for i, t := range f.SubjectTypes {
		subjectTypes[i] = gql.AuditSubjectType(t)
	}
	resp, err := gql.OrganizationAuditEvents(ctx, c.gql, slug, c.cfg.PageSize, after, types, subjectTypes, f.SubjectUUIDs, f.Actors, f.From, f.To)
	// A refusal comes as an error beside partial data: the permission in
	// that data says why, in Buildkite's words, better than the error.
	var o *gql.OrganizationAuditEventsOrganization
	if resp != nil {
		o = resp.Organization
	}
	if o != nil {
		if p := o.Permissions.AuditEventsView; p != nil && !p.Allowed {
			return AuditPage{}, "", auditUnavailable(slug, p)
		}
	}
	if err != nil {
		return AuditPage{}, "", callError(ctx, err, what, false)
	}
	if o == nil {
		return AuditPage{}, "", orgNotFound(ident.Org{Slug: slug})
	}
	found, err := orgOrMissing(o.OrganizationFields, what)
	if err != nil {
		return AuditPage{}, "", err
	}
	conn := o.AuditEvents
	if conn == nil {
		return AuditPage{}, "", &Error{Kind: KindForbidden, Message: fmt.Sprintf("the audit log of organization %s is not available: Buildkite did not return it", slug)}
	}
	switch {
	case conn.PageInfo == nil:
		return AuditPage{}, "", noPageInfo(what, "audit event")
	case conn.PageInfo.HasNextPage == nil:
		return AuditPage{}, "", noHasNextPage(what, "audit event")
	case conn.Edges == nil:
		return AuditPage{}, "", withheld(what, "audit event", true)
	}
	page := AuditPage{Organization: found, Total: conn.Count, HasNextPage: *conn.PageInfo.HasNextPage, Events: make([]AuditEvent, 0, len(conn.Edges))}
	for _, e := range conn.Edges {
		switch {
		case e == nil || e.Node == nil:
			return AuditPage{}, "", incompleteListing(what, "Buildkite's answer has a null in place of an audit event (its edge or node), so the listing is incomplete")
		case e.Node.Uuid == "":
			return AuditPage{}, "", missingID(what, "an audit event")
		}
		page.Events = append(page.Events, fromAuditEventFields(*e.Node))
	}
	cursor := ""
	if conn.PageInfo.EndCursor != nil {
		cursor = *conn.PageInfo.EndCursor
	}
	return page, cursor, nil
}

// auditUnavailable says in one line why the audit log cannot be read.
func auditUnavailable(slug string, p *gql.OrganizationAuditEventsOrganizationPermissionsAuditEventsViewPermission) error {
	why := "your API token's user may not view it"
	if p.Message != nil && *p.Message != "" {
		why = *p.Message
	} else if p.Code != nil && *p.Code != "" {
		why = *p.Code
	}
	return &Error{Kind: KindForbidden, Message: fmt.Sprintf(
		"the audit log of organization %s is not available: %s (it is a paid Buildkite feature and needs an administrator)", slug, why)}
}

func fromAuditEventFields(f gql.AuditEventFields) AuditEvent {
	e := AuditEvent{UUID: f.Uuid, Type: string(f.Type), OccurredAt: f.OccurredAt}
	if a := f.Actor; a != nil {
		e.Actor = &AuditActor{ID: a.Id, UUID: a.Uuid, Name: deref(a.Name)}
		if a.Type != nil {
			e.Actor.Type = string(*a.Type)
		}
	}
	if s := f.Subject; s != nil {
		e.Subject = &AuditSubject{ID: s.Id, UUID: s.Uuid, Name: deref(s.Name)}
		if s.Type != nil {
			e.Subject.Type = string(*s.Type)
		}
	}
	if f.Context != nil {
		switch c := (*f.Context).(type) {
		case *gql.AuditEventFieldsContextAuditAPIContext:
			e.Context = AuditContext{Kind: AuditContextAPI, TokenUUID: deref(c.RequestApiAccessTokenUuid), IPAddress: deref(c.RequestIpAddress), UserAgent: deref(c.RequestUserAgent)}
		case *gql.AuditEventFieldsContextAuditWebContext:
			e.Context = AuditContext{Kind: AuditContextWeb, IPAddress: deref(c.RequestIpAddress), UserAgent: deref(c.RequestUserAgent)}
		case *gql.AuditEventFieldsContextAuditAgentAPIContext:
			e.Context = AuditContext{Kind: AuditContextAgent, IPAddress: deref(c.RequestIpAddress)}
		}
	}
	return e
}

// auditDigest is a digest of everything a listing says about an audit
// event.
func (c *copies) auditDigest(e *AuditEvent) uint64 {
	var d digester
	d.h.SetSeed(c.seed)
	d.string(e.UUID)
	d.string(e.Type)
	d.time(&e.OccurredAt)
	d.bool(e.Actor != nil)
	if a := e.Actor; a != nil {
		d.string(a.ID)
		d.string(a.UUID)
		d.string(a.Name)
		d.string(a.Type)
	}
	d.bool(e.Subject != nil)
	if s := e.Subject; s != nil {
		d.string(s.ID)
		d.string(s.UUID)
		d.string(s.Name)
		d.string(s.Type)
	}
	x := e.Context
	d.string(x.Kind)
	d.string(x.TokenUUID)
	d.string(x.IPAddress)
	d.string(x.UserAgent)
	return d.h.Sum64()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// UpdateRevokeInactiveTokensAfter sets the organization's automatic
// inactive-token revocation period (a paid feature) and returns the
// organization and the period now in force. Setting a period is
// idempotent, so the transport may retry it like a query.
//
// Buildkite answers a refusal (a plan without the feature, a caller who is
// not an administrator) as a GraphQL error on the mutation's field. One
// typed as forbidden, or of a type tokenctl does not know, is
// KindForbidden: the mutation was well-formed, so the organization or the
// caller may not do it. Buildkite's own words come along.
func (c *Client) UpdateRevokeInactiveTokensAfter(ctx context.Context, org Organization, period, clientMutationID string) (string, error) {
	what := fmt.Sprintf("changing the inactive-token policy of organization %s", org.Slug)
	resp, err := gql.UpdateRevokeInactiveTokensAfter(ctx, c.gql, org.ID, gql.RevokeInactiveTokenPeriod(period), clientMutationID)
	if err != nil {
		err = callError(ctx, err, what, false)
		var errs graphQLErrors
		refused := KindOf(err) == KindForbidden ||
			(KindOf(err) == KindOther && errors.As(err, &errs) && len(errs) > 0 && onField(errs[0], policyMutationField))
		if refused {
			return "", &Error{Kind: KindForbidden, Message: fmt.Sprintf("Buildkite refused %s: %s (the organization's plan may not include the feature, or you are not an administrator)", what, trimWhat(err, what)), Err: err}
		}
		return "", err
	}
	p := resp.OrganizationRevokeInactiveTokensAfterUpdate
	if p == nil || p.Organization == nil {
		return "", &Error{Kind: KindInvalid, Message: what + ": Buildkite's answer does not say which period is now in force"}
	}
	if p.Organization.RevokeInactiveTokensAfter == nil {
		return "", nil
	}
	return string(*p.Organization.RevokeInactiveTokensAfter), nil
}

// policyMutationField is the policy mutation's top-level field.
const policyMutationField = "organizationRevokeInactiveTokensAfterUpdate"

// trimWhat is an error's message without the "what: " it starts with.
func trimWhat(err error, what string) string {
	msg := err.Error()
	if len(msg) > len(what)+2 && msg[:len(what)+2] == what+": " {
		return msg[len(what)+2:]
	}
	return msg
}
