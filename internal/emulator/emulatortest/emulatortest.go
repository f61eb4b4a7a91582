// Package emulatortest starts the Buildkite emulator for tests and names the
// demo seed's tokens, so tests elsewhere need no magic strings. It must not
// be imported by non-test code.
package emulatortest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
)

// Tokens of the demo seed (internal/emulator/fixtures/demo.yaml). Values are
// fake credentials that only the emulator accepts.
//
//nolint:gosec // fake, public demo credentials, not secrets
const (
	// DemoToken is the tool's own credential: Ada Admin, administrator of
	// acme, token can access acme only; GRAPHQL and READ_ORGANIZATIONS.
	DemoToken     = "bkua_demo0000000000000000000000000000000000"
	DemoTokenUUID = "dddddddd-dddd-4ddd-8ddd-dddddddddddd"

	// CIDeployBotUUID is Mo Member's "CI deploy bot": acme and globex, last
	// used over a year ago. The usual revocation target.
	CIDeployBotUUID  = "11111111-1111-4111-8111-111111111111"
	CIDeployBotToken = "bkua_cideploy00000000000000000000000000000000"

	// MemberToken is Mo Member's GraphQL token (acme and globex): a caller
	// who may not list or revoke tokens anywhere.
	MemberToken     = "bkua_mo00000000000000000000000000000000000000"
	MemberTokenUUID = "66666666-6666-4666-8666-666666666666"

	// AdaLaptopToken belongs to Ada Admin and can access acme and globex;
	// Ada administers acme but is only a member of globex.
	AdaLaptopToken     = "bkua_adalaptop0000000000000000000000000000000"
	AdaLaptopTokenUUID = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"

	// NoGraphQLToken lacks the GRAPHQL scope: GraphQL answers 403, REST
	// works.
	NoGraphQLToken     = "bkua_metrics000000000000000000000000000000000"
	NoGraphQLTokenUUID = "44444444-4444-4444-8444-444444444444"

	// ExpiredToken expired three days before the server started.
	ExpiredToken     = "bkua_release000000000000000000000000000000000"
	ExpiredTokenUUID = "55555555-5555-4555-8555-555555555555"

	// RevokedToken was revoked entirely: every request gets 401.
	RevokedToken     = "bkua_leaked0000000000000000000000000000000000"
	RevokedTokenUUID = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"

	// GlobexAdminToken belongs to Gus Globex, administrator of globex.
	GlobexAdminToken     = "bkua_gus0000000000000000000000000000000000000"
	GlobexAdminTokenUUID = "99999999-9999-4999-8999-999999999999"

	// Other demo tokens that can access acme, by uuid.
	OldLaptopTokenUUID = "22222222-2222-4222-8222-222222222222" // never used
	TerraformTokenUUID = "33333333-3333-4333-8333-333333333333" // WRITE_ORGANIZATIONS, recent
	HackathonTokenUUID = "77777777-7777-4777-8777-777777777777" // WRITE_ORGANIZATIONS, stale
	AnalyticsTokenUUID = "88888888-8888-4888-8888-888888888888" // never used, no GRAPHQL
	BootstrapTokenUUID = "cccccccc-cccc-4ccc-8ccc-cccccccccccc" // globex only, never used

	// Demo users and organizations.
	AdaUUID        = "a0000000-0000-4000-8000-000000000001"
	MoUUID         = "a0000000-0000-4000-8000-000000000002"
	GusUUID        = "a0000000-0000-4000-8000-000000000003"
	AcmeOrgUUID    = "b0000000-0000-4000-8000-000000000001"
	GlobexOrgUUID  = "b0000000-0000-4000-8000-000000000002"
	DemoOrgSlug    = "acme"
	DemoOtherOrg   = "globex"
	DemoOrgName    = "Acme Inc"
	DemoAdminEmail = "ada@acme.example"
)

// Tokens of the multi-org fixture (fixtures/multi-org.yaml): Ada administers
// acme and globex and is a member of initech.
const (
	MultiOrgToken         = "bkua_multi00000000000000000000000000000000000"
	MultiOrgTokenUUID     = "e0000000-0000-4000-8000-000000000001"
	SharedCITokenUUID     = "e0000000-0000-4000-8000-000000000002" // in all three organizations
	AcmeOnlyTokenUUID     = "e0000000-0000-4000-8000-000000000003"
	InitechDeployUUID     = "e0000000-0000-4000-8000-000000000004"
	InitechOrgUUID        = "b0000000-0000-4000-8000-000000000003"
	MultiOrgMemberOnlyOrg = "initech"
)

