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

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/revoke"
	"github.com/tokenctl/tokenctl/internal/selector"
)

// PlanSchemaVersion is the version of the plan file.
const PlanSchemaVersion = 1

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
// with the state each token was seen in, so that applying it can refuse a
// token that changed since (see docs/guides/hygiene-in-ci.md).
type Plan struct {
	SchemaVersion int                 `json:"schemaVersion"`
	Kind          string              `json:"kind"`
	CreatedAt     time.Time           `json:"createdAt"`
	PolicyDigest  string              `json:"policyDigest"`
	Revocations   []PlannedRevocation `json:"revocations"`
	// Digest is sha256 over the plan with this field empty: a plan edited
	// by hand, or cut short, is refused.
	Digest string `json:"digest"`
}

// PlannedRevocation is one token to take from one organization, and why.
type PlannedRevocation struct {
	Organization PlannedOrganization `json:"organization"`
	Token        PlannedToken        `json:"token"`
	Findings     []PlannedFinding    `json:"findings"`
}

// PlannedOrganization names the organization.
type PlannedOrganization struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
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
// organization and token. Bot users' tokens and excepted findings are
// never planned.
func NewPlan(r Report, now time.Time) Plan {
	p := Plan{SchemaVersion: PlanSchemaVersion, Kind: planKind, CreatedAt: now.UTC().Truncate(time.Second), PolicyDigest: r.Policy.Digest, Revocations: []PlannedRevocation{}}
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
				Organization: PlannedOrganization{ID: orgIDs[f.Organization], Slug: f.Organization},
				Token: PlannedToken{
					ID: f.Token.ID, UUID: f.Token.UUID, Description: f.Token.Description,
					LastAccessedAt: f.Token.LastAccessedAt, ExpiresAt: f.Token.ExpiresAt,
				},
			})
		}
		p.Revocations[i].Findings = append(p.Revocations[i].Findings, PlannedFinding{Rule: f.Rule, Severity: f.Severity, Message: f.Message, Evidence: f.Evidence})
	}
	p.Digest = p.digest()
	return p
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
			source, span(age), stamp(p.CreatedAt), selector.FormatDuration(maxAge)))
	case age < -5*time.Minute:
		return nil, planAgeError(fmt.Sprintf("%s: the plan says it was made at %s, in the future; check this machine's clock", source, stamp(p.CreatedAt)))
	}
	for i, r := range p.Revocations {
		if r.Organization.ID == "" || r.Token.UUID == "" {
			return nil, fmt.Errorf("%s: revocations[%d] has no organization id or token uuid", source, i)
		}
	}
	return &p, nil
}

// Resolve checks every planned token against what Buildkite shows now and
// returns one revocation plan per organization, for internal/revoke to
// confirm and execute. A token that is gone is not found; one that was used,
// redescribed or given another expiry since the plan was made is refused:
// never revoked on evidence that no longer holds. The safety checks of
// every revocation (the token tokenctl uses) apply as usual.
func (p *Plan) Resolve(ctx context.Context, c *buildkite.Client, allowSelf bool) ([]*revoke.Plan, error) {
	var plans []*revoke.Plan
	var caller *buildkite.AccessToken
	for _, group := range p.byOrganization() {
		req := revoke.Request{Org: ident.Org{ID: group[0].Organization.ID}, AllowSelf: allowSelf, Caller: caller}
		planned := map[string]*PlannedRevocation{}
		for _, r := range group {
			ref, err := ident.ParseToken(r.Token.UUID)
			if err != nil {
				return nil, fmt.Errorf("the plan's token %q: %w", r.Token.UUID, err)
			}
			req.Tokens = append(req.Tokens, ref)
			planned[ref.UUID] = r
		}
		rp, err := revoke.Resolve(ctx, c, req)
		if err != nil {
			return nil, err
		}
		caller = &rp.Caller
		for _, it := range rp.Items {
			r := planned[it.Ref.UUID]
			if r == nil || !it.Pending() || it.Token == nil {
				continue
			}
			if why := r.Token.changed(*it.Token); why != "" {
				it.Status = revoke.StatusRefused
				it.Error = fmt.Sprintf("%s since the plan was made, so the plan's findings no longer hold; not revoked: run the check again", why)
			}
		}
		plans = append(plans, rp)
	}
	return plans, nil
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

// changed says how the token now differs from the plan, "" when it does not.
func (pt PlannedToken) changed(now buildkite.Token) string {
	var why []string
	if !sameTime(pt.LastAccessedAt, now.LastAccessedAt) {
		why = append(why, fmt.Sprintf("the token was used (last used %s, the plan saw %s)", timeOrNever(now.LastAccessedAt), timeOrNever(pt.LastAccessedAt)))
	}
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
