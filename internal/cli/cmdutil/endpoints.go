package cmdutil

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/tokenctl/tokenctl/internal/config"
)

// CheckEndpointPair refuses GraphQL and REST endpoints that do not name the
// same Buildkite. The API token's own uuid is asked of the REST endpoint
// while tokens are listed and revoked through the GraphQL one: were they
// two servers, the safety check against revoking the token in use would
// ask the wrong one, and a token (the keychain's is chosen by the GraphQL
// endpoint) would be sent where it was never meant to go. Two endpoints
// pair when both are Buildkite's defaults' hosts (graphql.buildkite.com
// with api.buildkite.com over https), or when they share scheme, host and
// port, as the emulator and a proxy serving both APIs do.
func CheckEndpointPair(s *config.Settings) error {
	gql, rest := endpointSite(s.GraphQLEndpoint), endpointSite(s.RESTEndpoint)
	if gql == (site{}) || rest == (site{}) {
		return nil // ValidateEndpoint says what is wrong with it
	}
	if gql == rest || (gql == endpointSite(config.DefaultGraphQLEndpoint) && rest == endpointSite(config.DefaultRESTEndpoint)) {
		return nil
	}
	return fmt.Errorf("%s and %s are not the same Buildkite, and tokenctl asks one which token is in use and revokes through the other; "+
		"set both endpoints (--%s and --%s, %s and %s, or the config file) to the same server, or neither for Buildkite's",
		describeEndpoint(s, config.KeyGraphQLEndpoint, s.GraphQLEndpoint),
		describeEndpoint(s, config.KeyRESTEndpoint, s.RESTEndpoint),
		config.KeyGraphQLEndpoint, config.KeyRESTEndpoint,
		config.EnvVar(config.KeyGraphQLEndpoint), config.EnvVar(config.KeyRESTEndpoint))
}

// site is what must match between the two endpoints.
type site struct{ scheme, host, port string }

// endpointSite is raw's scheme, host and port, with the scheme's default
// port written out and case folded; the zero site if raw is no URL.
func endpointSite(raw string) site {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Hostname() == "" {
		return site{}
	}
	s := site{scheme: strings.ToLower(u.Scheme), host: strings.ToLower(strings.TrimSuffix(u.Hostname(), ".")), port: u.Port()}
	if s.port == "" {
		switch s.scheme {
		case "https":
			s.port = "443"
		case "http":
			s.port = "80"
		}
	}
	return s
}

// describeEndpoint names a setting's value and where it came from, the
// way the user gave it.
func describeEndpoint(s *config.Settings, key, value string) string {
	switch s.Sources[key] {
	case config.SourceFlag:
		return fmt.Sprintf("--%s %s (flag)", key, value)
	case config.SourceEnv:
		return fmt.Sprintf("%s=%s (env)", config.EnvVar(key), value)
	case config.SourceConfig:
		return fmt.Sprintf("%s %s (config file %s)", key, value, s.ConfigFile)
	default:
		return fmt.Sprintf("%s %s (default)", key, value)
	}
}
