package history

import (
	"time"

	"github.com/tokenctl/tokenctl/internal/document"

	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/buildkite"
)

// The JSON documents of `tokenctl history` and `tokenctl tokens activity`.
// They are a contract: fields are only ever added, and a field that does
// not apply is null.

// EventDoc is one audit event.
type EventDoc struct {
	UUID       string    `json:"uuid"`
	Type       string    `json:"type"`
	OccurredAt time.Time `json:"occurredAt"`
	// Token is the event's subject: the token's uuid, and its description
	// when Buildkite knows it (null otherwise).
	Token struct {
		UUID        string  `json:"uuid"`
		Description *string `json:"description"`
	} `json:"token"`
	Actor *buildkite.AuditActor `json:"actor"`
	// Context is the request that caused the event: kind "api" (with the
	// token that made it), "web" or "agent"; null when Buildkite gives none.
	Context *buildkite.AuditContext `json:"context"`
}

// NewEventDoc is the document of an event.
func NewEventDoc(e buildkite.AuditEvent) EventDoc {
	d := EventDoc{UUID: e.UUID, Type: e.Type, OccurredAt: e.OccurredAt.UTC(), Actor: e.Actor}
	if e.Subject != nil {
		d.Token.UUID = e.Subject.UUID
		if e.Subject.Name != "" {
			name := e.Subject.Name
			d.Token.Description = &name
		}
	}
	if e.Context.Kind != "" {
		c := e.Context
		d.Context = &c
	}
	return d
}

func eventDocs(events []buildkite.AuditEvent) []EventDoc {
	out := make([]EventDoc, 0, len(events))
	for _, e := range events {
		out = append(out, NewEventDoc(e))
	}
	return out
}

// HistoryDoc is the document of `tokenctl history`.
type HistoryDoc struct {
	Organization document.OrganizationRef `json:"organization"`
	Events       []EventDoc               `json:"events"`
	// Total is how many events match the filters on the server; Truncated
	// is true when --limit stopped before all of them.
	Total     int  `json:"total"`
	Truncated bool `json:"truncated"`
}

// NewHistoryDoc is the document of what a query read.
func NewHistoryDoc(ev Events) HistoryDoc {
	return HistoryDoc{Organization: document.OrganizationRefOf(ev.Organization), Events: eventDocs(ev.Events), Total: ev.Total, Truncated: ev.Truncated}
}

// ActivityDoc is the document of `tokenctl tokens activity`.
type ActivityDoc struct {
	Organization document.OrganizationRef `json:"organization"`
	Token        string                   `json:"token"`
	Since        *time.Time               `json:"since"`
	Until        *time.Time               `json:"until"`
	Events       []EventDoc               `json:"events"`
	// Unattributed: events read that do not say which token made them.
	Unattributed []EventDoc `json:"unattributed"`
	EventsRead   int        `json:"eventsRead"`
	Pages        int        `json:"pages"`
	Truncated    bool       `json:"truncated"`
}

// NewActivityDoc is the document of a token's activity.
func NewActivityDoc(q ActivityQuery, a Activity) ActivityDoc {
	return ActivityDoc{
		Organization: document.OrganizationRefOf(a.Organization), Token: q.TokenUUID, Since: q.Since, Until: q.Until,
		Events: eventDocs(a.Events), Unattributed: eventDocs(a.Unattributed), EventsRead: a.Read, Pages: a.Pages, Truncated: a.Truncated,
	}
}

// LocalDoc is a change from tokenctl's audit log.
type LocalDoc struct {
	Line             int                `json:"line"`
	Time             time.Time          `json:"time"`
	Action           string             `json:"action"`
	Organization     audit.Organization `json:"organization"`
	Token            audit.Token        `json:"token"`
	Caller           audit.Caller       `json:"caller"`
	ClientMutationID *string            `json:"clientMutationId"`
	// Result is the outcome tokenctl recorded: "revoked", or "unknown"
	// when the answer was lost and could not be settled.
	Result string `json:"result"`
}

// TokenRef is how the change names its token for a person: the uuid,
// else the GraphQL id.
func (d LocalDoc) TokenRef() string {
	if d.Token.UUID != "" {
		return d.Token.UUID
	}
	return d.Token.ID
}

