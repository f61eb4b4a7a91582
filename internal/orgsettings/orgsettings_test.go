package orgsettings_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"sync"
	"testing"

	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/inactivity"
	"github.com/tokenctl/tokenctl/internal/orgsettings"
)

// patches serves the emulator and records the body of every PATCH.
type patches struct {
	mu     sync.Mutex
	bodies []map[string]any
}

func start(t *testing.T) (*buildkite.Client, *patches) {
	t.Helper()
	srv, err := emulator.New(emulator.Options{Fixture: emulatortest.SettingsFixture(t)})
	if err != nil {
		t.Fatal(err)
	}
	p := &patches{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			body, _ := io.ReadAll(r.Body)
			var m map[string]any
			_ = json.Unmarshal(body, &m)
			p.mu.Lock()
			p.bodies = append(p.bodies, m)
			p.mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	return buildkite.New(buildkite.Config{GraphQLEndpoint: hs.URL + "/v1", RESTEndpoint: hs.URL, Token: emulatortest.SettingsToken}), p
}

func read(t *testing.T, c *buildkite.Client, slug string) orgsettings.Settings {
	t.Helper()
	a, err := c.APISettings(t.Context(), slug)
	if err != nil {
		t.Fatal(err)
	}
	s, err := orgsettings.FromAPI(orgsettings.Organization{Slug: slug}, a)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Only the fields that change are sent; one asked for at its current
// value is not.
func TestApplySendsOnlyWhatChanges(t *testing.T) {
	c, p := start(t)
	before := read(t, c, "acme")
	ninety, _ := inactivity.ParseSetting("90d")
	restrict := true
	ranges := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	ch, err := orgsettings.PlanChange(before, orgsettings.Request{Inactivity: &ninety, RestrictTokenCreation: &restrict, Allowlist: &ranges})
	if err != nil {
		t.Fatal(err)
	}
	out, err := orgsettings.Apply(t.Context(), c, nil, ch, orgsettingsCaller)
	if err != nil || out.Result != orgsettings.ResultUpdated || out.After == nil {
		t.Fatalf("Apply = %+v, %v", out, err)
	}
	if len(p.bodies) != 1 {
		t.Fatalf("%d PATCH sent", len(p.bodies))
	}
	var keys []string
	for k := range p.bodies[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{buildkite.FieldAllowedIPAddresses, buildkite.FieldRestrictTokenCreation}) {
		t.Errorf("PATCH body %v, want only the allowlist and the restriction", p.bodies[0])
	}
	// Clearing sends null, and turning revocation off sends null.
	off, _ := inactivity.ParseSetting("off")
	none := []netip.Prefix{}
	ch, err = orgsettings.PlanChange(*out.After, orgsettings.Request{Inactivity: &off, Allowlist: &none})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := orgsettings.Apply(t.Context(), c, nil, ch, orgsettingsCaller); err != nil {
		t.Fatal(err)
	}
	last := p.bodies[len(p.bodies)-1]
	if v, ok := last[buildkite.FieldAllowedIPAddresses]; !ok || v != nil {
		t.Errorf("clearing sent %v", last)
	}
	if v, ok := last[buildkite.FieldRevokeInactiveTokensDays]; !ok || v != nil {
		t.Errorf("off sent %v", last)
	}
	if s := read(t, c, "acme"); s.AllowedIPAddresses != nil || s.RevokeInactiveTokensAfter != inactivity.Never {
		t.Errorf("after clearing: %+v", s)
	}
}

func TestParseRanges(t *testing.T) {
	got, err := orgsettings.ParseRanges([]string{"203.0.113.0/24,2001:db8::/32", "198.51.100.7", "2001:db8::1", "203.0.113.0/24"})
	want := []string{"203.0.113.0/24", "2001:db8::/32", "198.51.100.7/32", "2001:db8::1/128"}
	if err != nil || len(got) != len(want) {
		t.Fatalf("ParseRanges = %v, %v", got, err)
	}
	for i, p := range got {
		if p.String() != want[i] {
			t.Errorf("range %d = %s, want %s", i, p, want[i])
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "10.0.0.1/8", "2001:db8::1/32", "fe80::1%eth0/128", "example.com", "300.1.1.1/32", "10.0.0.0/-1"} {
		if _, err := orgsettings.ParseRanges([]string{bad}); err == nil {
			t.Errorf("ParseRanges(%q): no error", bad)
		}
	}
}

func TestGuard(t *testing.T) {
	list := []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("2001:db8::/32")}
	for addr, ok := range map[string]bool{"203.0.113.9": true, "2001:db8:1::2": true, "127.0.0.1": false, "2001:db9::1": false} {
		err := orgsettings.Guard("acme", list, netip.MustParseAddr(addr))
		if (err == nil) != ok {
			t.Errorf("Guard(%s) = %v", addr, err)
		}
	}
}

var orgsettingsCaller = audit.Caller{TokenUUID: emulatortest.SettingsTokenUUID}
