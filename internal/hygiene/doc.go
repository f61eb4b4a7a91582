// Package hygiene judges an organization's API access tokens against a
// token policy: it reads the policy file (rules, severities, exceptions),
// turns tokens and their owners' memberships into findings, compares them
// with an earlier report, renders the report (JSON, Markdown, CSV, table)
// and writes and checks the revocation plan that revoke-severity findings
// call for.
//
// It reads tokens and members through internal/buildkite and never revokes
// anything: `tokenctl revoke --plan` applies a plan through internal/revoke
// like every other revocation. It prints nothing and never prompts.
package hygiene
