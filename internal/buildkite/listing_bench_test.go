package buildkite

import (
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite/gql"
)

// BenchmarkTokenDigest is what remembering a listed token's data costs, per
// token, on top of decoding it (so that a repeat that differs is refused).
func BenchmarkTokenDigest(b *testing.B) {
	desc, ip := "Deploys for the payments pipeline", "203.0.113.10"
	created, used := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	f := &gql.APIAccessTokenFields{
		Id: "QVBJQWNjZXNzVG9rZW4tLS1jMTAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDE=", Uuid: "c1000000-0000-4000-8000-000000000001",
		Description: &desc, Scopes: []gql.APIAccessTokenScopes{"READ_BUILDS", "WRITE_BUILDS", "GRAPHQL"},
		CreatedAt: created, LastAccessedAt: &used, IpAddress: &ip,
		Owner: &gql.APIAccessTokenFieldsOwnerUser{Id: "VXNlcg==", Uuid: "a1000000-0000-4000-8000-000000000001", Name: "Ada Admin", Email: "ada@acme.example"},
	}
	c := newCopies()
	b.ReportAllocs()
	for b.Loop() {
		c.tokenDigest(f)
	}
}
