// Package audit writes tokenctl's audit trail: JSON Lines appended to a
// file, one record before each mutation (intent) and one after (outcome),
// each synced to disk before the run moves on. It only ever appends, so
// several runs and processes can share one file. It must never record a
// secret value: every free-text field of a record passes through the one
// redaction (redact.Secrets) as the record is written, and the exact value
// of the credential in use, when the caller hands it over (Mask), is taken
// out whatever its shape.
package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/redact"
)

// Event says which side of a mutation a record is.
type Event string

const (
	EventIntent  Event = "intent"
	EventOutcome Event = "outcome"
)

// Caller is the credential and user that acted.
type Caller struct {
	TokenUUID string `json:"tokenUuid"`
	User      string `json:"user,omitempty"`
}

// CallerOf is the caller a record names for the credential tokenctl uses:
// its uuid, and its user as "Name <email>" (document.FormatUser), left out
// when unknown. Every record names its caller this way.
func CallerOf(tok buildkite.AccessToken) Caller {
	return Caller{TokenUUID: tok.UUID, User: document.FormatUser(tok.User.Name, tok.User.Email)}
}

// Organization is the organization acted on.
type Organization struct {
	ID   string `json:"id"`
	Slug string `json:"slug,omitempty"`
}

// Token is the token acted on.
type Token struct {
	ID          string `json:"id,omitempty"`
	UUID        string `json:"uuid,omitempty"`
	Description string `json:"description,omitempty"`
	Owner       string `json:"owner,omitempty"`
}

// Setting is an organization setting changed from one value to another.
type Setting struct {
	Name string `json:"name"`
	From string `json:"from"`
	To   string `json:"to"`
}

// Record is one line of the audit log.
type Record struct {
	Time         time.Time    `json:"time"`
	Event        Event        `json:"event"`
	Action       string       `json:"action"`
	Caller       Caller       `json:"caller"`
	Organization Organization `json:"organization"`
	Token        Token        `json:"token"`
	// Setting is the organization setting a change of policy acted on.
	Setting *Setting `json:"setting,omitempty"`
	// Settings are the organization settings a change of several acted
	// on (settings set).
	Settings         []Setting `json:"settings,omitempty"`
	ClientMutationID string    `json:"clientMutationId,omitempty"`
	Result           string    `json:"result,omitempty"`
	Error            string    `json:"error,omitempty"`
}

// Log is an open audit log. Safe for concurrent use.
type Log struct {
	mu   sync.Mutex
	f    *os.File
	path string
	now  func() time.Time
	// secrets are exact values never to be written, whatever their shape.
	secrets []string
}

// Mask makes the log take secret's exact value out of every record it
// writes, even where its shape is not one redact.Secrets knows (a legacy
// or mistyped token). Call it with the credential the run uses.
func (l *Log) Mask(secret redact.Secret) {
	if l == nil || len(secret.Reveal()) < 8 {
		// Too short to be a credential: masking it would mangle words.
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.secrets = append(l.secrets, secret.Reveal())
}

// scrub is one free-text value as the log may hold it.
func (l *Log) scrub(s string) string {
	return redact.Secrets(redact.Known(s, l.secrets...))
}

// redacted is rec with every free-text field scrubbed: what Buildkite
// answered (errors that echo a request), token descriptions and setting
// values. Identifiers (uuids, ids, slugs) are left as they are.
func (l *Log) redacted(rec Record) Record {
	rec.Error = l.scrub(rec.Error)
	rec.Result = l.scrub(rec.Result)
	rec.Action = l.scrub(rec.Action)
	rec.Caller.User = l.scrub(rec.Caller.User)
	rec.Token.Description = l.scrub(rec.Token.Description)
	rec.Token.Owner = l.scrub(rec.Token.Owner)
	if rec.Setting != nil {
		one := Setting{Name: l.scrub(rec.Setting.Name), From: l.scrub(rec.Setting.From), To: l.scrub(rec.Setting.To)}
		rec.Setting = &one
	}
	if rec.Settings != nil {
		many := make([]Setting, len(rec.Settings))
		for i, s := range rec.Settings {
			many[i] = Setting{Name: l.scrub(s.Name), From: l.scrub(s.From), To: l.scrub(s.To)}
		}
		rec.Settings = many
	}
	return rec
}

// Open opens (creating, mode 0600) the audit log for appending.
func Open(path string) (*Log, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot open audit log: %w", err)
	}
	return &Log{f: f, path: path, now: time.Now}, nil
}

// Write appends one record, its free text redacted, as a single write and
// syncs it to disk. A
// record is written in one write(2) on an O_APPEND file, so records of
// concurrent processes do not interleave.
func (l *Log) Write(rec Record) error {
	if l == nil {
		return nil
	}
	if rec.Time.IsZero() {
		rec.Time = l.now().UTC()
	}
	l.mu.Lock()
	rec = l.redacted(rec)
	l.mu.Unlock()
	// Plain "<" and ">" keep "Name <email>" greppable.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		return fmt.Errorf("audit record: %w", err)
	}
	line := buf.Bytes() // Encode ends the line with "\n"
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.f.Write(line); err != nil {
		return fmt.Errorf("writing audit log %s: %w", l.path, err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("syncing audit log %s: %w", l.path, err)
	}
	return nil
}

// Close closes the file.
func (l *Log) Close() error {
	if l == nil {
		return nil
	}
	return l.f.Close()
}
