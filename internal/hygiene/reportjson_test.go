package hygiene

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// encodeIndented is a finding as an indented encoding/json encoder writes
// it inside the report: what the one-pass writer must reproduce.
func encodeIndented(t *testing.T, f Finding) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("    ", "  ")
	if err := enc.Encode(f); err != nil {
		t.Fatal(err)
	}
	return "    " + string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

func TestFindingJSONIsEncodingJSONIndented(t *testing.T) {
	desc, role, change := "deploy <prod> & \"stage\"\n\t\x01\u2028 é 日本 \xff", "member", ChangeNew
	at := time.Date(2026, 3, 4, 5, 6, 7, 890, time.UTC)
	empty := ""
	findings := []Finding{
		{}, // every pointer nil, every slice nil
		{
			Organization: "acme",
			Token:        TokenRef{ID: "QVBJ", UUID: "u-1", Description: &desc, Scopes: []string{}, CreatedAt: at, LastAccessedAt: &at},
			Owner:        &OwnerRef{UUID: "o", Name: "Zoë \\ Ünïcode", Email: "a@b.example", Role: &role, Bot: true},
			Rule:         "idle", Kind: KindIdle, Severity: SeverityWarn, Message: "unused for 90d",
			Evidence: Evidence{"lastAccessedAt": nil, "after": "90d", "expired": true, "scopes": []string{"GRAPHQL", "WRITE_<x>"}, "n": 3.5, "list": []any{"a", 1.0}, "empty": []string{}, "nothing": []string(nil)},
			Bot:      true, Status: StatusExcepted,
			Exception: &ExceptionRef{Source: "exceptions.yaml:3", Reason: "ok", Until: at, Expired: true},
			Change:    &change,
		},
		{Organization: "x", Token: TokenRef{Description: &empty, Scopes: []string{"A"}}, Evidence: Evidence{}},
	}
	for i, f := range findings {
		w := findingJSON{b: []byte("    ")}
		w.finding(&f)
		if w.err != nil {
			t.Fatalf("finding %d: %v", i, w.err)
		}
		if got, want := string(w.b), encodeIndented(t, f); got != want {
			t.Errorf("finding %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

// A time encoding/json refuses is an error, not a document cut short.
func TestFindingJSONRefusesWhatJSONCannotHold(t *testing.T) {
	f := Finding{Token: TokenRef{CreatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}
	w := findingJSON{}
	w.finding(&f)
	if w.err == nil {
		t.Fatal("no error for a year past 9999")
	}
	if err := (Report{Findings: []Finding{f}}).WriteJSON(&bytes.Buffer{}); err == nil {
		t.Fatal("WriteJSON wrote a finding created in the year 10000")
	}
}
