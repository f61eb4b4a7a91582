package revoke

import (
	"context"
	"errors"

	"github.com/tokenctl/tokenctl/internal/buildkite"
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
	// Named records that the user named the organizations: then every one
	// that could not be checked was missed.
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

// NotCheckedCause says why an organization could not be looked in. These
// strings are part of the JSON contract.
type NotCheckedCause string

const (
	// CauseNotPermitted: Buildkite refused to list the organization's
	// tokens to this credential (its user is not an administrator there,
	// or the token may not act there).
	CauseNotPermitted NotCheckedCause = "not-permitted"
	// CauseNoAccess: the organization does not exist for this credential:
	// the token was not granted it (or, when named by the user, there is
	// no such organization).
	CauseNoAccess NotCheckedCause = "no-access"
	// CauseError: the organization answered with an error tokenctl does
	// not know the meaning of (an untyped error, a server failure, a
	// spent rate limit): nothing says the token has no access there, so
	// the run that could not look is incomplete.
	CauseError NotCheckedCause = "error"
)

// NotChecked is an organization that could not be looked in.
type NotChecked struct {
	// Organization is as Buildkite listed it, or as the user named it
	// (only Slug or ID set).
	Organization buildkite.Organization
	Cause        NotCheckedCause
	Err          error
}

// Ref names the organization as a result row does.
func (nc NotChecked) Ref() OrgRef {
	return OrgRef{ID: nc.Organization.ID, Slug: strPtr(nc.Organization.Slug)}
}

// Missed reports whether the organization must count as not looked in,
// so that the run is incomplete: every organization the user named, and
// any whose failure says nothing about the token. An organization the
// caller merely belongs to and may not act in is reported, not missed:
// nothing can be done there with this credential.
func (nc NotChecked) Missed(named bool) bool {
	return named || nc.Cause == CauseError
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
