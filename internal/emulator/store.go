package emulator

import (
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"
)

// Organization roles.
const (
	RoleAdmin  = "admin"
	RoleMember = "member"
)

type user struct {
	uuid, name, email string
	bot, machineUser  bool
}

type organization struct {
	uuid, slug, name          string
	revokeInactiveTokensAfter string
	// allowlist is the API IP allowlist; nil: none.
	allowlist             []netip.Prefix
	restrictTokenCreation bool
	roles                 map[string]string // user uuid -> role
	members               []*membership     // fixture order: members paging order
}

type token struct {
	seq            int // creation order; paging order and cursor value
	uuid           string
	value          string
	description    string
	owner          *user
	scopes         []string
	orgs           map[string]bool // organization uuids the token can access
	createdAt      time.Time
	expiresAt      *time.Time
	lastAccessedAt *time.Time
	ipAddress      string
	revoked        bool
}

func (t *token) hasScope(s string) bool { return slices.Contains(t.scopes, s) }

// store is the emulator's state. One mutex guards everything: requests are
// small and the emulator favors obviously-correct over fast.
type store struct {
	mu          sync.Mutex
	users       map[string]*user // by uuid
	orgs        []*organization  // fixture order, which Viewer.organizations follows
	tokens      []*token         // creation order
	revocations map[revocationKey]int
	paid        paidState // paid features and the audit trail (audit.go)
	// untypedNotAdmin: Options.UntypedNotAdmin.
	untypedNotAdmin bool
}

type revocationKey struct{ orgUUID, tokenUUID string }

func newStore(f *Fixture, now time.Time) *store {
	s := &store{users: map[string]*user{}, revocations: map[revocationKey]int{}}
	byEmail := map[string]*user{}
	for _, fu := range f.Users {
		u := &user{uuid: strings.ToLower(fu.UUID), name: fu.Name, email: fu.Email, bot: fu.Bot, machineUser: fu.MachineUser}
		s.users[u.uuid] = u
		byEmail[u.email] = u
	}
	// Validate has checked every time, so errors cannot happen here.
	at := func(v string) *time.Time {
		if v == "" {
			return nil
		}
		t, _ := resolveTime(v, now)
		return &t
	}
	bySlug := map[string]*organization{}
	for _, fo := range f.Organizations {
		o := &organization{
			uuid: strings.ToLower(fo.UUID), slug: fo.Slug, name: fo.Name,
			revokeInactiveTokensAfter: fo.RevokeInactiveTokensAfter,
			restrictTokenCreation:     fo.RestrictAPITokenCreation,
			roles:                     map[string]string{},
		}
		o.allowlist, _ = parseAllowlist(fo.AllowedIPAddresses) // validated
		if len(o.allowlist) == 0 {
			o.allowlist = nil
		}
		for i, m := range fo.Members {
			o.roles[byEmail[m.User].uuid] = m.Role
			o.members = append(o.members, newMembership(o, i+1, byEmail[m.User], m, now, at))
		}
		s.orgs = append(s.orgs, o)
		bySlug[o.slug] = o
	}
	for _, ft := range f.Tokens {
		created := now
		if ft.CreatedAt != "" {
			created = *at(ft.CreatedAt)
		}
		t := &token{
			uuid: strings.ToLower(ft.UUID), value: ft.Value, description: ft.Description,
			owner: byEmail[ft.Owner], scopes: slices.Clone(ft.Scopes), orgs: map[string]bool{},
			createdAt: created, expiresAt: at(ft.ExpiresAt), lastAccessedAt: at(ft.LastAccessedAt),
			ipAddress: ft.IPAddress, revoked: ft.Revoked,
		}
		for _, slug := range ft.Organizations {
			t.orgs[bySlug[slug].uuid] = true
		}
		s.tokens = append(s.tokens, t)
	}
	slices.SortStableFunc(s.tokens, func(a, b *token) int { return a.createdAt.Compare(b.createdAt) })
	for i, t := range s.tokens {
		t.seq = i + 1 // cursors start at 1 so that 0 can mean "before everything"
	}
	s.paid = newPaidState(f, s, now)
	return s
}

// The find helpers expect s.mu to be held.

func (s *store) tokenByValue(value string) *token {
	for _, t := range s.tokens {
		if t.value == value {
			return t
		}
	}
	return nil
}

func (s *store) tokenByUUID(id string) *token {
	id = strings.ToLower(id)
	for _, t := range s.tokens {
		if t.uuid == id {
			return t
		}
	}
	return nil
}

func (s *store) orgBySlug(slug string) *organization {
	for _, o := range s.orgs {
		if o.slug == slug {
			return o
		}
	}
	return nil
}

func (s *store) orgByUUID(id string) *organization {
	id = strings.ToLower(id)
	for _, o := range s.orgs {
		if o.uuid == id {
			return o
		}
	}
	return nil
}

// listedTokens are the tokens an organization's apiAccessTokens shows: those
// that can still access it and have not been revoked entirely.
func (s *store) listedTokens(o *organization) []*token {
	var out []*token
	for _, t := range s.tokens {
		if t.orgs[o.uuid] && !t.revoked {
			out = append(out, t)
		}
	}
	return out
}

// userOrgs are the organizations a user belongs to, in fixture order.
func (s *store) userOrgs(u *user) []*organization {
	var out []*organization
	for _, o := range s.orgs {
		if o.roles[u.uuid] != "" {
			out = append(out, o)
		}
	}
	return out
}
