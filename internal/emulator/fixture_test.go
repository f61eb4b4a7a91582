package emulator_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

func TestBuiltinFixturesParse(t *testing.T) {
	names := emulator.BuiltinFixtures()
	for _, want := range []string{"demo", "multi-org"} {
		if !slices.Contains(names, want) {
			t.Errorf("built-in fixtures %v lack %q", names, want)
		}
	}
	for _, name := range names {
		if _, err := emulator.BuiltinFixture(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := emulator.BuiltinFixture("nope"); err == nil {
		t.Error("unknown built-in fixture accepted")
	}
}

// TestDemoSeedMatchesConstants keeps emulatortest's names honest.
func TestDemoSeedMatchesConstants(t *testing.T) {
	f := emulator.DemoFixture()
	byUUID := map[string]emulator.FixtureToken{}
	for _, tok := range f.Tokens {
		byUUID[tok.UUID] = tok
	}
	for _, c := range []struct{ uuid, value string }{
		{emulatortest.DemoTokenUUID, emulatortest.DemoToken},
		{emulatortest.CIDeployBotUUID, emulatortest.CIDeployBotToken},
		{emulatortest.MemberTokenUUID, emulatortest.MemberToken},
		{emulatortest.AdaLaptopTokenUUID, emulatortest.AdaLaptopToken},
		{emulatortest.NoGraphQLTokenUUID, emulatortest.NoGraphQLToken},
		{emulatortest.ExpiredTokenUUID, emulatortest.ExpiredToken},
		{emulatortest.RevokedTokenUUID, emulatortest.RevokedToken},
		{emulatortest.GlobexAdminTokenUUID, emulatortest.GlobexAdminToken},
	} {
		if got := byUUID[c.uuid].Value; got != c.value {
			t.Errorf("token %s: fixture value differs from the constant", c.uuid)
		}
	}
	demo := byUUID[emulatortest.DemoTokenUUID]
	if demo.Description != "tokenctl demo admin" || !slices.Equal(demo.Organizations, []string{"acme"}) ||
		!slices.Contains(demo.Scopes, "GRAPHQL") || !slices.Contains(demo.Scopes, "READ_ORGANIZATIONS") {
		t.Errorf("demo admin token is %+v", demo)
	}
	if emulatortest.DemoToken != "bkua_demo0000000000000000000000000000000000" {
		t.Error("DemoToken changed: .ci/demo.sh uses this value")
	}
	bot := byUUID[emulatortest.CIDeployBotUUID]
	if bot.Description != "CI deploy bot" || !slices.Equal(bot.Organizations, []string{"acme", "globex"}) {
		t.Errorf("CI deploy bot is %+v", bot)
	}
	for _, uuid := range []string{emulatortest.OldLaptopTokenUUID, emulatortest.TerraformTokenUUID, emulatortest.HackathonTokenUUID, emulatortest.AnalyticsTokenUUID, emulatortest.BootstrapTokenUUID} {
		if _, ok := byUUID[uuid]; !ok {
			t.Errorf("demo seed lacks token %s", uuid)
		}
	}
	if len(f.Tokens) < 10 {
		t.Errorf("demo seed has %d tokens, want at least 10", len(f.Tokens))
	}

	multi := emulatortest.MultiOrgFixture(t)
	found := false
	for _, tok := range multi.Tokens {
		if tok.UUID == emulatortest.MultiOrgTokenUUID {
			found = tok.Value == emulatortest.MultiOrgToken
		}
	}
	if !found {
		t.Error("multi-org caller token does not match its constants")
	}
}

const validFixture = `
users:
  - {uuid: 00000000-0000-4000-8000-000000000001, name: A, email: a@x.example}
organizations:
  - uuid: 00000000-0000-4000-8000-000000000002
    slug: x
    name: X
    members: [{user: a@x.example, role: admin}]
tokens:
  - uuid: 00000000-0000-4000-8000-000000000003
    value: bkua_x
    owner: a@x.example
    scopes: [GRAPHQL]
    organizations: [x]
    created-at: 2025-01-02T03:04:05Z
`

func TestParseFixtureErrors(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"unknown owner", "owner: a@x.example", "owner: nobody@x.example", `owner "nobody@x.example" is not a known user email`},
		{"unknown org", "organizations: [x]", "organizations: [y]", `unknown organization slug "y"`},
		{"duplicate uuid", "00000000-0000-4000-8000-000000000003", "00000000-0000-4000-8000-000000000001", "duplicate uuid"},
		{"bad uuid", "00000000-0000-4000-8000-000000000003", "not-a-uuid", "is not a UUID"},
		{"bad time", "2025-01-02T03:04:05Z", "yesterday", `created-at: bad time "yesterday"`},
		{"bad relative time", "2025-01-02T03:04:05Z", "now-3w", `bad relative time "now-3w"`},
		{"bad role", "role: admin", "role: owner", `role "owner"`},
		{"unknown scope", "scopes: [GRAPHQL]", "scopes: [GRAPHQL, READ_EVERYTHING]", `unknown scope "READ_EVERYTHING"`},
		{"unknown member", "user: a@x.example", "user: b@x.example", `member "b@x.example" is not a known user email`},
		{"unknown key", "value: bkua_x", "value: bkua_x\n    secret: 1", "field secret not found"},
		{"not yaml", "users:", "users: [", "parsing fixture"},
		{"bad fault", "tokens:", "faults: [{kind: explode}]\ntokens:", `unknown fault kind "explode"`},
		{"generated organizations without a number", "tokens:", "generate-organizations: [{count: 2, slug: org}]\ntokens:", "must be a pattern with one %d"},
		{"generated organizations for an unknown token", "tokens:", "generate-organizations: [{count: 2, slug: org-%d, tokens: [00000000-0000-4000-8000-0000000000ff]}]\ntokens:", "is not among the fixture's tokens"},
		{"generated organizations with an unknown member", "tokens:", "generate-organizations: [{count: 2, slug: org-%d, members: [{user: z@x.example, role: admin}]}]\ntokens:", `organizations[1] (org-1): member "z@x.example" is not a known user email`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(validFixture, tt.old, tt.new, 1)
			if src == validFixture {
				t.Fatalf("test case does not change the fixture")
			}
			_, err := emulator.ParseFixture([]byte(src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := emulator.ParseFixture([]byte(validFixture)); err != nil {
		t.Fatalf("valid fixture rejected: %v", err)
	}
}

func TestOwnerMustBeMember(t *testing.T) {
	f := emulator.DemoFixture()
	f.Tokens[0].Owner = "gus@globex.example"
	f.Tokens[0].Organizations = []string{"acme"}
	if err := f.Validate(); err == nil || !strings.Contains(err.Error(), `is not a member of organization "acme"`) {
		t.Fatalf("got %v", err)
	}
	if _, err := emulator.New(emulator.Options{Fixture: f}); err == nil {
		t.Fatal("New accepted an invalid fixture")
	}
}

func TestLoadFixtureJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.json")
	json := `{"users":[{"uuid":"00000000-0000-4000-8000-000000000001","name":"A","email":"a@x.example"}],
	  "organizations":[{"uuid":"00000000-0000-4000-8000-000000000002","slug":"x","name":"X","members":[{"user":"a@x.example","role":"admin"}]}],
	  "tokens":[{"uuid":"00000000-0000-4000-8000-000000000003","value":"bkua_x","owner":"a@x.example","scopes":["GRAPHQL"],"organizations":["x"],"created-at":"now-1d"}],
	  "generate":[{"organization":"x","count":3,"owner":"a@x.example"}]}`
	if err := os.WriteFile(path, []byte(json), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := emulator.LoadFixture(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Tokens) != 4 {
		t.Fatalf("got %d tokens, want 1 + 3 generated", len(f.Tokens))
	}
	srv := emulatortest.Start(t, emulator.Options{Fixture: f})
	if got := len(srv.Tokens("x")); got != 4 {
		t.Errorf("organization x lists %d tokens, want 4", got)
	}
	if _, err := emulator.LoadFixture(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("missing file accepted")
	}
}

func TestGeneratedTokensAreDeterministicAndVaried(t *testing.T) {
	gen := func() *emulator.Fixture {
		f := emulator.DemoFixture()
		f.AddGeneratedTokens("acme", 40, "ada@acme.example")
		return f
	}
	a, b := gen(), gen()
	if !slices.EqualFunc(a.Tokens, b.Tokens, func(x, y emulator.FixtureToken) bool {
		return x.UUID == y.UUID && x.Value == y.Value && x.LastAccessedAt == y.LastAccessedAt
	}) {
		t.Fatal("two generations differ")
	}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	gen40 := a.Tokens[len(a.Tokens)-40:]
	var neverUsed, noExpiry, writeOrgs, noGraphQL int
	for _, tok := range gen40 {
		if len(tok.Value) != len("bkua_")+40 || !strings.HasPrefix(tok.Value, "bkua_") {
			t.Errorf("value of %s is not bkua_ + 40 hex", tok.UUID)
		}
		if tok.LastAccessedAt == "" {
			neverUsed++
		}
		if tok.ExpiresAt == "" {
			noExpiry++
		}
		if slices.Contains(tok.Scopes, "WRITE_ORGANIZATIONS") || slices.Contains(tok.Scopes, "WRITE_TEAMS") {
			writeOrgs++
		}
		if !slices.Contains(tok.Scopes, "GRAPHQL") {
			noGraphQL++
		}
	}
	for name, n := range map[string]int{"never used": neverUsed, "no expiry": noExpiry, "admin scopes": writeOrgs, "no GRAPHQL": noGraphQL} {
		if n == 0 || n == 40 {
			t.Errorf("%s: %d of 40, want a mix", name, n)
		}
	}
}

func TestRelativeTimesFollowTheClock(t *testing.T) {
	srv, _ := startDemo(t)
	var data struct {
		Organization struct {
			APIAccessTokens struct {
				Nodes []struct {
					UUID           string
					LastAccessedAt *string
					CreatedAt      string
				}
			} `json:"apiAccessTokens"`
		}
	}
	decode(t, srv.GraphQL(t, emulatortest.DemoToken, `{ organization(slug: "acme") { apiAccessTokens(first: 50) { nodes { uuid lastAccessedAt createdAt } } } }`, nil), &data)
	for _, n := range data.Organization.APIAccessTokens.Nodes {
		if n.UUID == emulatortest.CIDeployBotUUID {
			if n.LastAccessedAt == nil || *n.LastAccessedAt != epoch.AddDate(0, 0, -400).Format("2006-01-02T15:04:05Z") {
				t.Errorf("CI deploy bot last accessed %v, want 400 days before the clock", n.LastAccessedAt)
			}
			return
		}
	}
	t.Fatal("CI deploy bot not listed")
}
