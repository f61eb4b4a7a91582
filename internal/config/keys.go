package config

import (
	"slices"
	"strings"
	"time"
)

// Setting keys, as written in the config file and shown by `config view`.
const (
	KeyOrg             = "org"
	KeyAPIToken        = "api-token"
	KeyGraphQLEndpoint = "graphql-endpoint"
	KeyRESTEndpoint    = "rest-endpoint"
	KeyOutput          = "output"
	KeyAuditLog        = "audit-log"
	KeyTimeout         = "timeout"
	KeyPageSize        = "page-size"
	KeyConcurrency     = "concurrency"
)

// FlagAPITokenFile names the flag that supplies the token. It takes a file
// (or "-" for stdin) rather than the value, because argv is visible to every
// user on the machine and lands in shell history. Every other setting's flag
// is named after its key.
const FlagAPITokenFile = "api-token-file"

// keyTokenEndpoint is written to the config file beside a plain-text
// api-token: the GraphQL endpoint it was saved for, as the keychain keeps a
// token per endpoint. It is no setting (no flag, no variable, not in
// config view); a file without it is from before it was written, and its
// token is used for any endpoint, as then.
const keyTokenEndpoint = "api-token-endpoint" //nolint:gosec // G101: the name of a config file key, not a credential

// EnvConfigPath overrides the whole config file path.
const EnvConfigPath = "TOKENCTL_CONFIG"

// Defaults for settings that have one.
const (
	DefaultGraphQLEndpoint = "https://graphql.buildkite.com/v1"
	DefaultRESTEndpoint    = "https://api.buildkite.com"
	DefaultOutput          = "table"
	DefaultTimeout         = 30 * time.Second
	DefaultPageSize        = MaxPageSize // as many as Buildkite serves: see buildkite.DefaultPageSize
	DefaultConcurrency     = 4
)

// Bounds for the numeric settings. Buildkite caps a connection page at 500
// nodes; more than 32 concurrent requests only buys throttling.
const (
	MinPageSize, MaxPageSize       = 1, 500
	MinConcurrency, MaxConcurrency = 1, 32
)

// Source says where a setting's value came from.
type Source string

const (
	SourceFlag    Source = "flag"
	SourceEnv     Source = "env"
	SourceConfig  Source = "config"
	SourceDefault Source = "default"
	SourceFile    Source = "file"  // --api-token-file FILE
	SourceStdin   Source = "stdin" // --api-token-file -
)

// keySpec ties a key to its environment variable, flag and default.
type keySpec struct {
	key  string
	env  string
	flag string
	def  string // "" when the setting has no default
}

// keySpecs is in the order `config view` lists settings. Its defaults are
// written out rather than formatted, so that the table is laid out as data
// and nothing runs at start-up to make it.
var keySpecs = []keySpec{
	{KeyOrg, "BUILDKITE_ORGANIZATION_SLUG", "org", ""},
	{KeyAPIToken, "BUILDKITE_API_TOKEN", FlagAPITokenFile, ""},
	{KeyGraphQLEndpoint, "BUILDKITE_GRAPHQL_ENDPOINT", "graphql-endpoint", DefaultGraphQLEndpoint},
	{KeyRESTEndpoint, "BUILDKITE_REST_API_ENDPOINT", "rest-endpoint", DefaultRESTEndpoint},
	{KeyOutput, "TOKENCTL_OUTPUT", "output", DefaultOutput},
	{KeyAuditLog, "TOKENCTL_AUDIT_LOG", "audit-log", ""},
	{KeyTimeout, "TOKENCTL_TIMEOUT", "timeout", "30s"},      // DefaultTimeout, spelled out (see TestDefaultsSpelledOut)
	{KeyPageSize, "TOKENCTL_PAGE_SIZE", "page-size", "500"}, // DefaultPageSize
	{KeyConcurrency, "TOKENCTL_CONCURRENCY", "concurrency", "4"},
}

// Keys returns every setting key in display order.
func Keys() []string {
	keys := make([]string, len(keySpecs))
	for i, s := range keySpecs {
		keys[i] = s.key
	}
	return keys
}

func lookupKey(key string) (keySpec, bool) {
	i := slices.IndexFunc(keySpecs, func(s keySpec) bool { return s.key == key })
	if i < 0 {
		return keySpec{}, false
	}
	return keySpecs[i], true
}

// EnvVar returns the environment variable read for key ("" if unknown).
func EnvVar(key string) string {
	s, _ := lookupKey(key)
	return s.env
}

func knownKeysList() string { return strings.Join(Keys(), ", ") }
