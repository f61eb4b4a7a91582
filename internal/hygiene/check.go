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
		Organizations:     []CheckedOrganization{},
		Findings:          []Finding{},
		ExceptionsApplied: []ExceptionUse{},
		NotChecked:        []NotChecked{},
		SettingsNotRead:   []orgsettings.NotRead{},
	}
	uses := make([]int, len(p.Exceptions))
	judged := make([]judgedOrganization, len(orgs))
	count := 0
	for i := range orgs {
		judged[i] = judgedOrganization{Organization: &orgs[i], members: memberIndex(orgs[i].Members)}
		judged[i].each(p, now, func(*buildkite.Token, *buildkite.Member, *Rule, FindingEvidence) { count++ })
	}
	// Judging is cheap next to holding its result: the findings are
	// counted first and allocated once.
	r.Findings = make([]Finding, 0, count)
	for _, o := range judged {
		ref := CheckedOrganization{OrganizationRef: document.OrganizationRefOf(o.Organization.Organization), Tokens: len(o.Tokens)}
		if o.members != nil {
			n := len(o.Members)
			ref.Members = &n
		}
		r.Organizations = append(r.Organizations, ref)
		// The token's first finding, whose token and owner the others share.
		var first *Finding
		var last *buildkite.Token
		o.each(p, now, func(t *buildkite.Token, member *buildkite.Member, rule *Rule, ev FindingEvidence) {
			if t != last {
				first, last = nil, t
			}
			f := newFinding(o.Organization.Organization, t, member, rule, ev, first)
			applyException(&f, p.Exceptions, uses, now)
			r.Findings = append(r.Findings, f)
			if first == nil {
				first = &r.Findings[len(r.Findings)-1]
			}
		})
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

// judgedOrganization is an organization with its members by user uuid
// (nil when they were not listed).
type judgedOrganization struct {
	*Organization
	members map[string]*buildkite.Member
}

func memberIndex(ms []buildkite.Member) map[string]*buildkite.Member {
	if ms == nil {
		return nil
	}
	index := make(map[string]*buildkite.Member, len(ms))
	for i := range ms {
		index[strings.ToLower(ms[i].User.UUID)] = &ms[i]
	}
	return index
}

// each calls found for every rule a token breaks, token by token in the
// listing's order, rules in the policy's.
func (o judgedOrganization) each(p *Policy, now time.Time, found func(*buildkite.Token, *buildkite.Member, *Rule, FindingEvidence)) {
	for i := range o.Tokens {
		t := &o.Tokens[i]
		var member *buildkite.Member
		if t.Owner != nil && o.members != nil {
			member = o.members[strings.ToLower(t.Owner.UUID)]
		}
		for j := range p.Rules {
			rule := &p.Rules[j]
			if !rule.appliesToOwner(t, member) {
				continue
			}
			if ev, ok := rule.judge(t, member, o.members != nil, now); ok {
				found(t, member, rule, ev)
			}
		}
	}
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

// newFinding is the finding of rule on t. first, when not nil, is an
// earlier finding of the same token: its token and owner, which point at
// the same values, are shared rather than made again (a large
// organization has hundreds of thousands of findings).
func newFinding(org buildkite.Organization, t *buildkite.Token, member *buildkite.Member, rule *Rule, ev FindingEvidence, first *Finding) Finding {
	f := Finding{
		Organization: org.Slug,
		Rule:         rule.Name, Kind: rule.Kind, Severity: rule.Severity, Message: ev.message(), Evidence: ev,
		Status: StatusOpen,
	}
	if first != nil {
		f.Token, f.Owner, f.Bot, f.MachineUser = first.Token, first.Owner, first.Bot, first.MachineUser
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
