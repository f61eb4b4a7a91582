package cli

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/selector"
)

// The large-org fixture (internal/emulator/fixtures/large-org.yaml): 1,000
// tokens in organization "large", the first being the caller's.
const (
	largeOrgToken     = "bkua_large00000000000000000000000000000000000"
	largeOrgTokenUUID = "f0000000-0000-4000-8000-000000000001"
	largeOrgSlug      = "large"
	largeOrgSize      = 1000
)

func largeOrgHarness(t *testing.T) *harness {
	t.Helper()
	fx, err := emulator.BuiltinFixture("large-org")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, emulator.Options{Fixture: fx})
	h.env["BUILDKITE_API_TOKEN"] = largeOrgToken
	return h
}

func decodeTokenList(t *testing.T, r result) document.TokenList {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("tokens list failed:\n%s", r)
	}
	var l document.TokenList
	if err := json.Unmarshal([]byte(r.stdout), &l); err != nil {
		t.Fatalf("stdout is not the tokens list JSON: %v\n%s", err, r)
	}
	return l
}

func listedUUIDs(l document.TokenList) []string {
	out := []string{}
	for _, tk := range l.Tokens {
		out = append(out, tk.UUID)
	}
	return out
}

// The acme tokens of the demo seed, in Buildkite's (creation) order.
var (
	acmeNeverUsed = []string{et.OldLaptopTokenUUID, et.AnalyticsTokenUUID}
	acmeStale90d  = []string{et.CIDeployBotUUID, et.HackathonTokenUUID} // 400 and 700 days
)

func TestTokensListGoldenOutputs(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	for _, format := range []string{"table", "wide", "json", "yaml", "csv"} {
		t.Run(format, func(t *testing.T) {
			r := h.run("tokens", "list", "--org", "acme", "-o", format)
			if r.code != 0 {
				t.Fatalf("tokens list -o %s failed:\n%s", format, r)
			}
			if r.stderr != "" {
				t.Errorf("stderr is not empty without a terminal:\n%s", r.stderr)
			}
			golden(t, "tokens.list."+format+".golden", r.stdout)
		})
	}
}

func TestTokensListJSONContract(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	l := decodeTokenList(t, h.run("tokens", "list", "--org", "acme", "-o", "json"))
	if l.Organization.Slug != "acme" || l.Organization.Name != et.DemoOrgName || l.Organization.ID != emulator.NodeID("Organization", et.AcmeOrgUUID) || l.Organization.UUID != et.AcmeOrgUUID {
		t.Errorf("organization = %+v", l.Organization)
	}
	if !l.AsOf.Equal(fixedNow) {
		t.Errorf("asOf = %v, want %v", l.AsOf, fixedNow)
	}
	// Every acme token the emulator lists; the entirely revoked one is not.
	if got, want := listedUUIDs(l), h.srv.Tokens("acme"); !slices.Equal(got, want) || len(got) != 10 {
		t.Errorf("listed %q, want the emulator's %q (10)", got, want)
	}
	want := selector.Summary{Tokens: 10, Matched: 10, NeverUsed: 2, NeverExpires: 5, Stale: 2, StaleAfter: "90d"}
	if l.Summary != want {
		t.Errorf("summary = %+v, want %+v", l.Summary, want)
	}
	for _, tk := range l.Tokens {
		if tk.UUID != et.CIDeployBotUUID {
			continue
		}
		if tk.ID != emulator.NodeID("APIAccessToken", et.CIDeployBotUUID) || deref(tk.Description) != "CI deploy bot" ||
			tk.Owner == nil || tk.Owner.Email != "mo@acme.example" || tk.Owner.UUID != et.MoUUID ||
			deref(tk.IPAddress) != "203.0.113.10" || tk.ExpiresAt != nil ||
			tk.LastAccessedAt == nil || !tk.LastAccessedAt.Equal(fixedNow.Add(-400*24*time.Hour)) ||
			!slices.Equal(tk.Scopes, []string{"GRAPHQL", "READ_BUILDS", "WRITE_BUILDS", "READ_PIPELINES"}) {
			t.Errorf("CI deploy bot = %+v", tk)
		}
	}
	// Never is null, not an empty string or a zero time.
	r := h.run("tokens", "list", "--org", "acme", "--never-used", "-o", "json")
	mustContain(t, "never-used JSON", r.stdout, `"lastAccessedAt": null`)
}

