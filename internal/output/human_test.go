package output

import (
	"math"
	"testing"
	"time"
)

func TestRelativeTime(t *testing.T) {
	now := time.Date(2026, 11, 26, 21, 52, 8, 0, time.UTC)
	for _, c := range []struct {
		ago  time.Duration
		want string
	}{
		{0, "just now"},
		{59 * time.Second, "just now"},
		{-59 * time.Second, "just now"},
		{time.Minute, "1 minute ago"},
		{2*time.Minute - time.Nanosecond, "1 minute ago"},
		{2 * time.Minute, "2 minutes ago"},
		{time.Hour - time.Nanosecond, "59 minutes ago"},
		{10 * time.Minute, "10 minutes ago"},
		{time.Hour, "1 hour ago"},
		{2*time.Hour - time.Nanosecond, "1 hour ago"},
		{2 * time.Hour, "2 hours ago"},
		{23 * time.Hour, "23 hours ago"},
		{day, "1 day ago"},
		{2*day - time.Nanosecond, "1 day ago"},
		{2 * day, "2 days ago"},
		{30 * day, "30 days ago"},
		{59 * day, "59 days ago"},
		{60 * day, "2 months ago"},
		{100 * day, "3 months ago"},
		{729 * day, "24 months ago"},
		{730 * day, "2 years ago"},
		{1000 * day, "2 years ago"},
		{1095 * day, "3 years ago"},
		{math.MaxInt64, "292 years ago"},
		{math.MinInt64 + 1, "292 years from now"},
		{-90 * day, "3 months from now"},
		{-2 * time.Minute, "2 minutes from now"},
		{-19 * day, "19 days from now"},
		{-time.Hour, "1 hour from now"},
	} {
		if got := RelativeTime(now.Add(-c.ago), now); got != c.want {
			t.Errorf("%s ago: %q, want %q", c.ago, got, c.want)
		}
	}
}
