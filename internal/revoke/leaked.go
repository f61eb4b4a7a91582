package revoke

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/redact"
)

// LeakedRequest asks to take away tokens known only by their secret
// values (--token-value-file, --from-scan): from one organization, from
// several (named, or every one the caller belongs to), or by deleting each
// token itself (--everywhere).
type LeakedRequest struct {
	Values []redact.Secret
	// Evidence is what gave the values: the user (EvidenceValue) or a
	// scanner (EvidenceScan); see Request.Evidence.
	Evidence Evidence
	// Org is the one organization to act in; empty with Orgs, AllOrgs or
	// Everywhere.
	Org ident.Org
	// Orgs are the organizations named (repeated --org, --orgs-file).
	Orgs []ident.Org
	// AllOrgs acts in every organization the caller belongs to.
	AllOrgs bool
	// Everywhere deletes each token itself.
	Everywhere bool
	AllowSelf  bool
	// FindAll plans even what a dry run would not send (see Request).
	FindAll     bool
	Concurrency int
}

// LeakedSecret is what Buildkite says one value belongs to.
type LeakedSecret struct {
	Value redact.Secret
	// Token is the token the value belongs to; nil when the value is dead
	// (Buildkite rejects it) or the look-up failed (Err).
	Token *buildkite.AccessToken
	Err   error
	// Everywhere is the deletion planned for the token, with Everywhere.
	Everywhere *EverywherePlan
}

// Dead reports whether Buildkite rejects the value: nothing is left to do.
func (s LeakedSecret) Dead() bool { return s.Token == nil && s.Err == nil }

// LeakedPlan is every value's token and what will be done to it: one plan
// per organization for all the tokens at once (each organization listed
// once for the whole run), or one deletion per token.
type LeakedPlan struct {
	Secrets []LeakedSecret
	// Orgs is the organization plans, without Everywhere.
	Orgs *OrgsPlan
	// Single: the request named one organization, whose failure is the
	// run's (Orgs then holds its one plan, not-found items included).
	Single bool
}

// PlanLeaked turns each value into its token (REST, authenticated by the
// value), then plans the revocation of every live token in one go, as any
// other selection: the organizations are reached and looked in once for
// all of them, and an organization that cannot be looked in is isolated
// (see ResolveOrgs). Nothing is sent that takes anything away.
//
// A value Buildkite rejects is dead; a value whose look-up failed is
// reported with its error, unless the failure is the run's (tokenctl's
// own credential refused, the run interrupted), which ends it.
func PlanLeaked(ctx context.Context, c *buildkite.Client, req LeakedRequest) (*LeakedPlan, error) {
	p := &LeakedPlan{Single: !req.AllOrgs && !req.Everywhere && req.Orgs == nil}
	var tokens []ident.Token
	for _, v := range req.Values {
		s := LeakedSecret{Value: v}
		tok, err := c.AccessTokenOf(ctx, v.Reveal())
		switch {
		case buildkite.KindOf(err) == buildkite.KindUnauthorized:
			// Dead: whoever holds it can do nothing with it any more.
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case err != nil:
			s.Err = err
		default:
			ref, perr := ident.ParseToken(tok.UUID)
			if perr != nil || ref.UUID == "" {
				s.Err = errors.New("looking up the given token value: Buildkite answered with a malformed token uuid")
				break
			}
			s.Token = &tok
			tokens = append(tokens, ref)
		}
		p.Secrets = append(p.Secrets, s)
	}
	if len(tokens) == 0 {
		return p, nil
	}
	if req.Everywhere {
		return p, planEverywhere(ctx, c, p, req.AllowSelf)
	}
	if p.Single {
		plan, err := Resolve(ctx, c, Request{Org: req.Org, Tokens: tokens, Evidence: req.Evidence, AllowSelf: req.AllowSelf, FindAll: req.FindAll})
		if err != nil {
			return nil, err
		}
		p.Orgs = &OrgsPlan{Caller: plan.Caller, Plans: []*Plan{plan}, Checked: []buildkite.Organization{plan.Organization}}
		return p, nil
	}
	orgs := req.Orgs
	if req.AllOrgs {
		orgs = nil
	}
	var err error
	p.Orgs, err = ResolveOrgs(ctx, c, OrgsRequest{Tokens: tokens, Evidence: req.Evidence, Orgs: orgs, AllowSelf: req.AllowSelf, Concurrency: req.Concurrency})
	return p, err
}

