package config

import (
	"errors"
	"fmt"

	"github.com/tokenctl/tokenctl/internal/redact"
)

// ErrTokenEndpoint means the config file's API token was saved for
// another GraphQL endpoint than the one in effect; it is also an
// ErrInvalidSetting.
var ErrTokenEndpoint = errors.New("the config file's API token was saved for another endpoint")

// ErrKeychainHoldsAnother means the keychain already holds a different
// token for the endpoint, so moving the config file's there would change
// the token in use without saying so.
var ErrKeychainHoldsAnother = errors.New("the system keychain already holds another API token for this endpoint")

// tokenLookup is the part of the token's precedence Load leaves for later:
// the keychain, then the config file. Asking a keychain may be slow or
// show an unlock prompt, so only a command that needs the token asks, and
// only when neither --api-token-file nor BUILDKITE_API_TOKEN supplied it.
type tokenLookup struct {
	keychain  Keychain
	service   string
	fromFile  redact.Secret // the config file's token, "" if it has none
	done      bool
	reachable bool // the keychain answered (with a token or "none")
}

// deferToken moves a token Load found in the config file (or no token)
// aside until ResolveToken has asked the keychain, which comes first.
// Without lookup (the token was not loaded) it only records the keychain;
// without a keychain the config file's token is checked against the
// endpoint it was saved for at once.
func (s *Settings) deferToken(kc Keychain, lookup bool) error {
	s.keychain = kc
	if !lookup {
		return nil
	}
	if kc == nil {
		if s.Sources[KeyAPIToken] == SourceConfig {
			return s.checkFileToken()
		}
		return nil
	}
	switch s.Sources[KeyAPIToken] {
	case SourceConfig, SourceDefault:
		s.tokenLookup = &tokenLookup{keychain: kc, service: KeychainService(s.GraphQLEndpoint), fromFile: s.APIToken}
		s.APIToken, s.Sources[KeyAPIToken] = "", SourceDefault
	}
	return nil
}

// ResolveToken finishes the token's precedence when Load left it open:
// the keychain's token for the GraphQL endpoint if there is one, else the
// config file's. A keychain that holds nothing, or that does not exist
// (a headless machine, a container), is passed over; any other keychain
// failure is an error, because going on with the config file's token, or
// none, would not be the token the user stored. Calling it again does
// nothing once it has succeeded.
func (s *Settings) ResolveToken() error {
	l := s.tokenLookup
	if l == nil || l.done {
		return nil
	}
	raw, err := l.keychain.Get(l.service, keychainUser)
	switch {
	case err == nil:
		tok, reason := checkToken(raw)
		if reason != "" {
			return invalidf("%s (system keychain, service %s): %s; replace it with `tokenctl config set %s -`",
				KeyAPIToken, l.service, reason, KeyAPIToken)
		}
		s.APIToken, s.Sources[KeyAPIToken] = tok, SourceKeychain
		l.reachable = true
	case errors.Is(err, ErrNotInKeychain), errors.Is(err, ErrKeychainUnavailable):
		l.reachable = errors.Is(err, ErrNotInKeychain)
		if l.fromFile != "" {
			if err := s.checkFileToken(); err != nil {
				return err
			}
			s.APIToken, s.Sources[KeyAPIToken] = l.fromFile, SourceConfig
		}
	default:
		return fmt.Errorf("reading the API token for %s from the system keychain (service %s): %w; "+
			"set BUILDKITE_API_TOKEN or pass --%s to go around it", s.GraphQLEndpoint, l.service, err, FlagAPITokenFile)
	}
	l.done = true
	return nil
}

// checkFileToken refuses the config file's token when the file says it
// was saved for another GraphQL endpoint than the one in effect: sent
// there, it would reach a server it was never meant for.
func (s *Settings) checkFileToken() error {
	return tokenEndpointMismatch(s.ConfigFile, s.fileTokenEndpoint, s.GraphQLEndpoint)
}

