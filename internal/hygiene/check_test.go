package hygiene

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/testfiles"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func daysAgo(n int) *time.Time { t := now.Add(-time.Duration(n) * 24 * time.Hour); return &t }
func daysOn(n int) *time.Time  { t := now.Add(time.Duration(n) * 24 * time.Hour); return &t }

var (
	mo  = &buildkite.User{UUID: "a0000000-0000-4000-8000-000000000002", Name: "Mo Member", Email: "mo@acme.example"}
	ada = &buildkite.User{UUID: "a0000000-0000-4000-8000-000000000001", Name: "Ada Admin", Email: "ada@acme.example"}
	bot = &buildkite.User{UUID: "a0000000-0000-4000-8000-000000000009", Name: "Agent Bot", Email: "bot@acme.example", Bot: true}
)

var acme = buildkite.Organization{ID: "org-acme", Slug: "acme", Name: "Acme Inc"}

// token is a clean token (used yesterday, expires in 60 days, created 30
// days ago, read-only) owned by Mo, changed by edit.
func token(uuid string, edit func(*buildkite.Token)) buildkite.Token {
	t := buildkite.Token{
		ID: "id-" + uuid, UUID: uuid, Description: "token " + uuid, Scopes: []string{"READ_BUILDS"},
		CreatedAt: *daysAgo(30), LastAccessedAt: daysAgo(1), ExpiresAt: daysOn(60), Owner: mo,
	}
	if edit != nil {
		edit(&t)
	}
	return t
}

func member(u *buildkite.User, role string, lastSeen *time.Time, twoFactor bool) buildkite.Member {
	return buildkite.Member{User: *u, Role: role, LastSeenAt: lastSeen, TwoFactorEnabled: twoFactor}
}

