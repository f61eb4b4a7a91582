package cmdutil

import (
	"errors"
	"fmt"

	"github.com/spf13/pflag"
	"github.com/tokenctl/tokenctl/internal/config"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

// RequireToken is Settings.RequireToken for a command about to use the
// token, which may come from the system keychain: a failure to read it
// there is an authentication error (exit 3), like a missing token.
func (f *Factory) RequireToken(s *config.Settings) error {
	if err := s.RequireToken(); err != nil {
		return tokenError(err)
	}
	f.hintTokenMove(s)
	return nil
}

// ResolveToken finishes the token's precedence for `config view`, which
// shows where the token came from but does not need one.
func (f *Factory) ResolveToken(s *config.Settings) error {
	if err := s.ResolveToken(); err != nil {
		return tokenError(err)
	}
	f.hintTokenMove(s)
	return nil
}

// tokenError gives a failure to resolve the token its exit code: a config
// file token saved for another endpoint is a bad setting (exit 2), as it
// is when no keychain is asked; the rest are authentication errors.
func tokenError(err error) error {
	if errors.Is(err, config.ErrTokenEndpoint) {
		return exitcode.New(exitcode.Usage, err)
	}
	return exitcode.New(exitcode.Auth, err)
}

// hintTokenMove tells a person at a terminal that the token in use sits
// in the config file in plain text while a keychain could hold it. The
// file is never rewritten behind their back, and scripts do not get the
// line.
func (f *Factory) hintTokenMove(s *config.Settings) {
	if s.TokenMovable() && f.IO.IsStderrTTY() {
		fmt.Fprintf(f.IO.ErrOut, "tokenctl: hint: the API token is in plain text in %s; move it to the system keychain with `tokenctl config migrate-token`\n", s.ConfigFile)
	}
}

// TokenStore is where the token for the GraphQL endpoint in effect is
// kept, for the commands that store, move or remove it: they load the
// settings without the token, which they do not use and may be about to
// replace because it is broken.
func (f *Factory) TokenStore(flags *pflag.FlagSet) (config.TokenStore, error) {
	s, err := f.loadSettings(flags, config.LoadOptions{Keychain: f.Keychain, WithoutToken: true})
	if err != nil {
		return config.TokenStore{}, err
	}
	return s.TokenStore(), nil
}