func TestTokensListStaleAndNeverUsedAreKeptApart(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	stale := decodeTokenList(t, h.run("tokens", "list", "--org", "acme", "--stale", "90d", "-o", "json"))
	if got := listedUUIDs(stale); !slices.Equal(got, acmeStale90d) {
		t.Errorf("--stale 90d listed %q, want %q (never-used tokens are not stale)", got, acmeStale90d)
	}
	never := decodeTokenList(t, h.run("tokens", "list", "--org", "acme", "--never-used", "-o", "json"))
	if got := listedUUIDs(never); !slices.Equal(got, acmeNeverUsed) {
		t.Errorf("--never-used listed %q, want %q", got, acmeNeverUsed)
	}
	// The summary counts the organization, not the selection, and its
	// staleness follows --stale.
	if s := stale.Summary; s.Tokens != 10 || s.Matched != 2 || s.NeverUsed != 2 || s.Stale != 2 || s.StaleAfter != "90d" {
		t.Errorf("--stale 90d summary = %+v", s)
	}
	year := decodeTokenList(t, h.run("tokens", "list", "--org", "acme", "--stale", "1y", "-o", "json"))
	if s := year.Summary; s.Stale != 2 || s.StaleAfter != "365d" || s.Matched != 2 {
		t.Errorf("--stale 1y summary = %+v", s)
	}
	twoYears := decodeTokenList(t, h.run("tokens", "list", "--org", "acme", "--stale", "600d", "-o", "json"))
	if got := listedUUIDs(twoYears); !slices.Equal(got, []string{et.HackathonTokenUUID}) {
		t.Errorf("--stale 600d listed %q", got)
	}
	r := h.run("tokens", "list", "--org", "acme", "--stale", "90d", "--never-used")
	if exitcode.Code(r.code) != exitcode.Usage {
		t.Errorf("--stale with --never-used: exit %d, want usage\n%s", r.code, r)
	}
	mustContain(t, "stderr", r.stderr, "--never-used")
}

func TestTokensListFilters(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"owner by email", []string{"--owner", "MO@acme.example"},
			[]string{et.CIDeployBotUUID, et.HackathonTokenUUID, et.OldLaptopTokenUUID, "44444444-4444-4444-8444-444444444444", et.MemberTokenUUID}},
		{"owner by part of the name", []string{"--owner", "admin"},
			[]string{et.TerraformTokenUUID, et.ExpiredTokenUUID, et.AdaLaptopTokenUUID, et.DemoTokenUUID, et.AnalyticsTokenUUID}},
		{"owner email must be whole", []string{"--owner", "acme.example"}, nil},
		{"REST-style scope", []string{"--scope", "write_builds"}, []string{et.CIDeployBotUUID, et.ExpiredTokenUUID}},
		{"every scope must be held", []string{"--scope", "GRAPHQL", "--scope", "read_builds"},
			[]string{et.CIDeployBotUUID, et.OldLaptopTokenUUID, et.MemberTokenUUID, et.AdaLaptopTokenUUID}},
		{"no expiry", []string{"--no-expiry"},
			[]string{et.CIDeployBotUUID, et.HackathonTokenUUID, et.OldLaptopTokenUUID, et.TerraformTokenUUID, et.DemoTokenUUID}},
		// Metrics expires in 20 days, Release scripts expired 3 days ago;
		// Ada's laptop expires at noon on the day given, which is not before.
		{"expires before a day", []string{"--expires-before", "2026-07-01"}, []string{"44444444-4444-4444-8444-444444444444", et.ExpiredTokenUUID}},
		{"expires before a time", []string{"--expires-before", "2026-07-01T12:00:01Z"},
			[]string{"44444444-4444-4444-8444-444444444444", et.ExpiredTokenUUID, et.AdaLaptopTokenUUID}},
		{"admin capable", []string{"--admin-capable"}, []string{et.HackathonTokenUUID, et.TerraformTokenUUID}},
		{"combined: a leaver's stale admin tokens", []string{"--owner", "mo@acme.example", "--admin-capable", "--stale", "1y"}, []string{et.HackathonTokenUUID}},
		{"combined: never used and never expiring", []string{"--never-used", "--no-expiry"}, []string{et.OldLaptopTokenUUID}},
		{"combined: nothing left", []string{"--never-used", "--owner", "gus@globex.example"}, nil},
	}
	h := newHarness(t, emulator.Options{})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := decodeTokenList(t, h.run(append([]string{"tokens", "list", "--org", "acme", "-o", "json"}, c.args...)...))
			got := listedUUIDs(l)
			if !slices.Equal(got, append([]string{}, c.want...)) {
				t.Errorf("listed %q, want %q", got, c.want)
			}
			if l.Summary.Tokens != 10 || l.Summary.Matched != len(c.want) {
				t.Errorf("summary = %+v, want 10 tokens, %d matched", l.Summary, len(c.want))
			}
		})
	}
}