func mustPolicy(t *testing.T, yaml string) *Policy {
	t.Helper()
	p, err := ParsePolicy([]byte(yaml), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Each rule, on tokens just inside and just outside its limits.
func TestRules(t *testing.T) {
	moActive := member(mo, "MEMBER", daysAgo(2), true)
	tests := []struct {
		name    string
		rule    string
		token   buildkite.Token
		members []buildkite.Member // nil: not listed
		want    string             // the message, "" for no finding
		ev      map[string]any     // some evidence values
	}{
		{"idle past the limit", "{rule: idle, after: 90d, severity: warn}", token("t", func(t *buildkite.Token) { t.LastAccessedAt = daysAgo(91) }), nil,
			"last used 91d ago (limit 90d)", map[string]any{"idleFor": "91d", "lastAccessedAt": "2026-03-02T12:00:00Z"}},
		{"idle at the limit", "{rule: idle, after: 90d, severity: warn}", token("t", func(t *buildkite.Token) { t.LastAccessedAt = daysAgo(90) }), nil, "", nil},
		{"idle ignores never used", "{rule: idle, after: 90d, severity: warn}", token("t", func(t *buildkite.Token) { t.LastAccessedAt = nil; t.CreatedAt = *daysAgo(900) }), nil, "", nil},
		{"never used and old", "{rule: never-used, after: 30d, severity: warn}", token("t", func(t *buildkite.Token) { t.LastAccessedAt = nil; t.CreatedAt = *daysAgo(45) }), nil,
			"never used, created 45d ago (limit 30d)", map[string]any{"age": "45d", "lastAccessedAt": nil}},
		{"never used but new", "{rule: never-used, after: 30d, severity: warn}", token("t", func(t *buildkite.Token) { t.LastAccessedAt = nil; t.CreatedAt = *daysAgo(29) }), nil, "", nil},
		{"never expires", "{rule: lifetime, max: 365d, severity: info}", token("t", func(t *buildkite.Token) { t.ExpiresAt = nil }), nil,
			"never expires", map[string]any{"expiresAt": nil, "max": "365d"}},
		{"lifetime too long", "{rule: lifetime, max: 365d, severity: info}", token("t", func(t *buildkite.Token) { t.ExpiresAt = daysOn(400) }), nil,
			"lives 430d (limit 365d)", map[string]any{"lifetime": "430d"}},
		{"lifetime within the limit", "{rule: lifetime, max: 365d, severity: info}", token("t", nil), nil, "", nil},
		{"lifetime without max: only no expiry", "{rule: lifetime, severity: info}", token("t", func(t *buildkite.Token) { t.ExpiresAt = daysOn(4000) }), nil, "", nil},
		{"expiring soon", "{rule: expiring, within: 14d, severity: info}", token("t", func(t *buildkite.Token) { t.ExpiresAt = daysOn(5) }), nil,
			"expires in 5d (replace it within 14d)", map[string]any{"expiresIn": "5d", "expired": false}},
		{"already expired", "{rule: expiring, within: 14d, severity: info}", token("t", func(t *buildkite.Token) { t.ExpiresAt = daysAgo(2) }), nil,
			"expired 2d ago", map[string]any{"expired": true}},
		{"expiring later", "{rule: expiring, within: 14d, severity: info}", token("t", func(t *buildkite.Token) { t.ExpiresAt = daysOn(15) }), nil, "", nil},
		{"scope held", "{rule: scopes, scopes: [WRITE_TEAMS, WRITE_ORGANIZATIONS], severity: error}", token("t", func(t *buildkite.Token) { t.Scopes = []string{"WRITE_ORGANIZATIONS"} }), nil,
			"holds WRITE_ORGANIZATIONS", map[string]any{"scopes": []string{"WRITE_ORGANIZATIONS"}}},
		{"scope held by the given role", "{rule: scopes, scopes: [WRITE_TEAMS], owner-role: member, severity: error}", token("t", func(t *buildkite.Token) { t.Scopes = []string{"WRITE_TEAMS"} }),
			[]buildkite.Member{moActive}, "holds WRITE_TEAMS and its owner is a member", map[string]any{"ownerRole": "member"}},
		{"scope held by another role", "{rule: scopes, scopes: [WRITE_TEAMS], owner-role: member, severity: error}",
			token("t", func(t *buildkite.Token) { t.Scopes = []string{"WRITE_TEAMS"}; t.Owner = ada }), []buildkite.Member{member(ada, "ADMIN", daysAgo(1), true)}, "", nil},
		{"scope not held", "{rule: scopes, scopes: [WRITE_TEAMS], severity: error}", token("t", nil), nil, "", nil},
		{"owner not seen", "{rule: owner-inactive, after: 90d, severity: error}", token("t", nil), []buildkite.Member{member(mo, "MEMBER", daysAgo(200), true)},
			"its owner was last seen 200d ago (limit 90d)", map[string]any{"unseenFor": "200d", "member": true}},
		{"owner never seen", "{rule: owner-inactive, after: 90d, severity: error}", token("t", nil), []buildkite.Member{member(mo, "MEMBER", nil, true)},
			"its owner has never been seen in the organization", map[string]any{"lastSeenAt": nil}},
		{"owner not a member", "{rule: owner-inactive, after: 90d, severity: error}", token("t", nil), []buildkite.Member{member(ada, "ADMIN", daysAgo(1), true)},
			"its owner is not a member of the organization", map[string]any{"member": false}},
		{"owner seen recently", "{rule: owner-inactive, after: 90d, severity: error}", token("t", nil), []buildkite.Member{moActive}, "", nil},
		{"no 2FA and can write", "{rule: owner-no-2fa, severity: error}", token("t", func(t *buildkite.Token) { t.Scopes = []string{"READ_BUILDS", "WRITE_BUILDS"} }),
			[]buildkite.Member{member(mo, "MEMBER", daysAgo(1), false)}, "its owner has no two-factor authentication and the token can write", map[string]any{"writeScopes": []string{"WRITE_BUILDS"}}},
		{"no 2FA and GraphQL counts as writing", "{rule: owner-no-2fa, severity: error}", token("t", func(t *buildkite.Token) { t.Scopes = []string{"GRAPHQL"} }),
			[]buildkite.Member{member(mo, "MEMBER", daysAgo(1), false)}, "its owner has no two-factor authentication and the token can write", nil},
		{"no 2FA, read only", "{rule: owner-no-2fa, severity: error}", token("t", nil), []buildkite.Member{member(mo, "MEMBER", daysAgo(1), false)}, "", nil},
		{"2FA and can write", "{rule: owner-no-2fa, severity: error}", token("t", func(t *buildkite.Token) { t.Scopes = []string{"WRITE_BUILDS"} }), []buildkite.Member{moActive}, "", nil},
		{"GraphQL held by a member", "{rule: owner-not-admin, severity: warn}", token("t", func(t *buildkite.Token) { t.Scopes = []string{"GRAPHQL"} }), []buildkite.Member{moActive},
			"has GraphQL access and its owner is not an administrator", map[string]any{"ownerRole": "member"}},
		{"GraphQL held by an admin", "{rule: owner-not-admin, severity: warn}", token("t", func(t *buildkite.Token) { t.Scopes = []string{"GRAPHQL"}; t.Owner = ada }),
			[]buildkite.Member{member(ada, "ADMIN", daysAgo(1), true)}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustPolicy(t, "version: 1\nrules:\n  - "+tt.rule+"\n")
			r := Check(p, []Organization{{Organization: acme, Tokens: []buildkite.Token{tt.token}, Members: tt.members}}, now)
			if tt.want == "" {
				if len(r.Findings) != 0 {
					t.Fatalf("unexpected finding: %+v", r.Findings[0])
				}
				return
			}
			if len(r.Findings) != 1 {
				t.Fatalf("%d findings, want 1", len(r.Findings))
			}
			f := r.Findings[0]
			if f.Message != tt.want || f.Status != StatusOpen || f.Token.UUID != "t" || f.Organization != "acme" {
				t.Errorf("finding = %+v, want message %q", f, tt.want)
			}
			for k, v := range tt.ev {
				got, _ := json.Marshal(f.Evidence.Map()[k])
				want, _ := json.Marshal(v)
				if string(got) != string(want) {
					t.Errorf("evidence %s = %s, want %s (all: %v)", k, got, want, f.Evidence)
				}
			}
		})
	}
}

func TestSeverityDecidesFailing(t *testing.T) {
	for _, tt := range []struct {
		sev  string
		fail bool
	}{{"info", false}, {"warn", false}, {"error", true}, {"revoke", true}} {
		p := mustPolicy(t, "version: 1\nrules:\n  - {rule: lifetime, severity: "+tt.sev+"}\n")
		r := Check(p, []Organization{{Organization: acme, Tokens: []buildkite.Token{token("t", func(t *buildkite.Token) { t.ExpiresAt = nil })}}}, now)
		if r.Summary.Failing != tt.fail || r.Summary.Open != 1 {
			t.Errorf("%s: failing = %v, open = %d", tt.sev, r.Summary.Failing, r.Summary.Open)
		}
	}
}

// Exceptions by token, owner and description; limited to rules; active ones
// hide (and are still counted), expired ones do not and say so.
func TestExceptions(t *testing.T) {
	idle := func(uuid, desc string, owner *buildkite.User) buildkite.Token {
		return token(uuid, func(t *buildkite.Token) {
			t.LastAccessedAt = daysAgo(200)
			t.Description = desc
			t.Owner = owner
			t.ExpiresAt = nil
		})
	}
	tests := []struct {
		name      string
		exception string
		tok       buildkite.Token
		status    string
		expired   bool
		rules     []string // rules whose finding the exception covers
	}{
		{"by token", "{token: 11111111-1111-4111-8111-111111111111, reason: migrating, until: 2026-07-01}", idle("11111111-1111-4111-8111-111111111111", "x", mo), StatusExcepted, false, []string{"idle", "lifetime"}},
		{"by token, other case", "{token: AAAAAAAA-1111-4111-8111-111111111111, reason: r, until: 2026-07-01}", idle("aaaaaaaa-1111-4111-8111-111111111111", "x", mo), StatusExcepted, false, []string{"idle", "lifetime"}},
		{"by owner", "{owner: MO@acme.example, reason: on leave, until: 2026-07-01}", idle("t", "x", mo), StatusExcepted, false, []string{"idle", "lifetime"}},
		{"by description", "{description: '^break-glass', reason: on call, until: 2026-07-01}", idle("t", "break-glass: prod", mo), StatusExcepted, false, []string{"idle", "lifetime"}},
		{"description does not match", "{description: '^break-glass', reason: on call, until: 2026-07-01}", idle("t", "prod break-glass", mo), StatusOpen, false, nil},
		{"other owner", "{owner: ada@acme.example, reason: r, until: 2026-07-01}", idle("t", "x", mo), StatusOpen, false, nil},
		{"limited to a rule", "{owner: mo@acme.example, reason: r, until: 2026-07-01, rules: [lifetime]}", idle("t", "x", mo), StatusExcepted, false, []string{"lifetime"}},
		{"expired", "{owner: mo@acme.example, reason: was migrating, until: 2026-05-01}", idle("t", "x", mo), StatusOpen, true, []string{"idle", "lifetime"}},
		{"ends at its until", "{owner: mo@acme.example, reason: r, until: '2026-06-01T12:00:00Z'}", idle("t", "x", mo), StatusOpen, true, []string{"idle", "lifetime"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustPolicy(t, "version: 1\nrules:\n  - {rule: idle, after: 90d, severity: error}\n  - {rule: lifetime, severity: warn}\nexceptions:\n  - "+tt.exception+"\n")
			r := Check(p, []Organization{{Organization: acme, Tokens: []buildkite.Token{tt.tok}}}, now)
			if len(r.Findings) != 2 {
				t.Fatalf("%d findings, want 2 (one per rule)", len(r.Findings))
			}
			covered := 0
			for _, f := range r.Findings {
				isCovered := len(tt.rules) > 0 && strings.Contains(strings.Join(tt.rules, ","), f.Rule)
				wantStatus := StatusOpen
				if isCovered {
					covered++
					wantStatus = tt.status
					if f.Exception == nil || f.Exception.Expired != tt.expired || f.Exception.Source != "p.yaml:6" {
						t.Errorf("%s: exception = %+v, want expired=%v from p.yaml:6", f.Rule, f.Exception, tt.expired)
					}
				} else if f.Exception != nil {
					t.Errorf("%s: exception %+v on an uncovered finding", f.Rule, f.Exception)
				}
				if f.Status != wantStatus {
					t.Errorf("%s: status %s, want %s", f.Rule, f.Status, wantStatus)
				}
			}
			s := r.Summary
			hidden := 0
			if tt.status == StatusExcepted {
				hidden = covered
			}
			if s.Excepted != hidden || s.Open != 2-hidden {
				t.Errorf("summary open %d excepted %d, want %d and %d", s.Open, s.Excepted, 2-hidden, hidden)
			}
			if tt.expired && s.ExceptionExpired != covered {
				t.Errorf("exceptionExpired = %d, want %d", s.ExceptionExpired, covered)
			}
			if s.Failing == (tt.status == StatusExcepted && covered == 2) {
				t.Errorf("failing = %v", s.Failing)
			}
			if use := r.ExceptionsApplied[0]; use.Findings != covered || use.Expired != tt.expired {
				t.Errorf("exception use = %+v, want %d findings", use, covered)
			}
		})
	}
}

// Bot users' findings are reported apart and never fail the check.
func TestBotsApart(t *testing.T) {
	p := mustPolicy(t, "version: 1\nrules:\n  - {rule: idle, after: 90d, severity: revoke}\n")
	r := Check(p, []Organization{{Organization: acme, Tokens: []buildkite.Token{
		token("b", func(t *buildkite.Token) { t.Owner = bot; t.LastAccessedAt = daysAgo(300) }),
	}}}, now)
	if len(r.Findings) != 1 || !r.Findings[0].Bot || r.Summary.Bots != 1 || r.Summary.Open != 0 || r.Summary.Failing {
		t.Fatalf("findings %+v, summary %+v", r.Findings, r.Summary)
	}
	if plan := NewPlan(r, p, now); len(plan.Revocations) != 0 {
		t.Errorf("a bot's token was planned for revocation: %+v", plan.Revocations)
	}
}

// Every finding of a machine user's token says so, not only the first
// (the token's findings share its owner).
func TestMachineUserOnEveryFinding(t *testing.T) {
	p := mustPolicy(t, "version: 1\nrules:\n  - {rule: idle, after: 90d, severity: warn}\n  - {rule: lifetime, max: 30d, severity: info}\n")
	machine := &buildkite.User{UUID: "a0000000-0000-4000-8000-00000000000a", Name: "Deploys", Email: "deploys@acme.example", MachineUser: true}
	r := Check(p, []Organization{{Organization: acme, Tokens: []buildkite.Token{
		token("m", func(t *buildkite.Token) { t.Owner = machine; t.LastAccessedAt = daysAgo(300) }),
	}}}, now)
	if len(r.Findings) != 2 {
		t.Fatalf("%d findings, want 2: %+v", len(r.Findings), r.Findings)
	}
	for _, f := range r.Findings {
		if !f.MachineUser {
			t.Errorf("finding %s: machineUser false for a machine user's token", f.Rule)
		}
	}
	if r.Summary.MachineUsers != 2 {
		t.Errorf("summary machineUsers = %d, want 2", r.Summary.MachineUsers)
	}
}

func TestCompare(t *testing.T) {
	p := mustPolicy(t, "version: 1\nrules:\n  - {rule: idle, after: 90d, severity: error}\n  - {rule: lifetime, severity: warn}\n")
	stale := token("a", func(t *buildkite.Token) { t.LastAccessedAt = daysAgo(100) })
	forever := token("b", func(t *buildkite.Token) { t.ExpiresAt = nil })
	before := Check(p, []Organization{{Organization: acme, Tokens: []buildkite.Token{stale, forever}}}, now.Add(-24*time.Hour))
	raw, err := json.Marshal(before)
	if err != nil {
		t.Fatal(err)
	}
	prev, err := ReadReport(raw, "prev.json")
	if err != nil {
		t.Fatal(err)
	}
	// Since then: a was used, b still never expires, c went idle.
	stale.LastAccessedAt = daysAgo(0)
	idle := token("c", func(t *buildkite.Token) { t.LastAccessedAt = daysAgo(120) })
	r := Check(p, []Organization{{Organization: acme, Tokens: []buildkite.Token{stale, forever, idle}}}, now)
	if err := r.Compare(prev); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range r.Findings {
		got[f.Token.UUID+"/"+f.Rule] = *f.Change + "/" + f.Status
	}
	want := map[string]string{"a/idle": "resolved/resolved", "b/lifetime": "unchanged/open", "c/idle": "new/open"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s, want %s", k, got[k], v)
		}
	}
	if *r.Summary.New != 1 || *r.Summary.Unchanged != 1 || *r.Summary.Resolved != 1 || r.Summary.Open != 2 {
		t.Errorf("summary %+v", r.Summary)
	}
	if r.Findings[len(r.Findings)-1].Change == nil || *r.Findings[len(r.Findings)-1].Change != ChangeResolved {
		t.Error("resolved findings do not come last")
	}
}

