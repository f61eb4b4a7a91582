package revoke

import (
	"cmp"
	"slices"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

// Status is the outcome for one requested token. These strings are part of
// the JSON contract.
type Status string

const (
	StatusRevoked  Status = "revoked"   // the organization's access was removed
	StatusDryRun   Status = "dry-run"   // would be revoked; nothing was sent
	StatusNotFound Status = "not-found" // the token has no access to the organization
	StatusRefused  Status = "refused"   // a safety check said no
	StatusFailed   Status = "failed"    // the revocation was attempted and did not happen
	StatusSkipped  Status = "skipped"   // never sent: the run was interrupted first
	// StatusUnknown: the revocation was sent, its answer was lost, and
	// nothing could prove afterwards whether it applied. The error says
	// what to run to find out.
	StatusUnknown Status = "unknown"
	// StatusNotChecked: never sent, because the token's organization could
	// not be looked in (its listing failed); the error gives the cause.
	// The run is incomplete: the token may still have access there.
	StatusNotChecked Status = "not-checked"
)

// Result is one row of the JSON contract (see docs/contracts/json.md).
type Result struct {
	Organization            document.OrgRef   `json:"organization"`
	Token                   document.TokenRef `json:"token"`
	Requested               string            `json:"requested"`
	Status                  Status            `json:"status"`
	RevokedAPIAccessTokenID *string           `json:"revokedApiAccessTokenId"`
	ClientMutationID        *string           `json:"clientMutationId"`
	Error                   *string           `json:"error"`

	kind buildkite.Kind // why it failed, for the exit code
	// neverListed: a not-found that proves nothing (Item.NeverListed).
	neverListed bool
}

// Ignorable reports whether --ignore-missing may count the result as done:
// a not-found that shows the token has no access (a uuid missing from the
// listing, or Buildkite's own answer about the id), never an id the
// listing did not show, which says nothing about the token.
func (r Result) Ignorable() bool { return r.Status == StatusNotFound && !r.neverListed }

// Report is the whole JSON document printed by `tokenctl revoke -o json`.
type Report struct {
	DryRun  bool     `json:"dryRun"`
	Results []Result `json:"results"`
	Summary Summary  `json:"summary"`
}

// Summary counts results by status.
type Summary struct {
	Requested int `json:"requested"`
	Revoked   int `json:"revoked"`
	DryRun    int `json:"dryRun"`
	NotFound  int `json:"notFound"`
	Refused   int `json:"refused"`
	Failed    int `json:"failed"`
	Skipped   int `json:"skipped"`
	Unknown   int `json:"unknown"`
	// NotChecked is present only when some tokens' organization could not
	// be looked in (revoke --plan over several organizations).
	NotChecked int `json:"notChecked,omitempty"`
}

// NewReport wraps results with their summary.
func NewReport(results []Result, dryRun bool) Report {
	r := Report{DryRun: dryRun, Results: results}
	if r.Results == nil {
		r.Results = []Result{}
	}
	r.Summary.Requested = len(results)
	for _, res := range results {
		switch res.Status {
		case StatusRevoked:
			r.Summary.Revoked++
		case StatusDryRun:
			r.Summary.DryRun++
		case StatusNotFound:
			r.Summary.NotFound++
		case StatusRefused:
			r.Summary.Refused++
		case StatusFailed:
			r.Summary.Failed++
		case StatusSkipped:
			r.Summary.Skipped++
		case StatusUnknown:
			r.Summary.Unknown++
		case StatusNotChecked:
			r.Summary.NotChecked++
		}
	}
	return r
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func newResult(org buildkite.Organization, it *Item) Result {
	r := Result{
		Organization: document.OrgRefOf(org),
		Requested:    it.Requested,
		Status:       it.Status,
		Error:        strPtr(it.Error),
	}
	r.Token.ID = strPtr(it.TokenID)
	r.Token.UUID = strPtr(cmp.Or(it.KnownUUID, it.Ref.UUID))
	if t := it.Token; t != nil {
		r.Token.ID = strPtr(t.ID)
		r.Token.UUID = strPtr(t.UUID)
		r.Token.Description = strPtr(t.Description)
		if t.Owner != nil {
			r.Token.Owner = document.OwnerOf(t.Owner)
		}
	}
	if it.Status == StatusNotFound {
		r.kind = buildkite.KindNotFound
		r.neverListed = it.NeverListed
	}
	return r
}

// ExitCode is the one mapping from a run's results to the exit status.
//   - every token revoked (or planned, in a dry run): OK
//   - some revoked, some not: Partial
//   - nothing revoked: the code of the most telling reason (auth, then
//     throttling, interruption, other failures and unknown outcomes,
//     refusal, and not-found last). A dry run revokes nothing, so a token
//     missing from a dry run exits NotFound, never Partial.
//
// ignoreMissing counts not-found as done, so re-runs of a finished job
// pass, except an id the listing never showed (Result.Ignorable).
func ExitCode(results []Result, ignoreMissing bool) exitcode.Code {
	revoked := 0
	var reasons []exitcode.Code
	for _, r := range results {
		switch {
		case r.Status == StatusRevoked:
			revoked++
		case r.Status == StatusDryRun:
		case ignoreMissing && r.Ignorable():
		default:
			reasons = append(reasons, reasonCode(r))
		}
	}
	return Overall(revoked, reasons)
}

// Overall is the exit status of a run in which revoked things were
// revoked and others were not, for reasons: success when there is no
// reason, partial failure when something was revoked too, else the most
// telling reason. A run whose only reason is that some organizations were
// not looked in (Incomplete, as OrgsPlan.ExitCode reports it) is
// incomplete whatever it revoked, and never "not found": the token may
// still have access there.
func Overall(revoked int, reasons []exitcode.Code) exitcode.Code {
	if len(reasons) == 0 {
		return exitcode.OK
	}
	if !slices.ContainsFunc(reasons, func(c exitcode.Code) bool { return c != exitcode.Incomplete }) {
		return exitcode.Incomplete
	}
	if revoked > 0 {
		return exitcode.Partial
	}
	for _, want := range []exitcode.Code{exitcode.Usage, exitcode.Auth, exitcode.Throttled, exitcode.Interrupted, exitcode.Failure, exitcode.Refused, exitcode.Incomplete, exitcode.NotFound} {
		for _, c := range reasons {
			if c == want {
				return want
			}
		}
	}
	return exitcode.Failure
}

func reasonCode(r Result) exitcode.Code {
	switch r.Status {
	case StatusRefused:
		return exitcode.Refused
	case StatusNotFound:
		return exitcode.NotFound
	case StatusSkipped:
		return exitcode.Interrupted
	case StatusNotChecked:
		return exitcode.Incomplete
	}
	switch r.kind {
	case buildkite.KindConfig:
		return exitcode.Usage
	case buildkite.KindUnauthorized, buildkite.KindForbidden:
		return exitcode.Auth
	case buildkite.KindThrottled:
		return exitcode.Throttled
	}
	return exitcode.Failure
}
