// Package cmdutil is the plumbing every command shares: the factory (the
// streams, the clock, the keychain, the API client), the options and the
// Complete/Validate/Run runner of a command that calls Buildkite, -o and --jq,
// the failure document, errors and their one line on stderr, the token
// filters, one token named by argument or --token, and the audit log. It
// imports no command: the commands import it.
package cmdutil

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/config"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/gcpace"
	"github.com/tokenctl/tokenctl/internal/identitycache"
	"github.com/tokenctl/tokenctl/internal/iostreams"
	"github.com/tokenctl/tokenctl/internal/transport"
	"github.com/tokenctl/tokenctl/internal/version"
)

// Factory holds what every command needs from its surroundings. Tests build
// one with buffers; the environment is the process's (tests set it with
// t.Setenv).
type Factory struct {
	IO *iostreams.IOStreams
	// Now and Sleep are the commands' clock, the transport's and the
	// revoke executor's too: rate-limit resets are read on Now, and Sleep
	// waits out the retry schedule, pacing and a spent budget, returning
	// ctx.Err() if ctx ends first. nil means the real clock and a real
	// timer. Tests pass a clock that does not wait.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// NewMutationID makes clientMutationIds; nil means unique random ones.
	NewMutationID func() string
	// Keychain is where the API token is kept at rest; nil means there is
	// none. It is asked only by a command that needs the token.
	Keychain config.Keychain
}

// NewFactory is the production factory.
func NewFactory() *Factory {
	return &Factory{IO: iostreams.System(), Now: time.Now, Keychain: config.SystemKeychain{}}
}

// Settings loads the effective configuration for a command.
func (f *Factory) Settings(flags *pflag.FlagSet) (*config.Settings, error) {
	return f.loadSettings(flags, config.LoadOptions{Stdin: f.IO.In, Keychain: f.Keychain})
}

func (f *Factory) loadSettings(flags *pflag.FlagSet, opts config.LoadOptions) (*config.Settings, error) {
	s, err := config.Load(flags, opts)
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, err)
	}
	for _, w := range s.Warnings {
		fmt.Fprintf(f.IO.ErrOut, "tokenctl: warning: %s\n", w)
	}
	return s, nil
}

// APIClient builds the Buildkite client for the settings. It checks that
// the endpoints are acceptable and name the same Buildkite (before the
// keychain is asked for the token) and that a token is present, and sends
// nothing. Every command that calls Buildkite builds its client here. The
// --debug trace scrubs the API token and every redact value (such as a
// leaked token's value the run sends) from both APIs' traffic.
func (f *Factory) APIClient(s *config.Settings, debug bool, redact ...string) (*buildkite.Client, error) {
	for _, ep := range []string{s.GraphQLEndpoint, s.RESTEndpoint} {
		if err := config.ValidateEndpoint(ep); err != nil {
			return nil, exitcode.New(exitcode.Usage, err)
		}
	}
	if err := CheckEndpointPair(s); err != nil {
		return nil, exitcode.New(exitcode.Usage, err)
	}
	if err := f.RequireToken(s); err != nil {
		return nil, err
	}
	// A command that calls Buildkite reads answers, some of them long
	// listings: collect garbage less often while little is held.
	_, gogc := os.LookupEnv("GOGC")
	gcpace.Start(gcHeadroom, gogc)
	opts := transport.Options{
		Timeout:   s.Timeout,
		Redact:    redact,
		UserAgent: "tokenctl/" + version.Version,
		Sleep:     f.Sleep,
		Now:       f.Now,
		Waiting:   f.WaitNotice(),
	}
	if debug {
		opts.Debug = f.IO.ErrOut
	}
	return buildkite.New(buildkite.Config{
		GraphQLEndpoint: s.GraphQLEndpoint,
		RESTEndpoint:    s.RESTEndpoint,
		Token:           s.APIToken.Reveal(),
		Transport:       opts,
		PageSize:        s.PageSize,
		Identities:      identityCache(s),
	}), nil
}

// gcHeadroom is how far the heap of a command that calls Buildkite may
// grow past what the last garbage collection kept before the next one
// (see gcpace): a listing of 5,000 tokens then collects once instead of
// seven times, and one of 50,000, which holds more than this, as before.
const gcHeadroom = 16 << 20

// identityCache remembers which token the API token is between runs, so
// that a revocation does not ask again; nil (ask every time) with
// --no-cache.
func identityCache(s *config.Settings) buildkite.IdentityStore {
	if s.CacheDir == "" {
		return nil
	}
	return identitycache.New(filepath.Join(s.CacheDir, "identities"))
}
