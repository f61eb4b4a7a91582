package selector

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/redact"
)

// ParseScope reads a scope in either spelling Buildkite uses, GraphQL's
// READ_BUILDS or REST's read_builds, and returns the GraphQL name. Scopes
// the schema does not know are rejected, since they would silently match
// nothing.
func ParseScope(s string) (string, error) {
	in := strings.TrimSpace(s)
	name := strings.ToUpper(strings.ReplaceAll(in, "-", "_"))
	best, bestDist := "", math.MaxInt
	for _, known := range buildkite.Scopes() {
		if known == name {
			return name, nil
		}
		if d := editDistance(name, known); d < bestDist {
			best, bestDist = known, d
		}
	}
	if in == "" {
		return "", errors.New("empty scope: give a scope such as READ_BUILDS or read_builds")
	}
	if bestDist <= 3 {
		return "", fmt.Errorf("unknown scope %s: did you mean %s?", redact.Quote(in), best)
	}
	return "", fmt.Errorf("unknown scope %s: scopes look like READ_BUILDS or read_builds (see Buildkite's API access token scopes)", redact.Quote(in))
}

// KnownScopes lists the scopes ParseScope accepts, in GraphQL spelling.
func KnownScopes() []string { return buildkite.Scopes() }

// editDistance is the Levenshtein distance, for "did you mean" hints.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
