package hygiene

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/redact"
)

// judgement is a plan's policy applied again to one organization, on what
// Buildkite shows now.
type judgement struct {
	policy  *Policy
	report  Report
	members map[string]*buildkite.Member // by owner uuid, lower case; nil: not listed
}

func newJudgement(pol *Policy, o Organization, now time.Time) *judgement {
	j := &judgement{policy: pol, report: Check(pol, []Organization{o}, now)}
	if o.Members != nil {
		j.members = make(map[string]*buildkite.Member, len(o.Members))
		for i := range o.Members {
			m := &o.Members[i]
			j.members[strings.ToLower(m.User.UUID)] = m
		}
	}
	return j
}

// refusal says why the planned token t is not to be revoked now, or ""
// when the policy still condemns it: an open revoke-severity finding,
// as the check counts findings (never excepted, never a bot user's).
func (j *judgement) refusal(r *PlannedRevocation, t buildkite.Token) string {
	if why := r.Token.changed(t); why != "" {
		return fmt.Sprintf("%s since the plan was made; not revoked: run the check again", why)
	}
	var reasons []string
	condemned := false
	for _, f := range j.report.Findings {
		if !strings.EqualFold(f.Token.UUID, t.UUID) || f.Severity != SeverityRevoke {
			continue
		}
		switch {
		case f.Counts():
			condemned = true
		case f.Bot:
			reasons = append(reasons, "its owner is a Buildkite bot user, whose tokens are never planned")
		case f.Status == StatusExcepted:
			reasons = append(reasons, fmt.Sprintf("an exception of the policy covers its %s finding", redact.Secrets(f.Rule)))
		}
	}
	if condemned {
		return ""
	}
	for _, f := range r.Findings {
		reasons = append(reasons, j.explain(f.Rule, r, t))
	}
	if len(r.Findings) == 0 {
		reasons = append(reasons, "no revoke-severity rule of the policy finds anything")
	}
	return fmt.Sprintf("the plan's policy no longer condemns it on what Buildkite shows now: %s; not revoked: run the check again", strings.Join(slices.Compact(reasons), "; "))
}

// explain says why the planned finding of the named rule no longer holds.
func (j *judgement) explain(name string, r *PlannedRevocation, t buildkite.Token) string {
	i := slices.IndexFunc(j.policy.Rules, func(rule Rule) bool { return rule.Name == name })
	if i < 0 {
		return fmt.Sprintf("the policy has no rule %q", redact.Secrets(name))
	}
	rule := j.policy.Rules[i]
	if rule.Severity != SeverityRevoke {
		return fmt.Sprintf("rule %s has severity %s, not revoke", redact.Secrets(name), rule.Severity)
	}
	var member *buildkite.Member
	if t.Owner != nil && j.members != nil {
		member = j.members[strings.ToLower(t.Owner.UUID)]
	}
	switch rule.Kind {
	case KindIdle, KindNeverUsed:
		if !sameTime(r.Token.LastAccessedAt, t.LastAccessedAt) {
			return fmt.Sprintf("the token was used since the plan was made (last used %s, the plan saw %s)", timeOrNever(t.LastAccessedAt), timeOrNever(r.Token.LastAccessedAt))
		}
	case KindOwnerNotAdmin:
		if member != nil && strings.EqualFold(member.Role, "ADMIN") {
			return "its owner is now an administrator"
		}
	case KindOwnerInactive:
		if member != nil && member.LastSeenAt != nil {
			return fmt.Sprintf("its owner was seen in the organization since (last seen %s)", stamp(*member.LastSeenAt))
		}
	case KindOwnerNo2FA:
		switch {
		case member != nil && member.TwoFactorEnabled:
			return "its owner now uses two-factor authentication"
		case !canWrite(&t):
			return "the token can no longer write"
		}
	case KindScopes:
		if !slices.ContainsFunc(rule.Scopes, func(s string) bool { return slices.Contains(t.Scopes, s) }) {
			return fmt.Sprintf("it no longer holds %s", strings.Join(rule.Scopes, " or "))
		}
		if rule.OwnerRole != "" {
			return fmt.Sprintf("its owner is no longer %s %s", article(rule.OwnerRole), rule.OwnerRole)
		}
	}
	return fmt.Sprintf("rule %s no longer finds it", redact.Secrets(name))
}
