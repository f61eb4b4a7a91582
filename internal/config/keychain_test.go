package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// TestMain puts go-keyring's in-memory mock in place of the machine's
// keychain: no test of the package reads or writes a real one. The mock
// is one for the process; tests here that change it are not parallel.
func TestMain(m *testing.M) {
	keyring.MockInit()
	os.Exit(m.Run())
}

// failKeychain makes go-keyring fail every operation with err until the
// test ends.
func failKeychain(t *testing.T, err error) {
	t.Helper()
	keyring.MockInitWithError(err)
	t.Cleanup(keyring.MockInit)
}

func TestKeychainService(t *testing.T) {
	same := []string{"https://graphql.buildkite.com/v1", "HTTPS://GraphQL.Buildkite.com/v1/", " https://graphql.buildkite.com/v1 "}
	for _, ep := range same {
		if got, want := KeychainService(ep), "tokenctl:https://graphql.buildkite.com/v1"; got != want {
			t.Errorf("KeychainService(%q) = %q, want %q", ep, got, want)
		}
	}
	different := []string{"http://127.0.0.1:8080/graphql", "http://127.0.0.1:8081/graphql", "https://graphql.buildkite.com/v2", "https://graphql.buildkite.com/V1"}
	seen := map[string]string{KeychainService(same[0]): same[0]}
	for _, ep := range different {
		s := KeychainService(ep)
		if other, dup := seen[s]; dup {
			t.Errorf("%q and %q share the keychain entry %q", ep, other, s)
		}
		seen[s] = ep
	}
}

// go-keyring's errors become the package's three, whatever the platform.
func TestSystemKeychainErrors(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"unsupported platform", keyring.ErrUnsupportedPlatform, ErrKeychainUnavailable},
		{"locked collection", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), ErrKeychain},
		{"too big", keyring.ErrSetDataTooBig, ErrKeychain},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			failKeychain(t, c.err)
			kc := SystemKeychain{}
			_, getErr := kc.Get("tokenctl:x", KeyAPIToken)
			for op, err := range map[string]error{"Get": getErr, "Set": kc.Set("tokenctl:x", KeyAPIToken, "v"), "Delete": kc.Delete("tokenctl:x", KeyAPIToken)} {
				if !errors.Is(err, c.want) {
					t.Errorf("%s: %v is not %v", op, err, c.want)
				}
				if !strings.Contains(err.Error(), c.err.Error()) {
					t.Errorf("%s: %q does not keep the cause %q", op, err, c.err)
				}
			}
		})
	}
	kc := SystemKeychain{}
	if _, err := kc.Get("tokenctl:nothing-here", KeyAPIToken); !errors.Is(err, ErrNotInKeychain) {
		t.Errorf("Get of nothing: %v, want ErrNotInKeychain", err)
	}
	if err := kc.Delete("tokenctl:nothing-here", KeyAPIToken); !errors.Is(err, ErrNotInKeychain) {
		t.Errorf("Delete of nothing: %v, want ErrNotInKeychain", err)
	}
}

// Load leaves the keychain for later; ResolveToken puts it between the
// environment and the config file.
func TestResolveToken(t *testing.T) {
	const ep = "http://127.0.0.1:9/graphql"
	dir := t.TempDir()
	cfg := writeFile(t, dir, "config.yaml", "graphql-endpoint: "+ep+"\napi-token: "+tokC+"\n", 0o600)
	load := func(env map[string]string) *Settings {
		t.Helper()
		s, err := loadTest(t, loadCase{Env: env, ConfigPath: cfg, Keychain: SystemKeychain{}})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	s := load(nil)
	if s.APIToken != "" || s.Sources[KeyAPIToken] != SourceDefault {
		t.Errorf("before ResolveToken: token %v from %s; nothing may be used before the keychain was asked", s.APIToken, s.Sources[KeyAPIToken])
	}
	if err := s.RequireToken(); err != nil || s.APIToken.Reveal() != tokC || s.Sources[KeyAPIToken] != SourceConfig || !s.TokenMovable() {
		t.Errorf("empty keychain: %v, token from %s, movable %v; want the config file's, movable", err, s.Sources[KeyAPIToken], s.TokenMovable())
	}

	if _, err := (TokenStore{Keychain: SystemKeychain{}, Endpoint: ep}).Save(tokA); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = keyring.Delete(KeychainService(ep), KeyAPIToken) })
	s = load(nil)
	if err := s.ResolveToken(); err != nil || s.APIToken.Reveal() != tokA || s.Sources[KeyAPIToken] != SourceKeychain || s.TokenMovable() {
		t.Errorf("keychain: %v, token from %s; want the keychain's", err, s.Sources[KeyAPIToken])
	}
	s = load(map[string]string{"BUILDKITE_API_TOKEN": tokB})
	if s.APIToken.Reveal() != tokB || s.Sources[KeyAPIToken] != SourceEnv || s.tokenLookup != nil {
		t.Errorf("env: token from %s, lookup %v; the environment comes first and the keychain is not asked", s.Sources[KeyAPIToken], s.tokenLookup)
	}
}

