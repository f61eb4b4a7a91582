package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/zalando/go-keyring"
)

// Keychain is the operating system's credential store (macOS Keychain,
// Windows Credential Manager, the Secret Service on Linux), where `config
// set api-token` keeps the token. Implementations return errors that match
// ErrNotInKeychain when nothing is stored, ErrKeychainUnavailable when there
// is no credential store to ask, and ErrKeychain for any other failure.
type Keychain interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

var (
	// ErrNotInKeychain means the keychain holds no token for the endpoint.
	ErrNotInKeychain = errors.New("no API token in the system keychain")
	// ErrKeychainUnavailable means there is no keychain to ask: a headless
	// Linux machine without a Secret Service, a container, an unsupported
	// platform.
	ErrKeychainUnavailable = errors.New("no system keychain is available")
	// ErrKeychain is any other keychain failure: a locked keychain, access
	// refused, a value that does not read back.
	ErrKeychain = errors.New("the system keychain failed")
)

// keychainUser is the account name the token is stored under; the service
// name carries the endpoint.
const keychainUser = KeyAPIToken

// KeychainService is the keychain service name of the token for a GraphQL
// endpoint. Tokens are kept per endpoint so that a token saved for the
// emulator is never sent to Buildkite, nor the other way round. Scheme and
// host are compared without case and a trailing slash does not count, as
// for the endpoint itself.
func KeychainService(graphQLEndpoint string) string {
	ep := strings.TrimSpace(graphQLEndpoint)
	if u, err := url.Parse(ep); err == nil && u.Host != "" {
		u.Scheme = strings.ToLower(u.Scheme)
		u.Host = strings.ToLower(u.Host)
		u.Path = strings.TrimRight(u.Path, "/")
		u.RawPath = ""
		ep = u.String()
	}
	return "tokenctl:" + ep
}

// SystemKeychain is the operating system's keychain, reached through
// go-keyring. Tests replace go-keyring's backend with its in-memory mock
// (keyring.MockInit), so no test ever reaches a real keychain.
type SystemKeychain struct{}

func (SystemKeychain) Get(service, user string) (string, error) {
	v, err := keyring.Get(service, user)
	return v, keychainError(err)
}

func (SystemKeychain) Set(service, user, secret string) error {
	return keychainError(keyring.Set(service, user, secret))
}

func (SystemKeychain) Delete(service, user string) error {
	return keychainError(keyring.Delete(service, user))
}

// keychainError sorts go-keyring's errors into this package's three. The
// cause is kept in the message: "no system keychain is available" alone
// would not tell a desktop user that their keyring daemon is not running.
func keychainError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotInKeychain
	case errors.Is(err, keyring.ErrUnsupportedPlatform), keychainUnreachable(err):
		return fmt.Errorf("%w (%s)", ErrKeychainUnavailable, oneLineError(err))
	}
	return fmt.Errorf("%w: %s", ErrKeychain, oneLineError(err))
}

func oneLineError(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
