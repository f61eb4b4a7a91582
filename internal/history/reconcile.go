package history

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/redact"
)

// Actions tokenctl records in its audit log (audit.Record.Action) that
// change a token.
const (
	ActionOrgRevoke = "organizationApiAccessTokenRevoke"
	ActionDelete    = "accessTokenDelete"
)

// maxAuditLine bounds one line of an audit log; records are a few hundred
// bytes.
const maxAuditLine = 1 << 20

// Results of outcome records a reconciliation reads.
const (
	ResultRevoked = "revoked"
	// ResultUnknown is a change whose answer was lost and could not be
	// settled: it may or may not have applied.
	ResultUnknown = "unknown"
)

// LocalChange is a change tokenctl's own audit log says it made (an
// outcome record with result "revoked") or may have made (result
// "unknown").
type LocalChange struct {
	Line   int          `json:"line"`
	Record audit.Record `json:"record"`
}

// Unsettled reports whether tokenctl does not know the change applied.
func (c LocalChange) Unsettled() bool { return c.Record.Result == ResultUnknown }

// ReadLocalChanges reads tokenctl's audit log (JSON Lines) and returns the
// changes it made, in file order. source names the file in errors, which
// name the line at fault.
func ReadLocalChanges(r io.Reader, source string) ([]LocalChange, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxAuditLine)
	var out []LocalChange
	line := 0
	for sc.Scan() {
		line++
		// Whatever the file holds reaches the reconciliation's reports
		// and hints: anything shaped like a token value is redacted
		// before the line is read (the placeholder keeps JSON valid).
		text := redact.Secrets(strings.TrimSpace(sc.Text()))
		if text == "" {
			continue
		}
		var rec audit.Record
		if err := json.Unmarshal([]byte(text), &rec); err != nil || rec.Event == "" || rec.Action == "" {
			return nil, fmt.Errorf("%s: line %d is not a tokenctl audit record (written with --audit-log); give the file tokenctl wrote", source, line)
		}
		if rec.Event != audit.EventOutcome || (rec.Result != ResultRevoked && rec.Result != ResultUnknown) {
			continue
		}
		if rec.Action != ActionOrgRevoke && rec.Action != ActionDelete {
			continue
		}
		out = append(out, LocalChange{Line: line, Record: rec})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return out, nil
}

// InOrganization keeps the changes that concern org: its revocations, and
// every deletion (a deleted token leaves an event in each organization it
// could access, which the local record does not name).
func InOrganization(changes []LocalChange, org buildkite.Organization) []LocalChange {
	var out []LocalChange
	for _, c := range changes {
		o := c.Record.Organization
		if c.Record.Action == ActionDelete || (o.ID != "" && o.ID == org.ID) || (o.ID == "" && o.Slug != "" && o.Slug == org.Slug) {
			out = append(out, c)
		}
	}
	return out
}

// Earliest is the time of the oldest change, zero when there is none.
func Earliest(changes []LocalChange) time.Time {
	var t time.Time
	for _, c := range changes {
		if t.IsZero() || c.Record.Time.Before(t) {
			t = c.Record.Time
		}
	}
	return t
}

// Confirmed pairs a local change with the event that records it.
type Confirmed struct {
	Local LocalChange          `json:"local"`
	Event buildkite.AuditEvent `json:"event"`
}

// Reconciliation holds tokenctl's audit log against Buildkite's.
type Reconciliation struct {
	// Confirmed: local changes Buildkite recorded.
	Confirmed []Confirmed
	// Missing: local revocations Buildkite has no event for.
	Missing []LocalChange
	// Unconfirmed: local deletions without an event in this organization
	// (the token may never have had access to it), and changes whose
	// outcome tokenctl did not know and Buildkite has no event for (they
	// most likely did not apply): not discrepancies.
	Unconfirmed []LocalChange
	// Elsewhere: revocations and deletions in Buildkite's log that
	// tokenctl's log does not hold: made by someone or something else.
	Elsewhere []buildkite.AuditEvent
}

// ChangeTypes are the event types a reconciliation reads.
var ChangeTypes = []string{TokenOrgRevoked, UserTokenOrgRemove, TokenDeleted}

// matchingTypes are the event types that record a local action.
func matchingTypes(action string) []string {
	if action == ActionDelete {
		return []string{TokenDeleted}
	}
	return []string{TokenOrgRevoked, UserTokenOrgRemove}
}

// Reconcile matches each local change to one event about the same token
// (see SameToken: by uuid, or by GraphQL id for a record without one) of a
// type that records that action, preferring an event made with the token
// tokenctl used. Each event confirms at most one change, and an event that
// confirms one is never also reported as made elsewhere. Changes tokenctl
// knows it made are matched first; a change whose outcome was unknown is
// confirmed when an event is left for it, and unconfirmed otherwise.
func Reconcile(local []LocalChange, events []buildkite.AuditEvent) Reconciliation {
	r := Reconciliation{Confirmed: []Confirmed{}, Missing: []LocalChange{}, Unconfirmed: []LocalChange{}, Elsewhere: []buildkite.AuditEvent{}}
	used := make([]bool, len(events))
	match := func(c LocalChange) int {
		best := -1
		for i, e := range events {
			if used[i] || !SameToken(e, c.Record.Token) || !slices.Contains(matchingTypes(c.Record.Action), e.Type) {
				continue
			}
			if best < 0 || (MadeWith(e, c.Record.Caller.TokenUUID) && !MadeWith(events[best], c.Record.Caller.TokenUUID)) {
				best = i
			}
		}
		if best >= 0 {
			used[best] = true
		}
		return best
	}
	for _, unsettled := range []bool{false, true} {
		for _, c := range local {
			if c.Unsettled() != unsettled {
				continue
			}
			switch best := match(c); {
			case best >= 0:
				r.Confirmed = append(r.Confirmed, Confirmed{Local: c, Event: events[best]})
			case c.Record.Action == ActionDelete || unsettled:
				r.Unconfirmed = append(r.Unconfirmed, c)
			default:
				r.Missing = append(r.Missing, c)
			}
		}
	}
	slices.SortStableFunc(r.Confirmed, func(a, b Confirmed) int { return a.Local.Line - b.Local.Line })
	slices.SortStableFunc(r.Unconfirmed, func(a, b LocalChange) int { return a.Line - b.Line })
	for i, e := range events {
		if !used[i] && slices.Contains(ChangeTypes, e.Type) {
			r.Elsewhere = append(r.Elsewhere, e)
		}
	}
	return r
}

// SameToken reports whether an event's subject is the token a local record
// names: the same uuid or, for a record without one, the same GraphQL id
// (compared exactly, as the server gave both). The uuid decides when the
// record has one: ids are opaque and a server may spell them anew.
func SameToken(e buildkite.AuditEvent, t audit.Token) bool {
	switch {
	case e.Subject == nil:
		return false
	case t.UUID != "":
		return equalUUID(e.Subject.UUID, t.UUID)
	default:
		return t.ID != "" && e.Subject.ID == t.ID
	}
}

func equalUUID(a, b string) bool { return a != "" && strings.EqualFold(a, b) }
