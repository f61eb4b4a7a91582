package cmdutil

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/history"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/output"
)

// AddWindowFlags registers --since and --until.
func AddWindowFlags(fl *pflag.FlagSet, since, until *string, defaultSince string) {
	fl.StringVar(since, "since", defaultSince, "only events from `WHEN`: a span back from now (7d, 12h) or a date (YYYY-MM-DD, RFC 3339)")
	fl.StringVar(until, "until", "", "only events up to `WHEN`: a span back from now or a date")
}

// ParseWindow reads --since and --until.
func ParseWindow(sinceArg, untilArg string, now time.Time) (since, until *time.Time, err error) {
	for _, w := range []struct {
		flag, arg string
		into      **time.Time
	}{{"--since", sinceArg, &since}, {"--until", untilArg, &until}} {
		if w.arg == "" {
			continue
		}
		t, err := history.ParseTime(w.arg, now)
		if err != nil {
			return nil, nil, exitcode.New(exitcode.Usage, fmt.Errorf("%s: %w", w.flag, err))
		}
		t = t.UTC()
		*w.into = &t
	}
	if since != nil && until != nil && until.Before(*since) {
		return nil, nil, exitcode.New(exitcode.Usage, errors.New("--until is before --since: no event can match"))
	}
	return since, until, nil
}

// ParseTokenUUIDs reads --token values, which the audit log filters by
// uuid only: a GraphQL id or a secret value is refused.
func ParseTokenUUIDs(args []string) ([]string, error) {
	var out []string
	for _, arg := range args {
		t, err := ident.ParseToken(arg)
		if err != nil {
			return nil, exitcode.New(exitcode.Usage, err)
		}
		if t.UUID == "" {
			return nil, exitcode.New(exitcode.Usage, errors.New("--token: the audit log is searched by token uuid (as in the web UI or `tokenctl tokens list`), not by GraphQL id"))
		}
		if !slices.Contains(out, t.UUID) {
			out = append(out, t.UUID)
		}
	}
	return out, nil
}

// eventName is an event type as a table shows it.
func eventName(typ string) string {
	switch typ {
	case history.TokenCreated:
		return "created"
	case history.TokenUpdated:
		return "updated"
	case history.TokenDeleted:
		return "deleted"
	case history.TokenOrgRevoked:
		return "org-access-revoked"
	case history.UserTokenOrgAdded:
		return "org-access-added"
	case history.UserTokenOrgRemove:
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

// EventRows is the table of audit-log events, for history and tokens activity.
func EventRows(style output.TableStyle, events []history.EventDoc, wide bool) output.Rows {
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