// The many-orgs fixture (fixtures/many-orgs.yaml): Ada belongs to 106
// organizations, listed as hooli (admin, not granted to her token),
// initech (member), then org-001 ... org-104 (admin); Shared CI
// (SharedCITokenUUID) can access hooli, initech, org-001 and org-104.
//
//nolint:gosec // fake, public demo credentials, not secrets
const (
	ManyOrgsToken      = "bkua_manyorgs00000000000000000000000000000000"
	ManyOrgsTokenUUID  = "e0000000-0000-4000-8000-000000000011"
	ManyOrgsCount      = 106
	ManyOrgsUngranted  = "hooli"
	ManyOrgsLastOrg    = "org-104"
	ManyOrgsFirstAdmin = "org-001"
)

// ManyOrgsFixture is the built-in many-orgs fixture.
func ManyOrgsFixture(t testing.TB) *emulator.Fixture {
	t.Helper()
	f, err := emulator.BuiltinFixture("many-orgs")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The settings fixture (fixtures/settings.yaml): Ada administers acme
// (every paid feature), hobby (a plan without them) and globex (an
// allowlist without the loopback address), and is a member of initech.
//
//nolint:gosec // fake, public demo credentials, not secrets
const (
	SettingsToken        = "bkua_settings000000000000000000000000000000000"
	SettingsTokenUUID    = "f0000000-0000-4000-8000-000000000001"
	SettingsReadToken    = "bkua_settingsread0000000000000000000000000000"
	SettingsNoScopeToken = "bkua_settingsnone0000000000000000000000000000"
	SettingsMoTokenUUID  = "f0000000-0000-4000-8000-000000000004"
	// SettingsMachineTokenUUID belongs to a machine user (User.machineUser).
	SettingsMachineTokenUUID = "f0000000-0000-4000-8000-000000000005"
	SettingsFreeOrg          = "hobby"
	SettingsLockedOrg        = "globex"
	SettingsMemberOnlyOrg    = "initech"
)

// SettingsFixture is the built-in settings fixture.
func SettingsFixture(t testing.TB) *emulator.Fixture {
	t.Helper()
	f, err := emulator.BuiltinFixture("settings")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Server is a running emulator.
type Server struct {
	*emulator.Server
	URL             string // root, e.g. http://127.0.0.1:41234
	GraphQLEndpoint string // URL + "/v1"
	RESTEndpoint    string // URL; REST paths start with /v2
}

// Start runs an emulator on a loopback port until the test ends. A nil
// opts.Fixture serves the demo seed; opts.ErrorWording picks how errors are
// worded (see emulator.ErrorWordings: run error-handling tests under each).
func Start(t testing.TB, opts emulator.Options) *Server {
	t.Helper()
	srv, err := emulator.New(opts)
	if err != nil {
		t.Fatalf("starting emulator: %v", err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &Server{Server: srv, URL: hs.URL, GraphQLEndpoint: hs.URL + "/v1", RESTEndpoint: hs.URL}
}

// ForEachIDFormat runs test once under every id format the emulator can
// issue, as a subtest named for it. GraphQL ids are opaque and Buildkite
// documents no format, so behaviour that handles ids must hold for each.
func ForEachIDFormat(t *testing.T, test func(t *testing.T, format emulator.IDFormat)) {
	t.Helper()
	for _, format := range emulator.IDFormats {
		t.Run("ids="+string(format), func(t *testing.T) { test(t, format) })
	}
}

// MultiOrgFixture is the built-in multi-org fixture.
func MultiOrgFixture(t testing.TB) *emulator.Fixture {
	t.Helper()
	f, err := emulator.BuiltinFixture("multi-org")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Response is a raw answer, decoded where it is JSON.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// Data and Errors are filled when Body is a GraphQL response.
	Data   json.RawMessage
	Errors []Error
}

// Error is one entry of a GraphQL errors array.
type Error struct {
	Message    string         `json:"message"`
	Type       string         `json:"type"`
	Path       []any          `json:"path"`
	Locations  []Location     `json:"locations"`
	Extensions map[string]any `json:"extensions"`
}

// Location is a position in a GraphQL document.
type Location struct{ Line, Column int }

// GraphQL posts a document to the emulator with token as the bearer
// credential (none when empty) and fails the test only on transport errors,
// so tests can check any status.
func (s *Server) GraphQL(t testing.TB, token, query string, variables map[string]any) *Response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": variables})
	if err != nil {
		t.Fatal(err)
	}
	return s.Do(t, http.MethodPost, "/v1", token, body)
}

// Do sends one request to path with token as the bearer credential.
func (s *Server) Do(t testing.TB, method, path, token string, body []byte) *Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
	var gql struct {
		Data   json.RawMessage `json:"data"`
		Errors []Error         `json:"errors"`
	}
	if json.Unmarshal(raw, &gql) == nil {
		out.Data, out.Errors = gql.Data, gql.Errors
	}
	return out
}
