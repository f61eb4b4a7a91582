package revoke

import (
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"

	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// ansiReset ends a colour in a rendered table.
const ansiReset = "\x1b[0m"

func TestResultStatusColour(t *testing.T) {
	rep := revoke.NewReport([]revoke.Result{
		{Requested: "a", Status: revoke.StatusRevoked},
		{Requested: "b", Status: revoke.StatusFailed},
		{Requested: "c", Status: revoke.StatusNotFound},
	}, false)
	var coloured strings.Builder
	if err := output.WriteTable(&coloured, resultRows(output.TableStyle{Format: output.Table, Terminal: true, Colour: true}, rep, false)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(coloured.String(), "\n")
	want := []string{"\x1b[32m" + "revoked" + ansiReset, "\x1b[31m" + "failed" + ansiReset, " not-found"}
	for i, w := range want {
		if !strings.Contains(lines[i+1], w) {
			t.Errorf("row %d = %q, want the status as %q", i, lines[i+1], w)
		}
	}
	var sb strings.Builder
	if err := output.WriteTable(&sb, resultRows(output.TableStyle{Format: output.Table}, rep, false)); err != nil || strings.Contains(sb.String(), "\x1b") {
		t.Errorf("colour without ColorEnabled:\n%q", sb.String())
	}
}

// The plan shown before revoking follows the one time rule: relative at
// the terminal that asks, RFC 3339 UTC in any other style; never used
// reads "never".
func TestPlanRowsTimes(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	used := now.Add(-72 * time.Hour)
	plan := &revoke.Plan{Items: []*revoke.Item{
		{Requested: "a", Token: &buildkite.Token{UUID: "a", LastAccessedAt: &used}},
		{Requested: "b", Token: &buildkite.Token{UUID: "b"}},
	}}
	render := func(style output.TableStyle) string {
		var b strings.Builder
		if err := output.WriteTable(&b, planRows(style, []*revoke.Plan{plan})); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	if got := render(output.TableStyle{Format: output.Table, Terminal: true, Now: now}); !strings.Contains(got, "3 days ago") || !strings.Contains(got, "never") {
		t.Errorf("at a terminal:\n%s", got)
	}
	if got := render(output.TableStyle{Format: output.Table, Now: now}); !strings.Contains(got, "2026-05-29T12:00:00Z") || strings.Contains(got, "ago") {
		t.Errorf("piped:\n%s", got)
	}
}

// The ACTION column says what was done: "delete everywhere" only for a
// --everywhere run that did or would delete the token, never for a run in
// one organization that failed or was declined.
func TestScanActionColumn(t *testing.T) {
	tok := &LeakedToken{}
	org := "acme"
	for _, tt := range []struct {
		name       string
		s          ScanSecretResult
		everywhere bool
		want       string
	}{
		{"org run failed", ScanSecretResult{Token: tok, Status: string(revoke.StatusFailed)}, false, "none"},
		{"org run declined", ScanSecretResult{Token: tok, Status: string(revoke.StatusSkipped)}, false, "none"},
		{"org run revoked", ScanSecretResult{Token: tok, Status: string(revoke.StatusRevoked), Results: []revoke.Result{{Organization: document.OrgRef{Slug: &org}, Status: revoke.StatusRevoked}}}, false, "revoke from acme"},
		{"everywhere deleted", ScanSecretResult{Token: tok, Status: string(revoke.StatusRevoked)}, true, "delete everywhere"},
		{"everywhere declined", ScanSecretResult{Token: tok, Status: string(revoke.StatusSkipped)}, true, "none"},
		{"dead", ScanSecretResult{Status: string(revoke.StatusNotFound)}, true, "none: already dead"},
	} {
		if got := scanAction(tt.s, tt.everywhere); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