// tokenEndpointMismatch is the error for a config file token saved for
// savedFor ("" when the file does not say) used with endpoint.
func tokenEndpointMismatch(file, savedFor, endpoint string) error {
	if savedFor == "" || KeychainService(savedFor) == KeychainService(endpoint) {
		return nil
	}
	return &endpointMismatch{settingError{msg: fmt.Sprintf(
		"%s (config file %s) was saved for the GraphQL endpoint %s, not %s; "+
			"use that endpoint, or save a token for this one with `tokenctl config set %s -`",
		KeyAPIToken, file, show(displayEndpoint(savedFor)), show(displayEndpoint(endpoint)), KeyAPIToken)}}
}

// endpointMismatch is an invalid setting that is also ErrTokenEndpoint.
type endpointMismatch struct{ settingError }

func (*endpointMismatch) Is(target error) bool { return target == ErrTokenEndpoint }

// TokenMovable reports whether the token in use is the config file's
// plain-text one while a keychain that could hold it answered: the case
// for suggesting `tokenctl config migrate-token`. It is false until
// ResolveToken has run.
func (s *Settings) TokenMovable() bool {
	return s.tokenLookup != nil && s.tokenLookup.done && s.tokenLookup.reachable && s.Sources[KeyAPIToken] == SourceConfig
}

// TokenStore is where the token for the settings' GraphQL endpoint is
// kept at rest.
func (s *Settings) TokenStore() TokenStore {
	return TokenStore{Keychain: s.keychain, ConfigFile: s.ConfigFile, Endpoint: s.GraphQLEndpoint}
}

// TokenStore keeps the API token for one GraphQL endpoint at rest: in the
// system keychain, or in the config file (mode 0600, plain text) only when
// asked to.
type TokenStore struct {
	Keychain   Keychain // nil: there is no keychain
	ConfigFile string
	Endpoint   string // the GraphQL endpoint the token is for
}

// Service is the keychain service name the token is stored under.
func (t TokenStore) Service() string { return KeychainService(t.Endpoint) }

// Save validates raw and stores it in the keychain, checked by reading it
// back. A plain-text token in the config file would then only be a copy
// lying around, so it is removed; removedFromFile says so. Without a
// keychain it fails with ErrKeychainUnavailable and writes nothing.
func (t TokenStore) Save(raw string) (removedFromFile bool, err error) {
	tok, reason := checkToken(raw)
	if reason != "" {
		return false, invalidf("%s: %s", KeyAPIToken, reason)
	}
	if err := t.storeVerified(tok); err != nil {
		return false, err
	}
	return t.removeFromFile()
}

// SaveInsecure writes raw to the config file, as `config set` does for
// every other setting. shadowed says the keychain also holds a token for
// the endpoint, which is used first.
func (t TokenStore) SaveInsecure(raw string) (shadowed bool, err error) {
	if t.ConfigFile == "" {
		return false, errors.New("no config file path: set TOKENCTL_CONFIG or HOME")
	}
	tok, reason := checkToken(raw)
	if reason != "" {
		return false, invalidf("%s: %s", KeyAPIToken, reason)
	}
	// The endpoint beside it ties it to that endpoint, as the keychain's
	// service name does (see Settings.checkFileToken).
	if err := setValues(t.ConfigFile, KeyAPIToken, tok.Reveal(), keyTokenEndpoint, t.Endpoint); err != nil {
		return false, err
	}
	if t.Keychain != nil {
		_, err := t.Keychain.Get(t.Service(), keychainUser)
		shadowed = err == nil
	}
	return shadowed, nil
}

// Removal says where Remove found a token.
type Removal struct{ FromKeychain, FromFile bool }

