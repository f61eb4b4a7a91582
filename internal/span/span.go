// Package span reads the spans and dates people type for tokenctl: "90d",
// "6w", "1y6w", "2026-07-01". It knows nothing of tokens or of the flags
// that take them; selector, the policy file, history and the inactivity
// setting all read their spans here, so they all read them alike.
package span

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tokenctl/tokenctl/internal/redact"
)

// Units of Parse longer than an hour. A year is 365 days: token
// reviews talk in calendar-ish spans, not leap-second precision.
const (
	Day  = 24 * time.Hour
	Week = 7 * Day
	Year = 365 * Day
)

// maxDuration keeps sums far from overflowing time.Duration (~292 years)
// and rejects spans no token can have existed for.
const maxDuration = 100 * Year

// durationUnit is the length of a unit's letter. A switch rather than a
// map: a package-level map is built at start-up, whatever the command.
func durationUnit(c byte) (time.Duration, bool) {
	switch c {
	case 'y':
		return Year, true
	case 'w':
		return Week, true
	case 'd':
		return Day, true
	case 'h':
		return time.Hour, true
	case 'm':
		return time.Minute, true
	case 's':
		return time.Second, true
	}
	return 0, false
}

const durationHelp = "write a whole number and a unit (y, w, d, h, m or s), e.g. 90d, 6w, 12h, 1y or 1y6w"

// Parse reads a span such as "90d", "6w", "12h", "1y" or "1y6w":
// whole numbers each followed by a unit y (365 days), w, d, h, m or s. The
// result is more than zero and at most 100 years.
func Parse(s string) (time.Duration, error) {
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
			return 0, fmt.Errorf("invalid duration %s: %s", redact.Quote(in), durationHelp)
		}
		unit, ok := durationUnit(rest[i])
		if !ok {
			return 0, fmt.Errorf("invalid duration %s: unknown unit %q; %s", redact.Quote(in), rest[i], durationHelp)
		}
		n, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil || n > int64(maxDuration/unit) {
			return 0, fmt.Errorf("duration %s is too long: the most is 100y", redact.Quote(in))
		}
		total += time.Duration(n) * unit
		if total > maxDuration {
			return 0, fmt.Errorf("duration %s is too long: the most is 100y", redact.Quote(in))
		}
		rest = rest[i+1:]
	}
	if total <= 0 {
		return 0, fmt.Errorf("duration %s must be more than zero", redact.Quote(in))
	}
	return total, nil
}

// Format writes d the way Parse reads it, in whole days
// when it is whole days ("90d", also for 6w or 1y) and in Go's notation
// otherwise ("12h0m0s"). Machine output uses it, so it never changes for a
// given d.
func Format(d time.Duration) string {
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
	return time.Time{}, fmt.Errorf("invalid date %s: write YYYY-MM-DD (midnight UTC) or an RFC 3339 time such as 2026-07-01T09:00:00Z", redact.Quote(in))
}

// ParseTime reads a moment as --since and --until take it: a span back from now ("7d", "12h",
// "1y6w") or a date (YYYY-MM-DD, midnight UTC) or an RFC 3339 time.
func ParseTime(s string, now time.Time) (time.Time, error) {
	if d, err := Parse(s); err == nil {
		return now.Add(-d), nil
	}
	t, err := ParseDate(s)
	if err != nil {
		// ParseDate's message quotes the input safely (never a token).
		return time.Time{}, fmt.Errorf("%w, or a span back from now such as 7d, 12h or 1y6w", err)
	}
	return t, nil
}
