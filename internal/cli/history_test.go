package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/history"
)

// withoutPaidFeatures is the demo seed where acme's plan has neither the
// audit log nor the inactivity policy.
func withoutPaidFeatures() *emulator.Fixture {
	f := emulator.DemoFixture()
	f.Organizations[0].Features = nil
	return f
}

func TestHistoryOfOneToken(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("history", "--org", "acme", "--token", et.CIDeployBotUUID, "-o", "json")
	if r.code != 0 {
		t.Fatal(r)
	}
	var doc history.HistoryDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Organization.Slug != "acme" || doc.Total != 2 || len(doc.Events) != 2 || doc.Truncated {
		t.Fatalf("document: %+v", doc)
	}
	upd := doc.Events[0]
	if upd.Type != history.TokenUpdated || upd.Token.UUID != et.CIDeployBotUUID || upd.Token.Description == nil || *upd.Token.Description != "CI deploy bot" ||
		upd.Actor == nil || upd.Actor.Name != "Mo Member" || upd.Context == nil || upd.Context.Kind != "web" || upd.Context.IPAddress != "203.0.113.10" {
		t.Errorf("newest event: %+v", upd)
	}
	if doc.Events[1].Type != history.TokenCreated {
		t.Errorf("oldest event: %+v", doc.Events[1])
	}
	// Buildkite filtered: one request, asking for that token only.
	if n := h.requests("OrganizationAuditEvents"); n != 1 {
		t.Errorf("%d audit requests", n)
	}
}

func TestHistoryTableShowsTheRequestContext(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	if r := h.run("revoke", "--org", "acme", "--token", et.HackathonTokenUUID, "--yes"); r.code != 0 {
		t.Fatal(r)
	}
	r := h.run("history", "--org", "acme", "--since", "1d")
	if r.code != 0 {
		t.Fatal(r)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 {
		t.Fatalf("want a header and two events of the last day:\n%s", r.stdout)
	}
	mustContain(t, "revocation row", lines[1], "org-access-revoked", et.HackathonTokenUUID, "Hackathon 2023", "Ada Admin", "api, token "+et.DemoTokenUUID, "127.0.0.1", "tokenctl/")
	mustContain(t, "terraform row", lines[2], "updated", et.TerraformTokenUUID, "api, token "+et.TerraformTokenUUID, "198.51.100.7", "terraform-provider-buildkite/1.0")
}

func TestHistoryLimit(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("history", "--org", "acme", "--limit", "3", "-o", "json", "--jq", ".events | length")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "3" {
		t.Fatal(r)
	}
	mustContain(t, "stderr", r.stderr, "showing the newest 3 of", "--limit")
}

func TestHistoryAuditLogNotAvailable(t *testing.T) {
	for _, tt := range []struct {
		name  string
		opts  emulator.Options
		token string
		args  []string
	}{
		{"plan without it", emulator.Options{Fixture: withoutPaidFeatures()}, et.DemoToken, []string{"history", "--org", "acme"}},
		{"not an administrator", emulator.Options{}, et.AdaLaptopToken, []string{"history", "--org", "globex"}},
		{"activity, plan without it", emulator.Options{Fixture: withoutPaidFeatures()}, et.DemoToken, []string{"tokens", "activity", "--org", "acme", "--token", et.CIDeployBotUUID}},
		{"reconcile, plan without it", emulator.Options{Fixture: withoutPaidFeatures()}, et.DemoToken, []string{"history", "--org", "acme", "--reconcile", "-"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.opts)
			h.env["BUILDKITE_API_TOKEN"] = tt.token
			r := h.exec(false, "", tt.args...)
			if r.code != 3 || r.stdout != "" {
				t.Fatal(r)
			}
			if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "audit log of organization") || !strings.Contains(lines[0], "not available") {
				t.Errorf("want one line saying the audit log is not available:\n%s", r.stderr)
			}
		})
	}
}