func TestReadReportRejects(t *testing.T) {
	for _, in := range []string{`[]`, `{}`, `{"schemaVersion": 2}`, `not json`} {
		if _, err := ReadReport([]byte(in), "prev.json"); err == nil || !strings.Contains(err.Error(), "prev.json") {
			t.Errorf("%s: err = %v", in, err)
		}
	}
}

// The Markdown summary stays under its limit, cutting the least severe
// findings and saying so; text from Buildkite cannot break the table.
func TestMarkdownLimit(t *testing.T) {
	p := mustPolicy(t, "version: 1\nrules:\n  - {rule: idle, after: 90d, severity: error}\n  - {rule: lifetime, severity: info}\n")
	var tokens []buildkite.Token
	for i := range 300 {
		tokens = append(tokens, token(strings.Repeat("x", 10)+string(rune('a'+i%26))+strings.Repeat("y", i%7), func(t *buildkite.Token) {
			t.LastAccessedAt = daysAgo(100 + i)
			t.ExpiresAt = nil
			t.Description = "a | b <script> `c` *d*\nsecond line"
		}))
	}
	r := Check(p, []Organization{{Organization: acme, Tokens: tokens}}, now)
	full := r.Markdown(AnnotationLimit)
	if strings.Contains(full, "not shown") {
		t.Fatal("the full report was cut")
	}
	for _, limit := range []int{4000, 20000} {
		md := r.Markdown(limit)
		if len(md) > limit {
			t.Errorf("limit %d: %d bytes", limit, len(md))
		}
		// Written as it is laid out, in pieces, the summary is the same,
		// and a writer's failure is the summary's.
		var pieces strings.Builder
		if err := r.WriteMarkdown(&pieces, limit); err != nil || pieces.String() != md {
			t.Errorf("limit %d: WriteMarkdown wrote %d bytes (%v), Markdown %d", limit, pieces.Len(), err, len(md))
		}
		if err := r.WriteMarkdown(failingWriter{}, limit); err == nil {
			t.Errorf("limit %d: WriteMarkdown kept a write error to itself", limit)
		}
		if !strings.Contains(md, "more finding(s) not shown") || !strings.Contains(md, "| idle | error | 300 |") {
			t.Errorf("limit %d: no note or no counts:\n%s", limit, md)
		}
		// Worst first: errors are kept before infos.
		if strings.Count(md, "| error |") < 2 {
			t.Errorf("limit %d: the errors were cut first", limit)
		}
	}
	if strings.Contains(full, "<script>") || strings.Contains(full, "a | b") || strings.Contains(full, "\nsecond line") {
		t.Error("a description broke out of its cell")
	}
}

