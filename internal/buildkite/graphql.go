package buildkite

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/Khan/genqlient/graphql"
)

// graphQLClient sends genqlient's operations. It replaces genqlient's own
// client because that one keeps only the message of each GraphQL error,
// and an error's meaning is in its type, extensions and path, and in the
// HTTP status it came with.
type graphQLClient struct {
	endpoint string
	doer     graphql.Doer
}

// wireResponse is a GraphQL answer as sent.
type wireResponse struct {
	Data       json.RawMessage `json:"data"`
	Errors     []wireError     `json:"errors"`
	Extensions map[string]any  `json:"extensions"`
}

// wireError is one entry of a GraphQL errors array. Type is not in the
// GraphQL specification but Buildkite's errors carry one; any JSON value is
// accepted so that an unexpected one is ignored rather than unreadable.
type wireError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Type       any            `json:"type"`
	Extensions map[string]any `json:"extensions"`
}

// code is the error's machine-readable type: `type`, else
// `extensions.code`, else `extensions.type`; "" when there is none.
func (e wireError) code() string {
	for _, v := range []any{e.Type, e.Extensions["code"], e.Extensions["type"]} {
		if s, ok := v.(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// graphQLErrors is the errors array of an HTTP 200 answer.
type graphQLErrors []wireError

func (e graphQLErrors) Error() string {
	msgs := make([]string, 0, len(e))
	for _, we := range e {
		msgs = append(msgs, we.Message)
	}
	return strings.Join(msgs, "; ")
}

// httpStatusError is an answer with a status other than 200.
type httpStatusError struct {
	status      int
	api         endpointKind
	endpoint    string
	contentType string
	isJSON      bool
	errors      []wireError // when the body is a GraphQL answer
	message     string      // when the body is a REST error ({"message": …})
}

func (e *httpStatusError) Error() string {
	return fmt.Sprintf("HTTP %d from %s", e.status, e.endpoint)
}

// detail is what the answer said, for the user.
func (e *httpStatusError) detail() string {
	if e.message != "" {
		return e.message
	}
	if len(e.errors) > 0 {
		return graphQLErrors(e.errors).Error()
	}
	return ""
}

// newHTTPStatusError reads a non-200 answer's body for what it says.
func newHTTPStatusError(resp *http.Response, api endpointKind, endpoint string) *httpStatusError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	e := &httpStatusError{status: resp.StatusCode, api: api, endpoint: endpoint, contentType: resp.Header.Get("Content-Type")}
	trimmed := bytes.TrimSpace(body)
	e.isJSON = len(trimmed) == 0 || json.Valid(trimmed)
	var answer struct {
		wireResponse
		Message string `json:"message"`
	}
	if len(trimmed) > 0 && json.Unmarshal(trimmed, &answer) == nil {
		e.errors, e.message = answer.Errors, answer.Message
	}
	return e
}

func (c graphQLClient) MakeRequest(ctx context.Context, req *graphql.Request, resp *graphql.Response) error {
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	httpReq.Header.Set("Content-Type", "application/json")
	httpResp, err := c.doer.Do(httpReq)
	if err != nil {
		return err
	}
	defer httpResp.Body.Close()
	if httpResp.StatusCode != http.StatusOK {
		return newHTTPStatusError(httpResp, graphQLAPI, c.endpoint)
	}
	raw, err := responseBytes(httpResp)
	if err != nil {
		return err
	}
	// What is decoded is copied out of raw, and nothing else keeps it: the
	// transport may read the next answer into it.
	if r, ok := httpResp.Body.(interface{ Recycle() }); ok {
		defer r.Recycle()
	}
	// One pass: data goes straight into the generated type resp.Data
	// points at (null leaves it as it is), beside the errors.
	answer := struct {
		Data       any            `json:"data"`
		Errors     []wireError    `json:"errors"`
		Extensions map[string]any `json:"extensions"`
	}{Data: resp.Data}
	if err := json.Unmarshal(raw, &answer); err != nil {
		return err
	}
	resp.Extensions = answer.Extensions
	if len(answer.Errors) > 0 {
		return graphQLErrors(answer.Errors)
	}
	if answer.Data == nil || !filled(resp.Data) {
		return missingData(raw, resp.Data)
	}
	return nil
}

// noDataError is an HTTP 200 answer without errors whose data does not
// hold what was asked for ({}, {"data":null}, {"data":{}}, {"errors":[]}):
// nothing in it says that what was asked about is missing, so it is an
// answer that could not be read, never "not found".
type noDataError struct {
	field string // the field the data lacks; "" when there is no data at all
}

func (e *noDataError) Error() string {
	if e.field == "" {
		return "the answer has neither data nor errors"
	}
	return fmt.Sprintf("the answer's data has no %q and there are no errors", e.field)
}

// filled reports whether every top-level field of data (a pointer to a
// genqlient response) holds something. A null field leaves it empty, and
// so does one the answer left out: only then is the answer read again to
// tell them apart, so a page of tokens is decoded once.
func filled(data any) bool {
	v := reflect.ValueOf(data)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return true // not a genqlient response: nothing to check
	}
	v = v.Elem()
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			return false
		}
	}
	return true
}

// missingData checks, in an answer without errors, that data is an object
// holding every top-level field of the response (null is an answer, an
// absent field is not); nil when it does.
func missingData(raw []byte, data any) error {
	var answer struct {
		Data map[string]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &answer); err != nil || answer.Data == nil {
		return &noDataError{}
	}
	v := reflect.ValueOf(data)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	t := v.Elem().Type()
	for i := range t.NumField() {
		if name := responseKey(t.Field(i)); name != "" {
			if _, ok := answer.Data[name]; !ok {
				return &noDataError{field: name}
			}
		}
	}
	return nil
}

// responseKey is the key of a genqlient response field in the answer: its
// JSON name, or for a field genqlient decodes itself (an interface, tagged
// "-"), its Go name with the first letter lower-cased, as genqlient names
// it from the query.
func responseKey(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch name {
	case "-":
		return strings.ToLower(f.Name[:1]) + f.Name[1:]
	case "":
		return f.Name
	}
	return name
}

// responseBytes is the whole body of resp: the transport's bytes when it
// read them already, else read here into a buffer sized from
// Content-Length.
func responseBytes(resp *http.Response) ([]byte, error) {
	if b, ok := resp.Body.(interface{ Bytes() []byte }); ok {
		return b.Bytes(), nil
	}
	if n := resp.ContentLength; n > 0 && n <= 64<<20 {
		buf := bytes.NewBuffer(make([]byte, 0, n+bytes.MinRead))
		_, err := buf.ReadFrom(resp.Body)
		return buf.Bytes(), err
	}
	return io.ReadAll(resp.Body)
}
