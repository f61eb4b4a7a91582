package config

import "github.com/spf13/pflag"

// AddFlags defines the flag of every setting on fs, named as Load expects.
// Commands may instead define only some of them; Load skips absent flags.
// The defaults shown here are for help text only: Load applies defaults
// itself and reads a flag only when the user set it.
func AddFlags(fs *pflag.FlagSet) {
	fs.String("org", "", "Buildkite organization slug (env BUILDKITE_ORGANIZATION_SLUG)")
	fs.String(FlagAPITokenFile, "", "read the Buildkite API token from `FILE`, or stdin if -")
	fs.String("graphql-endpoint", DefaultGraphQLEndpoint, "Buildkite GraphQL endpoint (env BUILDKITE_GRAPHQL_ENDPOINT)")
	fs.String("rest-endpoint", DefaultRESTEndpoint, "Buildkite REST API base URL (env BUILDKITE_REST_API_ENDPOINT)")
	fs.StringP("output", "o", DefaultOutput, "output format: table, wide, json, yaml or csv (env TOKENCTL_OUTPUT)")
	fs.String("audit-log", "", "write the audit log to `FILE` (env TOKENCTL_AUDIT_LOG)")
	fs.Duration("timeout", DefaultTimeout, "time limit for each request to Buildkite (env TOKENCTL_TIMEOUT)")
	fs.Int("page-size", DefaultPageSize, "tokens fetched per request, 1-500 (env TOKENCTL_PAGE_SIZE)")
	fs.Int("concurrency", DefaultConcurrency, "requests in flight at once, 1-32 (env TOKENCTL_CONCURRENCY)")
}