func TestHistoryReconcile(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	dir := t.TempDir()
	auditLog := filepath.Join(dir, "audit.jsonl")
	if r := h.run("revoke", "--org", "acme", "--token", et.HackathonTokenUUID, "--token", et.OldLaptopTokenUUID, "--yes", "--audit-log", auditLog); r.code != 0 {
		t.Fatal(r)
	}
	// The audit log's own clock is the real one; the emulator's is fixed,
	// so the window is given.
	r := h.run("history", "--org", "acme", "--reconcile", auditLog, "--since", "90d", "-o", "json")
	if r.code != 0 {
		t.Fatal(r)
	}
	var doc history.ReconcileDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Summary.Confirmed != 2 || doc.Summary.Missing != 0 || doc.Summary.Elsewhere != 1 {
		t.Fatalf("summary %+v\n%s", doc.Summary, r.stdout)
	}
	if e := doc.Elsewhere[0]; e.Token.UUID != et.RevokedTokenUUID || e.Actor == nil || e.Actor.Name != "Mo Member" {
		t.Errorf("made elsewhere: %+v", e)
	}
	for _, c := range doc.Confirmed {
		if c.Event.Context == nil || c.Event.Context.TokenUUID != et.DemoTokenUUID || c.Local.ClientMutationID == nil {
			t.Errorf("confirmed: %+v", c)
		}
	}

	// A revocation Buildkite has no record of: the terraform token was
	// never revoked.
	forged := strings.ReplaceAll(readFile(t, auditLog), et.OldLaptopTokenUUID, et.TerraformTokenUUID)
	if err := os.WriteFile(auditLog, []byte(forged), 0o600); err != nil {
		t.Fatal(err)
	}
	r = h.run("history", "--org", "acme", "--reconcile", auditLog, "--since", "90d")
	if r.code != 4 {
		t.Fatal(r)
	}
	mustContain(t, "table", r.stdout, "confirmed", "missing", "made-elsewhere")
	mustContain(t, "stderr", r.stderr, et.TerraformTokenUUID+": missing:", "no record of it")
}

func TestHistoryBadInput(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	if err := os.WriteFile(bad, []byte("{\"event\":\"outcome\",\"action\":\"x\"}\nnot json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--since", "last tuesday"}, "--since"},
		{[]string{"--since", "1d", "--until", "7d"}, "--until is before --since"},
		{[]string{"--token", et.CIDeployBotToken}, "looks like a secret token value"},
		{[]string{"--token", emulator.NodeID("APIAccessToken", et.CIDeployBotUUID)}, "by token uuid"},
		{[]string{"--event", "BUILD_STARTED"}, "not a token event type"},
		{[]string{"--limit", "-1"}, "--limit"},
		{[]string{"--reconcile", filepath.Join(t.TempDir(), "nope.jsonl")}, "cannot read it"},
		{[]string{"--reconcile", bad}, "line 2 is not a tokenctl audit record"},
		{[]string{"--reconcile", bad, "--token", et.CIDeployBotUUID}, "drop --token"},
	} {
		r := h.run(append([]string{"history", "--org", "acme"}, tt.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) || strings.Contains(r.stderr, "bkua_cideploy") {
			t.Errorf("%v: %s", tt.args, r)
		}
	}
	if n := h.graphQLRequests(); n != 0 {
		t.Errorf("bad input sent %d requests", n)
	}
}

