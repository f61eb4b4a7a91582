package emulator

import (
	"context"

	graphql "github.com/graph-gophers/graphql-go"
)

type revokeInput struct {
	OrganizationId   graphql.ID
	ApiAccessTokenId graphql.ID
	ClientMutationId *string
}

type revokePayload struct {
	clientMutationID *string
	revokedID        graphql.ID
}

func (p *revokePayload) ClientMutationId() *string           { return p.clientMutationID }
func (p *revokePayload) RevokedApiAccessTokenId() graphql.ID { return p.revokedID }

// OrganizationApiAccessTokenRevoke removes one organization from one token.
// Like Buildkite, it is not idempotent: a second attempt finds nothing to
// revoke and fails, which is what clients must cope with after a lost
// answer.
func (r *rootResolver) OrganizationApiAccessTokenRevoke(ctx context.Context, args struct{ Input revokeInput }) (*revokePayload, error) {
	c := callerFrom(ctx)
	if c == nil {
		return nil, errNoCaller
	}
	in := args.Input
	orgType, orgUUID, ok := r.s.ids.parse(string(in.OrganizationId))
	if !ok || orgType != TypeOrganization {
		return nil, newAPIError(ErrNotAnOrgID, in.OrganizationId)
	}
	tokType, tokUUID, ok := r.s.ids.parse(string(in.ApiAccessTokenId))
	if !ok || tokType != TypeAPIAccessToken {
		return nil, newAPIError(ErrNotATokenID, in.ApiAccessTokenId)
	}

	st := r.s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	o := st.orgByUUID(orgUUID)
	if o == nil || o.roles[c.userUUID] == "" {
		return nil, newAPIError(ErrOrgNotFound, in.OrganizationId)
	}
	if err := st.canManageTokens(c, o); err != nil {
		return nil, err
	}
	t := st.tokenByUUID(tokUUID)
	if t == nil || t.revoked || !t.orgs[o.uuid] {
		return nil, newAPIError(ErrTokenNotFound, in.ApiAccessTokenId, o.slug)
	}
	delete(t.orgs, o.uuid)
	st.revocations[revocationKey{o.uuid, t.uuid}]++
	st.recordOrgRevocation(ctx, c, o, t, r.s.opts.Now())
	return &revokePayload{clientMutationID: in.ClientMutationId, revokedID: in.ApiAccessTokenId}, nil
}
