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
	graphQL   bool // the token has the GRAPHQL scope
}

type callerKey struct{}

func withCaller(ctx context.Context, c *caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

func callerFrom(ctx context.Context) *caller {
	c, _ := ctx.Value(callerKey{}).(*caller)
	return c
}

const authRequiredMessage = "Authentication required. Please supply a valid API Access Token: https://buildkite.com/docs/apis/rest-api#authentication"

// authenticate finds the token in the Authorization header. On success it
// records the use on the token (lastAccessedAt, ipAddress) as Buildkite
// does; otherwise it returns a message for a 401.
func (s *Server) authenticate(r *http.Request) (*caller, string) {
	value, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	value = strings.TrimSpace(value)
	if !ok || value == "" {
		return nil, authRequiredMessage
	}
	now := s.opts.Now()
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	t := s.store.tokenByValue(value)
	switch {
	case t == nil:
		return nil, authRequiredMessage
	case t.revoked:
		return nil, "The API Access Token used for this request has been revoked"
	case t.expiresAt != nil && !now.Before(*t.expiresAt):
		return nil, "The API Access Token used for this request has expired"
	}
	t.lastAccessedAt = &now
	t.ipAddress = remoteIP(r)
	return &caller{tokenUUID: t.uuid, userUUID: t.owner.uuid, graphQL: t.hasScope("GRAPHQL")}, ""
}

// canManageTokens is Buildkite's rule for listing and revoking an
// organization's tokens: the caller's user administers the organization and
// the caller's token can access it. Expects st.mu held.
func (st *store) canManageTokens(c *caller, o *organization) error {
	if o.roles[c.userUUID] != RoleAdmin {
		return apiErrorf("You must be an organization administrator of %q to list or revoke its API access tokens", o.slug)
	}
	if t := st.tokenByUUID(c.tokenUUID); t == nil || !t.orgs[o.uuid] {
		return apiErrorf("The API Access Token used for this request does not have access to the organization %q", o.slug)
	}
	return nil
}