func TestTokensListSort(t *testing.T) {
	cases := []struct {
		sort string
		want []string
	}{
		// Never used first (longest ago), then oldest use; the caller's
		// own token was used just now, by this very listing.
		{"last-used", []string{et.OldLaptopTokenUUID, et.AnalyticsTokenUUID, et.HackathonTokenUUID, et.CIDeployBotUUID, et.ExpiredTokenUUID,
			et.MemberTokenUUID, et.AdaLaptopTokenUUID, et.TerraformTokenUUID, "44444444-4444-4444-8444-444444444444", et.DemoTokenUUID}},
		// Latest expiry first, never-expiring ones counting as latest of
		// all; ties keep uuid order.
		{"-expires", []string{et.CIDeployBotUUID, et.OldLaptopTokenUUID, et.TerraformTokenUUID, et.HackathonTokenUUID, et.DemoTokenUUID,
			et.AnalyticsTokenUUID, et.MemberTokenUUID, et.AdaLaptopTokenUUID, "44444444-4444-4444-8444-444444444444", et.ExpiredTokenUUID}},
		{"description", []string{et.AdaLaptopTokenUUID, "44444444-4444-4444-8444-444444444444", et.CIDeployBotUUID, et.HackathonTokenUUID,
			et.MemberTokenUUID, et.OldLaptopTokenUUID, et.ExpiredTokenUUID, et.TerraformTokenUUID, et.AnalyticsTokenUUID, et.DemoTokenUUID}},
	}
	h := newHarness(t, emulator.Options{})
	for _, c := range cases {
		t.Run(c.sort, func(t *testing.T) {
			l := decodeTokenList(t, h.run("tokens", "list", "--org", "acme", "-o", "json", "--sort", c.sort))
			if got := listedUUIDs(l); !slices.Equal(got, c.want) {
				t.Errorf("order\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}

func TestTokensListJQ(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("tokens", "list", "--org", "acme", "--never-used", "--jq", ".tokens[].uuid")
	if r.code != 0 || r.stdout != strings.Join(acmeNeverUsed, "\n")+"\n" {
		t.Errorf("--jq .tokens[].uuid printed %q\n%s", r.stdout, r)
	}
	r = h.run("tokens", "list", "--org", "acme", "--jq", ".summary | [.tokens, .stale]")
	if r.code != 0 || r.stdout != "[10,2]\n" {
		t.Errorf("--jq summary printed %q\n%s", r.stdout, r)
	}
	r = h.run("tokens", "list", "--org", "acme", "--jq", ".tokens[")
	if exitcode.Code(r.code) != exitcode.Usage || h.graphQLRequests() != 2 {
		t.Errorf("bad --jq: exit %d after %d GraphQL requests, want usage before any\n%s", r.code, h.graphQLRequests(), r)
	}
}

// A 1,000-token organization is listed completely, in exactly
// ceil(1000/page size) listing requests.
func TestTokensListLargeOrganization(t *testing.T) {
	for _, pageSize := range []int{100, 7, 500} {
		t.Run("page-size="+strconv.Itoa(pageSize), func(t *testing.T) {
			h := largeOrgHarness(t)
			l := decodeTokenList(t, h.run("tokens", "list", "--org", largeOrgSlug, "-o", "json", "--page-size", strconv.Itoa(pageSize)))
			got := listedUUIDs(l)
			if len(got) != largeOrgSize || l.Summary.Tokens != largeOrgSize {
				t.Fatalf("listed %d tokens (summary %d), want %d", len(got), l.Summary.Tokens, largeOrgSize)
			}
			if !slices.Equal(got, h.srv.Tokens(largeOrgSlug)) {
				t.Error("listing differs from the emulator's tokens")
			}
			seen := map[string]bool{}
			for _, u := range got {
				if seen[u] {
					t.Fatalf("token %s listed twice", u)
				}
				seen[u] = true
			}
			want := (largeOrgSize + pageSize - 1) / pageSize
			if n := h.requests("OrganizationTokensBySlug"); n != want {
				t.Errorf("listing requests = %d, want %d", n, want)
			}
			if n := h.graphQLRequests(); n != want {
				t.Errorf("GraphQL requests = %d, want only the %d listing requests", n, want)
			}
		})
	}
}

func TestTokensListTerminal(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.runTTY("", "tokens", "list", "--org", "acme", "--owner", "mo@acme.example")
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	// Relative times for people; "never" for no use and no expiry.
	mustContain(t, "table", r.stdout, "13 months ago", "23 months ago", "never", "20 days from now", "10 minutes ago")
	if strings.Contains(r.stdout, "T12:00:00Z") {
		t.Errorf("RFC 3339 times on a terminal:\n%s", r.stdout)
	}
	wantSummary := "acme: 10 token(s), 2 never used, 5 never expire, 2 stale (unused for 90d or more); 5 match the filters\n"
	if r.stderr != wantSummary {
		t.Errorf("stderr = %q, want the summary line %q", r.stderr, wantSummary)
	}
	// JSON stays the contract on a terminal too.
	r = h.runTTY("", "tokens", "list", "--org", "acme", "-o", "json")
	l := decodeTokenList(t, r)
	if len(l.Tokens) != 10 || strings.Contains(r.stdout, "ago") {
		t.Errorf("JSON on a terminal is not the contract:\n%s", r.stdout)
	}
}

func TestTokensListBadInputSendsNothing(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"bad stale", []string{"--stale", "6 months"}, `--stale: invalid duration "6 months"`},
		{"zero stale", []string{"--stale", "0d"}, "more than zero"},
		{"empty owner", []string{"--owner", " "}, "--owner: empty value"},
		{"bad date", []string{"--expires-before", "next week"}, "--expires-before: invalid date"},
		{"bad scope", []string{"--scope", "read_bilds"}, "--scope: unknown scope \"read_bilds\": did you mean READ_BUILDS?"},
		{"bad sort", []string{"--sort", "age"}, "--sort: cannot sort by \"age\""},
		{"contradiction", []string{"--no-expiry", "--expires-before", "2026-07-01"}, "use one of them"},
		{"bad output", []string{"-o", "xml"}, "--output xml: this command prints table, wide, json, yaml or csv"},
		{"secret-shaped value is not echoed", []string{"--stale", et.CIDeployBotToken}, "not shown"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, emulator.Options{})
			r := h.run(append([]string{"tokens", "list", "--org", "acme"}, c.args...)...)
			if exitcode.Code(r.code) != exitcode.Usage {
				t.Fatalf("exit %d, want usage (2)\n%s", r.code, r)
			}
			mustContain(t, "stderr", r.stderr, c.want)
			if first, _, _ := strings.Cut(r.stderr, "\n"); !strings.HasPrefix(first, "tokenctl: ") || strings.Contains(r.stderr, "goroutine") {
				t.Errorf("stderr is not one clear line:\n%s", r.stderr)
			}
			if strings.Contains(r.stderr, et.CIDeployBotToken) {
				t.Errorf("a secret value was echoed:\n%s", r.stderr)
			}
			if n := h.srv.CountRequests(nil); n != 0 {
				t.Errorf("%d requests sent for bad input", n)
			}
		})
	}
}

func TestTokensListFailures(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("tokens", "list", "--org", "nope")
	if exitcode.Code(r.code) != exitcode.NotFound {
		t.Errorf("unknown organization: exit %d, want not found\n%s", r.code, r)
	}
	h.env["BUILDKITE_API_TOKEN"] = et.MemberToken
	r = h.run("tokens", "list", "--org", "acme")
	if exitcode.Code(r.code) != exitcode.Auth {
		t.Errorf("non-administrator: exit %d, want auth\n%s", r.code, r)
	}
	// The credential never shows, not even in a debug trace.
	h.env["BUILDKITE_API_TOKEN"] = et.DemoToken
	r = h.run("tokens", "list", "--org", "acme", "--debug")
	if r.code != 0 || strings.Contains(r.stdout+r.stderr, et.DemoToken) {
		t.Errorf("--debug run failed or leaked the token (exit %d)", r.code)
	}
}

func TestTokensGet(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	for _, arg := range []string{et.CIDeployBotUUID, strings.ToUpper(et.CIDeployBotUUID), emulator.NodeID("APIAccessToken", et.CIDeployBotUUID)} {
		r := h.run("tokens", "get", arg, "--org", "acme", "-o", "json")
		if r.code != 0 {
			t.Fatalf("tokens get %s:\n%s", arg, r)
		}
		var d document.TokenDetail
		if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
			t.Fatal(err)
		}
		if d.Token.UUID != et.CIDeployBotUUID || d.Organization.Slug != "acme" || deref(d.Token.Description) != "CI deploy bot" {
			t.Errorf("tokens get %s = %+v", arg, d)
		}
	}
	r := h.run("tokens", "get", et.CIDeployBotUUID, "--org", "acme")
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	golden(t, "tokens.get.table.golden", r.stdout)

	r = h.run("tokens", "get", et.CIDeployBotUUID, "--org", "acme", "--jq", ".token.lastAccessedAt")
	if r.stdout != "2025-04-27T12:00:00Z\n" {
		t.Errorf("--jq .token.lastAccessedAt = %q", r.stdout)
	}
}

func TestTokensGetNotFoundAndBadInput(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("tokens", "get", et.BootstrapTokenUUID, "--org", "acme")
	if exitcode.Code(r.code) != exitcode.NotFound {
		t.Fatalf("exit %d, want not found (4)\n%s", r.code, r)
	}
	mustContain(t, "stderr", r.stderr, et.BootstrapTokenUUID, "has access to organization acme (revoked, or never granted)", "tokenctl tokens list --org acme")
	if r.stdout != "" {
		t.Errorf("stdout on failure: %q", r.stdout)
	}
	for _, args := range [][]string{{"tokens", "get", "1111-2222", "--org", "acme"}, {"tokens", "get", "--org", "acme"}} {
		if r := h.run(args...); exitcode.Code(r.code) != exitcode.Usage {
			t.Errorf("%v: exit %d, want usage\n%s", args, r.code, r)
		}
	}
}

// An id copied without its base64 padding names the same token in every
// command: tokens get finds the token revoke --dry-run finds.
func TestTokensGetAndRevokeAgreeOnAnIDWithoutPadding(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	id := emulator.NodeID(emulator.TypeAPIAccessToken, et.CIDeployBotUUID)
	short := strings.TrimRight(id, "=")
	if short == id {
		t.Fatalf("the id %q has no padding to drop", id)
	}
	r := h.run("tokens", "get", short, "--org", "acme", "--jq", ".token.uuid")
	if r.code != 0 || r.stdout != et.CIDeployBotUUID+"\n" {
		t.Errorf("tokens get %s:\n%s", short, r)
	}
	r = h.run("revoke", "--org", "acme", "--token", short, "--dry-run", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, et.CIDeployBotUUID) {
		t.Errorf("revoke --dry-run --token %s:\n%s", short, r)
	}
	// More padding than listed is another id: neither command takes it.
	if r := h.run("tokens", "get", id+"=", "--org", "acme"); exitcode.Code(r.code) != exitcode.NotFound {
		t.Errorf("tokens get with extra padding: exit %d, want not found\n%s", r.code, r)
	}
}

// tokens get stops at the page where it finds the token.
func TestTokensGetStopsAtItsPage(t *testing.T) {
	h := largeOrgHarness(t)
	target := h.srv.Tokens(largeOrgSlug)[250] // on the third page of 100
	r := h.run("tokens", "get", target, "--org", largeOrgSlug, "--jq", ".token.uuid", "--page-size", "100")
	if r.code != 0 || r.stdout != target+"\n" {
		t.Fatalf("tokens get: %s", r)
	}
	if n := h.requests("OrganizationTokensBySlug"); n != 3 {
		t.Errorf("listing requests = %d, want 3", n)
	}
}
