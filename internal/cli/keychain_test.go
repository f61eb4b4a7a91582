package cli

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/tokenctl/tokenctl/internal/config"
)

// TestMain puts go-keyring's in-memory mock in place of the machine's
// keychain for every test of the package, and for the child processes
// some tests start from the test binary, which run this too: no test ever
// reads or writes a real keychain.
func TestMain(m *testing.M) {
	keyring.MockInit()
	os.Exit(m.Run())
}

// countingKeychain is the system keychain (the mock, see TestMain), or
// inner when set, counting how often tokenctl asks it anything.
type countingKeychain struct {
	inner config.Keychain
	calls atomic.Int64
}

// mockKeychainMu serialises the use of go-keyring's mock, one map for the
// whole process with no lock of its own, by runs a test starts together.
var mockKeychainMu sync.Mutex

func (k *countingKeychain) keychain() config.Keychain {
	k.calls.Add(1)
	if k.inner != nil {
		return k.inner
	}
	return config.SystemKeychain{}
}

func (k *countingKeychain) Get(service, user string) (string, error) {
	mockKeychainMu.Lock()
	defer mockKeychainMu.Unlock()
	return k.keychain().Get(service, user)
}

func (k *countingKeychain) Set(service, user, secret string) error {
	mockKeychainMu.Lock()
	defer mockKeychainMu.Unlock()
	return k.keychain().Set(service, user, secret)
}

func (k *countingKeychain) Delete(service, user string) error {
	mockKeychainMu.Lock()
	defer mockKeychainMu.Unlock()
	return k.keychain().Delete(service, user)
}

// withKeychainError makes every keychain operation fail with err until the
// test ends. go-keyring's mock is one for the whole process, so such a
// test must not run in parallel with others: t.Setenv enforces that (it
// panics in a parallel test), and sequential tests never overlap.
func withKeychainError(t *testing.T, err error) {
	t.Helper()
	t.Setenv("TOKENCTL_TEST_KEYCHAIN_FAILS", "1")
	mockKeychainMu.Lock()
	defer mockKeychainMu.Unlock()
	keyring.MockInitWithError(err)
	t.Cleanup(func() {
		mockKeychainMu.Lock()
		defer mockKeychainMu.Unlock()
		keyring.MockInit()
	})
}

// errNoKeychain is an error go-keyring answers where there is no keychain,
// read as such on every platform. (The Secret Service's ways of being
// absent on Linux are tested in internal/config.)
var errNoKeychain = keyring.ErrUnsupportedPlatform

// errKeychainLocked is a keychain that exists but will not give the
// token: go-keyring's words when a Secret Service collection stays locked.
var errKeychainLocked = errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'")

// keychainHolds reads, straight from go-keyring, the token stored for the
// harness's emulator endpoint ("" when none).
func (h *harness) keychainHolds() string {
	h.t.Helper()
	mockKeychainMu.Lock()
	defer mockKeychainMu.Unlock()
	v, err := keyring.Get(config.KeychainService(h.srv.GraphQLEndpoint), config.KeyAPIToken)
	if errors.Is(err, keyring.ErrNotFound) {
		return ""
	}
	if err != nil {
		h.t.Fatalf("reading the mock keychain: %v", err)
	}
	return v
}

// storeInKeychain puts a token in the keychain for the harness's endpoint,
// as a user's earlier `config set api-token -` would have.
func (h *harness) storeInKeychain(token string) {
	h.t.Helper()
	mockKeychainMu.Lock()
	defer mockKeychainMu.Unlock()
	if err := keyring.Set(config.KeychainService(h.srv.GraphQLEndpoint), config.KeyAPIToken, token); err != nil {
		h.t.Fatal(err)
	}
}

// configFile is the harness's config file path.
func (h *harness) configFile() string {
	return filepath.Join(h.env["XDG_CONFIG_HOME"], "tokenctl", "config.yaml")
}

// configBytes is the config file's content ("" when it does not exist).
func (h *harness) configBytes() string {
	h.t.Helper()
	data, err := os.ReadFile(h.configFile())
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	if err != nil {
		h.t.Fatal(err)
	}
	return string(data)
}
