package document

import "github.com/tokenctl/tokenctl/internal/jsonappend"

// Lines of a token listed in a document: its members at "      ", its
// owner's at "        ".
const (
	tokenIn  = "\n      "
	ownerIn  = "\n        "
	tokenEnd = "\n    }"
)

// AppendJSONItem appends the token as an item of a document's list (such
// as TokenList's tokens) in one pass: the bytes an indented encoding/json
// encoder writes for it with prefix "    " and indent "  ", HTML not
// escaped, after the prefix of its first line.
func (t *Token) AppendJSONItem(b []byte) ([]byte, error) {
	var err error
	b = append(b, "{"+tokenIn+`"id": `...)
	b = jsonappend.String(b, t.ID)
	b = append(b, ","+tokenIn+`"uuid": `...)
	b = jsonappend.String(b, t.UUID)
	b = append(b, ","+tokenIn+`"description": `...)
	b = jsonappend.OptString(b, t.Description)
	b = append(b, ","+tokenIn+`"owner": `...)
	if o := t.Owner; o == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, "{"+ownerIn+`"id": `...)
		b = jsonappend.String(b, o.ID)
		b = append(b, ","+ownerIn+`"uuid": `...)
		b = jsonappend.String(b, o.UUID)
		b = append(b, ","+ownerIn+`"name": `...)
		b = jsonappend.String(b, o.Name)
		b = append(b, ","+ownerIn+`"email": `...)
		b = jsonappend.String(b, o.Email)
		b = append(b, tokenIn+"}"...)
	}
	b = append(b, ","+tokenIn+`"scopes": `...)
	b = jsonappend.Strings(b, t.Scopes, tokenIn)
	b = append(b, ","+tokenIn+`"createdAt": `...)
	if b, err = jsonappend.Time(b, t.CreatedAt); err != nil {
		return b, err
	}
	b = append(b, ","+tokenIn+`"lastAccessedAt": `...)
	if b, err = jsonappend.OptTime(b, t.LastAccessedAt); err != nil {
		return b, err
	}
	b = append(b, ","+tokenIn+`"expiresAt": `...)
	if b, err = jsonappend.OptTime(b, t.ExpiresAt); err != nil {
		return b, err
	}
	b = append(b, ","+tokenIn+`"ipAddress": `...)
	b = jsonappend.OptString(b, t.IPAddress)
	return append(b, tokenEnd...), nil
}