func TestTokensActivity(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("tokens", "activity", "--org", "acme", "--token", et.TerraformTokenUUID, "--since", "7d", "-o", "json")
	if r.code != 0 {
		t.Fatal(r)
	}
	var doc history.ActivityDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Events) != 1 || doc.Events[0].Context.TokenUUID != et.TerraformTokenUUID || doc.EventsRead != 1 || doc.Pages != 1 || doc.Truncated {
		t.Fatalf("activity: %+v", doc)
	}
	mustContain(t, "stderr", r.stderr, "read 1 event(s) in 1 page(s) to find 1 made with token "+et.TerraformTokenUUID)

	// The leaked-in-CI token deleted itself 59 days ago; a search capped
	// at 3 events does not get that far back, and says so.
	r = h.run("tokens", "activity", "--org", "acme", "--token", et.RevokedTokenUUID, "--since", "1y", "--max-events", "3", "--page-size", "2")
	if r.code != 0 || strings.Contains(r.stdout, "deleted") {
		t.Fatal(r)
	}
	mustContain(t, "stderr", r.stderr, "read 3 event(s) in 2 page(s) to find 0", "stopped after --max-events 3")
	r = h.run("tokens", "activity", "--org", "acme", "--token", et.RevokedTokenUUID, "--since", "1y")
	if r.code != 0 {
		t.Fatal(r)
	}
	mustContain(t, "table", r.stdout, "deleted", "curl/8.5.0", "203.0.113.200")

	for _, args := range [][]string{{}, {"--token", et.TerraformTokenUUID, "--max-events", "0"}, {"--token", et.TerraformTokenUUID, "--since", "soon"}} {
		if r := h.run(append([]string{"tokens", "activity", "--org", "acme"}, args...)...); r.code != 2 {
			t.Errorf("%v: %s", args, r)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// With -o json a failed run still prints its document, empty, with the
// error (failure.go).
func TestHistoryFailureDocuments(t *testing.T) {
	h := newHarness(t, emulator.Options{Fixture: withoutPaidFeatures()})
	for _, tt := range []struct {
		args   []string
		fields map[string]string
	}{
		{[]string{"history", "--org", "acme", "-o", "json"}, map[string]string{"events": "[]", "organization": "null"}},
		{[]string{"history", "--org", "acme", "--reconcile", "-", "-o", "json"}, map[string]string{"missing": "[]", "elsewhere": "[]"}},
		{[]string{"tokens", "activity", "--org", "acme", "--token", et.CIDeployBotUUID, "-o", "json"}, map[string]string{"events": "[]", "eventsRead": "null"}},
		{[]string{"revoke", "--org", "no-such-org", "--from-scan", truffleHogFindings, "-o", "json"}, map[string]string{"secrets": "[]", "scanner": `"trufflehog"`}},
	} {
		r := h.run(tt.args...)
		d := parseFailureDoc(t, strings.Join(tt.args, " "), r.stdout)
		if d.Error.ExitCode != r.code || r.code == 0 {
			t.Errorf("%v: document says exit %d, process %d", tt.args, d.Error.ExitCode, r.code)
		}
		for k, v := range tt.fields {
			if got := string(d.Fields[k]); got != v {
				t.Errorf("%v: %s is %s, want %s", tt.args, k, got, v)
			}
		}
	}
}

// Ids are opaque: --actor takes an actor id exactly as Buildkite gave it,
// and the policy mutation names the organization by the id the server
// issued, under either of the emulator's id formats.
func TestHistoryAndPolicyUnderEitherIDFormat(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		h := newHarness(t, emulator.Options{IDFormat: format})
		r := h.run("history", "--org", "acme", "--token", et.TerraformTokenUUID, "--event", "API_ACCESS_TOKEN_UPDATED", "--jq", ".events[0].actor.id")
		actor := strings.TrimSpace(r.stdout)
		if r.code != 0 || actor == "" {
			t.Fatal(r)
		}
		r = h.run("history", "--org", "acme", "--actor", actor, "--limit", "0", "-o", "json")
		var doc history.HistoryDoc
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 || len(doc.Events) == 0 {
			t.Fatalf("%v\n%s", err, r)
		}
		for _, e := range doc.Events {
			if e.Actor == nil || e.Actor.Name != "Ada Admin" {
				t.Errorf("--actor %s returned %+v", actor, e.Actor)
			}
		}
		if r := h.run("policy", "set", "--org", "acme", "--revoke-inactive-after", "60d", "--yes"); r.code != 0 || policyPeriod(t, h, "acme") != "DAYS_60" {
			t.Fatal(r)
		}
	})
}

