package emulator

import (
	"strings"
	"time"
)

// State changes for tests: what a token's owner might do in Buildkite's web
// UI between two runs of a client, made without going through the API.

// SetTokenDescription changes a token's description, as its owner can in
// the web UI. It reports whether the token exists.
func (s *Server) SetTokenDescription(tokenUUID, description string) bool {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	t := s.store.tokenByUUID(tokenUUID)
	if t == nil {
		return false
	}
	t.description = description
	return true
}

// SetMemberRole makes the user with that email an administrator (RoleAdmin)
// or a member (RoleMember) of the organization, as an administrator can in
// the web UI. It reports whether the user is a member there.
func (s *Server) SetMemberRole(orgSlug, email, role string) bool {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	o, m := s.store.membershipOf(orgSlug, email)
	if m == nil {
		return false
	}
	o.roles[m.user.uuid] = role
	return true
}

// SetMemberLastSeen records the member's activity in the organization at
// the given time, as signing in does. It reports whether the user is a
// member there.
func (s *Server) SetMemberLastSeen(orgSlug, email string, at time.Time) bool {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	_, m := s.store.membershipOf(orgSlug, email)
	if m == nil {
		return false
	}
	at = at.UTC()
	m.lastSeenAt = &at
	return true
}

// membershipOf finds a user's membership by email; the caller holds mu.
func (s *store) membershipOf(orgSlug, email string) (*organization, *membership) {
	o := s.orgBySlug(orgSlug)
	if o == nil {
		return nil, nil
	}
	for _, m := range o.members {
		if strings.EqualFold(m.user.email, email) {
			return o, m
		}
	}
	return nil, nil
}
