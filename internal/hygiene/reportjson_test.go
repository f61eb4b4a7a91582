package hygiene

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
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
			Token:        &TokenRef{ID: "QVBJ", UUID: "u-1", Description: &desc, Scopes: []string{}, CreatedAt: at, LastAccessedAt: &at},
			Owner:        &OwnerRef{UUID: "o", Name: "Zoë \\ Ünïcode", Email: "a@b.example", Role: &role, Bot: true},
			Rule:         "idle", Kind: KindIdle, Severity: SeverityWarn, Message: "unused for 90d",
			Evidence: SavedEvidence(Evidence{"lastAccessedAt": nil, "after": "90d", "expired": true, "scopes": []string{"GRAPHQL", "WRITE_<x>"}, "n": 3.5, "list": []any{"a", 1.0}, "empty": []string{}, "nothing": []string(nil)}),
			Bot:      true, Status: StatusExcepted,
			Exception: &ExceptionRef{Source: "exceptions.yaml:3", Reason: "ok", Until: at, Expired: true},
			Change:    &change,
		},
		{Organization: "x", Token: &TokenRef{Description: &empty, Scopes: []string{"A"}}, Evidence: SavedEvidence(Evidence{})},
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

// Judged evidence is written from its typed values: the same bytes as
// encoding/json writes its map, for every kind and shape a check makes.
func TestJudgedFindingJSONIsEncodingJSONIndented(t *testing.T) {
	p := DefaultPolicy()
	for _, extra := range []string{
		"rules:\n  - {name: admins, rule: scopes, scopes: [GRAPHQL, WRITE_BUILDS], owner-role: admin, severity: warn}\n  - {name: writers, rule: scopes, scopes: [WRITE_BUILDS], severity: info}\n",
		"rules:\n  - {name: life, rule: lifetime, max: 30d, severity: warn}\n  - {name: soon, rule: expiring, within: 3650d, severity: info}\n",
	} {
		pol, err := ParsePolicy([]byte("version: 1\n"+extra), "extra.yaml")
		if err != nil {
			t.Fatal(err)
		}
		p.Rules = append(p.Rules, pol.Rules...)
	}
	o := largeOrganization()
	o.Tokens[1].Owner = &buildkite.User{UUID: "not-a-member"}
	gone := o.Members[7].User
	o.Members[7].LastSeenAt = nil
	o.Tokens = append(o.Tokens, token("expired-0000-4000-8000-000000000000", func(tk *buildkite.Token) {
		tk.Owner, tk.ExpiresAt = &gone, daysAgo(3)
	}), token("unused-0000-4000-8000-000000000000", func(tk *buildkite.Token) {
		tk.CreatedAt, tk.LastAccessedAt = *daysAgo(400), nil
	}))
	r := Check(p, []Organization{o}, now)
	shapes := map[string]bool{}
	w := findingJSON{}
	for i := range r.Findings {
		f := &r.Findings[i]
		w.b = append(w.b[:0], "    "...)
		w.finding(f)
		if w.err != nil {
			t.Fatal(w.err)
		}
		if got, want := string(w.b), encodeIndented(t, *f); got != want {
			t.Fatalf("finding %d:\n got %s\nwant %s", i, got, want)
		}
		keys := slices.Sorted(maps.Keys(f.Evidence.Map()))
		shapes[f.Kind+" "+strings.Join(keys, ",")] = true
	}
	// Every kind, in each of the shapes its evidence takes.
	if len(shapes) < 13 {
		t.Errorf("%d evidence shapes judged, want every one: %v", len(shapes), shapes)
	}
}

// A time encoding/json refuses is an error, not a document cut short.
func TestFindingJSONRefusesWhatJSONCannotHold(t *testing.T) {
	f := Finding{Token: &TokenRef{CreatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}
	w := findingJSON{}
	w.finding(&f)
	if w.err == nil {
		t.Fatal("no error for a year past 9999")
	}
	if err := (Report{Findings: []Finding{f}}).WriteJSON(&bytes.Buffer{}); err == nil {
		t.Fatal("WriteJSON wrote a finding created in the year 10000")
	}
}

// Spans are written as wholeDays writes them, under a day too.
func TestAppendDays(t *testing.T) {
	for _, d := range []time.Duration{0, time.Minute, 90 * time.Minute, 23*time.Hour + 59*time.Minute, 24 * time.Hour, 25 * time.Hour, 400*24*time.Hour + 5, -3 * time.Hour} {
		if got, want := string(appendDays(nil, d)), wholeDays(d); got != want {
			t.Errorf("%v: %s, want %s", d, got, want)
		}
	}
}

// A report of many findings, laid out in chunks on several processors, is
// written as encoding/json writes the whole document; a finding that
// cannot be written, far down the list, is an error.
func TestWriteJSONOfManyFindings(t *testing.T) {
	r := Check(DefaultPolicy(), []Organization{largeOrganization()}, now)
	if len(r.Findings) < 10*findingsChunk {
		t.Fatalf("only %d findings", len(r.Findings))
	}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := r.WriteJSON(&got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("WriteJSON differs from the encoded document (%d bytes, want %d)", got.Len(), want.Len())
	}
	bad := *r.Findings[len(r.Findings)-3].Token
	bad.CreatedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	r.Findings[len(r.Findings)-3].Token = &bad
	if err := r.WriteJSON(io.Discard); err == nil {
		t.Error("WriteJSON wrote a finding created in the year 10000")
	}
}