// Remove deletes the endpoint's token from the keychain and the config
// file's token, wherever they are. A missing keychain or token is not an
// error; another keychain failure is, after the config file was dealt with.
func (t TokenStore) Remove() (Removal, error) {
	var r Removal
	var err error
	if r.FromFile, err = t.removeFromFile(); err != nil {
		return r, err
	}
	if t.Keychain == nil {
		return r, nil
	}
	switch err := t.Keychain.Delete(t.Service(), keychainUser); {
	case err == nil:
		r.FromKeychain = true
	case errors.Is(err, ErrNotInKeychain), errors.Is(err, ErrKeychainUnavailable):
	default:
		return r, fmt.Errorf("removing the API token for %s from the system keychain: %w", t.Endpoint, err)
	}
	return r, nil
}

// Migration says what Migrate did.
type Migration struct {
	// InKeychain: the config file held a token, and the keychain now
	// holds it too.
	InKeychain bool
	// AlreadyThere: the keychain held the same token already.
	AlreadyThere bool
	// Moved: and it is no longer in the config file.
	Moved bool
}

// Migrate moves the config file's plain-text token into the keychain. The
// file is changed only after the keychain holds the token, checked by
// reading it back, so a failure at any step loses nothing. A keychain that
// holds a different token for the endpoint is left alone
// (ErrKeychainHoldsAnother): that one is in use, and replacing it is the
// user's decision.
func (t TokenStore) Migrate() (Migration, error) {
	v, _, err := readConfig(t.ConfigFile)
	if err != nil {
		return Migration{}, err
	}
	if !v.InConfig(KeyAPIToken) {
		return Migration{}, nil
	}
	tok, reason := checkToken(v.GetString(KeyAPIToken))
	if reason != "" {
		return Migration{}, invalidf("%s (config file %s): %s", KeyAPIToken, t.ConfigFile, reason)
	}
	if err := tokenEndpointMismatch(t.ConfigFile, v.GetString(keyTokenEndpoint), t.Endpoint); err != nil {
		return Migration{}, err
	}
	if t.Keychain == nil {
		return Migration{}, ErrKeychainUnavailable
	}
	var m Migration
	switch held, err := t.Keychain.Get(t.Service(), keychainUser); {
	case err == nil && redact.Secret(held) == tok:
		m.AlreadyThere = true
	case err == nil:
		return Migration{}, ErrKeychainHoldsAnother
	case errors.Is(err, ErrNotInKeychain):
		if err := t.storeVerified(tok); err != nil {
			return Migration{}, err
		}
	default:
		return Migration{}, err
	}
	m.InKeychain = true
	if _, err := t.removeFromFile(); err != nil {
		return m, err
	}
	m.Moved = true
	return m, nil
}

// storeVerified writes tok to the keychain and reads it back: some
// keychains accept a write they then do not return (a locked collection,
// a value cut short), and the caller may be about to delete the only
// other copy.
func (t TokenStore) storeVerified(tok redact.Secret) error {
	if t.Keychain == nil {
		return ErrKeychainUnavailable
	}
	if err := t.Keychain.Set(t.Service(), keychainUser, tok.Reveal()); err != nil {
		return err
	}
	back, err := t.Keychain.Get(t.Service(), keychainUser)
	if err != nil {
		return fmt.Errorf("%w: the token did not read back after it was stored: %s", ErrKeychain, oneLineError(err))
	}
	if redact.Secret(back) != tok {
		return fmt.Errorf("%w: the token read back differs from the one stored", ErrKeychain)
	}
	return nil
}

// removeFromFile deletes api-token from the config file if it is there,
// leaving the file untouched otherwise.
func (t TokenStore) removeFromFile() (bool, error) {
	if t.ConfigFile == "" {
		return false, nil
	}
	doc, err := loadDocument(t.ConfigFile)
	if err != nil {
		return false, err
	}
	if findKey(doc.Content[0], KeyAPIToken) < 0 {
		return false, nil
	}
	return true, Unset(t.ConfigFile, KeyAPIToken)
}
