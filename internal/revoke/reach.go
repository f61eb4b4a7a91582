package revoke

import (
	"context"
	"errors"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/ident"
)

// This file is the one home of "which organizations can I reach, and which
// could I not check", used by every run over several organizations:
// revoke --all-orgs, repeated --org, --from-scan, and check --all-orgs.

// Reach is the organizations a run over several of them looks in.
type Reach struct {
	// Organizations are as Buildkite listed them (--all-orgs), or as the
	// user named them (only Slug or ID set), without repetitions.
	Organizations []buildkite.Organization
	// NotListed is how many organizations Buildkite counted among the
	// caller's but did not list (more than its answers hold): nothing can
	// be looked up there.
	NotListed int
	// Named records that the user named the organizations, rather than
	// Buildkite listing them.
	Named bool
}

// ReachOrganizations is the organizations named, or, without any, every
// organization the caller belongs to, as Buildkite lists them (GraphQL
// viewer, compared with its count).
func ReachOrganizations(ctx context.Context, c *buildkite.Client, named []ident.Org) (Reach, error) {
	if named != nil {
		r := Reach{Named: true}
		for _, ref := range dedupeOrgs(named) {
			r.Organizations = append(r.Organizations, buildkite.Organization{ID: ref.ID, Slug: ref.Slug})
		}
		return r, nil
	}
	viewer, err := c.Viewer(ctx)
	if err != nil {
		return Reach{}, err
	}
	return Reach{Organizations: viewer.Organizations, NotListed: viewer.Unlisted()}, nil
}

// Ref is how to name a reached organization in a request: by slug when
// known, else by id.
func Ref(org buildkite.Organization) ident.Org {
	if org.Slug != "" {
		return ident.Org{Slug: org.Slug}
	}
	return ident.Org{ID: org.ID}
}

// NotCheckedCause says why an organization could not be looked in
// (document.NotCheckedCause: its constants are the contract's words).
type NotCheckedCause = document.NotCheckedCause

// The causes of an organization not looked in.
const (
	CauseNotPermitted = document.CauseNotPermitted
	CauseNoAccess     = document.CauseNoAccess
	CauseError        = document.CauseError
)

// NotChecked is an organization that could not be looked in.
type NotChecked struct {
	// Organization is as Buildkite listed it, or as the user named it
	// (only Slug or ID set).
	Organization buildkite.Organization
	Cause        NotCheckedCause
	Err          error
}

// Document is the organization not looked in as the reports print it.
func (nc NotChecked) Document() document.NotChecked[document.OrgRef] {
	return document.NotChecked[document.OrgRef]{Organization: document.OrgRefOf(nc.Organization), Cause: nc.Cause, Reason: nc.Err.Error()}
}

// NotCheckedCauseOf classifies a failure to look into one organization: the
// cause it is reported under while the other organizations proceed, or ""
// for a failure that is not about that organization and ends the whole
// run (tokenctl's own credential refused, a wrong endpoint, the run
// interrupted).
func NotCheckedCauseOf(err error) NotCheckedCause {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return ""
	}
	switch buildkite.KindOf(err) {
	case buildkite.KindForbidden:
		return CauseNotPermitted
	case buildkite.KindNotFound:
		return CauseNoAccess
	case buildkite.KindUnauthorized, buildkite.KindConfig:
		return ""
	}
	return CauseError
}

// dedupeOrgs drops organizations named twice the same way.
func dedupeOrgs(orgs []ident.Org) []ident.Org {
	seen := map[ident.Org]bool{}
	var out []ident.Org
	for _, o := range orgs {
		if !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	return out
}
