package cmdutil

import (
	"testing"

	"github.com/tokenctl/tokenctl/internal/config"
)

func TestCheckEndpointPair(t *testing.T) {
	tests := []struct {
		gql, rest string
		ok        bool
	}{
		{config.DefaultGraphQLEndpoint, config.DefaultRESTEndpoint, true},
		{"https://graphql.buildkite.com/v1", "https://API.buildkite.com:443", true},
		{"http://127.0.0.1:8080/v1", "http://127.0.0.1:8080", true},
		{"https://proxy.example.com/buildkite/graphql", "https://proxy.example.com:443/buildkite/rest", true},
		{"http://localhost/v1", "http://localhost:80", true},
		{"http://127.0.0.1:8080/v1", "http://127.0.0.1:8081", false},
		{"http://127.0.0.1:8080/v1", "http://localhost:8080", false},
		{"http://127.0.0.1:8080/v1", config.DefaultRESTEndpoint, false},
		{config.DefaultGraphQLEndpoint, "http://127.0.0.1:8080", false},
		{config.DefaultGraphQLEndpoint, "https://graphql.buildkite.com", true},
		{"https://api.buildkite.com/v1", config.DefaultRESTEndpoint, true},
		{"https://graphql.buildkite.com/v1", "http://api.buildkite.com", false},
		{"https://proxy.example.com/graphql", "http://proxy.example.com", false},
	}
	for _, tt := range tests {
		s := &config.Settings{GraphQLEndpoint: tt.gql, RESTEndpoint: tt.rest}
		if err := CheckEndpointPair(s); (err == nil) != tt.ok {
			t.Errorf("CheckEndpointPair(%s, %s) = %v, want ok %v", tt.gql, tt.rest, err, tt.ok)
		}
	}
}
