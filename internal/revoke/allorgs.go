package revoke

import (
	"context"
	"fmt"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/ident"
)

// OrgsRequest asks to take tokens' access away in several organizations:
// every organization the caller belongs to (--all-orgs), or the
// organizations the user named.
type OrgsRequest struct {
	Tokens []ident.Token
	// Evidence is what selected Tokens (see Request.Evidence).
	Evidence Evidence
	// Orgs are the organizations to act in, as the user named them; nil
	// means every organization the caller belongs to, as Buildkite lists
	// them.
	Orgs []ident.Org
	// AllowSelf lets the tool revoke the credential it is using.
	AllowSelf bool
	// Concurrency bounds how many organizations are looked up at once;
	// default 4.
	Concurrency int
	// KeepMissing keeps, in each organization's plan, the tokens that have
	// no access there (not-found items): a run that names its one
	// organization reports them; a run over many reports only where each
	// token had access.
	KeepMissing bool
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
}

// Missed is how many organizations the run was meant to look in but could
// not: those Buildkite did not list, and every one not checked, whatever
// the cause. An organization the caller belongs to but may not act in is
// one where the token may still have access, so the run is incomplete
// there too (exit 9), with --all-orgs as with organizations named.
func (p *OrgsPlan) Missed() int { return p.NotListed + len(p.NotChecked) }

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

// ResolveOrgs looks the tokens up in every organization of the request
// before anything is revoked in any, so that a failure leaves nothing half
// done. Which token tokenctl is using is asked once, alongside the list of
// organizations. An organization that cannot be looked in, for whatever
// reason Buildkite gives, is recorded in NotChecked with its cause while
// the others proceed; only a failure that is not about one organization
// (see NotCheckedCauseOf) ends the resolution.
func ResolveOrgs(ctx context.Context, c *buildkite.Client, req OrgsRequest) (*OrgsPlan, error) {
	plan := &OrgsPlan{}
	var reach Reach
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		self, err := c.Caller(gctx)
		if err != nil {
			return fmt.Errorf("%w (tokenctl refuses to revoke anything until it knows which token it is using)", err)
		}
		plan.Caller = self
		return nil
	})
	g.Go(func() (err error) {
		reach, err = ReachOrganizations(gctx, c, req.Orgs)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	plan.NotListed = reach.NotListed
	orgs := reach.Organizations

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
			p, err := Resolve(gctx, c, Request{Org: Ref(org), Tokens: req.Tokens, Evidence: req.Evidence, AllowSelf: req.AllowSelf, Caller: &plan.Caller})
			if p != nil {
				p.Reached = !reach.Named
			}
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
		if !req.KeepMissing {
			p.Items = slices.DeleteFunc(p.Items, func(it *Item) bool { return it.Status == StatusNotFound })
		}
		if len(p.Items) > 0 {
			plan.Plans = append(plan.Plans, p)
		}
	}
	return plan, nil
}