func newLocalDoc(c LocalChange) LocalDoc {
	r := c.Record
	d := LocalDoc{Line: c.Line, Time: r.Time.UTC(), Action: r.Action, Organization: r.Organization, Token: r.Token, Caller: r.Caller, Result: r.Result}
	if r.ClientMutationID != "" {
		id := r.ClientMutationID
		d.ClientMutationID = &id
	}
	return d
}

func localDocs(changes []LocalChange) []LocalDoc {
	out := make([]LocalDoc, 0, len(changes))
	for _, c := range changes {
		out = append(out, newLocalDoc(c))
	}
	return out
}

// ConfirmedDoc pairs a local change with Buildkite's event.
type ConfirmedDoc struct {
	Local LocalDoc `json:"local"`
	Event EventDoc `json:"event"`
}

// ReconcileDoc is the document of `tokenctl history --reconcile`.
type ReconcileDoc struct {
	Organization document.OrganizationRef `json:"organization"`
	Since        *time.Time               `json:"since"`
	Confirmed    []ConfirmedDoc           `json:"confirmed"`
	Missing      []LocalDoc               `json:"missing"`
	Unconfirmed  []LocalDoc               `json:"unconfirmed"`
	Elsewhere    []EventDoc               `json:"elsewhere"`
	Summary      struct {
		Confirmed   int `json:"confirmed"`
		Missing     int `json:"missing"`
		Unconfirmed int `json:"unconfirmed"`
		Elsewhere   int `json:"elsewhere"`
	} `json:"summary"`
}

// NewReconcileDoc is the document of a reconciliation.
func NewReconcileDoc(org buildkite.Organization, since *time.Time, r Reconciliation) ReconcileDoc {
	d := ReconcileDoc{Organization: document.OrganizationRefOf(org), Since: since, Confirmed: []ConfirmedDoc{},
		Missing: localDocs(r.Missing), Unconfirmed: localDocs(r.Unconfirmed), Elsewhere: eventDocs(r.Elsewhere)}
	for _, c := range r.Confirmed {
		d.Confirmed = append(d.Confirmed, ConfirmedDoc{Local: newLocalDoc(c.Local), Event: NewEventDoc(c.Event)})
	}
	d.Summary.Confirmed, d.Summary.Missing, d.Summary.Unconfirmed, d.Summary.Elsewhere = len(r.Confirmed), len(r.Missing), len(r.Unconfirmed), len(r.Elsewhere)
	return d
}

// The failure documents: a command's document when it fails before it has
// results. Each has its document's keys, in order: lists are empty, what
// is not known is null.

// HistoryFailure is the document of a `history` that failed.
func HistoryFailure() any {
	return struct {
		Organization *document.OrganizationRef `json:"organization"`
		Events       []EventDoc                `json:"events"`
		Total        *int                      `json:"total"`
		Truncated    *bool                     `json:"truncated"`
	}{Events: []EventDoc{}}
}

// ActivityFailure is the document of a `tokens activity` that failed.
func ActivityFailure() any {
	return struct {
		Organization *document.OrganizationRef `json:"organization"`
		Token        *string                   `json:"token"`
		Since        *time.Time                `json:"since"`
		Until        *time.Time                `json:"until"`
		Events       []EventDoc                `json:"events"`
		Unattributed []EventDoc                `json:"unattributed"`
		EventsRead   *int                      `json:"eventsRead"`
		Pages        *int                      `json:"pages"`
		Truncated    *bool                     `json:"truncated"`
	}{Events: []EventDoc{}, Unattributed: []EventDoc{}}
}

// ReconcileFailure is the document of a `history --reconcile` that failed.
func ReconcileFailure() any {
	return struct {
		Organization *document.OrganizationRef `json:"organization"`
		Since        *time.Time                `json:"since"`
		Confirmed    []ConfirmedDoc            `json:"confirmed"`
		Missing      []LocalDoc                `json:"missing"`
		Unconfirmed  []LocalDoc                `json:"unconfirmed"`
		Elsewhere    []EventDoc                `json:"elsewhere"`
		Summary      *struct{}                 `json:"summary"`
	}{Confirmed: []ConfirmedDoc{}, Missing: []LocalDoc{}, Unconfirmed: []LocalDoc{}, Elsewhere: []EventDoc{}}
}