// Every revocation tokenctl makes is reconciled as one: the run that
// relies on the identity cache (the mutation alone) records the token's
// uuid and id, a record holding only the id still matches on it, and a
// revocation whose answer was lost (unknown) that Buildkite's log shows
// applied is confirmed, never also made elsewhere. A missing revocation
// known only by id is named by that id, in the table and in the hint.
func TestHistoryReconcileMatchesUUIDOrIDAndSettlesUnknown(t *testing.T) {
	h, _ := cacheHarness(t)
	auditLog := filepath.Join(t.TempDir(), "audit.jsonl")
	// Dry runs list acme and show the ids for other tokens; the runs after
	// them send the mutation alone.
	for _, uuid := range []string{et.HackathonTokenUUID, et.OldLaptopTokenUUID} {
		if r, _, _ := revokeByIDs(t, h, uuid, "--dry-run"); r.code != 0 {
			t.Fatalf("dry run:\n%s", r)
		}
	}
	if r, graphQL, _ := revokeByIDs(t, h, et.HackathonTokenUUID, "--audit-log", auditLog); r.code != 0 || graphQL != 1 {
		t.Fatalf("revoke from memory: %d GraphQL requests\n%s", graphQL, r)
	}
	if err := h.srv.SetFaults([]emulator.Fault{{Kind: emulator.FaultDropAfter, Match: "mutation", Times: 1}}); err != nil {
		t.Fatal(err)
	}
	if r, _, _ := revokeByIDs(t, h, et.OldLaptopTokenUUID, "--audit-log", auditLog); r.code == 0 || !strings.Contains(r.stdout, "unknown") {
		t.Fatalf("a lost answer, want unknown:\n%s", r)
	}
	if h.srv.TokenHasOrg(et.OldLaptopTokenUUID, "acme") {
		t.Fatal("the lost answer's revocation did not apply")
	}
	for _, line := range strings.Split(strings.TrimSpace(readFile(t, auditLog)), "\n") {
		var rec struct{ Token struct{ ID, UUID string } }
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Token.ID == "" || rec.Token.UUID == "" {
			t.Errorf("audit record without the token's id and uuid: %s", line)
		}
	}

	reconcile := func(log string) (result, history.ReconcileDoc) {
		t.Helper()
		path := filepath.Join(t.TempDir(), "audit.jsonl")
		if err := os.WriteFile(path, []byte(log), 0o600); err != nil {
			t.Fatal(err)
		}
		r := h.run("history", "--org", "acme", "--reconcile", path, "--since", "90d", "-o", "json")
		var doc history.ReconcileDoc
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("%v\n%s", err, r)
		}
		return r, doc
	}
	r, doc := reconcile(readFile(t, auditLog))
	if r.code != 0 || doc.Summary.Confirmed != 2 || doc.Summary.Missing != 0 || doc.Summary.Unconfirmed != 0 || doc.Summary.Elsewhere != 1 {
		t.Fatalf("summary %+v, want 2 confirmed and the fixture's one made elsewhere\n%s", doc.Summary, r)
	}
	if e := doc.Elsewhere[0]; e.Token.UUID != et.RevokedTokenUUID {
		t.Errorf("made elsewhere: %+v, want only the fixture's", e)
	}
	results := map[string]string{}
	for _, c := range doc.Confirmed {
		results[c.Local.Token.UUID] = c.Local.Result
	}
	if results[et.HackathonTokenUUID] != "revoked" || results[et.OldLaptopTokenUUID] != "unknown" {
		t.Errorf("confirmed %v, want the hackathon token revoked and the laptop's unknown", results)
	}

	// Records with the id alone still match on it.
	idOnly := strings.NewReplacer(`,"uuid":"`+et.HackathonTokenUUID+`"`, "", `,"uuid":"`+et.OldLaptopTokenUUID+`"`, "").Replace(readFile(t, auditLog))
	if strings.Contains(idOnly, et.HackathonTokenUUID) {
		t.Fatalf("the uuid was not removed:\n%s", idOnly)
	}
	if r, doc = reconcile(idOnly); r.code != 0 || doc.Summary.Confirmed != 2 || doc.Summary.Elsewhere != 1 {
		t.Errorf("records by id: summary %+v\n%s", doc.Summary, r)
	}

	// A missing revocation known only by id is named by it.
	terraform := emulator.NodeID("APIAccessToken", et.TerraformTokenUUID)
	forged := strings.ReplaceAll(idOnly, emulator.NodeID("APIAccessToken", et.HackathonTokenUUID), terraform)
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	if err := os.WriteFile(path, []byte(forged), 0o600); err != nil {
		t.Fatal(err)
	}
	r = h.run("history", "--org", "acme", "--reconcile", path, "--since", "90d")
	if r.code != 4 {
		t.Fatal(r)
	}
	if !regexp.MustCompile(`(?m)^missing +` + regexp.QuoteMeta(terraform) + ` `).MatchString(r.stdout) {
		t.Errorf("the missing row does not name the token by its id:\n%s", r.stdout)
	}
	mustContain(t, "stderr", r.stderr, terraform+": missing:", "tokenctl tokens get --org acme "+terraform+"`")
}
