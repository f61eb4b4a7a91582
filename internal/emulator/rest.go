package emulator

import (
	"net/http"
	"strings"
	"time"
)

// accessTokenJSON is the body of GET /v2/access-token.
type accessTokenJSON struct {
	UUID        string   `json:"uuid"`
	Scopes      []string `json:"scopes"`
	Description string   `json:"description"`
	CreatedAt   string   `json:"created_at"`
	User        struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"user"`
}

// serveREST answers /v2/access-token and the organizations' api-settings. Each request costs one request of
// the budget of the caller's user (RESTUserRateLimit) and of each
// organization's (RESTRateLimit; see orgBudgets for which).
func (s *Server) serveREST(r *http.Request, entry *Request) response {
	c, authErr := s.authenticate(r)
	if c == nil {
		resp := s.restErrorResponse(authErr, 0)
		_, st := s.restLimits.take([]budget{{key: "ip:" + s.remoteIP(r), limit: s.opts.RESTUserRateLimit}}, 0, s.opts.Now())
		st.setHeaders(resp.header)
		return resp
	}
	entry.Caller = c.tokenUUID
	budgets := append(s.orgBudgets(c, s.opts.RESTRateLimit), budget{key: "user:" + c.userUUID, limit: s.opts.RESTUserRateLimit})
	ok, st := s.restLimits.take(budgets, 1, s.opts.Now())
	if !ok {
		resp := s.restErrorResponse(newAPIError(ErrRESTRateLimit), 0)
		st.setHeaders(resp.header)
		resp.header.Set("Retry-After", resp.header.Get("RateLimit-Reset"))
		return resp
	}

	var resp response
	if slug, ok := settingsSlug(r.URL.Path); ok {
		resp = s.serveSettings(r, c, slug)
	} else if r.Method == http.MethodDelete {
		s.store.mu.Lock()
		t := s.store.tokenByUUID(c.tokenUUID)
		t.revoked = true
		s.store.recordDeletion(r, c.ip, t, s.opts.Now())
		s.store.mu.Unlock()
		resp = response{status: http.StatusNoContent, header: http.Header{}}
	} else {
		resp = jsonResponse(http.StatusOK, s.describeToken(c.tokenUUID))
	}
	st.setHeaders(resp.header)
	return resp
}

func (s *Server) describeToken(tokenUUID string) accessTokenJSON {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	t := s.store.tokenByUUID(tokenUUID)
	out := accessTokenJSON{
		UUID:        t.uuid,
		Scopes:      []string{},
		Description: t.description,
		CreatedAt:   t.createdAt.UTC().Format(time.RFC3339),
	}
	for _, sc := range t.scopes {
		out.Scopes = append(out.Scopes, strings.ToLower(sc))
	}
	out.User.Name, out.User.Email = t.owner.name, t.owner.email
	return out
}
