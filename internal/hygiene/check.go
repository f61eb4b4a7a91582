package hygiene

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/orgsettings"
	"github.com/tokenctl/tokenctl/internal/span"
)

// Organization is what a check reads from one organization.
type Organization struct {
	Organization buildkite.Organization
	// Tokens are the tokens to judge. Read judges them page by page as
	// they arrive and keeps none.
	Tokens []buildkite.Token
	// Members is nil when they were not listed (no rule needs them).
	Members []buildkite.Member
	// Settings are the organization's API settings, for the
	// organization rules; nil when not read.
	Settings *orgsettings.Settings

	// judged is what Read judged of the tokens; nil: judge Tokens.
	judged *orgFindings
}

// Check judges every organization's tokens against the policy at now and
// returns the report. Findings come out worst first. Organizations Read
// returned were judged as their tokens arrived, at the time given to Read,
// which must be now.
func Check(p *Policy, orgs []Organization, now time.Time) Report {
	now = checkTime(now)
	r := Report{
		SchemaVersion:     ReportSchemaVersion,
		GeneratedAt:       now,
		Policy:            PolicyRef{Version: p.Version, Digest: p.Digest(), Default: p.Default, Rules: p.ruleNames()},
		Organizations:     []CheckedOrganization{},
		ExceptionsApplied: []ExceptionUse{},
		NotChecked:        []NotChecked{},
		SettingsNotRead:   []orgsettings.NotRead{},
	}
	uses := make([]int, len(p.Exceptions))
	judged := make([]*orgFindings, len(orgs))
	for i := range orgs {
		o := &orgs[i]
		j := o.judged
		if j == nil {
			j = newOrgFindings(p, now, o.Members)
			j.add(o.Organization, o.Tokens)
		}
		judged[i] = j
		for k, n := range j.uses {
			uses[k] += n
		}
		ref := CheckedOrganization{OrganizationRef: document.OrganizationRefOf(o.Organization), Tokens: j.tokens}
		if o.Members != nil {
			n := len(o.Members)
			ref.Members = &n
		}
		r.Organizations = append(r.Organizations, ref)
	}
	r.Findings = findingsInOrder(p, orgs, judged)
	for i := range p.Exceptions {
		e := &p.Exceptions[i]
		r.ExceptionsApplied = append(r.ExceptionsApplied, ExceptionUse{
			Source: e.Source, Token: e.Token, Owner: e.Owner, Description: e.Description, Rules: e.Rules,
			Reason: e.Reason, Until: e.until.UTC(), Expired: e.expired(now), Findings: uses[i],
		})
	}
	r.OrganizationFindings = judgeOrganizations(p, orgs)
	r.Summary = summarize(p, r.Findings, r.OrganizationFindings)
	for _, o := range r.Organizations {
		r.Summary.Tokens += o.Tokens
	}
	return r
}

// judge applies the rule to one token. member is the owner's membership
// (nil when unknown); membersRead says whether members were listed at all.
// r must be the policy's own rule: the evidence points at it.
func (r *Rule) judge(t *buildkite.Token, member *buildkite.Member, membersRead bool, now time.Time) (FindingEvidence, bool) {
	ev := FindingEvidence{rule: r}
	switch r.Kind {
	case KindIdle:
		if t.LastAccessedAt == nil || now.Sub(*t.LastAccessedAt) <= r.after {
			return FindingEvidence{}, false
		}
		ev.span, ev.at = now.Sub(*t.LastAccessedAt), t.LastAccessedAt.Unix()
	case KindNeverUsed:
		age := now.Sub(t.CreatedAt)
		if t.LastAccessedAt != nil || age <= r.after {
			return FindingEvidence{}, false
		}
		ev.span, ev.at = age, t.CreatedAt.Unix()
	case KindLifetime:
		ev.at = t.CreatedAt.Unix()
		if t.ExpiresAt == nil {
			ev.variant = variantNoExpiry
			return ev, true
		}
		life := t.ExpiresAt.Sub(t.CreatedAt)
		if r.max == 0 || life <= r.max {
			return FindingEvidence{}, false
		}
		ev.span, ev.at2 = life, t.ExpiresAt.Unix()
	case KindExpiring:
		if t.ExpiresAt == nil || t.ExpiresAt.Sub(now) > r.within {
			return FindingEvidence{}, false
		}
		ev.span, ev.at = t.ExpiresAt.Sub(now), t.ExpiresAt.Unix()
	case KindScopes:
		return r.judgeScopes(t, member)
	case KindOwnerInactive:
		return r.judgeOwnerSeen(t, member, membersRead, now)
	case KindOwnerNo2FA:
		if member == nil || member.TwoFactorEnabled || !canWrite(t) {
			return FindingEvidence{}, false
		}
		ev.more = &evidenceMore{scopes: writeScopes(t)}
	case KindOwnerNotAdmin:
		if member == nil || strings.EqualFold(member.Role, "ADMIN") || !slices.Contains(t.Scopes, "GRAPHQL") {
			return FindingEvidence{}, false
		}
		ev.more = &evidenceMore{role: strings.ToLower(member.Role), scopes: graphQLScope}
	default:
		return FindingEvidence{}, false
	}
	return ev, true
}

