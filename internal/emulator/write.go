package emulator

import (
	"cmp"
	"net/http"
	"strconv"
	"strings"
)

// faultAnswer is the answer of a fault that stops the request before it
// runs; ok is false when the request must run.
func (s *Server) faultAnswer(f *Fault, r *http.Request, kind string, gql *gqlRequest) (response, bool) {
	if f == nil {
		return response{}, false
	}
	switch f.Kind {
	case FaultStatus:
		status := f.Status
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		return s.restErrorResponse(newAPIError(ErrFaultStatus, http.StatusText(status)), status), true
	case FaultThrottle:
		resp := s.restErrorResponse(newAPIError(ErrFaultThrottle), 0)
		if kind == KindGraphQL {
			resp = s.graphQLErrorResponse(newAPIError(ErrFaultThrottle), 0)
		}
		limit := s.opts.RateLimit
		if kind == KindREST {
			limit = s.opts.RESTUserRateLimit
		}
		rateStatus{limit: limit, remaining: 0}.setHeaders(resp.header)
		resp.header.Set("RateLimit-Reset", strconv.Itoa(f.RetryAfter))
		resp.header.Set("Retry-After", strconv.Itoa(f.RetryAfter))
		return resp, true
	case FaultRedirect:
		status := f.Status
		if status == 0 {
			status = http.StatusMovedPermanently
		}
		h := http.Header{}
		h.Set("Location", f.Location)
		return response{status: status, header: h}, true
	case FaultFalseAnswer:
		if kind != KindGraphQL {
			return response{}, false
		}
		return s.falseAnswer(f, r, gql), true
	case FaultNoData:
		if kind != KindGraphQL {
			return response{}, false
		}
		h := http.Header{}
		h.Set("Content-Type", "application/json; charset=utf-8")
		return response{status: http.StatusOK, header: h, body: []byte(noDataBodies[cmp.Or(f.Answer, AnswerEmptyObject)])}, true
	case FaultEchoAuthorization:
		status := f.Status
		if status == 0 {
			status = http.StatusBadRequest
		}
		msg := "Invalid credentials: " + r.Header.Get("Authorization")
		return jsonResponse(status, map[string]any{"message": msg, "errors": []any{map[string]any{"message": msg}}}), true
	case FaultDropBefore:
		return response{}, true // write sees the fault and drops
	case FaultNonJSON:
		status := f.Status
		if status == 0 {
			status = http.StatusOK
		}
		h := http.Header{}
		h.Set("Content-Type", "text/html; charset=utf-8")
		return response{status: status, header: h, body: []byte(proxyErrorPage)}, true
	case FaultGraphQLError:
		name := ErrFaultInternal
		if f.Error != "" {
			name = ErrorName(f.Error)
		}
		if kind != KindGraphQL {
			return s.restErrorResponse(newAPIError(name), http.StatusInternalServerError), true
		}
		data := map[string]any{}
		var path []any
		for _, field := range gql.topLevelFields {
			data[field] = nil
			if path == nil {
				path = []any{field}
			}
		}
		qerr := s.graphQLErrorEntry(newAPIError(name, faultArgs(name)...))
		if path != nil {
			qerr["path"] = path
		}
		return jsonResponse(http.StatusOK, map[string]any{"data": data, "errors": []any{qerr}}), true
	}
	return response{}, false
}

// falseAnswer is a revocation's payload about something other than what
// was asked (Fault.Answer), nothing executed.
func (s *Server) falseAnswer(f *Fault, r *http.Request, gql *gqlRequest) response {
	vars := gql.Variables
	if input, ok := vars["input"].(map[string]any); ok {
		vars = input
	}
	revoked, _ := vars["apiAccessTokenId"].(string)
	mutationID, _ := vars["clientMutationId"].(string)
	payload := map[string]any{"clientMutationId": mutationID, "revokedApiAccessTokenId": revoked}
	switch f.Answer {
	case AnswerOtherMutationID:
		payload["clientMutationId"] = "another-" + mutationID
	case AnswerNullMutationID:
		payload["clientMutationId"] = nil
	case AnswerNoMutationID:
		delete(payload, "clientMutationId")
	case AnswerNullTokenID:
		payload["revokedApiAccessTokenId"] = nil
	case AnswerNoTokenID:
		delete(payload, "revokedApiAccessTokenId")
	case AnswerProofWithError:
		name := cmp.Or(ErrorName(f.Error), ErrFaultInternal)
		qerr := s.graphQLErrorEntry(newAPIError(name, faultArgs(name)...))
		qerr["path"] = []any{"organizationApiAccessTokenRevoke"}
		return jsonResponse(http.StatusOK, map[string]any{
			"data":   map[string]any{"organizationApiAccessTokenRevoke": payload},
			"errors": []any{qerr},
		})
	default: // AnswerOtherToken
		value, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.store.mu.Lock()
		if t := s.store.tokenByValue(strings.TrimSpace(value)); t != nil {
			payload["revokedApiAccessTokenId"] = s.ids.id(TypeAPIAccessToken, t.uuid)
		}
		s.store.mu.Unlock()
	}
	return jsonResponse(http.StatusOK, map[string]any{"data": map[string]any{"organizationApiAccessTokenRevoke": payload}})
}

const proxyErrorPage = `<!DOCTYPE html>
<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>emulated proxy</center>
</body>
</html>
`

// write sends resp, bent by fault where the fault acts after execution.
func (s *Server) write(w http.ResponseWriter, r *http.Request, resp response, f *Fault) {
	kind := ""
	if f != nil {
		kind = f.Kind
	}
	switch kind {
	case FaultDropBefore, FaultDropAfter:
		dropConnection(w)
		return
	}
	if kind == FaultStatusAfter {
		status := f.Status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		resp = s.restErrorResponse(newAPIError(ErrFaultStatus, http.StatusText(status)), status)
	}
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	switch kind {
	case FaultTruncate:
		// No Content-Length: the client gets a well-formed HTTP response
		// whose JSON is cut off.
		w.WriteHeader(resp.status)
		_, _ = w.Write(resp.body[:len(resp.body)/2])
	case FaultSlowBody:
		w.Header().Set("Content-Length", strconv.Itoa(len(resp.body)))
		w.WriteHeader(resp.status)
		half := len(resp.body) / 2
		_, _ = w.Write(resp.body[:half])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		if !sleep(r.Context(), f.Delay) {
			return
		}
		_, _ = w.Write(resp.body[half:])
	default:
		w.Header().Set("Content-Length", strconv.Itoa(len(resp.body)))
		w.WriteHeader(resp.status)
		_, _ = w.Write(resp.body)
	}
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// HTTP/2 cannot be hijacked; aborting the handler resets the stream.
	panic(http.ErrAbortHandler)
}
