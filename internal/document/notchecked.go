package document

// NotCheckedCause says why an organization could not be looked in. These
// strings are part of the JSON contract.
type NotCheckedCause string

const (
	// CauseNotPermitted: Buildkite refused (the caller's user is not an
	// administrator there, or the token may not act there).
	CauseNotPermitted NotCheckedCause = "not-permitted"
	// CauseNoAccess: the organization does not exist for this credential:
	// the token was not granted it (or, when named by the user, there is
	// no such organization).
	CauseNoAccess NotCheckedCause = "no-access"
	// CauseMissingScope: the token lacks the scope the endpoint needs
	// (organization API settings only).
	CauseMissingScope NotCheckedCause = "missing-scope"
	// CauseError: an answer tokenctl does not know the meaning of (an
	// untyped error, a server failure, a spent rate limit): nothing says
	// the token has no access there, so the run that could not look is
	// incomplete.
	CauseError NotCheckedCause = "error"
)

// NotChecked is an organization a command could not look in, and why:
// `revoke --all-orgs` and the leaked-token reports (O is OrgRef), `check`
// (O is buildkite.Organization: uuid and name only when known) and
// `settings show` (O is orgsettings.Organization: slug and name). The
// organization keeps each document's own shape; the rest is one.
type NotChecked[O any] struct {
	Organization O               `json:"organization"`
	Cause        NotCheckedCause `json:"cause"`
	Reason       string          `json:"reason"`
	// Named is true when the user named the organization (check with
	// repeated --org): then not checking it, whatever the cause, leaves
	// the run incomplete. Absent otherwise.
	Named bool `json:"named,omitempty"`
}
