package emulator

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.yaml.in/yaml/v3"
)

// Fixture is the emulator's starting state. It is plain data so that it can
// be written by hand in YAML or JSON (kebab-case keys) or built in Go.
// Times are strings: RFC 3339, or relative to the server's clock such as
// "now", "now-90d" or "now+2h30m" (see resolveTime).
type Fixture struct {
	Users         []FixtureUser         `yaml:"users"`
	Organizations []FixtureOrganization `yaml:"organizations"`
	Tokens        []FixtureToken        `yaml:"tokens"`
	// Generate adds synthetic tokens when the fixture is parsed; see
	// AddGeneratedTokens.
	Generate []FixtureGenerate `yaml:"generate"`
	// GenerateOrganizations adds synthetic organizations when the fixture
	// is parsed; see AddGeneratedOrganizations.
	GenerateOrganizations []FixtureGenerateOrganizations `yaml:"generate-organizations"`
	// GenerateMembers adds synthetic members, each owning tokens; see
	// AddGeneratedMembers.
	GenerateMembers []FixtureGenerateMembers `yaml:"generate-members"`
	Faults          []Fault                  `yaml:"faults"`
	// AuditEvents is audit history beyond the creation event every token
	// gets (see audit.go).
	AuditEvents []FixtureAuditEvent `yaml:"audit-events"`
}

// FixtureUser is a Buildkite user.
type FixtureUser struct {
	UUID  string `yaml:"uuid"`
	Name  string `yaml:"name"`
	Email string `yaml:"email"`
	Bot   bool   `yaml:"bot"` // an official bot account managed by Buildkite
	// MachineUser is a machine user account (User.machineUser).
	MachineUser bool `yaml:"machine-user"`
}

// FixtureOrganization is an organization and its members.
type FixtureOrganization struct {
	UUID string `yaml:"uuid"`
	Slug string `yaml:"slug"`
	Name string `yaml:"name"`
	// RevokeInactiveTokensAfter is a RevokeInactiveTokenPeriod value such as
	// DAYS_90, or empty when unset.
	RevokeInactiveTokensAfter string          `yaml:"revoke-inactive-tokens-after"`
	Members                   []FixtureMember `yaml:"members"`
	// Features are the paid features the organization's plan includes:
	// audit-log, inactivity-policy, api-ip-allowlist.
	Features []string `yaml:"features"`
	// AllowedIPAddresses is the API IP allowlist, space-separated CIDR
	// ranges; empty: none.
	AllowedIPAddresses string `yaml:"allowed-ip-addresses"`
	// RestrictAPITokenCreation: only administrators may create API
	// access tokens.
	RestrictAPITokenCreation bool `yaml:"restrict-api-token-creation"`
}

// FixtureMember makes a user (by email) a member of an organization.
type FixtureMember struct {
	User string `yaml:"user"`
	Role string `yaml:"role"` // "admin" or "member"
	// LastSeenAt is when the member was last active in the organization;
	// empty: never seen.
	LastSeenAt string `yaml:"last-seen-at"`
	CreatedAt  string `yaml:"created-at"` // joined; empty means "now"
	TwoFactor  bool   `yaml:"two-factor"` // two-factor authentication enabled
	SSO        string `yaml:"sso"`        // SSO mode: "", "optional" or "required"
}

// FixtureToken is a user's API access token.
type FixtureToken struct {
	UUID        string `yaml:"uuid"`
	Value       string `yaml:"value"` // the secret; only ever compared, never logged
	Description string `yaml:"description"`
	Owner       string `yaml:"owner"` // user email
	// Scopes are GraphQL enum names (GRAPHQL, READ_BUILDS, ...). A token
	// may call GraphQL only when GRAPHQL is among them.
	Scopes         []string `yaml:"scopes"`
	Organizations  []string `yaml:"organizations"` // slugs the token can access
	CreatedAt      string   `yaml:"created-at"`    // empty means "now"
	ExpiresAt      string   `yaml:"expires-at"`    // empty: never expires
	LastAccessedAt string   `yaml:"last-accessed-at"`
	IPAddress      string   `yaml:"ip-address"`
	Revoked        bool     `yaml:"revoked"` // revoked entirely: every request gets 401
}

// FixtureGenerate asks for Count synthetic tokens owned by Owner (an email)
// in Organization (a slug).
type FixtureGenerate struct {
	Organization string `yaml:"organization"`
	Count        int    `yaml:"count"`
	Owner        string `yaml:"owner"`
}

// FixtureGenerateOrganizations asks for Count synthetic organizations,
// slugs made from the Slug pattern (one %d, counting from 1, e.g.
// "org-%03d"), each with the same Members, each granted to the fixture's
// Tokens (uuids).
type FixtureGenerateOrganizations struct {
	Count   int             `yaml:"count"`
	Slug    string          `yaml:"slug"`
	Members []FixtureMember `yaml:"members"`
	Tokens  []string        `yaml:"tokens"`
}

