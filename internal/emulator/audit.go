package emulator

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Paid features an organization's plan may include. Buildkite sells the
// audit log and the inactive-token policy separately from the free plan,
// so fixtures switch them per organization and tests see both answers.
const (
	FeatureAuditLog         = "audit-log"
	FeatureInactivityPolicy = "inactivity-policy"
)

var knownFeatures = []string{FeatureAuditLog, FeatureInactivityPolicy, FeatureAPIIPAllowlist}

// Audit event types the emulator records (AuditEventType values).
const (
	AuditTokenCreated   = "API_ACCESS_TOKEN_CREATED"
	AuditTokenUpdated   = "API_ACCESS_TOKEN_UPDATED"
	AuditTokenDeleted   = "API_ACCESS_TOKEN_DELETED"
	AuditTokenOrgRevoke = "API_ACCESS_TOKEN_ORGANIZATION_ACCESS_REVOKED"
	AuditTokenOrgAdded  = "USER_API_ACCESS_TOKEN_ORGANIZATION_ACCESS_ADDED"
	AuditTokenOrgRemove = "USER_API_ACCESS_TOKEN_ORGANIZATION_ACCESS_REMOVED"
)

// FixtureAuditEvent is one entry of an organization's audit history that the
// fixture starts with, beside the creation events every fixture token gets.
type FixtureAuditEvent struct {
	Organization string `yaml:"organization"` // slug
	Type         string `yaml:"type"`         // an AuditEventType value
	Token        string `yaml:"token"`        // the subject: a token uuid
	Actor        string `yaml:"actor"`        // a user email
	OccurredAt   string `yaml:"occurred-at"`
	// Via is "web" (AuditWebContext), "api" (AuditAPIContext, made with
	// the token ViaToken names by uuid, or naming none without it) or ""
	// (no context).
	Via       string `yaml:"via"`
	ViaToken  string `yaml:"via-token"`
	IPAddress string `yaml:"ip-address"`
	UserAgent string `yaml:"user-agent"`
}

// Audit contexts: which kind of request caused an event.
const (
	contextWeb = "web"
	contextAPI = "api"
)

type auditEvent struct {
	seq         int
	typ         string
	occurredAt  time.Time
	orgUUID     string
	actor       *user
	subjectUUID string
	subjectName string
	context     auditContext
}

type auditContext struct {
	kind      string // contextWeb, contextAPI or "" (none)
	tokenUUID string // contextAPI: the token that made the request
	ip, agent string
}

// paidState is what the paid features keep: which organization has which,
// and the audit trail.
type paidState struct {
	features map[string]map[string]bool // org uuid -> feature -> on
	events   []*auditEvent
}

func (p *paidState) has(o *organization, feature string) bool { return p.features[o.uuid][feature] }

// record appends an event; expects the store's lock held.
func (p *paidState) record(e auditEvent) {
	e.seq = len(p.events) + 1
	p.events = append(p.events, &e)
}

func newPaidState(f *Fixture, s *store, now time.Time) paidState {
	p := paidState{features: map[string]map[string]bool{}}
	for _, fo := range f.Organizations {
		o := s.orgBySlug(fo.Slug)
		p.features[o.uuid] = map[string]bool{}
		for _, name := range fo.Features {
			p.features[o.uuid][name] = true
		}
	}
	byEmail := map[string]*user{}
	for _, u := range s.users {
		byEmail[u.email] = u
	}
	// Every fixture token was created by its owner in the web UI, with
	// access to its organizations from the start.
	for _, t := range s.tokens {
		for _, o := range s.orgs {
			if !t.orgs[o.uuid] {
				continue
			}
			p.record(auditEvent{
				typ: AuditTokenCreated, occurredAt: t.createdAt, orgUUID: o.uuid, actor: t.owner,
				subjectUUID: t.uuid, subjectName: t.description,
				context: auditContext{kind: contextWeb, ip: t.ipAddress, agent: webUserAgent},
			})
		}
	}
	for _, fe := range f.AuditEvents {
		at := now
		if fe.OccurredAt != "" {
			at, _ = resolveTime(fe.OccurredAt, now) // validated
		}
		e := auditEvent{
			typ: fe.Type, occurredAt: at, orgUUID: s.orgBySlug(fe.Organization).uuid,
			actor: byEmail[fe.Actor], subjectUUID: strings.ToLower(fe.Token),
			context: auditContext{kind: fe.Via, tokenUUID: strings.ToLower(fe.ViaToken), ip: fe.IPAddress, agent: fe.UserAgent},
		}
		if t := s.tokenByUUID(fe.Token); t != nil {
			e.subjectName = t.description
		}
		p.record(e)
	}
	return p
}

