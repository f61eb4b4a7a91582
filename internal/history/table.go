package history

import (
	"fmt"
	"strings"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/output"
)

// eventName is an event type as a table shows it.
func eventName(typ string) string {
	switch typ {
	case TokenCreated:
		return "created"
	case TokenUpdated:
		return "updated"
	case TokenDeleted:
		return "deleted"
	case TokenOrgRevoked:
		return "org-access-revoked"
	case UserTokenOrgAdded:
		return "org-access-added"
	case UserTokenOrgRemove:
		return "org-access-removed"
	}
	return typ
}

// EventVia says where an event's request came from.
func EventVia(c *buildkite.AuditContext) string {
	switch {
	case c == nil:
		return ""
	case c.Kind == buildkite.AuditContextAPI && c.TokenUUID != "":
		return "api, token " + c.TokenUUID
	}
	return c.Kind
}

// EventActor names who acted, and what they are when not a user.
func EventActor(a *buildkite.AuditActor) string {
	if a == nil {
		return ""
	}
	if a.Type == "" || a.Type == "USER" {
		return a.Name
	}
	return fmt.Sprintf("%s (%s)", a.Name, strings.ToLower(a.Type))
}

// EventRows is the table of audit-log events, for history and tokens
// activity.
func EventRows(style output.TableStyle, events []EventDoc, wide bool) output.Rows {
	p := output.NewTablePrinter(style, "WHEN", "EVENT", "TOKEN", "DESCRIPTION", "ACTOR", "VIA", "IP ADDRESS", "USER AGENT")
	if wide {
		p.AddHeader("TYPE", "EVENT UUID", "ACTOR ID")
	}
	for _, e := range events {
		ip, agent := "", ""
		if e.Context != nil {
			ip, agent = e.Context.IPAddress, e.Context.UserAgent
		}
		p.AddTimeField(&e.OccurredAt, "")
		p.AddField(eventName(e.Type))
		p.AddField(e.Token.UUID)
		p.AddField(document.Deref(e.Token.Description), output.Cut)
		p.AddField(EventActor(e.Actor), output.Cut)
		p.AddField(EventVia(e.Context))
		p.AddField(ip)
		p.AddField(agent, output.Cut)
		if wide {
			actorID := ""
			if e.Actor != nil {
				actorID = e.Actor.ID
			}
			p.AddField(e.Type)
			p.AddField(e.UUID)
			p.AddField(actorID)
		}
		p.EndRow()
	}
	return p.Rows()
}
