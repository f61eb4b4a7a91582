package revoke

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/ident"
)

// OrgsRequest asks to take one token's access away in several
// organizations: every organization the caller belongs to (--all-orgs), or
// the organizations the user named.
type OrgsRequest struct {
	Token ident.Token
	// Orgs are the organizations to act in, as the user named them; nil
	// means every organization the caller belongs to, as Buildkite lists
	// them.
	Orgs []ident.Org
	// AllowSelf lets the tool revoke the credential it is using.
	AllowSelf bool
	// Concurrency bounds how many organizations are looked up at once;
	// default 4.
	Concurrency int
}

// NotCheckedCause says why the token could not be looked up in an
// organization. These strings are part of the JSON contract.
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
)

// NotChecked is an organization in which the token could not be looked up.
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

// OrgsPlan is the resolution of one token in several organizations.
type OrgsPlan struct {
	// Caller is the credential tokenctl is using (REST /v2/access-token).
	Caller buildkite.AccessToken
	// Plans has one plan for each organization where the token has
	// access, in the order the organizations were listed or named.
	Plans []*Plan
	// Checked are the organizations where the token was looked up.
	Checked []buildkite.Organization
	// NotChecked are the organizations where it could not be.
	NotChecked []NotChecked
	// NotListed is how many organizations Buildkite counted among the
	// caller's but did not list (more than its answers hold): tokenctl
	// could not look in them at all.
	NotListed int
	// named records that the user named the organizations.
	named bool
}

// Missed is how many organizations the run was meant to look in but could
// not: those Buildkite did not list, and, when the user named them, every
// named one that could not be checked. An organization the caller merely
// belongs to and may not act in is reported, not missed: nothing can be
// done there with this credential.
func (p *OrgsPlan) Missed() int {
	if p.named {
		return p.NotListed + len(p.NotChecked)
	}
	return p.NotListed
}

// ExitCode is the exit status of a run over several organizations: that
// of its results, except that a run which missed organizations never
// reports success or "not found", since the token may still have access in
// one of them.
func (p *OrgsPlan) ExitCode(results []Result, ignoreMissing bool) exitcode.Code {
	code := ExitCode(results, ignoreMissing)
	if p.Missed() > 0 && (code == exitcode.OK || code == exitcode.NotFound) {
		return exitcode.Incomplete
	}
	return code
}

// ResolveOrgs looks the token up in every organization of the request
// before anything is revoked in any, so that a failure leaves nothing half
// done. Which token tokenctl is using is asked once, alongside the list of
// organizations. Organizations where the token cannot be looked up (not
// permitted, not visible) are recorded in NotChecked; any other failure
// ends the resolution.
func ResolveOrgs(ctx context.Context, c *buildkite.Client, req OrgsRequest) (*OrgsPlan, error) {
	plan := &OrgsPlan{named: req.Orgs != nil}
	var orgs []buildkite.Organization
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		self, err := c.Caller(gctx)
		if err != nil {
			return fmt.Errorf("%w (tokenctl refuses to revoke anything until it knows which token it is using)", err)
		}
		plan.Caller = self
		return nil
	})
	if plan.named {
		for _, ref := range dedupeOrgs(req.Orgs) {
			orgs = append(orgs, buildkite.Organization{ID: ref.ID, Slug: ref.Slug})
		}
	} else {
		g.Go(func() error {
			viewer, err := c.Viewer(gctx)
			if err != nil {
				return err
			}
			orgs, plan.NotListed = viewer.Organizations, viewer.Unlisted()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	answers := make([]*Plan, len(orgs))
	failures := make([]error, len(orgs))
	g, gctx = errgroup.WithContext(ctx)
	limit := req.Concurrency
	if limit <= 0 {
		limit = 4
	}
	g.SetLimit(limit)
	for i, org := range orgs {
		g.Go(func() error {
			ref := ident.Org{Slug: org.Slug}
			if ref.Slug == "" {
				ref.ID = org.ID
			}
			p, err := Resolve(gctx, c, Request{Org: ref, Tokens: []ident.Token{req.Token}, AllowSelf: req.AllowSelf, Caller: &plan.Caller})
			if err != nil && NotCheckedCauseOf(err) == "" {
				return err
			}
			answers[i], failures[i] = p, err
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	seen := map[string]bool{}
	for i, org := range orgs {
		if err := failures[i]; err != nil {
			plan.NotChecked = append(plan.NotChecked, NotChecked{Organization: org, Cause: NotCheckedCauseOf(err), Err: err})
			continue
		}
		p := answers[i]
		// Two names the user gave can be one organization: the server's
		// id says so.
		if seen[p.Organization.ID] {
			continue
		}
		seen[p.Organization.ID] = true
		plan.Checked = append(plan.Checked, p.Organization)
		if len(p.Items) == 1 && p.Items[0].Status != StatusNotFound {
			plan.Plans = append(plan.Plans, p)
		}
	}
	return plan, nil
}

// NotCheckedCauseOf classifies a failure to look into one organization by
// its kind, or "" when it is not about that organization and must end the
// run.
func NotCheckedCauseOf(err error) NotCheckedCause {
	switch buildkite.KindOf(err) {
	case buildkite.KindForbidden:
		return CauseNotPermitted
	case buildkite.KindNotFound:
		return CauseNoAccess
	}
	return ""
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
