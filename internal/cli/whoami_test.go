package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/cli/clitest"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	whoamiCmd "github.com/tokenctl/tokenctl/internal/cli/whoami"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/iostreams"
	"github.com/tokenctl/tokenctl/internal/output"
)

func decodeWhoami(t *testing.T, r result) document.Whoami {
	t.Helper()
	var me document.Whoami
	if err := json.Unmarshal([]byte(r.stdout), &me); err != nil {
		t.Fatalf("stdout is not the whoami document: %v\n%s", err, r)
	}
	return me
}

func TestWhoamiDescribesTokenUserAndOrganizations(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("whoami", "-o", "json")
	if r.code != 0 {
		t.Fatalf("whoami failed:\n%s", r)
	}
	me := decodeWhoami(t, r)
	if me.Token.UUID != et.DemoTokenUUID || deref(me.Token.Description) != "tokenctl demo admin" {
		t.Errorf("token = %+v", me.Token)
	}
	if strings.Join(me.Token.Scopes, ",") != "graphql,read_organizations" {
		t.Errorf("scopes = %q, want REST's lower-case names", me.Token.Scopes)
	}
	if !me.Token.CreatedAt.Equal(fixedNow.AddDate(0, 0, -30)) {
		t.Errorf("createdAt = %s", me.Token.CreatedAt)
	}
	if me.User.Name != "Ada Admin" || me.User.Email != et.DemoAdminEmail || deref(me.User.UUID) != et.AdaUUID {
		t.Errorf("user = %+v", me.User)
	}
	// The organizations are those Ada belongs to, not only those the
	// token was granted (acme).
	if !me.GraphQLAccess || len(me.Organizations) != 2 || me.Organizations[0].Slug != "acme" || me.Organizations[1].Slug != et.DemoOtherOrg ||
		me.Organizations[0].Name != et.DemoOrgName || me.Organizations[0].ID != emulator.NodeID("Organization", et.AcmeOrgUUID) {
		t.Errorf("graphqlAccess = %v, organizations = %+v", me.GraphQLAccess, me.Organizations)
	}
	if len(me.Notes) != 0 || r.stderr != "" {
		t.Errorf("notes = %q, stderr = %q", me.Notes, r.stderr)
	}
	if n := h.requests("GET /v2/access-token"); n != 1 {
		t.Errorf("REST requests = %d, want 1", n)
	}
	if n := h.requests("Viewer"); n != 1 {
		t.Errorf("Viewer requests = %d, want 1", n)
	}
}

func TestWhoamiListsEveryReachableOrganization(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	h.env["BUILDKITE_API_TOKEN"] = et.AdaLaptopToken
	r := h.run("whoami", "--jq", ".organizations[].slug")
	if r.code != 0 || r.stdout != "acme\nglobex\n" {
		t.Fatalf("want acme and globex:\n%s", r)
	}
}

// A token without GraphQL access is still described by REST, with a note.
func TestWhoamiWithoutGraphQLAccessIsPartial(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	h.env["BUILDKITE_API_TOKEN"] = et.NoGraphQLToken
	r := h.run("whoami", "-o", "json")
	if r.code != 0 {
		t.Fatalf("whoami failed:\n%s", r)
	}
	me := decodeWhoami(t, r)
	if me.Token.UUID != et.NoGraphQLTokenUUID || me.User.Email != "mo@acme.example" || me.User.UUID != nil {
		t.Errorf("token = %+v, user = %+v", me.Token, me.User)
	}
	if me.GraphQLAccess || me.Organizations != nil {
		t.Errorf("graphqlAccess = %v, organizations = %+v; want false and null", me.GraphQLAccess, me.Organizations)
	}
	if !strings.Contains(r.stdout, `"organizations": null`) {
		t.Errorf("organizations is not null in the JSON:\n%s", r.stdout)
	}
	mustContain(t, "stderr", r.stderr, "note: this token has no GraphQL API access")
	if len(me.Notes) != 1 {
		t.Errorf("notes = %q", me.Notes)
	}
}

func TestWhoamiFailures(t *testing.T) {
	cases := []struct {
		name, token string
		args        []string
		want        exitcode.Code
		stderr      string
	}{
		{name: "revoked credential", token: et.RevokedToken, want: exitcode.Auth, stderr: "HTTP 401"},
		{name: "expired credential", token: et.ExpiredToken, want: exitcode.Auth, stderr: "HTTP 401"},
		{name: "no credential", want: exitcode.Auth, stderr: "BUILDKITE_API_TOKEN"},
		{name: "bad jq", token: et.DemoToken, args: []string{"--jq", ".["}, want: exitcode.Usage, stderr: "--jq"},
		{name: "bad format", token: et.DemoToken, args: []string{"-o", "xml"}, want: exitcode.Usage, stderr: "--output xml: this command prints table, json or yaml"},
		{name: "argument", token: et.DemoToken, args: []string{"acme"}, want: exitcode.Usage, stderr: "unknown command"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, emulator.Options{})
			h.env["BUILDKITE_API_TOKEN"] = c.token
			if c.token == "" {
				delete(h.env, "BUILDKITE_API_TOKEN")
			}
			r := h.run(append([]string{"whoami"}, c.args...)...)
			if exitcode.Code(r.code) != c.want {
				t.Fatalf("exit %d, want %d\n%s", r.code, c.want, r)
			}
			mustContain(t, "stderr", r.stderr, c.stderr)
			if strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 || strings.Contains(r.stderr, "goroutine ") {
				t.Errorf("want one clear line (and maybe a usage hint):\n%s", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q", r.stdout)
			}
			if c.token != "" && strings.Contains(r.stderr, c.token) {
				t.Error("stderr shows the credential")
			}
		})
	}
}

func TestWhoamiTableAndYAML(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("whoami")
	if r.code != 0 {
		t.Fatalf("whoami failed:\n%s", r)
	}
	golden(t, "whoami.table.golden", r.stdout)

	r = h.run("whoami", "-o", "yaml")
	if r.code != 0 {
		t.Fatalf("whoami -o yaml failed:\n%s", r)
	}
	mustContain(t, "yaml", r.stdout, "uuid: "+et.DemoTokenUUID, "graphqlAccess: true", "slug: acme")
}

func TestWhoamiFlagsParse(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	ios, _, _ := iostreams.Test("")
	clitest.SetEnv(t, h.env)
	f := &cmdutil.Factory{IO: ios, Now: func() time.Time { return fixedNow }}
	parse := func(args ...string) *whoamiCmd.WhoamiOptions {
		var got *whoamiCmd.WhoamiOptions
		cmd := whoamiCmd.NewCmdWhoami(f, func(_ context.Context, o *whoamiCmd.WhoamiOptions) error { got = o; return nil })
		cmd.SetArgs(args)
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := parse("-o", "yaml"); got == nil || got.Format != output.YAML {
		t.Fatalf("options = %+v", got)
	}
	// --jq filters JSON, so it implies -o json.
	if got := parse("--jq", ".user.email"); got == nil || got.Format != output.JSON || got.JQ != ".user.email" {
		t.Fatalf("options = %+v", got)
	}
	if n := len(h.srv.Requests()); n != 0 {
		t.Errorf("parsing flags sent %d requests", n)
	}
}
