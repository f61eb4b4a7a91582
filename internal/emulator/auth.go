package emulator

import (
	"context"
	"net/http"
	"strings"
)

// caller is the authenticated side of a request: the token used and its
// owner. Resolvers re-read the token from the store because a request can
// revoke its own access part way through.
type caller struct {
	tokenUUID string
	userUUID  string
	graphQL   bool   // the token has the GRAPHQL scope
	ip        string // the address Buildkite sees the request come from
}

type callerKey struct{}

func withCaller(ctx context.Context, c *caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

func callerFrom(ctx context.Context) *caller {
	c, _ := ctx.Value(callerKey{}).(*caller)
	return c
}

// authenticate finds the token in the Authorization header. On success it
// records the use on the token (lastAccessedAt, ipAddress) as Buildkite
// does; otherwise it returns the error to answer with.
func (s *Server) authenticate(r *http.Request) (*caller, *apiError) {
	value, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	value = strings.TrimSpace(value)
	if !ok || value == "" {
		return nil, newAPIError(ErrAuthRequired)
	}
	now := s.opts.Now()
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	t := s.store.tokenByValue(value)
	switch {
	case t == nil:
		return nil, newAPIError(ErrAuthRequired)
	case t.revoked:
		return nil, newAPIError(ErrTokenRevoked)
	case t.expiresAt != nil && !now.Before(*t.expiresAt):
		return nil, newAPIError(ErrTokenExpired)
	}
	ip := s.remoteIP(r)
	if !s.opts.FrozenTokenUse {
		t.lastAccessedAt = &now
		t.ipAddress = ip
	}
	return &caller{tokenUUID: t.uuid, userUUID: t.owner.uuid, graphQL: t.hasScope("GRAPHQL"), ip: ip}, nil
}

// canManageTokens is Buildkite's rule for listing and revoking an
// organization's tokens: the caller's user administers the organization and
// the caller's token can access it. Expects st.mu held.
func (st *store) canManageTokens(c *caller, o *organization) error {
	if err := o.refuseAddress(c, ErrIPNotAllowed); err != nil {
		return err
	}
	if o.roles[c.userUUID] != RoleAdmin {
		if st.untypedNotAdmin {
			return newAPIError(ErrNotAdminUntyped, o.slug)
		}
		return newAPIError(ErrNotAdmin, o.slug)
	}
	if t := st.tokenByUUID(c.tokenUUID); t == nil || !t.orgs[o.uuid] {
		return newAPIError(ErrTokenNoOrgAccess, o.slug)
	}
	return nil
}

// visibleOrg reports whether organization lookups show o to the caller:
// its user belongs to o and, with HideUngrantedOrganizations, its token was
// granted o. Expects st.mu held.
func (s *Server) visibleOrg(c *caller, o *organization) bool {
	if o == nil || o.roles[c.userUUID] == "" {
		return false
	}
	if s.opts.HideUngrantedOrganizations {
		t := s.store.tokenByUUID(c.tokenUUID)
		return t != nil && t.orgs[o.uuid]
	}
	return true
}
