package emulator

import "fmt"

// FixtureGenerateMembers asks for Count synthetic members of Organization
// (a slug), each owning TokensEach synthetic tokens.
type FixtureGenerateMembers struct {
	Organization string `yaml:"organization"`
	Count        int    `yaml:"count"`
	TokensEach   int    `yaml:"tokens-each"`
}

// memberProfile is one kind of member a real organization has. Synthetic
// members cycle through these so any page of them has a mix.
type memberProfile struct {
	kind       string
	role       string
	lastSeen   string // "" = never seen
	twoFactor  bool
	sso        string
	bot        bool
	joinedDays int
}

var memberProfiles = []memberProfile{
	{kind: "active admin", role: RoleAdmin, lastSeen: "now-1d", twoFactor: true, sso: SSORequired, joinedDays: 700},
	{kind: "active member", role: RoleMember, lastSeen: "now-3d", twoFactor: true, sso: SSOOptional, joinedDays: 400},
	{kind: "member without 2FA", role: RoleMember, lastSeen: "now-10d", joinedDays: 300},
	{kind: "member not seen for months", role: RoleMember, lastSeen: "now-200d", twoFactor: true, joinedDays: 600},
	{kind: "member never seen", role: RoleMember, joinedDays: 120},
	{kind: "bot", role: RoleMember, lastSeen: "now-1h", bot: true, joinedDays: 500},
	{kind: "admin without 2FA", role: RoleAdmin, lastSeen: "now-30d", joinedDays: 900},
}

// AddGeneratedMembers adds n synthetic users, makes them members of orgSlug
// (cycling through memberProfiles) and gives each tokensEach synthetic
// tokens (cycling through the token profiles, starting at a different one
// for each member). Names, emails and uuids derive from the organization
// and position, so the same calls always give the same fixture.
func (f *Fixture) AddGeneratedMembers(orgSlug string, n, tokensEach int) error {
	org := -1
	for i := range f.Organizations {
		if f.Organizations[i].Slug == orgSlug {
			org = i
		}
	}
	if org < 0 {
		return fmt.Errorf("generate-members: unknown organization slug %q", orgSlug)
	}
	for i := range n {
		p := memberProfiles[i%len(memberProfiles)]
		name := fmt.Sprintf("%s/member/%d", orgSlug, len(f.Users))
		email := fmt.Sprintf("member%d@%s.example", i+1, orgSlug)
		display := fmt.Sprintf("Member %d (%s)", i+1, p.kind)
		if p.bot {
			email = fmt.Sprintf("bot%d@%s.example", i+1, orgSlug)
			display = fmt.Sprintf("Buildkite bot %d", i+1)
		}
		f.Users = append(f.Users, FixtureUser{UUID: uuidFromName(name), Name: display, Email: email, Bot: p.bot})
		f.Organizations[org].Members = append(f.Organizations[org].Members, FixtureMember{
			User: email, Role: p.role, LastSeenAt: p.lastSeen, TwoFactor: p.twoFactor, SSO: p.sso,
			CreatedAt: fmt.Sprintf("now-%dd", p.joinedDays),
		})
		for j := range tokensEach {
			f.addGeneratedToken(orgSlug, email, generatedProfiles[(i+j)%len(generatedProfiles)], j+1)
		}
	}
	return nil
}
