// Package emulator is a local stand-in for the parts of the Buildkite API
// that tokenctl uses: GraphQL at POST /v1 (serving exactly the project schema
// in internal/schema), REST GET and DELETE /v2/access-token, and REST GET
// and PATCH /v2/organizations/{slug}/api-settings. Every test,
// demo and benchmark talks to it instead of Buildkite.
//
// It keeps users, organizations, memberships and API access tokens in
// memory, loaded from a Fixture, and behaves like Buildkite where tokenctl
// can tell the difference: bearer authentication, admin-only token listing
// and revocation, null for organizations the caller cannot see, cursor
// paging with Buildkite's page-size rules, complexity-based rate limits and
// their headers. It records every request and can inject faults (errors,
// throttling, dropped connections, broken bodies, latency) so clients can be
// tested against a misbehaving network.
//
// It must not grow behavior tokenctl does not rely on, must not serve a
// type or field the project schema lacks, must never listen beyond loopback
// (cmd/buildkite-emulator enforces that), and must never log or return a
// token's secret value.
//
// # Fixtures
//
// A fixture is YAML or JSON with kebab-case keys:
//
//	users:         [{uuid, name, email, bot, machine-user}]
//	organizations: [{uuid, slug, name, revoke-inactive-tokens-after, features,
//	                 allowed-ip-addresses, restrict-api-token-creation,
//	                 members: [{user: <email>, role: admin|member, last-seen-at, created-at, two-factor, sso}]}]
//	tokens:        [{uuid, value, description, owner: <email>, scopes: [GRAPHQL, ...],
//	                 organizations: [<slug>], created-at, expires-at, last-accessed-at,
//	                 ip-address, revoked}]
//	generate:      [{organization: <slug>, count: N, owner: <email>}]
//	generate-organizations: [{count: N, slug: org-%03d, members: [...], tokens: [<uuid>]}]
//	generate-members: [{organization: <slug>, count: N, tokens-each: M}]
//	faults:        [{kind, match, times, probability, status, delay, retry-after, error}]
//	audit-events:  [{organization: <slug>, type, token: <uuid>, actor: <email>, occurred-at,
//	                 via: web|api, via-token: <uuid>, ip-address, user-agent}]
//
// An organization's features (audit-log, inactivity-policy,
// api-ip-allowlist) switch on the
// paid features; every token also gets an API_ACCESS_TOKEN_CREATED event,
// and revocations and deletions are recorded as they happen (audit.go).
//
// Times are RFC 3339 or relative to the server clock at start-up ("now",
// "now-400d", "now+1h30m"). See fixtures/README.md for the built-in
// fixtures and the demo seed's story.
package emulator