func TestResolveTokenKeychainProblems(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "config.yaml", "api-token: "+tokC+"\n", 0o600)
	t.Run("unavailable: the config file's, nothing to move to", func(t *testing.T) {
		failKeychain(t, keyring.ErrUnsupportedPlatform)
		s, err := loadTest(t, loadCase{ConfigPath: cfg, Keychain: SystemKeychain{}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RequireToken(); err != nil || s.APIToken.Reveal() != tokC || s.TokenMovable() {
			t.Errorf("%v, token from %s, movable %v", err, s.Sources[KeyAPIToken], s.TokenMovable())
		}
	})
	t.Run("failing: an error, not the config file's token", func(t *testing.T) {
		failKeychain(t, errors.New("access denied"))
		s, err := loadTest(t, loadCase{ConfigPath: cfg, Keychain: SystemKeychain{}})
		if err != nil {
			t.Fatal(err)
		}
		err = s.RequireToken()
		if !errors.Is(err, ErrKeychain) || !strings.Contains(err.Error(), "access denied") || s.APIToken != "" {
			t.Errorf("RequireToken = %v with token %v; want an ErrKeychain naming the cause, and no token", err, s.APIToken)
		}
	})
	t.Run("junk stored", func(t *testing.T) {
		s, err := loadTest(t, loadCase{ConfigPath: cfg, Keychain: SystemKeychain{}})
		if err != nil {
			t.Fatal(err)
		}
		svc := KeychainService(s.GraphQLEndpoint)
		if err := keyring.Set(svc, KeyAPIToken, "two\nlines SECRETVALUE"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = keyring.Delete(svc, KeyAPIToken) })
		err = s.RequireToken()
		if !errors.Is(err, ErrInvalidSetting) || strings.Contains(err.Error(), "SECRETVALUE") || !strings.Contains(err.Error(), "system keychain") {
			t.Errorf("RequireToken = %v", err)
		}
	})
}

// Save never writes the token to the config file, and removes a plain
// copy that was there; the file's bytes are read to prove it.
func TestTokenStoreSaveKeepsTheFileClean(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := Set(cfg, KeyAPIToken, tokC); err != nil {
		t.Fatal(err)
	}
	if err := Set(cfg, KeyOrg, "acme"); err != nil {
		t.Fatal(err)
	}
	st := TokenStore{Keychain: SystemKeychain{}, ConfigFile: cfg, Endpoint: "https://graphql.example/v1"}
	t.Cleanup(func() { _, _ = st.Remove() })
	removed, err := st.Save(tokA)
	if err != nil || !removed {
		t.Fatalf("Save = %v, %v; want the plain copy removed", removed, err)
	}
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), tokA) || strings.Contains(string(data), tokC) || !strings.Contains(string(data), "org: acme") {
		t.Errorf("config file after Save:\n%s", data)
	}
	if v, err := keyring.Get(st.Service(), KeyAPIToken); err != nil || v != tokA {
		t.Errorf("keychain holds %q (%v)", v, err)
	}
	if _, err := (TokenStore{ConfigFile: cfg}).Save(tokA); !errors.Is(err, ErrKeychainUnavailable) {
		t.Errorf("Save without a keychain: %v", err)
	}
	if _, err := st.Save("two words"); !errors.Is(err, ErrInvalidSetting) {
		t.Errorf("Save of a bad token: %v", err)
	}
}

// A keychain that never answers (an unlock prompt nobody sees) is a
// failure after the deadline, not a hang.
func TestKeychainDeadline(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	_, err := withDeadline(time.Millisecond, func() (string, error) { <-block; return "late", nil })
	if err := keychainError(err); !errors.Is(err, ErrKeychain) || !strings.Contains(err.Error(), "did not answer within "+keychainTimeout.String()+" ") {
		t.Errorf("blocked operation: %v (the deadline is %s)", err, keychainTimeout)
	}
	if v, err := withDeadline(time.Hour, func() (string, error) { return "v", nil }); v != "v" || err != nil {
		t.Errorf("prompt operation: %q, %v", v, err)
	}
	want := errors.New("refused")
	if _, err := withDeadline(time.Hour, func() (string, error) { return "", want }); !errors.Is(err, want) {
		t.Errorf("failing operation: %v", err)
	}
}
