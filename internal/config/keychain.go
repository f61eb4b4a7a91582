package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

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

// SourceKeychain: the API token came from the system keychain.
const SourceKeychain Source = "keychain"

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
	v, err := withDeadline(keychainTimeout, func() (string, error) { return keyring.Get(service, user) })
	return v, keychainError(err)
}

func (SystemKeychain) Set(service, user, secret string) error {
	_, err := withDeadline(keychainTimeout, func() (string, error) { return "", keyring.Set(service, user, secret) })
	return keychainError(err)
}

func (SystemKeychain) Delete(service, user string) error {
	_, err := withDeadline(keychainTimeout, func() (string, error) { return "", keyring.Delete(service, user) })
	return keychainError(err)
}

// keychainTimeout bounds one keychain operation. go-keyring has no
// deadline of its own, and a Secret Service may wait for an unlock prompt
// that nobody sees (over ssh); long enough to type a password into one
// that somebody does.
const keychainTimeout = 30 * time.Second

// errKeychainTimeout is a keychain that did not answer in time. Its text
// spells keychainTimeout out (a test holds the two together), so that the
// error is laid out as data rather than made at start-up.
var errKeychainTimeout = errors.New("it did not answer within 30s (is it waiting to be unlocked?)")

// withDeadline runs op, giving up after d. The operation is left to finish
// on its own: the process is about to report the failure and exit.
func withDeadline(d time.Duration, op func() (string, error)) (string, error) {
	type result struct {
		v   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := op()
		done <- result{v, err}
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.v, r.err
	case <-timer.C:
		return "", errKeychainTimeout
	}
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
