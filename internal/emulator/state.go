package emulator

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
