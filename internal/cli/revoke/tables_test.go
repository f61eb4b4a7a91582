package revoke

import (
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// ansiReset ends a colour in a rendered table.
const ansiReset = "\x1b[0m"

func TestPaintStatus(t *testing.T) {
	rep := revoke.NewReport([]revoke.Result{
		{Requested: "a", Status: revoke.StatusRevoked},
		{Requested: "b", Status: revoke.StatusFailed},
		{Requested: "c", Status: revoke.StatusNotFound},
	}, false)
	var coloured strings.Builder
	if err := output.WriteTable(&coloured, paintStatus(resultRows(rep, false), true)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(coloured.String(), "\n")
	want := []string{"\x1b[32m" + "revoked" + ansiReset, "\x1b[31m" + "failed" + ansiReset, " not-found"}
	for i, w := range want {
		if !strings.Contains(lines[i+1], w) {
			t.Errorf("row %d = %q, want the status as %q", i, lines[i+1], w)
		}
	}
	plain := paintStatus(resultRows(rep, false), false)
	var sb strings.Builder
	if err := output.WriteTable(&sb, plain); err != nil || strings.Contains(sb.String(), "\x1b") {
		t.Errorf("colour without ColorEnabled:\n%q", sb.String())
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