// goldenPolicy is the policy of goldenReport.
func goldenPolicy(t *testing.T) *Policy {
	t.Helper()
	return mustPolicy(t, `version: 1
rules:
  - {rule: idle, after: 90d, severity: warn}
  - {rule: idle, name: idle-a-year, after: 365d, severity: revoke}
  - {rule: lifetime, max: 365d, severity: info}
  - {rule: owner-no-2fa, severity: error}
exceptions:
  - {owner: ada@acme.example, reason: "on call | pager", until: 2026-12-31}
  - {token: 33333333-3333-4333-8333-333333333333, reason: "migration", until: 2026-05-01}
`)
}

// goldenReport is a fixed report covering every status: open, excepted,
// expired exception, bot, and compared.
func goldenReport(t *testing.T) Report {
	t.Helper()
	p := goldenPolicy(t)
	tokens := []buildkite.Token{
		token("11111111-1111-4111-8111-111111111111", func(t *buildkite.Token) { t.LastAccessedAt = daysAgo(400); t.Description = "CI deploy bot" }),
		token("22222222-2222-4222-8222-222222222222", func(t *buildkite.Token) { t.Owner = ada; t.ExpiresAt = nil; t.Description = "Ada's laptop" }),
		token("33333333-3333-4333-8333-333333333333", func(t *buildkite.Token) { t.LastAccessedAt = daysAgo(120); t.Description = "Migration helper" }),
		token("44444444-4444-4444-8444-444444444444", func(t *buildkite.Token) { t.Scopes = []string{"WRITE_BUILDS"}; t.Description = "Writer" }),
		token("55555555-5555-4555-8555-555555555555", func(t *buildkite.Token) { t.Owner = bot; t.ExpiresAt = nil; t.Description = "Agent" }),
	}
	members := []buildkite.Member{member(mo, "MEMBER", daysAgo(1), false), member(ada, "ADMIN", daysAgo(1), true), member(bot, "MEMBER", daysAgo(1), false)}
	prev := Check(p, []Organization{{Organization: acme, Tokens: tokens[:1], Members: members}}, now.Add(-24*time.Hour))
	prev.Findings = append(prev.Findings, Finding{Organization: "acme", Token: &TokenRef{UUID: "99999999-9999-4999-8999-999999999999", Description: document.Optional("Gone")}, Rule: "idle", Kind: "idle", Severity: SeverityWarn, Message: "last used 100d ago (limit 90d)", Status: StatusOpen})
	r := Check(p, []Organization{{Organization: acme, Tokens: tokens, Members: members}}, now)
	if err := r.Compare(&prev); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestGoldenFormats(t *testing.T) {
	r := goldenReport(t)
	var js strings.Builder
	if err := (output.Printer{Out: &js, Format: output.JSON}).Print(r, nil); err != nil {
		t.Fatal(err)
	}
	var streamed strings.Builder
	if err := r.WriteJSON(&streamed); err != nil {
		t.Fatal(err)
	}
	if streamed.String() != js.String() {
		t.Errorf("WriteJSON differs from the encoded document:\n%s", streamed.String())
	}
	empty := Check(mustPolicy(t, okRules), nil, now)
	var a, b strings.Builder
	_ = empty.WriteJSON(&a)
	_ = (output.Printer{Out: &b, Format: output.JSON}).Print(empty, nil)
	if a.String() != b.String() {
		t.Errorf("WriteJSON of an empty report differs:\n%s\n%s", a.String(), b.String())
	}
	var csv strings.Builder
	if err := (output.Printer{Out: &csv, Format: output.CSV}).Print(r, func(bool) output.Rows { return r.CSVRows() }); err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	if err := r.WriteTable(&table, output.TableStyle{Format: output.Table}); err != nil {
		t.Fatal(err)
	}
	var plan strings.Builder
	if err := (output.Printer{Out: &plan, Format: output.JSON}).Print(NewPlan(r, goldenPolicy(t), now), nil); err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]string{
		"report.json": js.String(), "report.csv": csv.String(), "report.table": table.String(), "report.md": r.Markdown(AnnotationLimit), "plan.json": plan.String(),
	} {
		golden(t, name, got)
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	testfiles.Golden(t, filepath.Join("testdata", name+".golden"), got)
}

// Findings that say the same share their message; each says what its own
// evidence does, on either side of every boundary of the spans a message
// shows (an hour, a day, expired or not).
func TestSharedMessagesSayTheirOwnEvidence(t *testing.T) {
	p := mustPolicy(t, "version: 1\nrules:\n  - {rule: expiring, within: 30d, severity: warn}\n  - {rule: idle, after: 1d, severity: warn}\n  - {rule: lifetime, max: 1d, severity: info}\n")
	var tokens []buildkite.Token
	for i, d := range []time.Duration{-90 * time.Minute, -30 * time.Minute, -time.Second, 0, time.Second, 30 * time.Minute, 59 * time.Minute, time.Hour, 23*time.Hour + 59*time.Minute, 24 * time.Hour, 25 * time.Hour, 47 * time.Hour, 48 * time.Hour} {
		at := now.Add(d)
		idle := now.Add(-24*time.Hour - d.Abs())
		tokens = append(tokens, token(fmt.Sprintf("%08d-0000-4000-8000-000000000000", i), func(t *buildkite.Token) {
			t.ExpiresAt, t.LastAccessedAt = &at, &idle
		}))
	}
	r := Check(p, []Organization{{Organization: acme, Tokens: tokens}}, now)
	if len(r.Findings) < 30 {
		t.Fatalf("only %d findings", len(r.Findings))
	}
	for _, f := range r.Findings {
		if want := f.Evidence.message(); f.Message != want {
			t.Errorf("%s %s: %q, its evidence says %q", f.Token.UUID, f.Rule, f.Message, want)
		}
	}
}

// The findings' tables are written as their rows are made, not held: the
// bytes are those of the same rows held and laid out whole, in a pipe and
// on a narrow coloured terminal that cuts descriptions and owners.
func TestReportTableIsTheHeldTable(t *testing.T) {
	r := Check(DefaultPolicy(), []Organization{largeOrganization()}, now)
	for _, style := range []output.TableStyle{
		{Format: output.Table, Now: now},
		{Format: output.Table, Terminal: true, Colour: true, Width: 90, Now: now},
	} {
		var got strings.Builder
		if err := r.WriteTable(&got, style); err != nil {
			t.Fatal(err)
		}
		var want strings.Builder
		want.WriteString(output.Printable(r.SummaryLine()) + "\n")
		titles, group := findingGroups()
		tables := 0
		for g, title := range titles {
			p := output.NewTablePrinter(style, "ORGANIZATION", "TOKEN", "DESCRIPTION", "OWNER", "RULE", "WHY")
			n := 0
			for i := range r.Findings {
				if group(&r.Findings[i]) == g {
					addFindingRow(p, &r.Findings[i])
					n++
				}
			}
			if n == 0 {
				continue
			}
			tables++
			fmt.Fprintf(&want, "\n%s (%d)\n", title, n)
			if err := output.WriteTable(&want, p.Rows()); err != nil {
				t.Fatal(err)
			}
		}
		if style.Terminal && !strings.Contains(got.String(), "…") {
			t.Errorf("%+v: nothing was cut to fit", style)
		}
		if tables < 2 || got.String() != want.String() {
			t.Errorf("%+v: the report's table (%d bytes) is not the held table (%d bytes, %d tables)", style, got.Len(), want.Len(), tables)
		}
	}
}

// failingWriter is a writer whose every write fails.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
