// Package audit writes tokenctl's audit trail: JSON Lines appended to a
// file, one record before each mutation (intent) and one after (outcome),
// each synced to disk before the run moves on. It only ever appends, so
// several runs and processes can share one file. It must never record a
// secret value.
package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"
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
}

// Open opens (creating, mode 0600) the audit log for appending.
func Open(path string) (*Log, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot open audit log: %w", err)
	}
	return &Log{f: f, path: path, now: time.Now}, nil
}

// Write appends one record as a single write and syncs it to disk. A
// record is written in one write(2) on an O_APPEND file, so records of
// concurrent processes do not interleave.
func (l *Log) Write(rec Record) error {
	if l == nil {
		return nil
	}
	if rec.Time.IsZero() {
		rec.Time = l.now().UTC()
	}
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
