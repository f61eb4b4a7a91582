package document

import (
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
)

// User is a token's owner as the token listing prints it.
type User struct {
	ID    string `json:"id"`
	UUID  string `json:"uuid"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// String is "Name <email>".
func (u User) String() string { return FormatUser(u.Name, u.Email) }

// Owner is the user a token belongs to, by name and email only, as the
// revoke results, the policy report and the leaked-token report print it.
type Owner struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// OwnerOf is the owner of a listed token; nil when it has none.
func OwnerOf(u *buildkite.User) *Owner {
	if u == nil {
		return nil
	}
	return &Owner{Name: u.Name, Email: u.Email}
}

// String is "Name <email>".
func (o Owner) String() string { return FormatUser(o.Name, o.Email) }

// TokenRef names the token a revocation acts on, as a result row prints
// it; fields are null when unknown (a token named by id is not looked up).
type TokenRef struct {
	ID          *string `json:"id"`
	UUID        *string `json:"uuid"`
	Description *string `json:"description"`
	Owner       *Owner  `json:"owner"`
}

// Token is one API access token as an organization sees it. Times are
// RFC 3339 in UTC; null means never (used, expiring) or unknown.
type Token struct {
	ID             string     `json:"id"`
	UUID           string     `json:"uuid"`
	Description    *string    `json:"description"`
	Owner          *User      `json:"owner"`
	Scopes         []string   `json:"scopes"` // GraphQL names, e.g. READ_BUILDS; never null
	CreatedAt      time.Time  `json:"createdAt"`
	LastAccessedAt *time.Time `json:"lastAccessedAt"`
	ExpiresAt      *time.Time `json:"expiresAt"`
	// IPAddress is the address of the token's last request, not an
	// allowlist.
	IPAddress *string `json:"ipAddress"`
}

// TokenOf is the document's view of a listed token.
func TokenOf(t buildkite.Token) Token {
	e := Token{
		ID: t.ID, UUID: t.UUID, Description: Optional(t.Description),
		Scopes: t.Scopes, CreatedAt: t.CreatedAt.UTC(),
		LastAccessedAt: UTC(t.LastAccessedAt), ExpiresAt: UTC(t.ExpiresAt), IPAddress: Optional(t.IPAddress),
	}
	if e.Scopes == nil {
		e.Scopes = []string{}
	}
	if u := t.Owner; u != nil {
		e.Owner = &User{ID: u.ID, UUID: u.UUID, Name: u.Name, Email: u.Email}
	}
	return e
}

// AccessToken describes a token as REST GET /v2/access-token reports it:
// the credential tokenctl uses (whoami), or a leaked one.
type AccessToken struct {
	UUID        string    `json:"uuid"`
	Description *string   `json:"description"`
	Scopes      []string  `json:"scopes"` // REST scope names, lower case
	CreatedAt   time.Time `json:"createdAt"`
}

// AccessTokenOf is the document's view of a REST token description.
func AccessTokenOf(tok buildkite.AccessToken) AccessToken {
	info := AccessToken{UUID: tok.UUID, Description: Optional(tok.Description), Scopes: tok.Scopes, CreatedAt: tok.CreatedAt}
	if info.Scopes == nil {
		info.Scopes = []string{}
	}
	return info
}

// TokenView shows listed tokens as documents print them, one at a time and
// without allocating: Of fills the view's own Token (and its owner) from a
// listed token, so that a long list is never held a second time as
// documents. The Token it returns is the view's, overwritten by the next
// call to Of.
type TokenView struct {
	tok         Token
	owner       User
	description string
	ipAddress   string
	lastUsed    time.Time
	expires     time.Time
}

// noScopes is a listed token's scopes when it has none: never null.
var noScopes = []string{}

// Of is TokenOf(*t), held by the view until the next call.
func (v *TokenView) Of(t *buildkite.Token) *Token {
	v.tok = Token{ID: t.ID, UUID: t.UUID, Scopes: t.Scopes, CreatedAt: t.CreatedAt.UTC()}
	if v.tok.Scopes == nil {
		v.tok.Scopes = noScopes
	}
	if t.Description != "" {
		v.description = t.Description
		v.tok.Description = &v.description
	}
	if t.IPAddress != "" {
		v.ipAddress = t.IPAddress
		v.tok.IPAddress = &v.ipAddress
	}
	if t.LastAccessedAt != nil {
		v.lastUsed = t.LastAccessedAt.UTC()
		v.tok.LastAccessedAt = &v.lastUsed
	}
	if t.ExpiresAt != nil {
		v.expires = t.ExpiresAt.UTC()
		v.tok.ExpiresAt = &v.expires
	}
	if u := t.Owner; u != nil {
		v.owner = User{ID: u.ID, UUID: u.UUID, Name: u.Name, Email: u.Email}
		v.tok.Owner = &v.owner
	}
	return &v.tok
}
