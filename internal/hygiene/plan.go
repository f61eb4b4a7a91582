package hygiene

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/sync/errgroup"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/redact"
	"github.com/tokenctl/tokenctl/internal/revoke"
	"github.com/tokenctl/tokenctl/internal/span"
)

// PlanSchemaVersion is the version of the plan file. Version 2 carries
// the policy itself, which applying the plan judges the tokens with again.
const PlanSchemaVersion = 2

// planKind marks a file as a revocation plan, so that a report or another
// JSON file passed to --plan is refused for what it is.
const planKind = "tokenctl-revocation-plan"

// ErrPlanTooOld marks a plan refused for its age (or a date in the future):
// a safety check, not bad input.
var ErrPlanTooOld = errors.New("plan too old")

// planAgeError is a plan refused for its age; it is ErrPlanTooOld.
type planAgeError string

func (e planAgeError) Error() string        { return string(e) }
func (e planAgeError) Is(target error) bool { return target == ErrPlanTooOld }

// DefaultMaxPlanAge is how old a plan `tokenctl revoke --plan` accepts by
// default: the findings it rests on are a day old at most.
const DefaultMaxPlanAge = 24 * time.Hour

// Plan is the revocations that a check's revoke-severity findings call for,
// with the state each token was seen in and the policy that judged them,
// so that applying it revokes only what that policy still condemns on
// what Buildkite shows then (see "From findings to revocation" in the
// hygiene guide).
type Plan struct {
	SchemaVersion int       `json:"schemaVersion"`
	Kind          string    `json:"kind"`
	CreatedAt     time.Time `json:"createdAt"`
	PolicyDigest  string    `json:"policyDigest"`
	// Policy is the policy the check judged with, in its file's terms
	// (rules and exceptions).
	Policy      json.RawMessage     `json:"policy"`
	Revocations []PlannedRevocation `json:"revocations"`
	// Digest is sha256 over the plan with this field empty. It is an
	// unkeyed checksum: it catches a plan edited by mistake or cut short,
	// not one rewritten on purpose (anyone who can write the file can
	// recompute it). What keeps a plan from revoking what its policy does
	// not condemn is Resolve's judgement on fresh data.
	Digest string `json:"digest"`

	policy *Policy // Policy, parsed by ReadPlan
}

// PlannedRevocation is one token to take from one organization, and why.
type PlannedRevocation struct {
	// Organization's slug is never null in a plan: a check read it.
	Organization document.OrgRef  `json:"organization"`
	Token        PlannedToken     `json:"token"`
	Findings     []PlannedFinding `json:"findings"`
}

// PlannedToken is the token as the check saw it.
type PlannedToken struct {
	ID             string     `json:"id"`
	UUID           string     `json:"uuid"`
	Description    *string    `json:"description"`
	LastAccessedAt *time.Time `json:"lastAccessedAt"`
	ExpiresAt      *time.Time `json:"expiresAt"`
}

// PlannedFinding is a revoke-severity finding behind a revocation.
type PlannedFinding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Evidence Evidence `json:"evidence"`
}

// NewPlan lists the tokens with an open revoke-severity finding, once per
// organization and token, with pol, the policy that judged them. Bot
// users' tokens and excepted findings are never planned.
func NewPlan(r Report, pol *Policy, now time.Time) Plan {
	p := Plan{SchemaVersion: PlanSchemaVersion, Kind: planKind, CreatedAt: now.UTC().Truncate(time.Second), PolicyDigest: r.Policy.Digest, Policy: policyDocument(pol), Revocations: []PlannedRevocation{}}
	orgIDs := map[string]string{}
	for _, o := range r.Organizations {
		orgIDs[o.Slug] = o.ID
	}
	at := map[string]int{}
	for _, f := range r.Findings {
		if !f.Counts() || f.Severity != SeverityRevoke {
			continue
		}
		key := f.Organization + "\x00" + f.Token.UUID
		i, seen := at[key]
		if !seen {
			i = len(p.Revocations)
			at[key] = i
			p.Revocations = append(p.Revocations, PlannedRevocation{
				Organization: document.OrgRef{ID: orgIDs[f.Organization], Slug: &f.Organization},
				Token: PlannedToken{
					ID: f.Token.ID, UUID: f.Token.UUID, Description: f.Token.Description,
					LastAccessedAt: f.Token.LastAccessedAt, ExpiresAt: f.Token.ExpiresAt,
				},
			})
		}
		p.Revocations[i].Findings = append(p.Revocations[i].Findings, PlannedFinding{Rule: f.Rule, Severity: f.Severity, Message: f.Message, Evidence: f.Evidence.Map()})
	}
	p.Digest = p.digest()
	return p
}

