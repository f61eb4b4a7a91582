package output

import (
	"math"
	"time"

	"github.com/dustin/go-humanize"
)

// Presentation for people at a terminal only: machine formats, and tables
// that do not go to a terminal, print RFC 3339 times instead.

const day = 24 * time.Hour

// relativeSteps says how a distance in time reads: minutes up to an hour,
// hours up to a day, days up to two months, then 30-day months up to two
// years, then 365-day years.
var relativeSteps = []humanize.RelTimeMagnitude{
	{D: time.Minute, Format: "just now", DivBy: 1},
	{D: 2 * time.Minute, Format: "1 minute %s", DivBy: 1},
	{D: time.Hour, Format: "%d minutes %s", DivBy: time.Minute},
	{D: 2 * time.Hour, Format: "1 hour %s", DivBy: 1},
	{D: day, Format: "%d hours %s", DivBy: time.Hour},
	{D: 2 * day, Format: "1 day %s", DivBy: 1},
	{D: 60 * day, Format: "%d days %s", DivBy: day},
	{D: 730 * day, Format: "%d months %s", DivBy: 30 * day},
	{D: math.MaxInt64, Format: "%d years %s", DivBy: 365 * day},
}

// RelativeTime reads t from now: "3 days ago", or "in the future" as
// "3 days from now".
func RelativeTime(t, now time.Time) string {
	return humanize.CustomRelTime(t, now, "ago", "from now", relativeSteps)
}
