// Package tokenfile reads the list of tokens given to `revoke --from-file`:
// either text, one token uuid or GraphQL id per line with blank lines and
// "#" comments ignored, or JSON as `tokenctl tokens list -o json` prints it
// (or an array of such token objects, or of uuid strings, as a --jq filter
// leaves it). It is pure: it parses bytes it is given, opens no file, sends
// nothing, and never echoes a value shaped like a secret token.
package tokenfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/ident"
)

// ErrEmpty means the input names no token at all. Revoking nothing is never
// what someone who passed a file meant, so it is an error.
var ErrEmpty = errors.New("no token in it: give one token uuid or GraphQL id per line (# starts a comment), or the JSON that `tokenctl tokens list -o json` prints")

// File is what a token file names.
type File struct {
	Tokens []ident.Token
	// Organization is the organization the tokens were listed from, when
	// the file records one (the JSON of `tokens list`); nil otherwise.
	Organization *document.Organization
}

// Parse returns the tokens named in data, in order, duplicates kept (the
// plan removes them). Errors name the line, or for JSON the element, at
// fault.
func Parse(data []byte) ([]ident.Token, error) {
	f, err := ParseFile(data)
	return f.Tokens, err
}

// ParseFile is Parse, also returning the organization the file records.
func ParseFile(data []byte) (File, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		return parseJSON(data)
	}
	tokens, err := parseLines(data)
	return File{Tokens: tokens}, err
}

func parseLines(data []byte) ([]ident.Token, error) {
	var (
		out      []ident.Token
		firstErr error
		bad      int
	)
	for n, line := range strings.Split(string(data), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		var err error
		switch len(fields) {
		case 0:
			continue
		case 1:
			var t ident.Token
			if t, err = ident.ParseToken(fields[0]); err == nil {
				out = append(out, t)
				continue
			}
		default:
			err = errors.New("more than one word: put one token uuid or id per line (anything after # is a comment)")
		}
		bad++
		if firstErr == nil {
			firstErr = fmt.Errorf("line %d: %w", n+1, err)
		}
	}
	if firstErr != nil {
		return nil, withMore(firstErr, bad-1, "line")
	}
	if len(out) == 0 {
		return nil, ErrEmpty
	}
	return out, nil
}

// jsonToken is the part of a token object, as `tokens list -o json` and
// `revoke -o json` print it, that names the token.
type jsonToken struct {
	UUID *string `json:"uuid"`
	ID   *string `json:"id"`
}

func parseJSON(data []byte) (File, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var doc json.RawMessage
	if err := dec.Decode(&doc); err != nil {
		return File{}, jsonSyntaxError(data, err)
	}
	if _, err := dec.Token(); err == nil {
		return File{}, errors.New("JSON: more than one document: give one object or array")
	}

	var (
		elems []json.RawMessage
		org   *document.Organization
	)
	where := "tokens"
	if doc[0] == '{' {
		var obj struct {
			Tokens *[]json.RawMessage `json:"tokens"`
		}
		if err := json.Unmarshal(doc, &obj); err != nil || obj.Tokens == nil {
			return File{}, errors.New(`JSON: expected the output of "tokenctl tokens list -o json" (an object with a "tokens" array) or an array of tokens`)
		}
		elems = *obj.Tokens
		var recorded struct {
			Organization *document.Organization `json:"organization"`
		}
		if err := json.Unmarshal(doc, &recorded); err != nil {
			return File{}, errors.New(`JSON: "organization" must be an object with string "id", "uuid" and "slug", as "tokenctl tokens list -o json" prints it`)
		}
		// An organization that names nothing records nothing to check.
		if o := recorded.Organization; o != nil && (o.ID != "" || o.UUID != "" || o.Slug != "") {
			org = o
		}
	} else {
		if err := json.Unmarshal(doc, &elems); err != nil {
			return File{}, jsonSyntaxError(data, err)
		}
		where = ""
	}

	var (
		out      []ident.Token
		firstErr error
		bad      int
	)
	for i, raw := range elems {
		t, err := parseElement(raw)
		if err == nil {
			out = append(out, t)
			continue
		}
		bad++
		if firstErr == nil {
			firstErr = fmt.Errorf("JSON: %s[%d]: %w", where, i, err)
		}
	}
	if firstErr != nil {
		return File{}, withMore(firstErr, bad-1, "element")
	}
	if len(out) == 0 {
		return File{}, ErrEmpty
	}
	return File{Tokens: out, Organization: org}, nil
}

// parseElement reads one token: a uuid or id string, or an object whose
// uuid (preferred: it lets the plan show what the token is) or id names it.
func parseElement(raw json.RawMessage) (ident.Token, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) > 0 && raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return ident.Token{}, err
		}
		return ident.ParseToken(s)
	case len(raw) > 0 && raw[0] == '{':
		var jt jsonToken
		if err := json.Unmarshal(raw, &jt); err != nil {
			return ident.Token{}, errors.New(`"uuid" and "id" must be strings`)
		}
		switch {
		case jt.UUID != nil && *jt.UUID != "":
			// Ids are opaque, so ParseToken takes most strings for one;
			// the "uuid" field must hold a uuid.
			t, err := ident.ParseToken(*jt.UUID)
			if err == nil && t.UUID == "" {
				err = errors.New(`"uuid" is not a uuid (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`)
			}
			return t, err
		case jt.ID != nil && *jt.ID != "":
			return ident.ParseToken(*jt.ID)
		}
		return ident.Token{}, errors.New(`has neither "uuid" nor "id"`)
	}
	return ident.Token{}, errors.New("is neither a token uuid or id string nor a token object")
}

// jsonSyntaxError turns a decoding error into one line naming where in the
// input it is.
func jsonSyntaxError(data []byte, err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		line, col := position(data, syn.Offset)
		return fmt.Errorf("JSON: line %d, column %d: %s", line, col, syn.Error())
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		line, col := position(data, typ.Offset)
		return fmt.Errorf("JSON: line %d, column %d: expected an array of tokens, found a %s", line, col, typ.Value)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("JSON: the document ends too early (truncated?)")
	}
	return fmt.Errorf("JSON: %w", err)
}

// position converts a byte offset into a 1-based line and column.
func position(data []byte, offset int64) (line, col int) {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1)
	if col < 1 {
		col = 1
	}
	return line, col
}

func withMore(err error, more int, what string) error {
	if more <= 0 {
		return err
	}
	plural := ""
	if more > 1 {
		plural = "s"
	}
	return fmt.Errorf("%w (and %d more bad %s%s)", err, more, what, plural)
}
