// Package history answers "what happened to this token, and who did it"
// from Buildkite's audit log: it reads an organization's token events
// through the API client, holds tokenctl's own audit log against them,
// and finds what a leaked token did. It lays its events out as a table's
// rows (for history and tokens activity alike) but neither prints nor
// prompts; the commands do that.
package history

import (
	"context"
	"fmt"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
)

// Token event types of Buildkite's audit log (AuditEventType values).
const (
	TokenCreated       = "API_ACCESS_TOKEN_CREATED"
	TokenUpdated       = "API_ACCESS_TOKEN_UPDATED"
	TokenDeleted       = "API_ACCESS_TOKEN_DELETED"
	TokenOrgRevoked    = "API_ACCESS_TOKEN_ORGANIZATION_ACCESS_REVOKED"
	UserTokenOrgAdded  = "USER_API_ACCESS_TOKEN_ORGANIZATION_ACCESS_ADDED"
	UserTokenOrgRemove = "USER_API_ACCESS_TOKEN_ORGANIZATION_ACCESS_REMOVED"
)

// TokenEventTypes are the event types about API access tokens, in the
// order help texts list them.
var TokenEventTypes = []string{TokenCreated, TokenUpdated, TokenDeleted, TokenOrgRevoked, UserTokenOrgAdded, UserTokenOrgRemove}

// SubjectAPIAccessToken is the AuditSubjectType of token events.
const SubjectAPIAccessToken = "API_ACCESS_TOKEN"

// AuditLog is the part of the API client this package reads.
type AuditLog interface {
	ListAuditEvents(ctx context.Context, slug string, filter buildkite.AuditFilter, visit func(buildkite.AuditPage) bool) (buildkite.Organization, error)
}

// Query selects token events; Buildkite applies every filter.
type Query struct {
	Org    string   // organization slug
	Tokens []string // token uuids; empty: every token
	Actors []string // actor GraphQL ids; empty: anyone
	Types  []string // event types; empty: TokenEventTypes
	Since  *time.Time
	Until  *time.Time
	// Limit stops after this many events; 0 reads them all.
	Limit int
}

func (q Query) filter() buildkite.AuditFilter {
	types := q.Types
	if len(types) == 0 {
		types = TokenEventTypes
	}
	return buildkite.AuditFilter{
		Types: types, SubjectTypes: []string{SubjectAPIAccessToken},
		SubjectUUIDs: q.Tokens, Actors: q.Actors, From: q.Since, To: q.Until,
	}
}

// Events is what a query read.
type Events struct {
	Organization buildkite.Organization
	Events       []buildkite.AuditEvent // newest first
	// Total is how many events match on the server; Truncated is true when
	// Limit stopped the read before all of them.
	Total     int
	Truncated bool
}

// Read pages the audit log for q, newest first. Every event it reads is
// about a token, and says which: an event whose subject Buildkite left
// null (the schema allows it) fails the read, since a history would show
// it about no token and a reconciliation would report a revocation it
// records as missing.
func Read(ctx context.Context, log AuditLog, q Query) (Events, error) {
	var out Events
	var unnamed error
	org, err := log.ListAuditEvents(ctx, q.Org, q.filter(), func(p buildkite.AuditPage) bool {
		out.Total = p.Total
		for _, e := range p.Events {
			if q.Limit > 0 && len(out.Events) >= q.Limit {
				out.Truncated = true
				return false
			}
			if e.Subject == nil {
				unnamed = withoutSubject(q.Org, e)
				return false
			}
			out.Events = append(out.Events, e)
		}
		if q.Limit > 0 && len(out.Events) >= q.Limit && p.HasNextPage {
			out.Truncated = true
			return false
		}
		return true
	})
	if err == nil {
		err = unnamed
	}
	out.Organization = org
	return out, err
}

// withoutSubject is the error for a token event that does not say which
// token it is about.
func withoutSubject(org string, e buildkite.AuditEvent) error {
	return &buildkite.Error{Kind: buildkite.KindOther, Message: fmt.Sprintf(
		"reading the audit log of organization %q: Buildkite's answer has audit event %s (%s) without its subject, so which token it is about cannot be told; nothing is judged or reconciled on part of the log: run it again",
		org, e.UUID, e.Type)}
}

// ActivityQuery asks what one token did in a window.
type ActivityQuery struct {
	Org       string
	TokenUUID string
	Since     *time.Time
	Until     *time.Time
	// MaxEvents bounds how many events are read (the cost): Buildkite
	// cannot filter on the request's token, so every event in the window
	// is read and filtered here.
	MaxEvents int
}

// Activity is the audited requests one token made.
type Activity struct {
	Organization buildkite.Organization
	Events       []buildkite.AuditEvent // made with the token, newest first
	// Unattributed are the events read that do not say which token's
	// request made them (see Unattributed): the token may have made them,
	// so they are neither its activity nor left out as not its.
	Unattributed []buildkite.AuditEvent
	// Read is how many events were read to find them, Pages how many
	// requests that took; Truncated is true when MaxEvents stopped the
	// read before the window's end.
	Read      int
	Pages     int
	Truncated bool
}

// TokenActivity pages every event of the window and keeps those whose API
// context names the token, and apart those that name no token's request.
func TokenActivity(ctx context.Context, log AuditLog, q ActivityQuery) (Activity, error) {
	var out Activity
	filter := buildkite.AuditFilter{From: q.Since, To: q.Until}
	org, err := log.ListAuditEvents(ctx, q.Org, filter, func(p buildkite.AuditPage) bool {
		out.Pages++
		for _, e := range p.Events {
			if q.MaxEvents > 0 && out.Read >= q.MaxEvents {
				out.Truncated = true
				return false
			}
			out.Read++
			switch {
			case MadeWith(e, q.TokenUUID):
				out.Events = append(out.Events, e)
			case Unattributed(e):
				out.Unattributed = append(out.Unattributed, e)
			}
		}
		if q.MaxEvents > 0 && out.Read >= q.MaxEvents && p.HasNextPage {
			out.Truncated = true
			return false
		}
		return true
	})
	out.Organization = org
	return out, err
}

// MadeWith reports whether an event came from an API request made with the
// token.
func MadeWith(e buildkite.AuditEvent, tokenUUID string) bool {
	return e.Context.Kind == buildkite.AuditContextAPI && equalUUID(e.Context.TokenUUID, tokenUUID)
}

// Unattributed reports whether an event does not say which token's request
// made it: Buildkite gave it no context (the schema allows null), one of a
// kind tokenctl does not know, or an API request's context without the
// token. Such an event may have been made with any token.
func Unattributed(e buildkite.AuditEvent) bool {
	return e.Context.Kind == "" || (e.Context.Kind == buildkite.AuditContextAPI && e.Context.TokenUUID == "")
}
