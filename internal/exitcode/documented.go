package exitcode

// Meaning is what one exit code tells a script, as the documentation says
// it. Text may hold `code spans`, nothing else of Markdown: it is rendered
// both into Markdown and into man pages.
type Meaning struct {
	Code Code
	Text string
}

// Documented is every exit code tokenctl uses and what it means, in
// ascending order. The EXIT STATUS section of the man pages and the table
// in docs/contracts/exit-codes.md are generated from it (`make docs`), and
// a test fails when a Code constant is missing here.
var Documented = []Meaning{
	{OK, "success: every token revoked (or, with `--dry-run`, resolvable)"},
	{Failure, "other failure: server errors, network trouble, an unreadable answer, an error whose meaning tokenctl does not know; a revocation whose outcome is `unknown`"},
	{Usage, "usage error: bad flag, unknown command, malformed identifier, unreadable input, bad setting (including an endpoint that does not answer as Buildkite's API: HTTP 404, a page that is not JSON, or a redirect, which is never followed); a missing `--yes` where nobody can be asked (a selection by filter, `--from-scan`, `--plan` or `--all-orgs`, and `--everywhere`): nothing was attempted"},
	{Auth, "authentication or permission: missing, unknown, expired or revoked token; no GraphQL access; not an organization administrator, or a token not granted access to the organization; a paid feature (audit log, inactivity policy) the organization's plan or your role does not allow; a system keychain that fails to give the token stored in it"},
	{NotFound, "not found: unknown organization, or token(s) without access to it (with `--ignore-missing` too for an id the listing never showed, which proves nothing: name such a token by its uuid); `history --reconcile`: a revocation tokenctl made is missing from Buildkite's audit log"},
	{Refused, "refused by a safety check: the tool's own token, or a declined confirmation; `config set api-token` with no system keychain and no `--insecure-storage`, or `config migrate-token` with nowhere to move the token"},
	{Partial, "partial failure: some tokens revoked, others not"},
	{Throttled, "throttled: Buildkite's rate limit stayed exhausted after retries"},
	{Findings, "findings: `tokenctl check` found tokens at `error` or `revoke` severity"},
	{Incomplete, "incomplete: a run over several organizations (`--all-orgs`, repeated `--org`) could not look in all of them: some Buildkite did not list, or some it could not check, whatever the cause (not an administrator there, the API token not granted them, an unknown error); for `revoke` the token may still have access there, for `tokenctl check` it passed in what it saw; `revoke --plan` could not look in one of the plan's organizations (its tokens `not-checked`)"},
	{Interrupted, "interrupted (Ctrl-C)"},
}

// Precedence says which code a run exits with when several apply; it
// follows the table wherever the table is printed.
const Precedence = "When nothing was revoked and several reasons apply, the most telling one " +
	"wins: a wrong endpoint, then authentication, throttling, interruption, other failures and " +
	"unknown outcomes, refusal, and not-found last. A dry run revokes nothing, " +
	"so it never exits 6: a token that does not exist makes it exit 4 (0 with " +
	"`--ignore-missing`, for a token named by uuid), the own token without `--allow-self` 5."
