package history_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/history"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func client(t *testing.T, token string, pageSize int) (*buildkite.Client, *et.Server) {
	t.Helper()
	srv := et.Start(t, emulator.Options{Now: func() time.Time { return now }})
	return buildkite.New(buildkite.Config{GraphQLEndpoint: srv.GraphQLEndpoint, RESTEndpoint: srv.RESTEndpoint, Token: token, PageSize: pageSize}), srv
}

func TestReadFiltersOnTheServerAndStopsAtTheLimit(t *testing.T) {
	c, srv := client(t, et.DemoToken, 3)
	got, err := history.Read(context.Background(), c, history.Query{Org: "acme", Tokens: []string{et.CIDeployBotUUID}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Events) != 2 || got.Total != 2 || got.Truncated || got.Events[0].Type != history.TokenUpdated || got.Events[1].Type != history.TokenCreated {
		t.Fatalf("CI deploy bot's history: %+v", got)
	}

	before := srv.CountRequests(func(emulator.Request) bool { return true })
	got, err = history.Read(context.Background(), c, history.Query{Org: "acme", Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Events) != 4 || !got.Truncated || got.Total <= 4 {
		t.Fatalf("limit 4: %d events, truncated %v, total %d", len(got.Events), got.Truncated, got.Total)
	}
	if n := srv.CountRequests(func(emulator.Request) bool { return true }) - before; n != 2 {
		t.Errorf("4 events in pages of 3 took %d requests, want 2", n)
	}
}

func TestTokenActivityFiltersLocallyAndCountsTheCost(t *testing.T) {
	c, _ := client(t, et.DemoToken, 4)
	got, err := history.TokenActivity(context.Background(), c, history.ActivityQuery{Org: "acme", TokenUUID: et.TerraformTokenUUID})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Events) != 1 || got.Events[0].Type != history.TokenUpdated || got.Read < 10 || got.Pages != (got.Read+3)/4 || got.Truncated {
		t.Fatalf("activity: %d events, read %d in %d pages, truncated %v", len(got.Events), got.Read, got.Pages, got.Truncated)
	}
	capped, err := history.TokenActivity(context.Background(), c, history.ActivityQuery{Org: "acme", TokenUUID: et.TerraformTokenUUID, MaxEvents: 6})
	if err != nil {
		t.Fatal(err)
	}
	if capped.Read != 6 || !capped.Truncated || capped.Pages != 2 {
		t.Errorf("max 6: read %d in %d pages, truncated %v", capped.Read, capped.Pages, capped.Truncated)
	}
}

func TestReadLocalChanges(t *testing.T) {
	log := strings.Join([]string{
		`{"time":"2026-06-01T12:00:00Z","event":"intent","action":"organizationApiAccessTokenRevoke","caller":{"tokenUuid":"d"},"organization":{"id":"O1","slug":"acme"},"token":{"uuid":"t1"}}`,
		`{"time":"2026-06-01T12:00:01Z","event":"outcome","action":"organizationApiAccessTokenRevoke","caller":{"tokenUuid":"d"},"organization":{"id":"O1","slug":"acme"},"token":{"uuid":"t1"},"result":"revoked"}`,
		``,
		`{"time":"2026-06-01T12:00:02Z","event":"outcome","action":"organizationApiAccessTokenRevoke","caller":{"tokenUuid":"d"},"organization":{"id":"O1","slug":"acme"},"token":{"uuid":"t2"},"result":"failed"}`,
		`{"time":"2026-06-01T12:00:03Z","event":"outcome","action":"accessTokenDelete","caller":{"tokenUuid":"d"},"organization":{"id":""},"token":{"uuid":"t3"},"result":"revoked"}`,
		`{"time":"2026-06-01T12:00:04Z","event":"outcome","action":"organizationApiAccessTokenRevoke","caller":{"tokenUuid":"d"},"organization":{"id":"O2","slug":"globex"},"token":{"uuid":"t4"},"result":"revoked"}`,
	}, "\n")
	got, err := history.ReadLocalChanges(strings.NewReader(log), "audit.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Line != 2 || got[1].Record.Token.UUID != "t3" {
		t.Fatalf("changes: %+v", got)
	}
	acme := history.InOrganization(got, buildkite.Organization{ID: "O1", Slug: "acme"})
	if len(acme) != 2 || acme[0].Record.Token.UUID != "t1" || acme[1].Record.Token.UUID != "t3" {
		t.Errorf("acme's changes: %+v", acme)
	}
	if _, err := history.ReadLocalChanges(strings.NewReader("{}\nnot json\n"), "audit.jsonl"); err == nil || !strings.Contains(err.Error(), "audit.jsonl: line 1") {
		t.Errorf("bad log: %v", err)
	}
}

func change(action, token, caller string) history.LocalChange {
	return history.LocalChange{Record: audit.Record{Event: audit.EventOutcome, Action: action, Result: "revoked", Token: audit.Token{UUID: token}, Caller: audit.Caller{TokenUUID: caller}}}
}

func event(typ, subject, via string) buildkite.AuditEvent {
	return buildkite.AuditEvent{Type: typ, Subject: &buildkite.AuditSubject{UUID: subject}, Context: buildkite.AuditContext{Kind: buildkite.AuditContextAPI, TokenUUID: via}, Actor: &buildkite.AuditActor{Name: "someone"}}
}

func TestReconcile(t *testing.T) {
	local := []history.LocalChange{
		change(history.ActionOrgRevoke, "t1", "me"),
		change(history.ActionOrgRevoke, "t2", "me"),
		change(history.ActionDelete, "t3", "me"),
		change(history.ActionDelete, "t4", "me"),
	}
	events := []buildkite.AuditEvent{
		event(history.TokenOrgRevoked, "t1", "other"), // made elsewhere: a second event for t1
		event(history.TokenOrgRevoked, "T1", "me"),    // ours (uuids compare case-insensitively)
		event(history.TokenDeleted, "t3", "t3"),
		event(history.TokenOrgRevoked, "t9", "other"),
		event(history.TokenUpdated, "t2", "me"), // not a revocation
	}
	r := history.Reconcile(local, events)
	if len(r.Confirmed) != 2 || r.Confirmed[0].Event.Context.TokenUUID != "me" || r.Confirmed[1].Local.Record.Token.UUID != "t3" {
		t.Errorf("confirmed: %+v", r.Confirmed)
	}
	if len(r.Missing) != 1 || r.Missing[0].Record.Token.UUID != "t2" {
		t.Errorf("missing: %+v", r.Missing)
	}
	if len(r.Unconfirmed) != 1 || r.Unconfirmed[0].Record.Token.UUID != "t4" {
		t.Errorf("unconfirmed: %+v", r.Unconfirmed)
	}
	if len(r.Elsewhere) != 2 || r.Elsewhere[0].Context.TokenUUID != "other" || r.Elsewhere[1].Subject.UUID != "t9" {
		t.Errorf("elsewhere: %+v", r.Elsewhere)
	}
}

// A revocation the emulator made shows up confirmed end to end.
func TestReconcileAgainstTheEmulator(t *testing.T) {
	c, srv := client(t, et.DemoToken, 50)
	resp := srv.GraphQL(t, et.DemoToken, `mutation { organizationApiAccessTokenRevoke(input: {organizationId: "`+emulator.NodeID("Organization", et.AcmeOrgUUID)+`", apiAccessTokenId: "`+emulator.NodeID("APIAccessToken", et.HackathonTokenUUID)+`"}) { revokedApiAccessTokenId } }`, nil)
	if resp.Status != http.StatusOK || len(resp.Errors) > 0 {
		t.Fatalf("revoke: %s", resp.Body)
	}
	got, err := history.Read(context.Background(), c, history.Query{Org: "acme", Types: history.ChangeTypes})
	if err != nil {
		t.Fatal(err)
	}
	r := history.Reconcile([]history.LocalChange{change(history.ActionOrgRevoke, et.HackathonTokenUUID, et.DemoTokenUUID)}, got.Events)
	if len(r.Confirmed) != 1 || len(r.Missing) != 0 || len(r.Elsewhere) != 1 || r.Elsewhere[0].Subject.UUID != et.RevokedTokenUUID {
		t.Errorf("reconciliation: %+v", r)
	}
}

// A revocation tokenctl knows it made takes the event before one whose
// outcome was unknown; an unknown one with an event left is confirmed, one
// without is unconfirmed, never missing. A record without a uuid matches
// on the token's GraphQL id; one with a uuid on the uuid alone.
func TestReconcileUnknownOutcomesAndIDs(t *testing.T) {
	unknown := change(history.ActionOrgRevoke, "t1", "me")
	unknown.Record.Result = history.ResultUnknown
	unknown.Line = 1
	known := change(history.ActionOrgRevoke, "t1", "me")
	known.Line = 2
	byID := change(history.ActionOrgRevoke, "", "me")
	byID.Record.Token.ID, byID.Line = "ID-t2", 3
	lostButApplied := change(history.ActionOrgRevoke, "t3", "me")
	lostButApplied.Record.Result, lostButApplied.Line = history.ResultUnknown, 4
	wrongID := change(history.ActionOrgRevoke, "t4", "me")
	wrongID.Record.Token.ID, wrongID.Line = "ID-t2", 5

	t2 := event(history.TokenOrgRevoked, "t2", "me")
	t2.Subject.ID = "ID-t2"
	events := []buildkite.AuditEvent{event(history.TokenOrgRevoked, "t1", "me"), t2, event(history.TokenOrgRevoked, "t3", "me")}
	r := history.Reconcile([]history.LocalChange{unknown, known, byID, lostButApplied, wrongID}, events)
	var confirmed []int
	for _, c := range r.Confirmed {
		confirmed = append(confirmed, c.Local.Line)
	}
	if !slices.Equal(confirmed, []int{2, 3, 4}) {
		t.Errorf("confirmed lines %v, want 2 (revoked), 3 (by id), 4 (unknown, applied)", confirmed)
	}
	if len(r.Unconfirmed) != 1 || r.Unconfirmed[0].Line != 1 {
		t.Errorf("unconfirmed %+v, want the unknown outcome of line 1", r.Unconfirmed)
	}
	if len(r.Missing) != 1 || r.Missing[0].Line != 5 || len(r.Elsewhere) != 0 {
		t.Errorf("missing %+v, elsewhere %+v; want line 5 missing and nothing elsewhere", r.Missing, r.Elsewhere)
	}
}

// ReconcileWith runs the whole sequence from an organization known by its
// slug alone: it looks the id up, keeps the local changes of that
// organization, reads the window from a day before the earliest, and
// matches.
func TestReconcileWithLooksTheOrganizationUp(t *testing.T) {
	c, srv := client(t, et.DemoToken, 50)
	resp := srv.GraphQL(t, et.DemoToken, `mutation { organizationApiAccessTokenRevoke(input: {organizationId: "`+emulator.NodeID("Organization", et.AcmeOrgUUID)+`", apiAccessTokenId: "`+emulator.NodeID("APIAccessToken", et.HackathonTokenUUID)+`"}) { revokedApiAccessTokenId } }`, nil)
	if resp.Status != http.StatusOK || len(resp.Errors) > 0 {
		t.Fatalf("revoke: %s", resp.Body)
	}
	here := change(history.ActionOrgRevoke, et.HackathonTokenUUID, et.DemoTokenUUID)
	here.Record.Organization.ID = emulator.NodeID("Organization", et.AcmeOrgUUID)
	here.Record.Time = now.Add(-time.Minute)
	elsewhere := change(history.ActionOrgRevoke, et.OldLaptopTokenUUID, et.DemoTokenUUID)
	elsewhere.Record.Organization.ID = "another-organization"
	doc, r, err := history.ReconcileWith(context.Background(), c, history.ReconcileRequest{Org: buildkite.Organization{Slug: "acme"}, Local: []history.LocalChange{here, elsewhere}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Confirmed) != 1 || len(r.Missing) != 0 || doc.Organization.Slug != "acme" || doc.Since == nil {
		t.Errorf("reconciliation: %+v, doc organization %+v since %v", r, doc.Organization, doc.Since)
	}
}
