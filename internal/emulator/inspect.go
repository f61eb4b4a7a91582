package emulator

// State inspection for tests: what a client did to the emulated Buildkite,
// read without going through the API (and without touching rate limits or
// lastAccessedAt).

// TokenHasOrg reports whether the token can still access the organization.
func (s *Server) TokenHasOrg(tokenUUID, orgSlug string) bool {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	t, o := s.store.tokenByUUID(tokenUUID), s.store.orgBySlug(orgSlug)
	return t != nil && o != nil && t.orgs[o.uuid]
}

// TokenRevoked reports whether the token was revoked entirely (DELETE
// /v2/access-token or the fixture).
func (s *Server) TokenRevoked(tokenUUID string) bool {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	t := s.store.tokenByUUID(tokenUUID)
	return t != nil && t.revoked
}

// RevocationCount is how many times the revoke mutation removed the
// organization from the token. Anything above 1 would be an emulator bug;
// tests assert it is exactly 1 after a client's retries.
func (s *Server) RevocationCount(orgSlug, tokenUUID string) int {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	o := s.store.orgBySlug(orgSlug)
	t := s.store.tokenByUUID(tokenUUID)
	if o == nil || t == nil {
		return 0
	}
	return s.store.revocations[revocationKey{o.uuid, t.uuid}]
}

// Tokens lists the uuids of the tokens the organization's apiAccessTokens
// connection shows, in paging order.
func (s *Server) Tokens(orgSlug string) []string {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	o := s.store.orgBySlug(orgSlug)
	if o == nil {
		return nil
	}
	var ids []string
	for _, t := range s.store.listedTokens(o) {
		ids = append(ids, t.uuid)
	}
	return ids
}