//go:embed fixtures/*.yaml
var builtinFixtures embed.FS

// BuiltinFixtures lists the names accepted by BuiltinFixture.
func BuiltinFixtures() []string {
	entries, err := builtinFixtures.ReadDir("fixtures")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return names
}

// BuiltinFixture parses one of the fixtures embedded from fixtures/, by name
// without extension ("demo", "multi-org").
func BuiltinFixture(name string) (*Fixture, error) {
	data, err := builtinFixtures.ReadFile("fixtures/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no built-in fixture %q (have %s)", name, strings.Join(BuiltinFixtures(), ", "))
	}
	f, err := ParseFixture(data)
	if err != nil {
		return nil, fmt.Errorf("built-in fixture %s: %w", name, err)
	}
	return f, nil
}

// DemoFixture returns a fresh copy of the demo seed (fixtures/demo.yaml).
func DemoFixture() *Fixture {
	f, err := BuiltinFixture("demo")
	if err != nil {
		panic(err) // a test guards the embedded file
	}
	return f
}

// LoadFixture reads a YAML or JSON fixture file.
func LoadFixture(path string) (*Fixture, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := ParseFixture(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// ParseFixture decodes a YAML or JSON fixture (JSON is YAML), expands its
// generate entries and validates it. Unknown keys are errors so that a typo
// does not silently produce a different scenario.
func ParseFixture(data []byte) (*Fixture, error) {
	var f Fixture
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("parsing fixture: %w", err)
	}
	for _, g := range f.Generate {
		if g.Count < 0 {
			return nil, fmt.Errorf("generate for %q: negative count %d", g.Organization, g.Count)
		}
		f.AddGeneratedTokens(g.Organization, g.Count, g.Owner)
	}
	f.Generate = nil
	for _, g := range f.GenerateMembers {
		if g.Count < 0 || g.TokensEach < 0 {
			return nil, fmt.Errorf("generate-members for %q: negative count", g.Organization)
		}
		if err := f.AddGeneratedMembers(g.Organization, g.Count, g.TokensEach); err != nil {
			return nil, err
		}
	}
	f.GenerateMembers = nil
	for i, g := range f.GenerateOrganizations {
		if err := f.AddGeneratedOrganizations(g); err != nil {
			return nil, fmt.Errorf("generate-organizations[%d]: %w", i, err)
		}
	}
	f.GenerateOrganizations = nil
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

// Validate reports every problem in the fixture, each naming the entry at
// fault.
func (f *Fixture) Validate() error {
	c := &fixtureCheck{uuids: map[string]string{}, emails: map[string]bool{}, members: map[string]map[string]bool{}}
	c.users(f.Users)
	c.organizations(f.Organizations)
	c.tokens(f.Tokens)
	c.errs = append(c.errs, f.validatePaid()...)
	for i, flt := range f.Faults {
		if err := flt.validate(); err != nil {
			c.bad("faults[%d]: %v", i, err)
		}
	}
	return errors.Join(c.errs...)
}

// fixtureCheck gathers a fixture's problems, and what later entries are
// checked against: users before organizations, both before tokens.
type fixtureCheck struct {
	errs    []error
	uuids   map[string]string          // lower-case uuid -> the entry using it
	emails  map[string]bool            // users' emails
	members map[string]map[string]bool // organization slug -> members' emails
}

func (c *fixtureCheck) bad(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

func (c *fixtureCheck) uuid(what, id string) {
	if _, err := uuid.Parse(id); err != nil {
		c.bad("%s: uuid %q is not a UUID", what, id)
		return
	}
	if prev, dup := c.uuids[strings.ToLower(id)]; dup {
		c.bad("%s: duplicate uuid %s (already used by %s)", what, id, prev)
		return
	}
	c.uuids[strings.ToLower(id)] = what
}

// times checks fixture times given as key, value pairs; empty ones are unset.
func (c *fixtureCheck) times(what string, pairs ...string) {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			continue
		}
		if _, err := resolveTime(pairs[i+1], time.Time{}); err != nil {
			c.bad("%s: %s: %v", what, pairs[i], err)
		}
	}
}

func (c *fixtureCheck) users(users []FixtureUser) {
	for i, u := range users {
		what := fmt.Sprintf("users[%d] (%s)", i, u.Email)
		c.uuid(what, u.UUID)
		switch {
		case u.Email == "":
			c.bad("users[%d]: email is required", i)
		case c.emails[u.Email]:
			c.bad("%s: duplicate email", what)
		}
		if u.Name == "" {
			c.bad("%s: name is required", what)
		}
		c.emails[u.Email] = true
	}
}

func (c *fixtureCheck) organizations(orgs []FixtureOrganization) {
	for i, o := range orgs {
		what := fmt.Sprintf("organizations[%d] (%s)", i, o.Slug)
		c.uuid(what, o.UUID)
		switch {
		case o.Slug == "":
			c.bad("organizations[%d]: slug is required", i)
		case c.members[o.Slug] != nil:
			c.bad("%s: duplicate slug", what)
		}
		if o.Name == "" {
			c.bad("%s: name is required", what)
		}
		if o.RevokeInactiveTokensAfter != "" && !slices.Contains(enumValues("RevokeInactiveTokenPeriod"), o.RevokeInactiveTokensAfter) {
			c.bad("%s: revoke-inactive-tokens-after %q is not one of %s", what, o.RevokeInactiveTokensAfter, strings.Join(enumValues("RevokeInactiveTokenPeriod"), ", "))
		}
		if _, err := parseAllowlist(o.AllowedIPAddresses); err != nil {
			c.bad("%s: allowed-ip-addresses: %v", what, err)
		}
		c.members[o.Slug] = c.memberList(what, o.Members)
	}
}

// memberList checks an organization's members and returns their emails.
func (c *fixtureCheck) memberList(what string, members []FixtureMember) map[string]bool {
	m := map[string]bool{}
	for _, mem := range members {
		switch {
		case !c.emails[mem.User]:
			c.bad("%s: member %q is not a known user email", what, mem.User)
		case m[mem.User]:
			c.bad("%s: member %q listed twice", what, mem.User)
		}
		if mem.Role != RoleAdmin && mem.Role != RoleMember {
			c.bad("%s: member %q has role %q, want %q or %q", what, mem.User, mem.Role, RoleAdmin, RoleMember)
		}
		if mem.SSO != "" && mem.SSO != SSOOptional && mem.SSO != SSORequired {
			c.bad("%s: member %q has sso %q, want %q, %q or nothing", what, mem.User, mem.SSO, SSOOptional, SSORequired)
		}
		c.times(fmt.Sprintf("%s: member %q", what, mem.User), "last-seen-at", mem.LastSeenAt, "created-at", mem.CreatedAt)
		m[mem.User] = true
	}
	return m
}

func (c *fixtureCheck) tokens(tokens []FixtureToken) {
	values := map[string]bool{}
	scopes := enumValues("APIAccessTokenScopes")
	for i, t := range tokens {
		what := fmt.Sprintf("tokens[%d] (%s)", i, t.UUID)
		c.uuid(what, t.UUID)
		switch {
		case t.Value == "":
			c.bad("%s: value is required", what)
		case values[t.Value]:
			c.bad("%s: duplicate value", what) // never print the value itself
		}
		values[t.Value] = true
		if !c.emails[t.Owner] {
			c.bad("%s: owner %q is not a known user email", what, t.Owner)
		}
		for _, s := range t.Scopes {
			if !slices.Contains(scopes, s) {
				c.bad("%s: unknown scope %q", what, s)
			}
		}
		for _, slug := range t.Organizations {
			switch m, ok := c.members[slug]; {
			case !ok:
				c.bad("%s: unknown organization slug %q", what, slug)
			case !m[t.Owner]:
				c.bad("%s: owner %q is not a member of organization %q", what, t.Owner, slug)
			}
		}
		c.times(what, "created-at", t.CreatedAt, "expires-at", t.ExpiresAt, "last-accessed-at", t.LastAccessedAt)
	}
}

var relativeTimePart = regexp.MustCompile(`^([+-])(\d+)([dhms])`)

// resolveTime turns a fixture time into an instant. Relative times ("now",
// "now-400d", "now+1h30m") are anchored to the server's clock when the
// fixture is loaded, so the demo seed stays realistic whatever today is and
// is deterministic when the clock is injected.
func resolveTime(s string, now time.Time) (time.Time, error) {
	rest, relative := strings.CutPrefix(s, "now")
	if !relative {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("bad time %q: want RFC 3339 (2024-05-01T12:00:00Z) or relative (now-90d, now+2h)", s)
		}
		return t, nil
	}
	t := now
	for rest != "" {
		m := relativeTimePart.FindStringSubmatch(rest)
		if m == nil {
			return time.Time{}, fmt.Errorf("bad relative time %q: want now, now-90d, now+1h30m (units d, h, m, s)", s)
		}
		n, err := strconv.Atoi(m[2])
		if err != nil {
			return time.Time{}, fmt.Errorf("bad relative time %q: %w", s, err)
		}
		unit := map[string]time.Duration{"d": 24 * time.Hour, "h": time.Hour, "m": time.Minute, "s": time.Second}[m[3]]
		d := time.Duration(n) * unit
		if m[1] == "-" {
			d = -d
		}
		t = t.Add(d)
		rest = rest[len(m[0]):]
	}
	return t, nil
}