// planEverywhere plans each live token's deletion, refusing tokenctl's own
// without allowSelf (ResolveEverywhere); the caller is asked once.
func planEverywhere(ctx context.Context, c *buildkite.Client, p *LeakedPlan, allowSelf bool) error {
	self, err := c.Caller(ctx)
	if err != nil {
		return fmt.Errorf("%w (tokenctl refuses to revoke anything until it knows which token it is using)", err)
	}
	for i := range p.Secrets {
		s := &p.Secrets[i]
		if s.Token == nil {
			continue
		}
		if strings.EqualFold(self.UUID, s.Token.UUID) && !allowSelf {
			s.Err = exitcode.New(exitcode.Refused, fmt.Errorf("token %s is the API token tokenctl is using; deleting it would cut off this run (pass --allow-self to do it anyway)", s.Token.UUID))
			continue
		}
		s.Everywhere = &EverywherePlan{Token: *s.Token, Caller: self}
	}
	return nil
}

// Plans are the organization plans to execute; nil with Everywhere.
func (p *LeakedPlan) Plans() []*Plan {
	if p.Orgs == nil {
		return nil
	}
	return p.Orgs.Plans
}

// Deletion is how one --everywhere deletion ended.
type Deletion struct {
	Status Status
	Note   string // worth saying although the token was deleted
	Err    error  // why it was not deleted, or why that is unknown
}

// DeleteAll deletes every planned token itself (--everywhere), tokenctl's
// own last, and returns one Deletion per secret (zero for a secret with
// nothing planned). When ctx is cancelled, the deletions not yet sent are
// skipped.
func (e *Executor) DeleteAll(ctx context.Context, p *LeakedPlan) []Deletion {
	out := make([]Deletion, len(p.Secrets))
	var order []int
	var self []int
	for i, s := range p.Secrets {
		switch {
		case s.Everywhere == nil:
		case strings.EqualFold(s.Everywhere.Caller.UUID, s.Token.UUID):
			self = append(self, i)
		default:
			order = append(order, i)
		}
	}
	for _, i := range append(order, self...) {
		s := p.Secrets[i]
		if ctx.Err() != nil {
			out[i] = Deletion{Status: StatusSkipped, Err: exitcode.New(exitcode.Interrupted, errors.New("not sent: the run was interrupted first"))}
			continue
		}
		note, err := e.DeleteEverywhere(ctx, s.Everywhere, s.Value.Reveal())
		switch {
		case err == nil:
			out[i] = Deletion{Status: StatusRevoked, Note: note}
		case buildkite.KindOf(err) == buildkite.KindOutcomeUnknown:
			out[i] = Deletion{Status: StatusUnknown, Err: err}
		default:
			out[i] = Deletion{Status: StatusFailed, Err: err}
		}
	}
	return out
}

// ResultsOf picks out of a run's results those of one token (by uuid).
func ResultsOf(results []Result, tokenUUID string) []Result {
	out := []Result{}
	for _, r := range results {
		if r.Token.UUID != nil && strings.EqualFold(*r.Token.UUID, tokenUUID) {
			out = append(out, r)
		}
	}
	return out
}

// SecretStatus sums up one token's organization results: revoked,
// dry-run, not-found, refused or skipped when every result says so;
// "partial" when revoked in some organizations only; unknown when nothing
// is provably revoked and something may be; else failed.
func SecretStatus(results []Result) string {
	count := map[Status]int{}
	for _, r := range results {
		count[r.Status]++
	}
	n := len(results)
	switch {
	case n == 0:
		return string(StatusNotFound)
	case count[StatusRevoked] == n, count[StatusDryRun] == n, count[StatusNotFound] == n,
		count[StatusRefused] == n, count[StatusSkipped] == n:
		return string(results[0].Status)
	case count[StatusRevoked] > 0:
		return StatusPartial
	case count[StatusUnknown] > 0:
		// Not provably revoked anywhere, and not provably failed either:
		// calling it failed would claim the value still works there.
		return string(StatusUnknown)
	}
	return string(StatusFailed)
}

// StatusPartial is a secret whose token was revoked from some
// organizations and not others.
const StatusPartial = "partial"