// policyDocument is the policy as its file would say it, as JSON: what
// ParsePolicy reads back (YAML is a superset of JSON).
func policyDocument(pol *Policy) json.RawMessage {
	text, err := yaml.Marshal(pol)
	if err != nil {
		panic(err) // plain strings and slices always marshal
	}
	var doc any
	if err := yaml.Unmarshal(text, &doc); err != nil {
		panic(err) // just written
	}
	data, err := json.Marshal(doc)
	if err != nil {
		panic(err) // YAML scalars, lists and string-keyed mappings
	}
	return data
}

func (p Plan) digest() string {
	p.Digest = ""
	canonical, err := json.Marshal(p)
	if err != nil {
		panic(err) // built from strings, times and JSON values
	}
	sum := sha256.Sum256(canonical)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// ReadPlan reads a plan file and refuses one that is not a plan, was
// changed after it was written, is older than maxAge, or comes from the
// future.
func ReadPlan(data []byte, source string, now time.Time, maxAge time.Duration) (*Plan, error) {
	var p Plan
	if err := json.Unmarshal(data, &p); err != nil || p.Kind != planKind {
		return nil, fmt.Errorf("%s: not a revocation plan; write one with `tokenctl check --plan-out FILE`", source)
	}
	if p.SchemaVersion != PlanSchemaVersion {
		return nil, fmt.Errorf("%s: plan schemaVersion %d, this tokenctl reads %d; make the plan again with this tokenctl", source, p.SchemaVersion, PlanSchemaVersion)
	}
	if p.Digest == "" || p.Digest != p.digest() {
		return nil, fmt.Errorf("%s: the plan's digest does not match its content: it was changed or cut short after it was written; make a new plan with `tokenctl check --plan-out`", source)
	}
	age := now.Sub(p.CreatedAt)
	switch {
	case age > maxAge:
		return nil, planAgeError(fmt.Sprintf("%s: the plan was made %s ago (%s), more than --max-plan-age %s; its findings may no longer hold: run the check again for a fresh plan",
			source, wholeDays(age), stamp(p.CreatedAt), span.Format(maxAge)))
	case age < -5*time.Minute:
		return nil, planAgeError(fmt.Sprintf("%s: the plan says it was made at %s, in the future; check this machine's clock", source, stamp(p.CreatedAt)))
	}
	for i, r := range p.Revocations {
		if r.Organization.ID == "" || r.Token.UUID == "" {
			return nil, fmt.Errorf("%s: revocations[%d] has no organization id or token uuid", source, i)
		}
	}
	if len(p.Policy) == 0 || string(p.Policy) == "null" {
		return nil, fmt.Errorf("%s: the plan has no policy to judge its tokens with; make a new plan with `tokenctl check --plan-out`", source)
	}
	pol, err := ParsePolicy(p.Policy, source+": policy")
	if err != nil {
		return nil, oneLineError(err)
	}
	if len(pol.Exceptions) == 0 && pol.Digest() != p.PolicyDigest {
		// A policy without exceptions reads back with an empty list
		// where the check's had none at all, or the other way round.
		if pol.Exceptions == nil {
			pol.Exceptions = []Exception{}
		} else {
			pol.Exceptions = nil
		}
	}
	if pol.Digest() != p.PolicyDigest {
		return nil, fmt.Errorf("%s: the plan's policy does not match its policyDigest; make a new plan with `tokenctl check --plan-out`", source)
	}
	p.policy = pol
	return &p, nil
}

// oneLineError joins a policy's problems into one line.
func oneLineError(err error) error {
	return errors.New(strings.Join(strings.Fields(err.Error()), " "))
}

// Resolve judges every planned token again, with the plan's policy, on
// what Buildkite shows now (the token as listed and, when a rule reads
// them, the organization's members), and returns one revocation plan per
// organization for internal/revoke to confirm and execute. Only a token
// the policy still condemns (an open revoke-severity finding, never a
// bot user's, never excepted) is left to revoke; every other is refused
// with the reason, as is one whose description or expiry changed since
// the plan was made. What the plan's own findings say is never evidence:
// a plan edited by hand, its digest recomputed, can name tokens, but
// cannot make tokenctl revoke one its policy does not condemn now. A
// token that is gone is not found. Each organization's tokens are listed
// to the last page, however early the planned ones appear, so that a
// listing that contradicts itself (a token listed twice, differently) or
// has a hole in it is noticed before anything is sent. The safety checks
// of every revocation (the token tokenctl uses) apply as usual. An
// organization whose tokens or members cannot be listed, for a reason
// about that organization (see revoke.NotCheckedCauseOf), has its tokens
// not-checked with the cause while the other organizations proceed.
func (p *Plan) Resolve(ctx context.Context, c *buildkite.Client, allowSelf bool, now time.Time) ([]*revoke.Plan, error) {
	if p.policy == nil {
		return nil, errors.New("the plan was not read with ReadPlan: it has no policy to judge with")
	}
	for _, r := range p.Revocations {
		if ref, err := ident.ParseToken(r.Token.UUID); err != nil || ref.UUID == "" {
			return nil, fmt.Errorf("the plan's token %q is not a token uuid", redact.Secrets(r.Token.UUID))
		}
	}
	// Which token tokenctl is using is asked once, first: its failure is
	// the run's, never one organization's.
	self, err := c.Caller(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w (tokenctl refuses to revoke anything until it knows which token it is using)", err)
	}
	var plans []*revoke.Plan
	for _, group := range p.byOrganization() {
		rp, err := p.resolveOrganization(ctx, c, group, allowSelf, &self, now)
		if cause := revoke.NotCheckedCauseOf(err); cause != "" {
			// One organization's failure stays in that organization: its
			// tokens are not checked, the others proceed.
			plans = append(plans, notCheckedPlan(group, cause, err))
			continue
		}
		if err != nil {
			return nil, err
		}
		plans = append(plans, rp)
	}
	return plans, nil
}

// notCheckedPlan is an organization of the plan that could not be looked
// in: each of its tokens not-checked, with the cause as Buildkite gave it.
func notCheckedPlan(group []*PlannedRevocation, cause revoke.NotCheckedCause, err error) *revoke.Plan {
	org := group[0].Organization
	rp := &revoke.Plan{Organization: buildkite.Organization{ID: org.ID, Slug: document.Deref(org.Slug)}}
	for _, r := range group {
		ref, _ := ident.ParseToken(r.Token.UUID)
		rp.Items = append(rp.Items, &revoke.Item{
			Requested: r.Token.UUID, Ref: ref, KnownUUID: ref.UUID, Evidence: revoke.EvidencePolicy,
			Status: revoke.StatusNotChecked,
			Error:  fmt.Sprintf("organization %s could not be checked (%s): %s; nothing was sent there: run the plan again once it answers", document.OrgName(rp.Organization), cause, err),
		})
	}
	return rp
}

// resolveOrganization finds one organization's planned tokens (listing
// its members at the same time when the policy needs them) and refuses
// those the policy no longer condemns.
func (p *Plan) resolveOrganization(ctx context.Context, c *buildkite.Client, group []*PlannedRevocation, allowSelf bool, caller *buildkite.AccessToken, now time.Time) (*revoke.Plan, error) {
	org := ident.Org{ID: group[0].Organization.ID}
	req := revoke.Request{Org: org, Evidence: revoke.EvidencePolicy, AllowSelf: allowSelf, Caller: caller, Whole: true}
	planned := map[string]*PlannedRevocation{}
	for _, r := range group {
		ref, err := ident.ParseToken(r.Token.UUID)
		if err != nil || ref.UUID == "" {
			return nil, fmt.Errorf("the plan's token %q is not a token uuid", redact.Secrets(r.Token.UUID))
		}
		req.Tokens = append(req.Tokens, ref)
		planned[ref.UUID] = r
	}
	var (
		rp      *revoke.Plan
		members []buildkite.Member
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var err error
		rp, err = revoke.Resolve(gctx, c, req)
		return err
	})
	if p.policy.NeedsMembers() {
		members = []buildkite.Member{}
		g.Go(func() error {
			_, err := c.ListMembers(gctx, org, func(page buildkite.MemberPage) bool {
				members = append(members, page.Members...)
				return true
			})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	fresh := Organization{Organization: rp.Organization, Members: members}
	if !p.policy.NeedsMembers() {
		fresh.Members = nil
	}
	for _, it := range rp.Items {
		if it.Token != nil {
			fresh.Tokens = append(fresh.Tokens, *it.Token)
		}
	}
	j := newJudgement(p.policy, fresh, now)
	for _, it := range rp.Items {
		r := planned[it.Ref.UUID]
		if r == nil || !it.Pending() || it.Token == nil {
			continue
		}
		if why := j.refusal(r, *it.Token); why != "" {
			it.Status = revoke.StatusRefused
			it.Error = why
		}
	}
	return rp, nil
}

// byOrganization groups the revocations by organization, in plan order.
func (p *Plan) byOrganization() [][]*PlannedRevocation {
	var groups [][]*PlannedRevocation
	at := map[string]int{}
	for i := range p.Revocations {
		r := &p.Revocations[i]
		j, ok := at[r.Organization.ID]
		if !ok {
			j = len(groups)
			at[r.Organization.ID] = j
			groups = append(groups, nil)
		}
		groups[j] = append(groups[j], r)
	}
	return groups
}

// changed says how the token now differs from the plan in what its
// owner controls and the policy does not judge, "" when it does not: a
// token redescribed or given another expiry since the plan was made is
// not the token the plan was reviewed for. Its use is the policy's to
// judge.
func (pt PlannedToken) changed(now buildkite.Token) string {
	var why []string
	if document.Deref(pt.Description) != now.Description {
		why = append(why, fmt.Sprintf("its description changed (now %q)", now.Description))
	}
	if !sameTime(pt.ExpiresAt, now.ExpiresAt) {
		why = append(why, "its expiry changed")
	}
	return strings.Join(why, ", and ")
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func timeOrNever(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return stamp(*t)
}
