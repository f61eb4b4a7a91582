package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"

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
		req.decodeErr = fmt.Errorf("the request body is not a GraphQL request: %w", err)
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
	budgetKey := "ip:" + remoteIP(r)
	defer func() {
		if resp.header.Get("RateLimit-Limit") == "" {
			_, st := s.gqlLimits.take(budgetKey, 0, s.opts.Now())
			st.setHeaders(resp.header)
		}
	}()

	c, msg := s.authenticate(r)
	if c == nil {
		return graphQLError(http.StatusUnauthorized, msg)
	}
	entry.Caller, budgetKey = c.tokenUUID, c.tokenUUID
	if !c.graphQL {
		return graphQLError(http.StatusForbidden, "The API Access Token used for this request does not have GraphQL access enabled (it lacks the GRAPHQL scope)")
	}
	if req.decodeErr != nil {
		return graphQLError(http.StatusBadRequest, req.decodeErr.Error())
	}

	cost, varErr := analyseDocument(req.Query, req.OperationName, req.Variables, s.opts.MaxPageSize)
	if varErr != nil {
		return jsonResponse(http.StatusOK, map[string]any{"errors": []any{varErr}})
	}
	entry.Complexity = cost
	if cost > s.opts.RateLimit {
		return jsonResponse(http.StatusOK, map[string]any{"errors": []map[string]string{{
			"message": fmt.Sprintf("Query complexity of %d exceeds the maximum of %d points allowed per %s. Request fewer records with smaller `first` values.", cost, s.opts.RateLimit, s.opts.RateWindow),
		}}})
	}
	ok, st := s.gqlLimits.take(c.tokenUUID, cost, s.opts.Now())
	if !ok {
		resp = graphQLError(http.StatusTooManyRequests, fmt.Sprintf("You have exceeded your GraphQL rate limit: this query costs %d points and %d remain. Please wait %d seconds before retrying.", cost, st.remaining, st.resetSeconds()))
		st.setHeaders(resp.header)
		resp.header.Set("Retry-After", strconv.Itoa(st.resetSeconds()))
		return resp
	}

	result := s.schema.Exec(withCaller(r.Context(), c), narrowDocument(req.Query, req.OperationName), req.OperationName, req.Variables)
	resp = jsonResponse(http.StatusOK, result)
	st.setHeaders(resp.header)
	return resp
}
