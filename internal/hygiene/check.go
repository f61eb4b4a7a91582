package hygiene

import (
	"cmp"
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
	Tokens       []buildkite.Token
	// Members is nil when they were not listed (no rule needs them).
	Members []buildkite.Member
	// Settings are the organization's API settings, for the
	// organization rules; nil when not read.
	Settings *orgsettings.Settings
}

// Check judges every organization's tokens against the policy at now and
// returns the report. Findings come out worst first.
func Check(p *Policy, orgs []Organization, now time.Time) Report {
	now = now.UTC().Truncate(time.Second)
	r := Report{
		SchemaVersion:     ReportSchemaVersion,
		GeneratedAt:       now,
		Policy:            PolicyRef{Version: p.Version, Digest: p.Digest(), Default: p.Default, Rules: p.ruleNames()},
		Organizations:     []OrganizationRef{},
		Findings:          []Finding{},
		ExceptionsApplied: []ExceptionUse{},
		NotChecked:        []NotChecked{},
		SettingsNotRead:   []orgsettings.NotRead{},
	}
	uses := make([]int, len(p.Exceptions))
	for _, o := range orgs {
		ref := OrganizationRef{ID: o.Organization.ID, Slug: o.Organization.Slug, Name: o.Organization.Name, Tokens: len(o.Tokens)}
		var members map[string]*buildkite.Member
		if o.Members != nil {
			n := len(o.Members)
			ref.Members = &n
			members = make(map[string]*buildkite.Member, len(o.Members))
			for i := range o.Members {
				m := &o.Members[i]
				members[strings.ToLower(m.User.UUID)] = m
			}
		}
		r.Organizations = append(r.Organizations, ref)
		for i := range o.Tokens {
			t := &o.Tokens[i]
			var member *buildkite.Member
			if t.Owner != nil && members != nil {
				member = members[strings.ToLower(t.Owner.UUID)]
			}
			// The token's first finding, whose token and owner the others share.
			var first *Finding
			var firstFinding Finding
			for j := range p.Rules {
				rule := &p.Rules[j]
				if !rule.appliesToOwner(t, member) {
					continue
				}
				ev, msg, found := rule.judge(t, member, members != nil, now)
				if !found {
					continue
				}
				f := newFinding(o.Organization, t, member, rule, msg, ev, first)
				applyException(&f, p.Exceptions, uses, now)
				r.Findings = append(r.Findings, f)
				if first == nil {
					firstFinding = f
					first = &firstFinding
				}
			}
		}
	}
	for i := range p.Exceptions {
		e := &p.Exceptions[i]
		r.ExceptionsApplied = append(r.ExceptionsApplied, ExceptionUse{
			Source: e.Source, Token: e.Token, Owner: e.Owner, Description: e.Description, Rules: e.Rules,
			Reason: e.Reason, Until: e.until.UTC(), Expired: e.expired(now), Findings: uses[i],
		})
	}
	sortFindings(r.Findings)
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
func (r *Rule) judge(t *buildkite.Token, member *buildkite.Member, membersRead bool, now time.Time) (FindingEvidence, string, bool) {
	ev := FindingEvidence{rule: r}
	switch r.Kind {
	case KindIdle:
		if t.LastAccessedAt == nil || now.Sub(*t.LastAccessedAt) <= r.after {
			return FindingEvidence{}, "", false
		}
		ev.span, ev.at = now.Sub(*t.LastAccessedAt), t.LastAccessedAt.Unix()
		return ev, fmt.Sprintf("last used %s ago (limit %s)", wholeDays(ev.span), r.After), true
	case KindNeverUsed:
		age := now.Sub(t.CreatedAt)
		if t.LastAccessedAt != nil || age <= r.after {
			return FindingEvidence{}, "", false
		}
		ev.span, ev.at = age, t.CreatedAt.Unix()
		return ev, fmt.Sprintf("never used, created %s ago (limit %s)", wholeDays(age), r.After), true
	case KindLifetime:
		ev.at = t.CreatedAt.Unix()
		if t.ExpiresAt == nil {
			ev.variant = variantNoExpiry
			return ev, "never expires", true
		}
		life := t.ExpiresAt.Sub(t.CreatedAt)
		if r.max == 0 || life <= r.max {
			return FindingEvidence{}, "", false
		}
		ev.span, ev.at2 = life, t.ExpiresAt.Unix()
		return ev, fmt.Sprintf("lives %s (limit %s)", wholeDays(life), r.Max), true
	case KindExpiring:
		if t.ExpiresAt == nil || t.ExpiresAt.Sub(now) > r.within {
			return FindingEvidence{}, "", false
		}
		left := t.ExpiresAt.Sub(now)
		ev.span, ev.at = left, t.ExpiresAt.Unix()
		if left <= 0 {
			return ev, fmt.Sprintf("expired %s ago", wholeDays(-left)), true
		}
		return ev, fmt.Sprintf("expires in %s (replace it within %s)", wholeDays(left), r.Within), true
	case KindScopes:
		return r.judgeScopes(t, member)
	case KindOwnerInactive:
		if !membersRead || t.Owner == nil {
			return FindingEvidence{}, "", false
		}
		if member == nil {
			ev.variant = variantNotMember
			return ev, "its owner is not a member of the organization", true
		}
		if member.LastSeenAt == nil {
			ev.variant = variantNeverSeen
			return ev, "its owner has never been seen in the organization", true
		}
		gone := now.Sub(*member.LastSeenAt)
		if gone <= r.after {
			return FindingEvidence{}, "", false
		}
		ev.span, ev.at = gone, member.LastSeenAt.Unix()
		return ev, fmt.Sprintf("its owner was last seen %s ago (limit %s)", wholeDays(gone), r.After), true
	case KindOwnerNo2FA:
		if member == nil || member.TwoFactorEnabled || !canWrite(t) {
			return FindingEvidence{}, "", false
		}
		ev.scopes = writeScopes(t)
		return ev, "its owner has no two-factor authentication and the token can write", true
	case KindOwnerNotAdmin:
		if member == nil || strings.EqualFold(member.Role, "ADMIN") || !slices.Contains(t.Scopes, "GRAPHQL") {
			return FindingEvidence{}, "", false
		}
		ev.role, ev.scopes = strings.ToLower(member.Role), graphQLScope
		return ev, "has GraphQL access and its owner is not an administrator", true
	}
	return FindingEvidence{}, "", false
}

// judgeScopes is the scopes rule: the token holds one of the rule's
// scopes (and, with owner-role, its owner has that role).
func (r *Rule) judgeScopes(t *buildkite.Token, member *buildkite.Member) (FindingEvidence, string, bool) {
	var held []string
	for _, s := range r.Scopes {
		if slices.Contains(t.Scopes, s) {
			held = append(held, s)
		}
	}
	if len(held) == 0 {
		return FindingEvidence{}, "", false
	}
	ev := FindingEvidence{rule: r, scopes: held}
	msg := "holds " + strings.Join(held, ", ")
	if r.OwnerRole != "" {
		if member == nil || !strings.EqualFold(member.Role, r.OwnerRole) {
			return FindingEvidence{}, "", false
		}
		ev.role = r.OwnerRole
		msg += fmt.Sprintf(" and its owner is %s %s", article(r.OwnerRole), r.OwnerRole)
	}
	return ev, msg, true
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

// newFinding is the finding of rule on t. first, when not nil, is an
// earlier finding of the same token: its token and owner, which point at
// the same values, are shared rather than made again (a large
// organization has hundreds of thousands of findings).
func newFinding(org buildkite.Organization, t *buildkite.Token, member *buildkite.Member, rule *Rule, msg string, ev FindingEvidence, first *Finding) Finding {
	f := Finding{
		Organization: org.Slug,
		Rule:         rule.Name, Kind: rule.Kind, Severity: rule.Severity, Message: msg, Evidence: ev,
		Status: StatusOpen,
	}
	if first != nil {
		f.Token, f.Owner, f.Bot = first.Token, first.Owner, first.Bot
		return f
	}
	f.Token = &TokenRef{
		ID: t.ID, UUID: t.UUID, Description: document.Optional(t.Description), Scopes: t.Scopes,
		CreatedAt: t.CreatedAt.UTC(), LastAccessedAt: document.UTC(t.LastAccessedAt), ExpiresAt: document.UTC(t.ExpiresAt),
	}
	if f.Token.Scopes == nil {
		f.Token.Scopes = []string{}
	}
	if t.Owner != nil {
		f.Owner = &OwnerRef{UUID: t.Owner.UUID, Name: t.Owner.Name, Email: t.Owner.Email, Bot: t.Owner.Bot, MachineUser: t.Owner.MachineUser}
		if member != nil {
			role := strings.ToLower(member.Role)
			f.Owner.Role = &role
			f.Owner.Bot = f.Owner.Bot || member.User.Bot
			f.Owner.MachineUser = f.Owner.MachineUser || member.User.MachineUser
		}
		f.Bot, f.MachineUser = f.Owner.Bot, f.Owner.MachineUser
	}
	return f
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

// sortFindings puts the worst first: severity, then organization, rule and
// token.
func sortFindings(fs []Finding) {
	// Organization, rule and token identify a finding: the order is total.
	slices.SortFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(b.Severity.rank(), a.Severity.rank()),
			cmp.Compare(a.Organization, b.Organization),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Token.UUID, b.Token.UUID),
		)
	})
}