// judgeScopes is the scopes rule: the token holds one of the rule's
// scopes (and, with owner-role, its owner has that role).
func (r *Rule) judgeScopes(t *buildkite.Token, member *buildkite.Member) (FindingEvidence, bool) {
	if r.OwnerRole != "" && (member == nil || !strings.EqualFold(member.Role, r.OwnerRole)) {
		return FindingEvidence{}, false
	}
	var held []string
	for _, s := range r.Scopes {
		if slices.Contains(t.Scopes, s) {
			held = append(held, s)
		}
	}
	if len(held) == 0 {
		return FindingEvidence{}, false
	}
	return FindingEvidence{rule: r, more: &evidenceMore{scopes: held, role: r.OwnerRole}}, true
}

// judgeOwnerSeen is the owner-inactive rule.
func (r *Rule) judgeOwnerSeen(t *buildkite.Token, member *buildkite.Member, membersRead bool, now time.Time) (FindingEvidence, bool) {
	ev := FindingEvidence{rule: r}
	switch {
	case !membersRead || t.Owner == nil:
		return FindingEvidence{}, false
	case member == nil:
		ev.variant = variantNotMember
	case member.LastSeenAt == nil:
		ev.variant = variantNeverSeen
	default:
		gone := now.Sub(*member.LastSeenAt)
		if gone <= r.after {
			return FindingEvidence{}, false
		}
		ev.span, ev.at = gone, member.LastSeenAt.Unix()
	}
	return ev, true
}

// canWrite reports whether the token can change anything: a WRITE_ or
// DELETE_ scope, or GraphQL access, which scopes cannot narrow.
func canWrite(t *buildkite.Token) bool { return len(writeScopes(t)) > 0 }

func writeScopes(t *buildkite.Token) []string {
	var out []string
	for _, s := range t.Scopes {
		if s == "GRAPHQL" || strings.HasPrefix(s, "WRITE_") || strings.HasPrefix(s, "DELETE_") {
			out = append(out, s)
		}
	}
	return out
}

func article(role string) string {
	if role == ownerRoleAdmin {
		return "an"
	}
	return "a"
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// wholeDays writes a duration in whole days, as the policy does, or in hours
// under a day.
func wholeDays(d time.Duration) string {
	if d >= span.Day {
		return span.Format(d.Truncate(span.Day))
	}
	return fmt.Sprintf("%dh", int(d.Hours()))
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// judgedToken is a token as its findings show it: its token and owner,
// made once and shared by its findings (a large organization has hundreds
// of thousands of findings), with the values its token points at.
type judgedToken struct {
	ref                       TokenRef
	owner                     *OwnerRef
	bot, machineUser          bool
	description               string
	lastAccessedAt, expiresAt time.Time
}

// ownerKey is an owner as a listing shares it, with its membership.
type ownerKey struct {
	user   *buildkite.User
	member *buildkite.Member
}

// newJudgedToken makes the token's view; owners keeps one view of each
// owner (and membership), shared by their tokens.
func newJudgedToken(t *buildkite.Token, member *buildkite.Member, owners map[ownerKey]*OwnerRef) *judgedToken {
	jt := &judgedToken{ref: TokenRef{ID: t.ID, UUID: t.UUID, Scopes: t.Scopes, CreatedAt: t.CreatedAt.UTC()}}
	if t.Description != "" {
		jt.description = t.Description
		jt.ref.Description = &jt.description
	}
	if t.LastAccessedAt != nil {
		jt.lastAccessedAt = t.LastAccessedAt.UTC()
		jt.ref.LastAccessedAt = &jt.lastAccessedAt
	}
	if t.ExpiresAt != nil {
		jt.expiresAt = t.ExpiresAt.UTC()
		jt.ref.ExpiresAt = &jt.expiresAt
	}
	if jt.ref.Scopes == nil {
		jt.ref.Scopes = []string{}
	}
	if t.Owner != nil {
		key := ownerKey{t.Owner, member}
		o := owners[key]
		if o == nil {
			o = &OwnerRef{UUID: t.Owner.UUID, Name: t.Owner.Name, Email: t.Owner.Email, Bot: t.Owner.Bot, MachineUser: t.Owner.MachineUser}
			if member != nil {
				role := strings.ToLower(member.Role)
				o.Role = &role
				o.Bot = o.Bot || member.User.Bot
				o.MachineUser = o.MachineUser || member.User.MachineUser
			}
			owners[key] = o
		}
		jt.owner, jt.bot, jt.machineUser = o, o.Bot, o.MachineUser
	}
	return jt
}

// applyException hides the finding behind the first active exception that
// covers it; when only expired ones do, the finding stays open and names
// the one that expired.
func applyException(f *Finding, exceptions []Exception, uses []int, now time.Time) {
	expired := -1
	for i := range exceptions {
		e := &exceptions[i]
		if !e.matches(f) {
			continue
		}
		if e.expired(now) {
			if expired < 0 {
				expired = i
			}
			continue
		}
		f.Status = StatusExcepted
		f.Exception = exceptionRef(e, now)
		uses[i]++
		return
	}
	if expired >= 0 {
		f.Exception = exceptionRef(&exceptions[expired], now)
		uses[expired]++
	}
}

func exceptionRef(e *Exception, now time.Time) *ExceptionRef {
	return &ExceptionRef{Source: e.Source, Reason: e.Reason, Until: e.until.UTC(), Expired: e.expired(now)}
}
