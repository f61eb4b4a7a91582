package output

import (
	"strconv"
	"time"
)

// Presentation for people at a terminal only: machine formats, and tables
// that do not go to a terminal, print RFC 3339 times instead.

const day = 24 * time.Hour

// RelativeTime reads t from now: "3 days ago", or "in the future" as
// "3 days from now". A distance reads in minutes up to an hour, hours up to
// a day, days up to two months, then 30-day months up to two years, then
// 365-day years, each rounded down; under a minute it is "just now".
func RelativeTime(t, now time.Time) string {
	d, when := now.Sub(t), "ago"
	if t.After(now) {
		d, when = t.Sub(now), "from now"
	}
	switch {
	case d < time.Minute:
		return "just now"
	case d < 2*time.Minute:
		return "1 minute " + when
	case d < time.Hour:
		return count(d/time.Minute, "minutes", when)
	case d < 2*time.Hour:
		return "1 hour " + when
	case d < day:
		return count(d/time.Hour, "hours", when)
	case d < 2*day:
		return "1 day " + when
	case d < 60*day:
		return count(d/day, "days", when)
	case d < 730*day:
		return count(d/(30*day), "months", when)
	}
	return count(d/(365*day), "years", when)
}

func count(n time.Duration, units, when string) string {
	return strconv.FormatInt(int64(n), 10) + " " + units + " " + when
}
