package revoke

import (
	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/hygiene"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/redact"
	"github.com/tokenctl/tokenctl/internal/scan"
	"github.com/tokenctl/tokenctl/internal/selector"
)

// RevokeOptions is every input of `tokenctl revoke`.
type RevokeOptions struct {
	cmdutil.APIOptions

	TokenArgs     []string
	DryRun        bool
	Yes           bool
	AllowSelf     bool
	IgnoreMissing bool
	Leaked        leakedTokenOptions // --token-value-file and friends
	Bulk          bulkOptions        // --from-file and the filters
	Scan          scanOptions        // --from-scan
	Planned       plannedOptions     // --plan and --max-plan-age

	// Filled in by complete.
	Tokens       []ident.Token
	AuditLog     string
	Concurrency  int
	tokensErr    error  // the first --token that is not a token
	apiTokenFile string // --api-token-file, which may claim standard input
}

// bulkOptions are the inputs of `tokenctl revoke` that name many tokens at
// once: a file of tokens (--from-file), or the same filters as `tokens
// list` (selection by filter).
type bulkOptions struct {
	FromFile string
	Select   cmdutil.SelectorFlags

	// Filled in by record and completeBulk.
	fromFileSet bool // --from-file was on the command line
	filter      selector.Filter
	filterErr   error
	selecting   bool          // tokens are chosen by filter
	listed      []ident.Token // the tokens --from-file lists
	fileErr     error         // why --from-file could not be read
	// listedFrom is the organization --from-file records it was listed
	// from (tokens list JSON); nil when it records none.
	listedFrom *buildkite.Organization
}

// leakedTokenOptions are the inputs of `tokenctl revoke` for a token known
// only by its secret value, as when it has leaked. The value is read from a
// file or standard input, never from argv, and is only ever sent to
// Buildkite as a credential: to learn the token's uuid (GET
// /v2/access-token) and, with --everywhere, to delete the token (DELETE
// /v2/access-token). It is never printed, logged or put in an error.
type leakedTokenOptions struct {
	ValueFile  string
	AllOrgs    bool
	Everywhere bool
	OrgsFile   string
	OrgArgs    orgFlag // every --org given, in order

	value   redact.Secret // read by completeLeaked
	readErr error         // why it could not be
	// orgs are the organizations named with several --org or with
	// --orgs-file; nil when they were not (or could not be read: orgsErr).
	orgs    []ident.Org
	orgsErr error
}

// scanOptions are the inputs of `tokenctl revoke --from-scan`: a secret
// scanner's findings, each Buildkite API access token among them handled
// as --token-value-file handles one value.
type scanOptions struct {
	File string

	findings scan.Findings // read by completeScan
	readErr  error         // why they could not be
}

// plannedOptions are the inputs of `tokenctl revoke --plan`: a revocation
// plan written by `tokenctl check --plan-out`.
type plannedOptions struct {
	File      string
	MaxAgeArg string

	// Filled in by record and completePlanned.
	maxAgeSet bool          // --max-plan-age was on the command line
	plan      *hygiene.Plan // the plan, read and verified
	planErr   error         // why the plan could not be had
}

// orgFlag is revoke's --org: repeatable, for a leaked token taken away
// from several organizations. Settings read it as one string, the first
// value, which is the one organization of every other run (validate
// refuses a repeated --org there).
type orgFlag struct{ values []string }

func (f *orgFlag) String() string {
	if len(f.values) == 0 {
		return ""
	}
	return f.values[0]
}
func (f *orgFlag) Set(v string) error { f.values = append(f.values, v); return nil }
func (f *orgFlag) Type() string       { return "string" }
