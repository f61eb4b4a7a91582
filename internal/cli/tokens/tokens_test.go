package tokens

import (
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
