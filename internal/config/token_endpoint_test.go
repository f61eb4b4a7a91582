package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// SaveInsecure writes the endpoint beside the token; Load without a
// keychain refuses the token for another endpoint, takes it for the same
// one (written differently), and a file from before, with no endpoint,
// keeps working for any.
func TestConfigFileTokenEndpoint(t *testing.T) {
	const tok = "bkua_0123456789abcdefghij0123456789abcdefgh"
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	store := TokenStore{ConfigFile: cfg, Endpoint: "https://graphql.example.com/v1"}
	if _, err := store.SaveInsecure(tok); err != nil {
		t.Fatal(err)
	}
	load := func(endpoint string) (*Settings, error) {
		return loadTest(t, loadCase{ConfigPath: cfg, Env: map[string]string{"BUILDKITE_GRAPHQL_ENDPOINT": endpoint}})
	}
	s, err := load("HTTPS://GRAPHQL.example.com/v1/")
	if err != nil || s.APIToken.Reveal() != tok || len(s.Warnings) != 0 {
		t.Fatalf("same endpoint: err %v, warnings %q", err, s.Warnings)
	}
	_, err = load("https://evil.example.com/v1")
	if !errors.Is(err, ErrTokenEndpoint) || !errors.Is(err, ErrInvalidSetting) {
		t.Fatalf("another endpoint: err = %v, want ErrTokenEndpoint", err)
	}
	if strings.Contains(err.Error(), tok) || !strings.Contains(err.Error(), "https://graphql.example.com/v1") {
		t.Errorf("message: %q", err)
	}
	// Unset takes the endpoint away with the token.
	if err := Unset(cfg, KeyAPIToken); err != nil {
		t.Fatal(err)
	}
	if data, _, err := readConfigFile(cfg); err != nil || strings.Contains(string(data), "api-token") {
		t.Errorf("after Unset: %q, %v", data, err)
	}
	// A file from before the endpoint was written beside the token.
	writeFile(t, filepath.Dir(cfg), "config.yaml", "org: acme\napi-token: "+tok+"\n", 0o600)
	if s, err := load("https://evil.example.com/v1"); err != nil || s.APIToken.Reveal() != tok {
		t.Errorf("a file without the endpoint: err %v", err)
	}
}
