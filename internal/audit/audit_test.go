package audit

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tokenctl/tokenctl/internal/buildkite"
)

// Records from concurrent writers, and from two logs open on one file as
// two processes would have, stay whole lines of valid JSON.
func TestConcurrentAppendsStayValidJSONLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	a, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	const perWriter = 50
	var wg sync.WaitGroup
	for _, l := range []*Log{a, a, b, b} {
		wg.Add(1)
		go func(l *Log) {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				rec := Record{Event: EventIntent, Action: "organizationApiAccessTokenRevoke",
					Caller: Caller{TokenUUID: "dddddddd-dddd-4ddd-8ddd-dddddddddddd", User: "Ada Admin <ada@acme.example>"},
					Token:  Token{Description: strings.Repeat("x", 2000)}}
				if err := l.Write(rec); err != nil {
					t.Error(err)
				}
			}
		}(l)
	}
	wg.Wait()
	for _, l := range []*Log{a, b} {
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	lines := 0
	for sc.Scan() {
		lines++
		var rec Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("line %d is not a JSON record: %v", lines, err)
		}
		if rec.Time.IsZero() || rec.Event != EventIntent {
			t.Fatalf("line %d lost fields: %+v", lines, rec)
		}
		if !strings.Contains(sc.Text(), "Ada Admin <ada@acme.example>") {
			t.Fatalf("line %d escapes the user's angle brackets: %s", lines, sc.Text()[:200])
		}
	}
	if lines != 4*perWriter {
		t.Errorf("%d lines, want %d", lines, 4*perWriter)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
}

func TestOpenFailsClearly(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "missing-dir", "audit.jsonl"))
	if err == nil || !strings.Contains(err.Error(), "cannot open audit log") {
		t.Fatalf("Open into a missing directory: %v", err)
	}
}

// A nil log (no --audit-log) accepts writes and does nothing.
func TestNilLog(t *testing.T) {
	var l *Log
	if err := l.Write(Record{}); err != nil || l.Close() != nil {
		t.Fatal("nil log should be a no-op")
	}
}

// Whatever a writer puts in a record's free text (an error that echoes
// Buildkite's answer, a description), no token value reaches the file:
// neither one shaped like a token nor the exact credential in use.
func TestWriteRedactsSecrets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	const shaped = "bkua_0123456789abcdef0123456789abcdef01234567"
	const odd = "legacy-Credential-Of-An-Odd-Shape"
	l.Mask("legacy-Credential-Of-An-Odd-Shape")
	rec := Record{Event: EventOutcome, Action: "apiSettingsUpdate",
		Error:    "Buildkite rejected the change (HTTP 422): token " + shaped + " is not allowed; Bearer " + odd,
		Token:    Token{Description: "ci " + shaped},
		Setting:  &Setting{Name: "x", From: shaped, To: odd},
		Settings: []Setting{{Name: "y", From: odd, To: shaped}},
	}
	if err := l.Write(rec); err != nil {
		t.Fatal(err)
	}
	_ = l.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{shaped, odd} {
		if strings.Contains(string(data), secret) {
			t.Errorf("the audit log holds %q:\n%s", secret, data)
		}
	}
	if !strings.Contains(string(data), "[redacted]") || !strings.Contains(string(data), "HTTP 422") {
		t.Errorf("the record lost its content:\n%s", data)
	}
	if rec.Setting.From != shaped {
		t.Error("Write changed the caller's record")
	}
}

// Every record names its caller one way: "Name <email>", or whichever of
// the two is known, and no user at all when neither is (the executor once
// wrote "Name <>" for a user without an email).
func TestCallerOf(t *testing.T) {
	for _, c := range []struct {
		name, email, want string
	}{
		{"Ada Admin", "ada@acme.example", "Ada Admin <ada@acme.example>"},
		{"Ada Admin", "", "Ada Admin"},
		{"", "ada@acme.example", "ada@acme.example"},
		{"", "", ""},
	} {
		tok := buildkite.AccessToken{UUID: "u1"}
		tok.User.Name, tok.User.Email = c.name, c.email
		if got := CallerOf(tok); got != (Caller{TokenUUID: "u1", User: c.want}) {
			t.Errorf("CallerOf(%q, %q) = %+v, want user %q", c.name, c.email, got, c.want)
		}
	}
}
