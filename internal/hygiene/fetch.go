package hygiene

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// NotChecked is an organization a check could not read, with why: the
// organization as Buildkite listed it (uuid and name only when known).
// Cause is not-permitted, no-access or error (an answer tokenctl does not
// know the meaning of: the check of that organization is missing).
type NotChecked = document.NotChecked[buildkite.Organization]

// ErrNoOrganizations is a token that reaches no organization at all.
var ErrNoOrganizations = errors.New("your token reaches no organization")

// Reading is what Read found.
type Reading struct {
	Organizations []Organization
	// NotChecked are the organizations, of all the caller's, whose tokens
	// it may not list.
	NotChecked []NotChecked
	// NotListed is how many organizations Buildkite counted among the
	// caller's but did not list: nothing could be read there.
	NotListed int
}

// Incomplete reports whether the reading missed organizations it was meant
// to read: some Buildkite did not list, or some not checked, whatever the
// cause (see Report.Missed). A clean report is then no clean bill for them.
func (r Reading) Incomplete() bool {
	return Report{NotChecked: r.NotChecked, NotListed: r.NotListed}.Missed()
}

// Read lists each organization's tokens and, when the policy needs them,
// its members, and judges the tokens against the policy at now as their
// pages arrive (Check lays the findings out): the two listings at once,
// each at the client's page size, so a check costs the longer of the two
// chains of pages, and judging a page overlaps the fetching of the next
// (pages that arrive before the members wait for them). Organizations are
// read one after another. Without orgs, it reads every organization the
// caller belongs to, as revoke --all-orgs finds them
// (revoke.ReachOrganizations). Then an organization that cannot be read,
// whatever Buildkite answered, is returned as not checked with its cause
// while the others are read (revoke.NotCheckedCauseOf decides, as for
// revoke); nothing judged of it is kept. So are several organizations the
// user named, except one that does not exist for this credential
// (no-access: an unknown organization, whose exit status is the run's);
// one organization named alone is the run, and its failure ends the check.
func Read(ctx context.Context, c *buildkite.Client, orgs []ident.Org, p *Policy, now time.Time) (Reading, error) {
	var r Reading
	reach, err := revoke.ReachOrganizations(ctx, c, orgs)
	if err != nil {
		return Reading{}, err
	}
	r.NotListed = reach.NotListed
	if !reach.Named && len(reach.Organizations) == 0 && r.NotListed == 0 {
		return Reading{}, ErrNoOrganizations
	}
	isolate := !reach.Named || len(reach.Organizations) > 1
	for _, org := range reach.Organizations {
		o, err := readOrganization(ctx, c, revoke.Ref(org), p, checkTime(now))
		if err != nil {
			cause := revoke.NotCheckedCauseOf(err)
			if !isolate || cause == "" || (reach.Named && cause == revoke.CauseNoAccess) {
				return Reading{}, err
			}
			r.NotChecked = append(r.NotChecked, NotChecked{Organization: org, Cause: cause, Reason: err.Error(), Named: reach.Named})
			continue
		}
		r.Organizations = append(r.Organizations, o)
	}
	return r, nil
}

// readOrganization lists one organization's tokens and members and judges
// the tokens: the judge takes each page of tokens as it arrives, once the
// members are in.
func readOrganization(ctx context.Context, c *buildkite.Client, ref ident.Org, p *Policy, now time.Time) (Organization, error) {
	var o Organization
	g, ctx := errgroup.WithContext(ctx)
	pages := newPageQueue()
	g.Go(func() error {
		defer pages.close()
		org, err := c.ListAllTokens(ctx, ref, pages.put)
		o.Organization = org
		return err
	})
	membersIn := make(chan struct{})
	if p.NeedsMembers() {
		o.Members = []buildkite.Member{}
		g.Go(func() error {
			_, err := c.ListMembers(ctx, ref, func(p buildkite.MemberPage) bool {
				o.Members = append(o.Members, p.Members...)
				return true
			})
			if err == nil {
				close(membersIn)
			}
			return err
		})
	} else {
		close(membersIn)
	}
	g.Go(func() error {
		// A listing that failed cancels ctx, and its error is the
		// organization's: nothing is judged on part of the members.
		select {
		case <-membersIn:
		case <-ctx.Done():
			return nil
		}
		judged := newOrgFindings(p, now, o.Members)
		for page, ok := pages.get(); ok && ctx.Err() == nil; page, ok = pages.get() {
			judged.add(page.Organization, page.Tokens)
		}
		o.judged = judged
		return nil
	})
	if err := g.Wait(); err != nil {
		return Organization{}, err
	}
	if o.Organization.ID == "" {
		return Organization{}, fmt.Errorf("listing API access tokens of organization %q: Buildkite's answer has no organization", ref.String())
	}
	return o, nil
}
