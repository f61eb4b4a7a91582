package inactivity

import (
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
)

var now = time.Date(2026, 11, 26, 21, 52, 8, 0, time.UTC)

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

func TestPeriodDays(t *testing.T) {
	for in, want := range map[string]int{"DAYS_30": 30, "DAYS_60": 60, "DAYS_90": 90, "DAYS_180": 180, "DAYS_365": 365, "NEVER": 0, "": 0} {
		if got, known := PeriodDays(in); got != want || !known {
			t.Errorf("PeriodDays(%q) = %d, %v; want %d, true", in, got, known, want)
		}
	}
	for _, in := range []string{"DAYS_", "DAYS_x", "DAYS_-5", "WEEKS_2", "days_30"} {
		if _, known := PeriodDays(in); known {
			t.Errorf("PeriodDays(%q) claims to know it", in)
		}
	}
}

// Ties on the revocation time are broken by uuid, so the order is stable.
func TestTokensTakenByOrdersTies(t *testing.T) {
	used := now.Add(-days(100))
	tokens := []buildkite.Token{
		{UUID: "b", CreatedAt: used, LastAccessedAt: &used},
		{UUID: "a", CreatedAt: used},
		{UUID: "c", CreatedAt: now}, // created today: not due
	}
	got := TokensTakenBy(tokens, 30, now, 0)
	if len(got) != 2 || got[0].UUID != "a" || got[1].UUID != "b" {
		t.Fatalf("got %+v", got)
	}
}

// A token never used is counted from its creation; within adds tokens that
// reach the period soon, which are not yet due.
func TestTokensTakenByCountsNeverUsedFromCreationAndLooksAhead(t *testing.T) {
	created := now.Add(-days(40))
	recent := now.Add(-days(10))
	tokens := []buildkite.Token{
		{UUID: "never-used", CreatedAt: created},
		{UUID: "recent", CreatedAt: created, LastAccessedAt: &recent},
	}
	got := TokensTakenBy(tokens, 30, now, days(25))
	if len(got) != 2 {
		t.Fatalf("got %+v", got)
	}
	if g := got[0]; g.UUID != "never-used" || !g.InactiveSince.Equal(created) || !g.RevokeAt.Equal(created.Add(days(30))) || !g.Due || g.LastAccessedAt != nil {
		t.Errorf("never-used token = %+v", g)
	}
	if g := got[1]; g.UUID != "recent" || g.Due || !g.RevokeAt.Equal(recent.Add(days(30))) {
		t.Errorf("recent token = %+v", g)
	}
}
