package selector

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite/gql"
	"github.com/tokenctl/tokenctl/internal/redact"
)

// Units of ParseDuration longer than an hour. A year is 365 days: token
// reviews talk in calendar-ish spans, not leap-second precision.
const (
	Day  = 24 * time.Hour
	Week = 7 * Day
	Year = 365 * Day
)

// maxDuration keeps sums far from overflowing time.Duration (~292 years)
// and rejects spans no token can have existed for.
const maxDuration = 100 * Year

var durationUnits = map[byte]time.Duration{
	'y': Year, 'w': Week, 'd': Day, 'h': time.Hour, 'm': time.Minute, 's': time.Second,
}

const durationHelp = "write a whole number and a unit (y, w, d, h, m or s), e.g. 90d, 6w, 12h, 1y or 1y6w"

// ParseDuration reads a span such as "90d", "6w", "12h", "1y" or "1y6w":
// whole numbers each followed by a unit y (365 days), w, d, h, m or s. The
// result is more than zero and at most 100 years.
func ParseDuration(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, fmt.Errorf("empty duration: %s", durationHelp)
	}
	var total time.Duration
	for rest := strings.ToLower(in); rest != ""; {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) {
			return 0, fmt.Errorf("invalid duration %s: %s", quote(in), durationHelp)
		}
		unit, ok := durationUnits[rest[i]]
		if !ok {
			return 0, fmt.Errorf("invalid duration %s: unknown unit %q; %s", quote(in), rest[i], durationHelp)
		}
		n, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil || n > int64(maxDuration/unit) {
			return 0, fmt.Errorf("duration %s is too long: the most is 100y", quote(in))
		}
		total += time.Duration(n) * unit
		if total > maxDuration {
			return 0, fmt.Errorf("duration %s is too long: the most is 100y", quote(in))
		}
		rest = rest[i+1:]
	}
	if total <= 0 {
		return 0, fmt.Errorf("duration %s must be more than zero", quote(in))
	}
	return total, nil
}

// FormatDuration writes d the way ParseDuration reads it, in whole days
// when it is whole days ("90d", also for 6w or 1y) and in Go's notation
// otherwise ("12h0m0s"). Machine output uses it, so it never changes for a
// given d.
func FormatDuration(d time.Duration) string {
	if d > 0 && d%Day == 0 {
		return strconv.FormatInt(int64(d/Day), 10) + "d"
	}
	return d.String()
}

// ParseDate reads a day (YYYY-MM-DD, meaning midnight UTC at its start) or
// an RFC 3339 time.
func ParseDate(s string) (time.Time, error) {
	in := strings.TrimSpace(s)
	if t, err := time.Parse(time.DateOnly, in); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, in); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("invalid date %s: write YYYY-MM-DD (midnight UTC) or an RFC 3339 time such as 2026-07-01T09:00:00Z", quote(in))
}

// ParseScope reads a scope in either spelling Buildkite uses, GraphQL's
// READ_BUILDS or REST's read_builds, and returns the GraphQL name. Scopes
// the schema does not know are rejected, since they would silently match
// nothing.
func ParseScope(s string) (string, error) {
	in := strings.TrimSpace(s)
	name := strings.ToUpper(strings.ReplaceAll(in, "-", "_"))
	best, bestDist := "", math.MaxInt
	for _, known := range gql.AllAPIAccessTokenScopes {
		if string(known) == name {
			return name, nil
		}
		if d := editDistance(name, string(known)); d < bestDist {
			best, bestDist = string(known), d
		}
	}
	if in == "" {
		return "", errors.New("empty scope: give a scope such as READ_BUILDS or read_builds")
	}
	if bestDist <= 3 {
		return "", fmt.Errorf("unknown scope %s: did you mean %s?", quote(in), best)
	}
	return "", fmt.Errorf("unknown scope %s: scopes look like READ_BUILDS or read_builds (see Buildkite's API access token scopes)", quote(in))
}

// KnownScopes lists the scopes ParseScope accepts, in GraphQL spelling.
func KnownScopes() []string {
	out := make([]string, len(gql.AllAPIAccessTokenScopes))
	for i, s := range gql.AllAPIAccessTokenScopes {
		out[i] = string(s)
	}
	return out
}

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

// quote shows user input in an error message: quoted, shortened, and never
// echoing something shaped like a secret token value.
func quote(s string) string {
	if redact.IsSecret(s) {
		return "(a value shaped like a secret token, not shown)"
	}
	// A token pasted among other words is redacted before shortening, so
	// the cut cannot leave part of it behind.
	s = redact.Secrets(s)
	const limit = 40
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit]) + "…"
	}
	return strconv.Quote(s)
}
