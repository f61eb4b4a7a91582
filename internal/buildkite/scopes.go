package buildkite

import "github.com/tokenctl/tokenctl/internal/buildkite/gql"

// Scopes lists the API access token scopes the schema knows, in GraphQL
// spelling (READ_BUILDS), as Token.Scopes holds them.
func Scopes() []string {
	out := make([]string, len(gql.AllAPIAccessTokenScopes))
	for i, s := range gql.AllAPIAccessTokenScopes {
		out[i] = string(s)
	}
	return out
}
