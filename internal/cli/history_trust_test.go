package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/history"
)

// revokedWithAuditLog is a harness with opts whose audit log holds two
// revocations tokenctl made (the hackathon token and the old laptop's),
// and the path of tokenctl's own audit log of them. History is read a
// page of pageSize events at a time.
func revokedWithAuditLog(t *testing.T, opts emulator.Options, pageSize string) (*harness, string) {
	t.Helper()
	h := newHarness(t, opts)
	auditLog := filepath.Join(t.TempDir(), "audit.jsonl")
	if r := h.run("revoke", "--org", "acme", "--token", et.HackathonTokenUUID, "--token", et.OldLaptopTokenUUID, "--yes", "--audit-log", auditLog); r.code != 0 {
		t.Fatal(r)
	}
	h.env["TOKENCTL_PAGE_SIZE"] = pageSize
	return h, auditLog
}

// A page of the audit log with a null where the schema allows one (its
// pageInfo, its edges, an edge, a node, or an event's subject) is no
// history: history shows no part of the log as the whole, and --reconcile
// reports no revocation missing on it, and neither exits as if it had
// read the log. Before, the null was skipped (or ended the listing): the
// revocation on the page with the hole was reported missing from
// Buildkite's audit log (exit 4), or the events past it were left out
// with exit 0.
func TestHistoryOnAnAuditLogWithAHole(t *testing.T) {
	for _, hole := range emulator.AuditHoles {
		t.Run(string(hole), func(t *testing.T) {
			// One event a page: the second page is the second revocation.
			h, auditLog := revokedWithAuditLog(t, emulator.Options{ListingHole: hole}, "1")
			r := h.run("history", "--org", "acme", "--reconcile", auditLog, "--since", "90d")
			if r.code != int(exitcode.Failure) || r.stdout != "" {
				t.Fatalf("reconcile: exit %d and output, want %d and none\n%s", r.code, exitcode.Failure, r)
			}
			mustContain(t, "stderr", r.stderr, `tokenctl: reading the audit log of organization "acme": Buildkite's answer has `, "run it again")
			if strings.Contains(r.stderr, "missing") {
				t.Errorf("a revocation reported missing on part of the log:\n%s", r.stderr)
			}
			r = h.run("history", "--org", "acme", "--reconcile", auditLog, "--since", "90d", "-o", "json")
			d := parseFailureDoc(t, "reconcile -o json", r.stdout)
			if r.code != int(exitcode.Failure) || string(d.Fields["missing"]) != "[]" || string(d.Fields["confirmed"]) != "[]" {
				t.Errorf("reconcile -o json: exit %d, want %d and no results:\n%s", r.code, exitcode.Failure, r)
			}

			r = h.run("history", "--org", "acme", "--limit", "0")
			if r.code != int(exitcode.Failure) || r.stdout != "" {
				t.Fatalf("history: exit %d and output, want %d and none\n%s", r.code, exitcode.Failure, r)
			}
			mustContain(t, "stderr", r.stderr, `tokenctl: reading the audit log of organization "acme": Buildkite's answer has `)
		})
	}
}

// An audit event repeated across pages as it was is shown once; one
// repeated with other data (the token described anew since) fails the
// history and the reconciliation, naming the event. Before, a repeat was
// shown twice, and a changed one was taken as another event.
func TestHistoryOnAnAuditLogThatRepeats(t *testing.T) {
	read := func(h *harness, args ...string) history.HistoryDoc {
		t.Helper()
		r := h.run(append([]string{"history", "--org", "acme", "--limit", "0", "-o", "json"}, args...)...)
		var doc history.HistoryDoc
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 {
			t.Fatalf("%v\n%s", err, r)
		}
		return doc
	}
	plain, _ := revokedWithAuditLog(t, emulator.Options{}, "2")
	want := read(plain)
	same, auditLog := revokedWithAuditLog(t, emulator.Options{RepeatAcrossPages: true}, "2")
	got := read(same)
	if len(got.Events) != len(want.Events) || len(got.Events) < 3 {
		t.Errorf("repeats that say the same: %d events, want %d", len(got.Events), len(want.Events))
	}
	if r := same.run("history", "--org", "acme", "--reconcile", auditLog, "--since", "90d", "-o", "json"); r.code != 0 {
		t.Errorf("reconcile over repeats that say the same: exit %d\n%s", r.code, r)
	}

	changed, auditLog := revokedWithAuditLog(t, emulator.Options{RepeatChanged: true}, "2")
	// The second page repeats the second event listed.
	naming := "Buildkite listed audit event " + want.Events[1].UUID + " twice, and the two copies differ"
	for _, args := range [][]string{{"history", "--org", "acme", "--limit", "0"}, {"history", "--org", "acme", "--reconcile", auditLog, "--since", "90d"}} {
		r := changed.run(args...)
		if r.code != int(exitcode.Failure) || r.stdout != "" {
			t.Errorf("%v: exit %d and output, want %d and none\n%s", args, r.code, exitcode.Failure, r)
		}
		mustContain(t, "stderr", r.stderr, naming)
	}
}

// An event that does not say which token's request made it (no context,
// or an API request's context without the token) may have been made with
// the leaked token: tokens activity neither shows it as the token's nor
// passes over it, but counts it on stderr and lists it apart. Before, it
// was passed over as not the token's, and the search read as complete.
func TestTokensActivityCountsUnattributedEvents(t *testing.T) {
	f := emulator.DemoFixture()
	f.AuditEvents = append(f.AuditEvents,
		emulator.FixtureAuditEvent{Organization: "acme", Type: history.TokenUpdated, Token: et.CIDeployBotUUID, Actor: "ada@acme.example", OccurredAt: "now-2h"},
		emulator.FixtureAuditEvent{Organization: "acme", Type: history.TokenUpdated, Token: et.HackathonTokenUUID, Actor: "ada@acme.example", OccurredAt: "now-1h", Via: "api", IPAddress: "198.51.100.9"})
	h := newHarness(t, emulator.Options{Fixture: f})
	r := h.run("tokens", "activity", "--org", "acme", "--token", et.TerraformTokenUUID, "--since", "7d", "-o", "json")
	var doc history.ActivityDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 {
		t.Fatalf("%v\n%s", err, r)
	}
	if len(doc.Events) != 1 || doc.Events[0].Token.UUID != et.TerraformTokenUUID || doc.EventsRead != 3 {
		t.Errorf("the token's events: %+v", doc)
	}
	if len(doc.Unattributed) != 2 || doc.Unattributed[0].Token.UUID != et.HackathonTokenUUID || doc.Unattributed[1].Token.UUID != et.CIDeployBotUUID {
		t.Errorf("unattributed: %+v, want the two events naming no token's request", doc.Unattributed)
	}
	mustContain(t, "stderr", r.stderr, "find 1 made with token "+et.TerraformTokenUUID,
		"2 event(s) read do not say which token's request made them", "token "+et.TerraformTokenUUID+" may have made them too")
}
