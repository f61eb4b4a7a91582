package tokens

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/selector"
)

// ansiReset ends a colour in a rendered table.
const ansiReset = "\x1b[0m"

func TestTokenStyleColour(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	old, recent := now.Add(-100*24*time.Hour), now.Add(-time.Hour)
	entries := []document.Token{
		{UUID: "stale", CreatedAt: old, LastAccessedAt: &old, Scopes: []string{}},
		{UUID: "recent", CreatedAt: old, LastAccessedAt: &recent, Scopes: []string{}},
		{UUID: "never", CreatedAt: old, Scopes: []string{}},
	}
	s := tokenStyle{table: output.TableStyle{Format: output.Table, Terminal: true, Colour: true, Now: now}, staleAfter: selector.DefaultStaleAfter}
	table := func() []string {
		var b strings.Builder
		if err := output.WriteTable(&b, s.rows(entries, false)); err != nil {
			t.Fatal(err)
		}
		return strings.Split(b.String(), "\n")
	}
	lines := table()
	if !strings.Contains(lines[1], "\x1b[33m"+"3 months ago"+ansiReset) {
		t.Errorf("stale row = %q, want its last use yellow", lines[1])
	}
	for _, line := range lines[2:] {
		if strings.Contains(line, "\x1b") {
			t.Errorf("coloured: %q", line)
		}
	}
	s.table.Colour = false
	if got := table()[1]; strings.Contains(got, "\x1b") {
		t.Errorf("colour without ColorEnabled: %q", got)
	}
}

// The owner and scopes cells made once per distinct text read as made
// each time: for owners with and without a name or email, scope lists of
// every length, and past the number of texts kept.
func TestRepeatedTexts(t *testing.T) {
	r := newRepeatedTexts()
	for i := range 2 * maxRepeatedTexts {
		u := &document.User{Name: fmt.Sprintf("Member %d", i%(maxRepeatedTexts+100)), Email: fmt.Sprintf("m%d@acme.example", i%(maxRepeatedTexts+100))}
		switch i % 7 {
		case 1:
			u.Name = ""
		case 2:
			u.Email = ""
		case 3:
			u.Name, u.Email = "", ""
		}
		if got, want := r.owner(u), u.String(); got != want {
			t.Fatalf("owner %d = %q, want %q", i, got, want)
		}
		scopes := []string{"READ_BUILDS", "GRAPHQL", fmt.Sprint("S", i%(maxRepeatedTexts+50)), "WRITE_TEAMS"}[:i%5]
		if got, want := r.scopes(scopes), strings.Join(scopes, ","); got != want {
			t.Fatalf("scopes %d = %q, want %q", i, got, want)
		}
	}
	if len(r.owners) > maxRepeatedTexts || len(r.scopeSets) > maxRepeatedTexts || len(r.owners) < 1000 {
		t.Errorf("kept %d owners and %d sets of scopes", len(r.owners), len(r.scopeSets))
	}
}
