// Package cli is tokenctl's command tree. Each command parses its flags
// into an options value, validates it before any network call, and hands
// the work to the packages that own it (config, revoke, buildkite, output).
// Nothing here talks HTTP or formats data itself.
package cli

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/config"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/identitycache"
	"github.com/tokenctl/tokenctl/internal/iostreams"
	"github.com/tokenctl/tokenctl/internal/transport"
	"github.com/tokenctl/tokenctl/internal/version"
)

// Factory holds what every command needs from its surroundings. Tests build
// one with buffers and a fake environment.
type Factory struct {
	IO  *iostreams.IOStreams
	Env config.Env
	Now func() time.Time
	// NewMutationID makes clientMutationIds; nil means unique random ones.
	NewMutationID func() string
}

// NewFactory is the production factory.
func NewFactory() *Factory {
	return &Factory{IO: iostreams.System(), Env: os.LookupEnv, Now: time.Now}
}

// Settings loads the effective configuration for a command.
func (f *Factory) Settings(flags *pflag.FlagSet) (*config.Settings, error) {
	s, err := config.Load(config.LoadInput{Flags: flags, Env: f.Env, Stdin: f.IO.In})
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, err)
	}
	for _, w := range s.Warnings {
		fmt.Fprintf(f.IO.ErrOut, "tokenctl: warning: %s\n", w)
	}
	return s, nil
}

// APIClient builds the Buildkite client for the settings. It checks that a
// token is present and the endpoints are acceptable, and sends nothing. The
// --debug trace scrubs the API token and every redact value (such as a
// leaked token's value the run sends) from both APIs' traffic. The
// transport returned is the one GraphQL requests go through: its RateLimit
// is the budget mutations spend (see byAPI).
func (f *Factory) APIClient(s *config.Settings, debug bool, redact ...string) (*buildkite.Client, *transport.Transport, error) {
	if err := s.RequireToken(); err != nil {
		return nil, nil, exitcode.New(exitcode.Auth, err)
	}
	for _, ep := range []string{s.GraphQLEndpoint, s.RESTEndpoint} {
		if err := config.ValidateEndpoint(ep); err != nil {
			return nil, nil, exitcode.New(exitcode.Usage, err)
		}
	}
	opts := transport.Options{
		Timeout:    s.Timeout,
		Redact:     append([]string{s.APIToken.Reveal()}, redact...),
		UserAgent:  "tokenctl/" + version.Version,
		ExpectJSON: true, // both of Buildkite's APIs answer JSON
	}
	if debug {
		opts.Debug = &syncWriter{w: f.IO.ErrOut}
	}
	graphQL, _ := url.Parse(s.GraphQLEndpoint) // validated above
	rt := byAPI{graphQL: graphQL, graphQLTransport: transport.New(opts), restTransport: transport.New(opts)}
	c := buildkite.New(buildkite.Config{
		GraphQLEndpoint: s.GraphQLEndpoint,
		RESTEndpoint:    s.RESTEndpoint,
		Token:           s.APIToken.Reveal(),
		HTTPClient:      &http.Client{Transport: rt},
		PageSize:        s.PageSize,
		Identities:      identityCache(s),
	})
	return c, rt.graphQLTransport, nil
}

// byAPI sends GraphQL requests through one transport and REST requests
// through another, with the same policies. Buildkite budgets the two APIs
// separately (complexity points, requests), and a transport paces by the
// last budget it saw: shared, the self-check's REST budget would stand in
// for the GraphQL budget that mutations spend.
type byAPI struct {
	graphQL                         *url.URL
	graphQLTransport, restTransport *transport.Transport
}

func (b byAPI) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host == b.graphQL.Host && req.URL.Path == b.graphQL.Path {
		return b.graphQLTransport.RoundTrip(req)
	}
	return b.restTransport.RoundTrip(req)
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach both.
func (b byAPI) CloseIdleConnections() {
	b.graphQLTransport.CloseIdleConnections()
	b.restTransport.CloseIdleConnections()
}

// syncWriter lets byAPI's two transports share the debug trace: each
// writes a block in one call, and blocks must not interleave.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// identityCache remembers which token the API token is between runs, so
// that a revocation does not ask again; nil (ask every time) with
// --no-cache.
func identityCache(s *config.Settings) buildkite.IdentityStore {
	if s.CacheDir == "" {
		return nil
	}
	return identitycache.New(filepath.Join(s.CacheDir, "identities"))
}