const webUserAgent = "Mozilla/5.0 (emulated browser)"

// validatePaid checks the fixture's features and audit events.
func (f *Fixture) validatePaid() []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	slugs, emails, tokens := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i, o := range f.Organizations {
		slugs[o.Slug] = true
		for _, name := range o.Features {
			if !slices.Contains(knownFeatures, name) {
				bad("organizations[%d] (%s): unknown feature %q, want one of %s", i, o.Slug, name, strings.Join(knownFeatures, ", "))
			}
		}
	}
	for _, u := range f.Users {
		emails[u.Email] = true
	}
	for _, t := range f.Tokens {
		tokens[strings.ToLower(t.UUID)] = true
	}
	types := enumValues("AuditEventType")
	for i, e := range f.AuditEvents {
		what := fmt.Sprintf("audit-events[%d]", i)
		if !slugs[e.Organization] {
			bad("%s: unknown organization slug %q", what, e.Organization)
		}
		if !slices.Contains(types, e.Type) {
			bad("%s: type %q is not one of %s", what, e.Type, strings.Join(types, ", "))
		}
		if !tokens[strings.ToLower(e.Token)] {
			bad("%s: token %q is not a fixture token uuid", what, e.Token)
		}
		if e.Actor != "" && !emails[e.Actor] {
			bad("%s: actor %q is not a known user email", what, e.Actor)
		}
		switch e.Via {
		case contextWeb, "":
			if e.ViaToken != "" {
				bad("%s: via-token is only for via: api", what)
			}
		case contextAPI:
			// No via-token: an API request's context without the token.
			if e.ViaToken != "" && !tokens[strings.ToLower(e.ViaToken)] {
				bad("%s: via-token %q is not a fixture token uuid", what, e.ViaToken)
			}
		default:
			bad("%s: via %q, want web or api", what, e.Via)
		}
		if e.OccurredAt != "" {
			if _, err := resolveTime(e.OccurredAt, time.Time{}); err != nil {
				bad("%s: occurred-at: %v", what, err)
			}
		}
	}
	return errs
}

// requestInfo is what an audit event's API context records about the
// request that caused it.
type requestInfo struct{ ip, agent string }

type requestInfoKey struct{}

func withRequestInfo(ctx context.Context, r *http.Request, ip string) context.Context {
	return context.WithValue(ctx, requestInfoKey{}, requestInfo{ip: ip, agent: r.UserAgent()})
}

func requestInfoFrom(ctx context.Context) requestInfo {
	ri, _ := ctx.Value(requestInfoKey{}).(requestInfo)
	return ri
}

// apiContext is the audit context of a request made with the caller's
// token.
func apiContext(ctx context.Context, tokenUUID string) auditContext {
	ri := requestInfoFrom(ctx)
	return auditContext{kind: contextAPI, tokenUUID: tokenUUID, ip: ri.ip, agent: ri.agent}
}

// recordOrgRevocation records the mutation organizationApiAccessTokenRevoke.
// Expects st.mu held.
func (st *store) recordOrgRevocation(ctx context.Context, c *caller, o *organization, t *token, at time.Time) {
	st.paid.record(auditEvent{
		typ: AuditTokenOrgRevoke, occurredAt: at, orgUUID: o.uuid, actor: st.users[c.userUUID],
		subjectUUID: t.uuid, subjectName: t.description, context: apiContext(ctx, c.tokenUUID),
	})
}

// recordDeletion records REST DELETE /v2/access-token in every
// organization the token could access. Expects st.mu held.
func (st *store) recordDeletion(r *http.Request, ip string, t *token, at time.Time) {
	ctx := withRequestInfo(r.Context(), r, ip)
	for _, o := range st.orgs {
		if t.orgs[o.uuid] {
			st.paid.record(auditEvent{
				typ: AuditTokenDeleted, occurredAt: at, orgUUID: o.uuid, actor: t.owner,
				subjectUUID: t.uuid, subjectName: t.description, context: apiContext(ctx, t.uuid),
			})
		}
	}
}

// AuditEvents is the number of audit events recorded for an organization,
// for tests that check what was recorded.
func (s *Server) AuditEvents(orgSlug, eventType, subjectUUID string) int {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	o := s.store.orgBySlug(orgSlug)
	n := 0
	for _, e := range s.store.paid.events {
		if o != nil && e.orgUUID == o.uuid && (eventType == "" || e.typ == eventType) && (subjectUUID == "" || e.subjectUUID == subjectUUID) {
			n++
		}
	}
	return n
}
