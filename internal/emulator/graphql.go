package emulator

import (
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"strconv"

	graphql "github.com/graph-gophers/graphql-go"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// gqlRequest is a POST /v1 body plus what the emulator learnt from a quick
// parse of its document (for the request log, fault matching and the
// graphql-error fault).
type gqlRequest struct {
	Query         string         `json:"query"`
	Variables     map[string]any `json:"variables"`
	OperationName string         `json:"operationName"`

	decodeErr      error
	operationName  string
	operationType  string
	topLevelFields []string
}

const maxBodyBytes = 1 << 20

func readGraphQLRequest(w http.ResponseWriter, r *http.Request) *gqlRequest {
	req := &gqlRequest{}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err == nil {
		err = json.Unmarshal(body, req)
	}
	if err != nil {
		req.decodeErr = err
		return req
	}
	req.operationName = req.OperationName
	doc, perr := parser.ParseQuery(&ast.Source{Input: req.Query})
	if perr != nil {
		return req // graphql-go reports the syntax error
	}
	op := doc.Operations.ForName(req.OperationName)
	if op == nil {
		return req
	}
	if req.operationName == "" {
		req.operationName = op.Name
	}
	req.operationType = string(op.Operation)
	for _, sel := range op.SelectionSet {
		if f, ok := sel.(*ast.Field); ok {
			req.topLevelFields = append(req.topLevelFields, f.Alias)
		}
	}
	return req
}

// serveGraphQL authenticates, prices and runs one GraphQL request.
func (s *Server) serveGraphQL(r *http.Request, req *gqlRequest, entry *Request) (resp response) {
	budgets := []budget{{key: "ip:" + s.remoteIP(r), limit: s.opts.RateLimit}}
	defer func() {
		if resp.header.Get("RateLimit-Limit") == "" {
			_, st := s.gqlLimits.take(budgets, 0, s.opts.Now())
			st.setHeaders(resp.header)
		}
	}()

	c, authErr := s.authenticate(r)
	if c == nil {
		return s.graphQLErrorResponse(authErr, 0)
	}
	entry.Caller, budgets = c.tokenUUID, s.orgBudgets(c, s.opts.RateLimit)
	if !c.graphQL {
		return s.graphQLErrorResponse(newAPIError(ErrNoGraphQLAccess), 0)
	}
	if req.decodeErr != nil {
		return s.graphQLErrorResponse(newAPIError(ErrBadRequestBody, req.decodeErr), 0)
	}

	cost, varErr := analyseDocument(req.Query, req.OperationName, req.Variables, s.opts.MaxPageSize)
	if varErr != nil {
		newAPIError(ErrInvalidVariables, varErr["message"]).decorate(varErr, s.opts.ErrorWording)
		return jsonResponse(http.StatusOK, map[string]any{"errors": []any{varErr}})
	}
	entry.Complexity = cost
	if cost > s.opts.RateLimit {
		return s.graphQLErrorResponse(newAPIError(ErrComplexityTooHigh, cost, s.opts.RateLimit), 0)
	}
	ok, st := s.gqlLimits.take(budgets, cost, s.opts.Now())
	if !ok {
		resp = s.graphQLErrorResponse(newAPIError(ErrGraphQLRateLimit, s.opts.RateLimit, st.resetSeconds()), 0)
		st.setHeaders(resp.header)
		resp.header.Set("Retry-After", strconv.Itoa(st.resetSeconds()))
		return resp
	}

	result := s.schema.Exec(withCaller(withRequestInfo(r.Context(), r, c.ip), c), narrowDocument(req.Query, req.OperationName), req.OperationName, req.Variables)
	resp = jsonResponse(http.StatusOK, s.reword(result))
	st.setHeaders(resp.header)
	return resp
}

// reword answers the errors resolvers returned from the error table, in the
// server's wording and with their type; errors graphql-go itself raises
// (the GraphQL specification's validation errors) pass as they are.
func (s *Server) reword(result *graphql.Response) any {
	if len(result.Errors) == 0 {
		return result
	}
	entries := make([]any, 0, len(result.Errors))
	for _, qe := range result.Errors {
		var apiErr *apiError
		if !errors.As(qe.ResolverError, &apiErr) {
			entries = append(entries, qe)
			continue
		}
		entry := map[string]any{}
		if len(qe.Locations) > 0 {
			entry["locations"] = qe.Locations
		}
		if len(qe.Path) > 0 {
			entry["path"] = qe.Path
		}
		if len(qe.Extensions) > 0 {
			entry["extensions"] = maps.Clone(qe.Extensions)
		}
		apiErr.decorate(entry, s.opts.ErrorWording)
		entries = append(entries, entry)
	}
	out := map[string]any{"errors": entries}
	if result.Data != nil {
		out["data"] = result.Data
	}
	if result.Extensions != nil {
		out["extensions"] = result.Extensions
	}
	return out
}
