package emulator_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

type apiSettings struct {
	URL                           string  `json:"url"`
	AllowedIPAddresses            *string `json:"allowed_ip_addresses"`
	RevokeInactiveTokensAfterDays *int    `json:"revoke_inactive_tokens_after_days"`
	RestrictUserAPITokenCreation  bool    `json:"restrict_user_api_token_creation"`
	Features                      struct {
		APIIPAllowList             bool `json:"api_ip_allow_list"`
		InactiveAPITokenRevocation bool `json:"inactive_api_token_revocation"`
	} `json:"features"`
}

func startSettings(t *testing.T, opts emulator.Options) *emulatortest.Server {
	t.Helper()
	opts.Fixture = emulatortest.SettingsFixture(t)
	if opts.Now == nil {
		opts.Now = newClock().Now
	}
	return emulatortest.Start(t, opts)
}

func settingsPath(slug string) string { return "/v2/organizations/" + slug + "/api-settings" }

func readSettings(t *testing.T, resp *emulatortest.Response) apiSettings {
	t.Helper()
	if resp.Status != http.StatusOK {
		t.Fatalf("status %d, body %s", resp.Status, resp.Body)
	}
	var s apiSettings
	if err := json.Unmarshal(resp.Body, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSettingsGet(t *testing.T) {
	srv := startSettings(t, emulator.Options{})
	acme := readSettings(t, srv.Do(t, http.MethodGet, settingsPath("acme"), emulatortest.SettingsToken, nil))
	if acme.AllowedIPAddresses != nil || acme.RevokeInactiveTokensAfterDays == nil || *acme.RevokeInactiveTokensAfterDays != 90 ||
		acme.RestrictUserAPITokenCreation || !acme.Features.APIIPAllowList || !acme.Features.InactiveAPITokenRevocation {
		t.Errorf("acme settings = %+v", acme)
	}
	if !strings.HasSuffix(acme.URL, settingsPath("acme")) {
		t.Errorf("url = %q", acme.URL)
	}
	hobby := readSettings(t, srv.Do(t, http.MethodGet, settingsPath("hobby"), emulatortest.SettingsReadToken, nil))
	if hobby.Features.APIIPAllowList || hobby.Features.InactiveAPITokenRevocation || hobby.RevokeInactiveTokensAfterDays != nil {
		t.Errorf("hobby settings = %+v", hobby)
	}
}

func TestSettingsRefusals(t *testing.T) {
	for _, w := range emulator.ErrorWordings {
		t.Run(string(w), func(t *testing.T) {
			srv := startSettings(t, emulator.Options{ErrorWording: w})
			patch := []byte(`{"restrict_user_api_token_creation": true}`)
			for _, c := range []struct {
				name, method, slug, token string
				body                      []byte
				status                    int
			}{
				{"unknown organization", http.MethodGet, "nope", emulatortest.SettingsToken, nil, 404},
				{"not an administrator", http.MethodGet, "initech", emulatortest.SettingsToken, nil, 403},
				{"outside the allowlist", http.MethodGet, "globex", emulatortest.SettingsToken, nil, 403},
				{"no read scope", http.MethodGet, "acme", emulatortest.SettingsNoScopeToken, nil, 403},
				{"no write scope", http.MethodPatch, "acme", emulatortest.SettingsReadToken, patch, 403},
				{"allowlist not on the plan", http.MethodPatch, "hobby", emulatortest.SettingsToken, []byte(`{"allowed_ip_addresses": "10.0.0.0/8"}`), 403},
				{"period not on the plan", http.MethodPatch, "hobby", emulatortest.SettingsToken, []byte(`{"revoke_inactive_tokens_after_days": 30}`), 403},
				{"bad CIDR", http.MethodPatch, "acme", emulatortest.SettingsToken, []byte(`{"allowed_ip_addresses": "127.0.0.1/32 10.0.0.0/33", "restrict_user_api_token_creation": true}`), 422},
				{"bad period", http.MethodPatch, "acme", emulatortest.SettingsToken, []byte(`{"revoke_inactive_tokens_after_days": 45}`), 422},
				{"not a boolean", http.MethodPatch, "acme", emulatortest.SettingsToken, []byte(`{"restrict_user_api_token_creation": "yes"}`), 422},
				{"null boolean", http.MethodPatch, "acme", emulatortest.SettingsToken, []byte(`{"restrict_user_api_token_creation": null}`), 422},
				{"other method", http.MethodPost, "acme", emulatortest.SettingsToken, patch, 405},
			} {
				resp := srv.Do(t, c.method, settingsPath(c.slug), c.token, c.body)
				if resp.Status != c.status {
					t.Errorf("%s: status %d, want %d; body %s", c.name, resp.Status, c.status, resp.Body)
				}
			}
			// Nothing refused changed anything.
			acme := readSettings(t, srv.Do(t, http.MethodGet, settingsPath("acme"), emulatortest.SettingsToken, nil))
			if acme.RestrictUserAPITokenCreation || acme.AllowedIPAddresses != nil || *acme.RevokeInactiveTokensAfterDays != 90 {
				t.Errorf("a refused change was applied: %+v", acme)
			}
		})
	}
}

func TestSettingsValidationNamesTheField(t *testing.T) {
	srv := startSettings(t, emulator.Options{})
	resp := srv.Do(t, http.MethodPatch, settingsPath("acme"), emulatortest.SettingsToken, []byte(`{"allowed_ip_addresses": "10.0.0.0/33"}`))
	var body struct {
		Errors []struct{ Field, Message string }
	}
	if err := json.Unmarshal(resp.Body, &body); err != nil || len(body.Errors) != 1 || body.Errors[0].Field != "allowed_ip_addresses" || !strings.Contains(body.Errors[0].Message, "10.0.0.0/33") {
		t.Errorf("422 body = %s", resp.Body)
	}
}

func TestSettingsPatchChangesOnlyWhatIsSent(t *testing.T) {
	srv := startSettings(t, emulator.Options{})
	got := readSettings(t, srv.Do(t, http.MethodPatch, settingsPath("acme"), emulatortest.SettingsToken,
		[]byte(`{"allowed_ip_addresses": "127.0.0.1/32  2001:db8::1", "restrict_user_api_token_creation": true}`)))
	if got.AllowedIPAddresses == nil || *got.AllowedIPAddresses != "127.0.0.1/32 2001:db8::1/128" || !got.RestrictUserAPITokenCreation ||
		got.RevokeInactiveTokensAfterDays == nil || *got.RevokeInactiveTokensAfterDays != 90 {
		t.Errorf("after PATCH: %+v", got)
	}
	got = readSettings(t, srv.Do(t, http.MethodPatch, settingsPath("acme"), emulatortest.SettingsToken,
		[]byte(`{"allowed_ip_addresses": null, "revoke_inactive_tokens_after_days": null}`)))
	if got.AllowedIPAddresses != nil || got.RevokeInactiveTokensAfterDays != nil || !got.RestrictUserAPITokenCreation {
		t.Errorf("after clearing: %+v", got)
	}
	// The period is the one GraphQL shows.
	var data struct {
		Organization struct{ RevokeInactiveTokensAfter *string }
	}
	decode(t, srv.GraphQL(t, emulatortest.SettingsToken, `{ organization(slug: "acme") { revokeInactiveTokensAfter } }`, nil), &data)
	if p := data.Organization.RevokeInactiveTokensAfter; p == nil || *p != "NEVER" {
		t.Errorf("GraphQL period after clearing = %v, want NEVER", p)
	}
}

func TestAllowlistIsEnforced(t *testing.T) {
	srv := startSettings(t, emulator.Options{})
	// An allowlist without the loopback address locks the caller out of
	// acme at once, on both APIs, and nowhere else.
	readSettings(t, srv.Do(t, http.MethodPatch, settingsPath("acme"), emulatortest.SettingsToken, []byte(`{"allowed_ip_addresses": "203.0.113.0/24"}`)))
	if resp := srv.Do(t, http.MethodGet, settingsPath("acme"), emulatortest.SettingsToken, nil); resp.Status != http.StatusForbidden {
		t.Errorf("REST after lock-out: status %d, body %s", resp.Status, resp.Body)
	}
	wantError(t, srv.GraphQL(t, emulatortest.SettingsToken, `{ organization(slug: "acme") { slug } }`, nil), "allowlist")
	readSettings(t, srv.Do(t, http.MethodGet, settingsPath("hobby"), emulatortest.SettingsToken, nil))
}

func TestSeenAddress(t *testing.T) {
	srv := startSettings(t, emulator.Options{SeenAddress: "198.51.100.7"})
	// globex's allowlist holds 198.51.100.0/24: the caller is let in, and
	// its token's ipAddress is the address seen.
	readSettings(t, srv.Do(t, http.MethodGet, settingsPath("globex"), emulatortest.SettingsToken, nil))
	var data struct {
		Organization struct {
			APIAccessTokens struct {
				Nodes []struct{ UUID, IPAddress string }
			}
		}
	}
	decode(t, srv.GraphQL(t, emulatortest.SettingsToken, `{ organization(slug: "globex") { apiAccessTokens(first: 10) { nodes { uuid ipAddress } } } }`, nil), &data)
	nodes := data.Organization.APIAccessTokens.Nodes
	if len(nodes) != 1 || nodes[0].UUID != emulatortest.SettingsTokenUUID || nodes[0].IPAddress != "198.51.100.7" {
		t.Errorf("globex tokens = %+v", nodes)
	}
}

func TestIPAddressIsTheLastRequests(t *testing.T) {
	srv := startSettings(t, emulator.Options{})
	var data struct {
		Organization struct {
			APIAccessTokens struct {
				Nodes []struct{ UUID, IPAddress string }
			}
		}
	}
	decode(t, srv.GraphQL(t, emulatortest.SettingsToken, `{ organization(slug: "acme") { apiAccessTokens(first: 10) { nodes { uuid ipAddress } } } }`, nil), &data)
	for _, n := range data.Organization.APIAccessTokens.Nodes {
		want := "203.0.113.10" // Mo's token was not used: the fixture's
		if n.UUID == emulatortest.SettingsTokenUUID {
			want = "127.0.0.1" // the fixture said 192.0.2.1; this request came from loopback
		}
		if n.UUID != emulatortest.SettingsTokenUUID && n.UUID != emulatortest.SettingsMoTokenUUID {
			continue
		}
		if n.IPAddress != want {
			t.Errorf("token %s ipAddress = %q, want %q", n.UUID, n.IPAddress, want)
		}
	}
}
